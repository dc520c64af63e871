"""`hia import` refuses an archive that is tampered with, cut short, of an unknown format, or whose
organisation is already there (unless --replace), says why, and writes nothing; a failure part way
through writing leaves nothing behind either.

The target trusts the certificate the archives are signed with; tampered archives whose point is a check
behind the signature are signed again with it (test_signature.py tests the signature itself)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from hia_service.cli.backup import export_command, import_command
from tests.integration.backup.conftest import (
    CERTIFICATE_COLUMNS,
    archive_files,
    comparable,
    nothing_written,
    org_rows,
    raw_tar,
    rewrite,
)
from tests.integration.review.conftest import add_people


def import_(app: Flask, path: Path, *extra: str) -> Any:
    return app.test_cli_runner().invoke(import_command, [str(path), *extra])


def refused(app: Flask, path: Path, message: str) -> None:
    result = import_(app, path)
    assert result.exit_code == 1, result.output
    assert message in result.output, result.output
    assert nothing_written(app)


def _edit_json(files: dict[str, bytes], name: str, change: Any) -> None:
    rows = json.loads(files[name])
    change(rows)
    files[name] = json.dumps(rows).encode()


def test_a_changed_byte_is_caught_by_the_manifest(archive: Path, target: Flask, tmp_path: Path) -> None:
    def change(files: dict[str, bytes]) -> None:
        _edit_json(files, "records/assessments.json", lambda rows: rows[0].update(title="Something else"))

    bad = rewrite(archive, tmp_path / "bad.tar.gz", change, fix_manifest=False)
    refused(target, bad, "records/assessments.json does not match the fingerprint in the archive's manifest")


def test_an_altered_audit_entry_is_caught_even_with_the_manifest_redone(
    archive: Path, target: Flask, tmp_path: Path, source_p12: Path
) -> None:
    def change(files: dict[str, bytes]) -> None:
        _edit_json(
            files, "records/audit_events.json", lambda rows: rows[3]["details"].update(reference="HIA-X")
        )

    bad = rewrite(archive, tmp_path / "bad.tar.gz", change, fix_manifest=True, sign_with=source_p12)
    refused(target, bad, "The audit log in the archive does not verify")
    assert "it was altered" in import_(target, bad).output


def test_a_removed_audit_entry_is_caught(
    archive: Path, target: Flask, tmp_path: Path, source_p12: Path
) -> None:
    def change(files: dict[str, bytes]) -> None:
        _edit_json(files, "records/audit_events.json", lambda rows: rows.pop(5))
        manifest = json.loads(files["manifest.json"])
        manifest["audit"]["entries"] -= 1
        files["manifest.json"] = json.dumps(manifest).encode()

    bad = rewrite(archive, tmp_path / "bad.tar.gz", change, fix_manifest=True, sign_with=source_p12)
    refused(target, bad, "an entry was removed from, or added to, the archive's audit log")


def test_an_altered_frozen_version_is_caught_by_its_content_hash(
    archive: Path, target: Flask, tmp_path: Path, source_p12: Path
) -> None:
    def change(files: dict[str, bytes]) -> None:
        _edit_json(files, "records/assessment_versions.json", lambda rows: rows[1]["answers"].update(x="y"))

    bad = rewrite(archive, tmp_path / "bad.tar.gz", change, fix_manifest=True, sign_with=source_p12)
    refused(target, bad, "does not match its content hash: its frozen content was altered")


def test_a_swapped_pdf_is_caught_by_its_recorded_hash(
    archive: Path, target: Flask, tmp_path: Path, source_p12: Path
) -> None:
    def change(files: dict[str, bytes]) -> None:
        first, second = sorted(n for n in files if n.startswith("documents/"))
        files[first], files[second] = files[second], files[first]

    bad = rewrite(archive, tmp_path / "bad.tar.gz", change, fix_manifest=True, sign_with=source_p12)
    refused(target, bad, "is not the signed PDF its version records (pdf_sha256 differs)")


def test_a_missing_pdf_is_caught(archive: Path, target: Flask, tmp_path: Path, source_p12: Path) -> None:
    def change(files: dict[str, bytes]) -> None:
        del files[sorted(n for n in files if n.startswith("documents/"))[0]]

    refused(
        target,
        rewrite(archive, tmp_path / "a.tar.gz", change, fix_manifest=False),
        "is listed in its manifest but missing",
    )
    refused(
        target,
        rewrite(archive, tmp_path / "b.tar.gz", change, fix_manifest=True, sign_with=source_p12),
        "is missing from the archive",
    )


@pytest.mark.parametrize("keep", [0.5, 0.95])
def test_a_truncated_archive_is_refused(archive: Path, target: Flask, tmp_path: Path, keep: float) -> None:
    data = archive.read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(data[: int(len(data) * keep)])
    refused(target, cut, "damaged or incomplete (perhaps cut short while copying)")


def test_an_unknown_format_version_is_refused(archive: Path, target: Flask, tmp_path: Path) -> None:
    def change(files: dict[str, bytes]) -> None:
        manifest = json.loads(files["manifest.json"])
        manifest["format_version"] = 1  # made before training and settings joined the archive
        files["manifest.json"] = json.dumps(manifest).encode()

    bad = rewrite(archive, tmp_path / "v1.tar.gz", change, fix_manifest=False)
    refused(target, bad, "This archive is in format version 1, but this service reads only versions 2 and 3")


def test_files_the_exporter_never_writes_are_refused(target: Flask, tmp_path: Path) -> None:
    evil = tmp_path / "evil.tar.gz"
    evil.write_bytes(raw_tar({"manifest.json": b"{}", "../../etc/cron.d/x": b"boom"}))
    refused(target, evil, "which `hia export` never writes")
    not_ours = tmp_path / "other.tar.gz"
    not_ours.write_bytes(raw_tar({"manifest.json": b'{"format": "something"}'}))
    refused(target, not_ours, "This file is not an organisation archive made by `hia export`")
    plain = tmp_path / "plain.tar.gz"
    plain.write_bytes(b"just some text, not gzip at all")
    refused(target, plain, "damaged or incomplete")


def test_an_existing_organisation_code_is_refused_without_replace(
    archive: Path, target: Flask, tmp_path: Path
) -> None:
    assert import_(target, archive).exit_code == 0
    before = org_rows(target, "RXA")
    again = import_(target, archive)
    assert again.exit_code == 1
    assert "An organisation with the code RXA already exists in this database" in again.output
    assert "--replace" in again.output
    assert org_rows(target, "RXA") == before


def test_people_who_already_have_accounts_elsewhere_are_refused(
    archive: Path, target: Flask, world: Any
) -> None:
    from hia_service.data import accounts
    from hia_service.data.transaction import commit

    with target.app_context():
        org = accounts.add_organisation("RQQ", "Another trust")
        accounts.add_user(org, world["reviewer"]["email"], "Same person", "reviewer", None)
        commit()
    result = import_(target, archive)
    assert result.exit_code == 1
    assert "already have accounts in another organisation here" in result.output
    assert world["reviewer"]["email"] in result.output
    assert org_rows(target, "RXA")["organisations"] == []


def test_a_failure_while_writing_leaves_nothing_half_imported(archive: Path, target: Flask) -> None:
    # A file where the organisation's PDF folder must go: saving the PDFs fails after every row is written.
    blocker = Path(target.config["HIA_DATA_DIR"]) / "documents" / "RXA"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("in the way")
    result = import_(target, archive)
    assert result.exit_code == 1
    assert "The signed PDFs could not be saved" in result.output and "nothing was imported" in result.output
    blocker.unlink()
    assert nothing_written(target)


def test_replace_keeps_the_old_organisation_aside_and_restores_the_archive(
    app: Flask, archive: Path, target: Flask
) -> None:
    from hia_service.data.audit import verify_audit_log

    assert import_(target, archive).exit_code == 0
    add_people(target, {"newcomer": ("manager", "RXA")})  # changed after the backup was taken
    result = import_(target, archive, "--replace")
    assert result.exit_code == 0, result.output
    assert "The organisation that had the code RXA is kept as RXA-R1." in result.output
    restored, source = org_rows(target, "RXA"), org_rows(app, "RXA")
    restored["audit_events"].pop()  # the entry recording this import
    source["audit_events"].pop()  # the entry recording the export
    source["organisation_settings"][0].update(dict.fromkeys(CERTIFICATE_COLUMNS))  # never exported
    assert comparable(restored) == comparable(source)
    old = org_rows(target, "RXA-R1")
    assert len(old["users"]) == len(source["users"]) + 1
    assert not any(user["is_active"] for user in old["users"])
    assert all(user["email"].startswith("replaced1:") for user in old["users"])
    assert old["organisations"][0]["name"].startswith("(replaced ")
    # The join code (unique across the service) went with the archive; the old session's can never match.
    assert (
        old["training_sessions"][0]["join_code"] == "replaced1:" + source["training_sessions"][0]["join_code"]
    )
    assert restored["training_sessions"][0]["join_code"] == source["training_sessions"][0]["join_code"]
    documents = Path(target.config["HIA_DATA_DIR"]) / "documents"
    assert sorted(p.name for p in (documents / "RXA-R1").glob("*.pdf")) == sorted(
        p.name for p in (documents / "RXA").glob("*.pdf")
    )
    with target.app_context():
        assert verify_audit_log()[1] == []


def test_an_unknown_organisation_cannot_be_exported(app: Flask, organisation: Any, tmp_path: Path) -> None:
    out = tmp_path / "x.tar.gz"
    result = app.test_cli_runner().invoke(export_command, ["--org", "ZZZ", "--to", str(out)])
    assert result.exit_code == 1 and "There is no organisation with the code ZZZ." in result.output
    assert not out.exists()


@pytest.mark.parametrize("force", [["--force"], []])
def test_export_refuses_a_symbolic_link_as_its_destination(
    app: Flask, organisation: Any, tmp_path: Path, force: list[str]
) -> None:
    """Before, the archive replaced the link itself (a new file where the link was; the file it pointed to
    kept its old contents), and a link to nothing was replaced even without --force."""
    kept = tmp_path / "backups" / "latest.tar.gz"
    kept.parent.mkdir()
    kept.write_bytes(b"last night's archive")
    for link, points_to in ((tmp_path / "rxa.tar.gz", kept), (tmp_path / "dangling.tar.gz", tmp_path / "no")):
        link.symlink_to(points_to)
        result = app.test_cli_runner().invoke(export_command, ["--org", "RXA", "--to", str(link), *force])
        assert result.exit_code == 1
        assert result.output == (
            f"Error: {link} is a symbolic link, so nothing was exported. Give the path of the archive file "
            "itself.\n"
        )
        assert link.is_symlink() and link.readlink() == points_to
    assert kept.read_bytes() == b"last night's archive"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backups", "dangling.tar.gz", "rxa.tar.gz"]


def test_export_replaces_an_existing_file_only_with_force(
    app: Flask, organisation: Any, tmp_path: Path
) -> None:
    out = tmp_path / "rxa.tar.gz"
    out.write_bytes(b"last night's archive")
    kept = app.test_cli_runner().invoke(export_command, ["--org", "RXA", "--to", str(out)])
    assert kept.exit_code == 1 and kept.output == f"Error: {out} already exists. Use --force to replace it.\n"
    assert out.read_bytes() == b"last night's archive"
    replaced = app.test_cli_runner().invoke(export_command, ["--org", "RXA", "--to", str(out), "--force"])
    assert replaced.exit_code == 0, replaced.output
    assert archive_files(out)["manifest.json"]


def test_export_refuses_when_a_stored_pdf_has_changed(app: Flask, organisation: Any, tmp_path: Path) -> None:
    folder = Path(app.config["HIA_DATA_DIR"]) / "documents" / "RXA"
    pdf = sorted(folder.glob("*.pdf"))[0]
    original = pdf.read_bytes()
    pdf.write_bytes(original + b"\n%tampered")
    try:
        out = tmp_path / "x.tar.gz"
        result = app.test_cli_runner().invoke(export_command, ["--org", "RXA", "--to", str(out)])
        assert result.exit_code == 1 and "is missing or has changed on the server" in result.output
        assert not out.exists()
    finally:
        pdf.write_bytes(original)


def test_the_archive_holds_only_the_organisation_and_no_secrets(archive: Path, world: Any) -> None:
    files = archive_files(archive)
    everything = b"".join(files.values())
    for person in ("other_manager", "other_reviewer", "other_admin"):
        assert world[person]["email"].encode() not in everything
    assert not any(name.endswith((".p12", ".pem")) for name in files)
    manifest = json.loads(files["manifest.json"])
    assert "signing certificate" in manifest["not_exported"]


def test_an_archive_that_is_not_the_exported_file_is_refused_when_its_sha256_is_given(
    archive: Path, target: Flask, tmp_path: Path
) -> None:
    import hashlib

    def change(files: dict[str, bytes]) -> None:
        _edit_json(files, "records/assessments.json", lambda rows: rows[0].update(title="Something else"))

    # A live (draft) field is not under any hash, so a careful forger who redoes the manifest gets past
    # the manifest's fingerprints: its signature, or the sha256 noted at export, is what proves the file.
    forged = rewrite(archive, tmp_path / "forged.tar.gz", change, fix_manifest=True)
    assert "does not match its manifest" in import_(target, forged).output
    expected = hashlib.sha256(archive.read_bytes()).hexdigest()
    result = import_(target, forged, "--expect-sha256", expected)
    assert result.exit_code == 1 and "it is not the file that was exported" in result.output
    assert nothing_written(target)
    assert import_(target, archive, "--expect-sha256", expected.upper()).exit_code == 0


def test_an_archive_unpacked_and_packed_again_by_hand_still_imports(
    archive: Path, target: Flask, tmp_path: Path
) -> None:
    import io
    import tarfile

    files = archive_files(archive)
    repacked = tmp_path / "repacked.tar.gz"
    with tarfile.open(repacked, "w:gz") as tar:
        for folder in ("audit", "documents", "records"):
            info = tarfile.TarInfo(folder)
            info.type = tarfile.DIRTYPE
            tar.addfile(info)
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    result = import_(target, repacked)
    assert result.exit_code == 0, result.output


def test_export_refuses_records_that_point_outside_the_organisation(
    app: Flask, organisation: Any, world: Any, tmp_path: Path
) -> None:
    from hia_service.data.accounts import get_organisation_by_code, get_user
    from hia_service.data.audit import record_audit_event
    from hia_service.data.transaction import commit

    with app.app_context():
        rxa = get_organisation_by_code("RXA")
        assert rxa is not None
        record_audit_event("looked_in", actor=get_user(world["other_admin"]["id"]), organisation_id=rxa.id)
        commit()
    out = tmp_path / "x.tar.gz"
    result = app.test_cli_runner().invoke(export_command, ["--org", "RXA", "--to", str(out)])
    assert result.exit_code == 1, result.output
    assert (
        "cannot be exported as they are" in result.output and "which is not in the archive" in result.output
    )
    assert not out.exists()


def test_an_archive_that_carries_a_signing_certificate_is_refused(
    archive: Path, target: Flask, tmp_path: Path, source_p12: Path
) -> None:
    # Anyone can write an archive: one must never plant a certificate this server would sign with or trust.
    def plant(files: dict[str, bytes]) -> None:
        def change(rows: list[dict[str, Any]]) -> None:
            rows[0]["certificate"] = base64.b64encode(b"not a real PKCS#12").decode()
            rows[0]["certificate_pem"] = "-----BEGIN CERTIFICATE-----"

        _edit_json(files, "records/organisation_settings.json", change)

    bad = rewrite(archive, tmp_path / "planted.tar.gz", plant, fix_manifest=True, sign_with=source_p12)
    refused(target, bad, "records/organisation_settings.json holds certificate")


def test_a_join_code_used_by_another_organisation_is_refused(
    archive: Path, target: Flask, world: Any
) -> None:
    from datetime import UTC, date, datetime

    from hia_service.data import accounts
    from hia_service.data.models import TrainingSession
    from hia_service.data.transaction import commit
    from hia_service.extensions import db

    (session,) = json.loads(archive_files(archive)["records/training_sessions.json"])
    with target.app_context():
        org = accounts.add_organisation("RQQ", "Another trust")
        trainer = accounts.add_user(org, "trainer@rqq.nhs.uk", "Their trainer", "trainer", None)
        db.session.add(
            TrainingSession(
                organisation_id=org.id,
                trainer_id=trainer.id,
                name="Theirs",
                held_on=date.today(),
                join_code=session["join_code"],
                code_expires_at=datetime.now(UTC),
            )
        )
        commit()
    result = import_(target, archive)
    assert result.exit_code == 1
    assert "join code in the archive is already used by another organisation" in result.output
    assert org_rows(target, "RXA")["organisations"] == []


def test_a_replace_the_database_refuses_leaves_the_target_as_it_was(
    archive: Path, target: Flask, tmp_path: Path, source_p12: Path
) -> None:
    """The archive passes its checks but two of its reminder rows clash (same person, same day), so the
    database refuses it after the organisation there now was set aside and its PDFs copied: every row, file
    and folder stays as it was."""
    assert import_(target, archive).exit_code == 0
    documents = Path(target.config["HIA_DATA_DIR"]) / "documents"

    def listing() -> list[str]:
        return sorted(str(p.relative_to(documents)) for p in documents.rglob("*"))

    before_rows, before_files = org_rows(target, "RXA"), listing()

    def clash(files: dict[str, bytes]) -> None:
        _edit_json(files, "records/reminder_logs.json", lambda rows: rows.append({**rows[0], "id": 10**6}))

    clashing = rewrite(archive, tmp_path / "clash.tar.gz", clash, fix_manifest=True, sign_with=source_p12)
    result = import_(target, clashing, "--replace")
    assert result.exit_code == 1
    assert "the database refused its records (IntegrityError), so nothing was imported" in result.output
    assert org_rows(target, "RXA") == before_rows
    assert listing() == before_files
