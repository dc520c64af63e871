"""Export an organisation from one database and import it into a fresh one, of either kind (SQLite to
PostgreSQL included): every record equal field by field, the audit chain intact, the PDFs byte-identical
and still validly signed; other organisations in the target untouched. The targets trust the certificate the
archive's manifest is signed with (test_signature.py covers the targets that do not)."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from hia_service.cli.backup import export_command, import_command
from hia_service.documents import verify_pdf
from tests.integration.backup.conftest import (
    APPROVAL_CONDITIONS,
    CERTIFICATE_COLUMNS,
    archive_files,
    comparable,
    fresh_app,
    org_rows,
    rewrite,
    target_kinds,
    trusting,
)
from tests.integration.review.conftest import add_people, create_assessment

PDFSIG = "/usr/bin/pdfsig"
TRAINING_AND_SETTINGS = [
    "training_sessions",
    "training_members",
    "training_practices",
    "organisation_settings",
    "organisation_choices",
    "local_framework_versions",
]


def export(app: Flask, code: str, out: Path, *extra: str) -> Any:
    result = app.test_cli_runner().invoke(export_command, ["--org", code, "--to", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result


def import_(app: Flask, archive: Path, *extra: str) -> Any:
    return app.test_cli_runner().invoke(import_command, [str(archive), *extra])


def stored_pdfs(app: Flask, code: str) -> dict[str, bytes]:
    folder = Path(app.config["HIA_DATA_DIR"]) / "documents" / code
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.pdf"))}


def chain_verifies(app: Flask) -> tuple[int, list[Any]]:
    from hia_service.data.audit import verify_audit_log

    with app.app_context():
        return verify_audit_log()


@pytest.mark.parametrize("target_kind", target_kinds())
def test_round_trip_restores_every_record_field_by_field(
    app: Flask, organisation: dict[str, Any], target_kind: str, tmp_path: Path, source_p12: Path
) -> None:
    before = org_rows(app, "RXA")
    archive = tmp_path / "rxa.tar.gz"
    shown = export(app, "RXA", archive)
    assert "assessments: 5" in shown.output and "documents: 2" in shown.output
    assert "reference_datasets" in shown.output  # what is not in the archive is said
    assert "signing certificate uploaded in the organisation's settings was left out" in shown.output
    with fresh_app(target_kind, tmp_path / "target", **trusting(source_p12)) as target:
        result = import_(target, archive)
        assert result.exit_code == 0, result.output
        assert "Imported RXA" in result.output
        assert "must upload it again" in result.output
        after = org_rows(target, "RXA")
        imported_event = after["audit_events"].pop()  # the entry that records the import itself
        assert imported_event["event_type"] == "organisation_imported"
        # The uploaded certificate stays behind: every column of it comes back empty, the rest as it was.
        (settings_before,) = before["organisation_settings"]
        (settings_after,) = after["organisation_settings"]
        assert all(settings_before[column] is not None for column in CERTIFICATE_COLUMNS)
        assert all(settings_after[column] is None for column in CERTIFICATE_COLUMNS)
        settings_before.update(dict.fromkeys(CERTIFICATE_COLUMNS))
        assert comparable(after) == comparable(before)
        assert {t: len(r) for t, r in after.items()} == {t: len(r) for t, r in before.items()}
        assert len(before["audit_events"]) > 20 and len(before["assessment_versions"]) == 5
        for table in TRAINING_AND_SETTINGS:
            assert len(after[table]) == 1, table  # the new tables have something to compare
        assert after["organisation_settings"][0]["logo"] == before["organisation_settings"][0]["logo"]
        conditions = [v["approval_conditions"] for v in after["assessment_versions"]]
        assert conditions.count(APPROVAL_CONDITIONS) == 1  # set on one approval, travels with it
        count, problems = chain_verifies(target)
        assert problems == [] and count == len(after["audit_events"]) + 1
        assert stored_pdfs(target, "RXA") == stored_pdfs(app, "RXA")
        assert len(stored_pdfs(target, "RXA")) == 2
        assert "RYB" not in json.dumps([r["code"] for r in after["organisations"]])


def test_restored_pdfs_verify_with_poppler_and_the_service(
    app: Flask, organisation: dict[str, Any], tmp_path: Path, source_p12: Path
) -> None:
    from hia_service.data.documents import versions_with_pdf_hash
    from hia_service.services.documents import records as documents

    archive = tmp_path / "rxa.tar.gz"
    export(app, "RXA", archive)
    with fresh_app(target_kinds()[-1], tmp_path / "target", **trusting(source_p12)) as target:
        assert import_(target, archive).exit_code == 0
        folder = Path(target.config["HIA_DATA_DIR"]) / "documents" / "RXA"
        for pdf in sorted(folder.glob("*.pdf")):
            run = subprocess.run([PDFSIG, str(pdf)], capture_output=True, text=True, timeout=60, check=False)
            assert "Signature Validation: Signature is Valid." in run.stdout, run.stdout + run.stderr
            assert "Total document signed" in run.stdout
        with app.app_context():
            roots = documents.trust_roots()  # the exporting service's certificate (it is never exported)
        for pdf in sorted(folder.glob("*.pdf")):
            result = verify_pdf(pdf.read_bytes(), roots)
            assert result.genuine, result.reason
            with target.app_context():
                # The restored database knows this exact file as the record of that version.
                recorded = versions_with_pdf_hash(hashlib.sha256(pdf.read_bytes()).hexdigest())
                assert [(v.assessment.reference, v.number) for v in recorded] == [
                    (result.reference, result.version)
                ]


def test_import_leaves_other_organisations_untouched(
    app: Flask, organisation: dict[str, Any], tmp_path: Path, source_p12: Path
) -> None:
    from hia_service.services.review import decisions as review

    archive = tmp_path / "rxa.tar.gz"
    export(app, "RXA", archive)
    with fresh_app(target_kinds()[-1], tmp_path / "target", **trusting(source_p12)) as target:
        people = add_people(target, {"boss": ("manager", "RZZ"), "checker": ("reviewer", "RZZ")})
        theirs = create_assessment(target, people["boss"], "Their own change")
        with target.app_context():
            from hia_service.data.accounts import get_user
            from hia_service.data.transaction import commit

            review.approve(get_user(people["checker"]["id"]), theirs, None)
            commit()
        before, pdfs = org_rows(target, "RZZ"), stored_pdfs(target, "RZZ")
        assert import_(target, archive).exit_code == 0
        assert org_rows(target, "RZZ") == before  # same ids, same values, same hashes
        assert stored_pdfs(target, "RZZ") == pdfs and len(pdfs) == 1
        assert chain_verifies(target)[1] == []
        # RXA's people were given new ids, and everything that points at them followed.
        rxa = org_rows(target, "RXA")
        source = org_rows(app, "RXA")
        assert {u["id"] for u in rxa["users"]}.isdisjoint({u["id"] for u in before["users"]})
        assert {u["id"] for u in rxa["users"]} != {u["id"] for u in source["users"]}
        authors = {a["author_id"] for a in rxa["assessments"]}
        assert authors <= {u["id"] for u in rxa["users"]}


def test_password_hashes_can_be_left_out(
    app: Flask, organisation: dict[str, Any], tmp_path: Path, source_p12: Path
) -> None:
    archive = tmp_path / "rxa.tar.gz"
    shown = export(app, "RXA", archive, "--without-password-hashes")
    assert "Password hashes were left out." in shown.output
    users = json.loads(archive_files(archive)["records/users.json"])
    assert users and all(user["password_hash"] is None for user in users)
    manifest = json.loads(archive_files(archive)["manifest.json"])
    assert manifest["password_hashes"] is False
    with fresh_app("sqlite", tmp_path / "target", **trusting(source_p12)) as target:
        result = import_(target, archive)
        assert result.exit_code == 0 and "no password hashes" in result.output


def test_an_archive_made_before_conditions_of_approval_still_imports_with_none(
    app: Flask, organisation: dict[str, Any], tmp_path: Path, source_p12: Path
) -> None:
    """Archives made before migration 0012 have no approval_conditions column: they restore, with it empty.
    A column this service does not know is still refused."""

    def without_conditions(files: dict[str, bytes]) -> None:
        rows = json.loads(files["records/assessment_versions.json"])
        assert any(row.pop("approval_conditions") for row in rows)
        files["records/assessment_versions.json"] = json.dumps(rows).encode()

    def with_unknown_column(files: dict[str, bytes]) -> None:
        rows = json.loads(files["records/assessment_versions.json"])
        rows[0]["approval_notes"] = "Where did this come from?"
        files["records/assessment_versions.json"] = json.dumps(rows).encode()

    archive = tmp_path / "rxa.tar.gz"
    export(app, "RXA", archive)
    older = rewrite(
        archive, tmp_path / "older.tar.gz", without_conditions, fix_manifest=True, sign_with=source_p12
    )
    unknown = rewrite(
        archive, tmp_path / "unknown.tar.gz", with_unknown_column, fix_manifest=True, sign_with=source_p12
    )
    with fresh_app("sqlite", tmp_path / "target", **trusting(source_p12)) as target:
        refused = import_(target, unknown)
        assert refused.exit_code == 1
        assert (
            "records/assessment_versions.json does not have the columns this service expects"
            in refused.output
        )
        result = import_(target, older)
        assert result.exit_code == 0, result.output
        versions = org_rows(target, "RXA")["assessment_versions"]
        assert len(versions) == 5 and all(v["approval_conditions"] is None for v in versions)


def test_the_manifest_lists_files_counts_and_versions(
    app: Flask, organisation: dict[str, Any], tmp_path: Path
) -> None:
    archive = tmp_path / "rxa.tar.gz"
    export(app, "RXA", archive)
    files = archive_files(archive)
    manifest = json.loads(files["manifest.json"])
    assert manifest["format_version"] == 3 and manifest["app_version"]
    assert manifest["organisation"]["code"] == "RXA"
    assert manifest["reference_release"]["used_by_assessments"] == ["IoD2025"]
    assert manifest["counts"]["assessments"] == 5 and manifest["counts"]["documents"] == 2
    assert manifest["signing_certificate"]["in_archive"] is False
    assert manifest["signing_certificate"]["upload_again"] is True
    assert "upload it again" in manifest["signing_certificate"]["after_import"]
    assert all(manifest["counts"][table] == 1 for table in TRAINING_AND_SETTINGS)
    listed = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json", "manifest.sig.json"}
    assert all(hashlib.sha256(files[p]).hexdigest() == digest for p, digest in listed.items())
    # The exporting database records the export in its audit log.
    rows = org_rows(app, "RXA")["audit_events"]
    assert rows[-1]["event_type"] == "organisation_exported"
    assert rows[-1]["details"]["archive_sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()


def test_the_uploaded_certificate_never_leaves_the_server(
    app: Flask, organisation: dict[str, Any], uploaded_p12: bytes, tmp_path: Path
) -> None:
    import base64

    archive = tmp_path / "rxa.tar.gz"
    export(app, "RXA", archive)
    files = archive_files(archive)
    (settings,) = json.loads(files["records/organisation_settings.json"])
    assert settings["logo"] and all(settings[column] is None for column in CERTIFICATE_COLUMNS)
    everything = b"".join(files.values())
    assert uploaded_p12 not in everything and base64.b64encode(uploaded_p12) not in everything
    assert b"PRIVATE KEY" not in everything
    # The one certificate in the archive is the public part of the signer's, beside the signature.
    signature = json.loads(files.pop("manifest.sig.json"))
    assert b"BEGIN CERTIFICATE" not in b"".join(files.values())
    with app.app_context():
        from hia_service.services.documents.records import service_certificate_pems

        assert signature["certificates"][0].encode() in service_certificate_pems("RXA")
