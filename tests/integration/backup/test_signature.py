"""The archive's manifest is signed with the service's own signing certificate (never one an organisation
uploaded), and `hia import` checks that signature before it writes anything: a record changed and the
manifest's fingerprints redone is refused, as is a signature by a certificate the service does not trust
(unless given with --trust-certificate) — an organisation's own uploaded certificate included — an unsigned
or version 2 archive (unless its sha256 is given with --expect-sha256) and a damaged signature member. The
target database is of the same kind as the source (SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from hia_service.cli.backup import export_command, import_command
from tests.fuzz_counts import tried
from tests.integration.backup.conftest import (
    CERTIFICATE_COLUMNS,
    CERTIFICATE_PASSPHRASE,
    SERVICE_SIGNER,
    archive_files,
    comparable,
    fresh_app,
    nothing_written,
    org_rows,
    rewrite,
    trusting,
)

OPENSSL = "/usr/bin/openssl"
SIGNATURE = "manifest.sig.json"


def export(app: Flask, out: Path, *extra: str) -> Any:
    result = app.test_cli_runner().invoke(export_command, ["--org", "RXA", "--to", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result


def import_(app: Flask, path: Path, *extra: str) -> Any:
    return app.test_cli_runner().invoke(import_command, [str(path), *extra])


def refused(result: Any, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert message in result.output, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output


def openssl(*args: str, data: bytes | None = None) -> str:
    run = subprocess.run([OPENSSL, *args], input=data, capture_output=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    return run.stdout.decode()


def fingerprint(pem: Path) -> str:
    """As openssl prints it: independent of the service's own code."""
    return openssl("x509", "-in", str(pem), "-noout", "-fingerprint", "-sha256").strip().split("=", 1)[1]


def pem_of(p12: Path, out: Path) -> Path:
    from hia_service.documents import signing_certificate_pem

    out.write_bytes(signing_certificate_pem(p12, CERTIFICATE_PASSPHRASE))
    return out


def edit_title(files: dict[str, bytes]) -> None:
    """A live field, under no content hash: only the manifest (and its signature) protects it."""
    rows = json.loads(files["records/assessments.json"])
    rows[0]["title"] = "Close the clinic altogether"
    files["records/assessments.json"] = json.dumps(rows).encode()


def titles(app: Flask, code: str) -> list[str]:
    return [row["title"] for row in org_rows(app, code)["assessments"]]


@pytest.fixture
def target(backend: str, tmp_path: Path, source_p12: Path) -> Iterator[Flask]:
    """A service (of the source's database kind) whose own certificate is the one RXA signs with."""
    with fresh_app(backend, tmp_path / "target", **trusting(source_p12)) as fresh:
        yield fresh


@pytest.fixture
def stranger(backend: str, tmp_path: Path) -> Iterator[Flask]:
    """Another deployment: it trusts nothing of RXA's."""
    with fresh_app(backend, tmp_path / "stranger") as fresh:
        yield fresh


def test_a_signed_archive_round_trips(
    app: Flask, organisation: dict[str, Any], target: Flask, tmp_path: Path, source_pem: Path
) -> None:
    before = org_rows(app, "RXA")
    archive = tmp_path / "rxa.tar.gz"
    shown = export(app, archive)
    signer = fingerprint(source_pem)
    assert f"Signed the manifest with CN={SERVICE_SIGNER}" in shown.output
    assert signer in shown.output
    files = archive_files(archive)
    member = json.loads(files[SIGNATURE])
    assert member["algorithm"] == "rsa-pkcs1v15-sha256" and member["signs"] == "manifest.json"
    # The signature verifies with openssl over the exact manifest bytes, with the certificate it carries.
    (tmp_path / "sig.bin").write_bytes(base64.b64decode(member["signature"]))
    (tmp_path / "carried.pem").write_text(member["certificates"][0])
    assert fingerprint(tmp_path / "carried.pem") == signer
    key = tmp_path / "key.pem"
    key.write_text(openssl("x509", "-in", str(tmp_path / "carried.pem"), "-noout", "-pubkey"))
    verified = openssl(
        "dgst",
        "-sha256",
        "-verify",
        str(key),
        "-signature",
        str(tmp_path / "sig.bin"),
        data=files["manifest.json"],
    )
    assert "Verified OK" in verified

    result = import_(target, archive)
    assert result.exit_code == 0, result.output
    assert f"signed by CN={SERVICE_SIGNER}" in result.output
    assert "a certificate this service trusts" in result.output and signer in result.output
    after = org_rows(target, "RXA")
    imported = after["audit_events"].pop()
    assert imported["event_type"] == "organisation_imported"
    assert imported["details"]["signed_by"] == signer and imported["details"]["signer_trusted"] is True
    assert imported["details"]["sha256_given"] is False
    source_export = org_rows(app, "RXA")["audit_events"][-1]
    assert source_export["details"]["signed_by"] == signer
    before["organisation_settings"][0].update(dict.fromkeys(CERTIFICATE_COLUMNS))  # never exported
    assert comparable(after) == comparable(before)


def test_a_tampered_record_with_the_manifest_redone_is_refused_and_live_records_stay(
    archive: Path, target: Flask, tmp_path: Path, forger_p12: Path
) -> None:
    assert import_(target, archive).exit_code == 0
    live = org_rows(target, "RXA")
    documents = sorted(p.name for p in (Path(target.config["HIA_DATA_DIR"]) / "documents").rglob("*.pdf"))

    def unchanged() -> None:
        assert org_rows(target, "RXA") == live
        assert org_rows(target, "RXA-R1")["organisations"] == []
        assert sorted(p.name for p in (Path(target.config["HIA_DATA_DIR"]) / "documents").rglob("*.pdf")) == (
            documents
        )

    forged = rewrite(archive, tmp_path / "forged.tar.gz", edit_title, fix_manifest=True)
    refused(
        import_(target, forged, "--replace"),
        "does not match its manifest: the manifest was changed after the archive was signed",
    )
    unchanged()

    def unsign(files: dict[str, bytes]) -> None:
        edit_title(files)
        del files[SIGNATURE]

    stripped = rewrite(archive, tmp_path / "stripped.tar.gz", unsign, fix_manifest=True)
    refused(import_(target, stripped, "--replace"), "The archive is not signed (it has no manifest.sig.json)")
    unchanged()
    given = hashlib.sha256(archive.read_bytes()).hexdigest()
    refused(
        import_(target, stripped, "--replace", "--expect-sha256", given),
        "it is not the file that was exported",
    )
    unchanged()

    resigned = rewrite(
        archive, tmp_path / "resigned.tar.gz", edit_title, fix_manifest=True, sign_with=forger_p12
    )
    refused(import_(target, resigned, "--replace"), "a certificate this service does not trust")
    unchanged()
    assert "Close the clinic altogether" not in titles(target, "RXA")


def test_a_signature_by_another_certificate_is_refused_unless_trusted_on_the_command_line(
    archive: Path, target: Flask, tmp_path: Path, forger_p12: Path
) -> None:
    forger_pem = pem_of(forger_p12, tmp_path / "forger.pem")
    resigned = rewrite(
        archive, tmp_path / "resigned.tar.gz", edit_title, fix_manifest=True, sign_with=forger_p12
    )
    result = import_(target, resigned)
    refused(result, "The archive is signed by CN=Forger Signing Ltd")
    assert f"(SHA-256 fingerprint {fingerprint(forger_pem)}), a certificate this service does not trust" in (
        result.output
    )
    assert "--trust-certificate" in result.output
    assert nothing_written(target)

    trusted = import_(target, resigned, "--trust-certificate", str(forger_pem))
    assert trusted.exit_code == 0, trusted.output
    assert "signed by CN=Forger Signing Ltd" in trusted.output
    assert "a certificate this service trusts" in trusted.output
    assert "Close the clinic altogether" in titles(target, "RXA")  # whoever is trusted is believed


def test_moving_to_another_service_needs_its_certificate_or_the_sha256(
    archive: Path, stranger: Flask, source_pem: Path, tmp_path: Path
) -> None:
    refused(import_(stranger, archive), "a certificate this service does not trust")
    assert nothing_written(stranger)
    not_a_certificate = tmp_path / "notes.pem"
    not_a_certificate.write_text(
        "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n"
    )
    refused(
        import_(stranger, archive, "--trust-certificate", str(not_a_certificate)),
        f"{not_a_certificate} is not a certificate: give the signing certificate as a PEM (or DER) file",
    )
    assert nothing_written(stranger)

    given = hashlib.sha256(archive.read_bytes()).hexdigest()
    by_sha = import_(stranger, archive, "--expect-sha256", given)
    assert by_sha.exit_code == 0, by_sha.output
    assert "which this service does not trust; the archive was accepted because its sha256" in by_sha.output

    by_certificate = import_(stranger, archive, "--replace", "--trust-certificate", str(source_pem))
    assert by_certificate.exit_code == 0, by_certificate.output
    assert "a certificate this service trusts" in by_certificate.output


def test_restoring_into_the_exporting_service_trusts_its_own_certificate(app: Flask, archive: Path) -> None:
    # No option: the service's own HIA_SIGNING_P12 is what is trusted.
    result = import_(app, archive, "--replace")
    assert result.exit_code == 0, result.output
    assert f"signed by CN={SERVICE_SIGNER}" in result.output
    assert "a certificate this service trusts" in result.output


def test_an_archive_signed_with_the_organisations_own_uploaded_certificate_is_refused(
    app: Flask, organisation: dict[str, Any], archive: Path, tmp_path: Path, uploaded_p12: bytes
) -> None:
    """RXA's administrator holds the key of the certificate they uploaded for RXA's PDFs. An archive of RXA
    they make up (here: a record's title changed) and sign with it must not restore as if genuine."""
    from hia_service.services.documents import records as documents

    held = tmp_path / "held-by-the-admin.p12"
    held.write_bytes(uploaded_p12)
    uploaded = pem_of(held, tmp_path / "uploaded.pem").read_bytes()
    with app.app_context():
        assert uploaded in documents.trust_roots("RXA")  # it still vouches for RXA's PDFs
        assert uploaded not in documents.service_certificate_pems("RXA")
    assert (
        "Riverside Uploaded Signing" not in json.loads(archive_files(archive)[SIGNATURE])["certificates"][0]
    )
    before = titles(app, "RXA")
    forged = rewrite(archive, tmp_path / "forged.tar.gz", edit_title, fix_manifest=True, sign_with=held)
    result = import_(app, forged, "--replace")
    refused(result, "The archive is signed by CN=Riverside Uploaded Signing")
    assert "a certificate this service does not trust" in result.output
    assert titles(app, "RXA") == before


def test_without_a_configured_certificate_development_signs_with_its_own_and_trusts_no_upload(
    app: Flask,
    organisation: dict[str, Any],
    tmp_path: Path,
    uploaded_p12: bytes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "HIA_SIGNING_P12", None)
    archive = tmp_path / "rxa.tar.gz"
    shown = export(app, archive)
    assert "Riverside Uploaded Signing" not in shown.output  # the development certificate made for RXA
    assert import_(app, archive, "--replace").exit_code == 0
    held = tmp_path / "held-by-the-admin.p12"
    held.write_bytes(uploaded_p12)
    forged = rewrite(archive, tmp_path / "forged.tar.gz", edit_title, fix_manifest=True, sign_with=held)
    refused(import_(app, forged, "--replace"), "a certificate this service does not trust")


def test_production_without_a_service_certificate_refuses_to_sign_rather_than_use_an_uploaded_one(
    app: Flask, organisation: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "HIA_SIGNING_P12", None)
    monkeypatch.setitem(app.config, "HIA_ENV", "production")
    out = tmp_path / "rxa.tar.gz"
    result = app.test_cli_runner().invoke(export_command, ["--org", "RXA", "--to", str(out)])
    refused(result, "The archive's manifest could not be signed, so the organisation was not exported.")
    assert "This service has no signing certificate of its own (HIA_SIGNING_P12" in result.output
    assert "--unsigned" in result.output and not out.exists()


def test_another_organisations_certificate_cannot_vouch_for_this_ones_archive(
    app: Flask,
    world: Any,
    act: Callable[..., Any],
    archive: Path,
    tmp_path: Path,
    forger_p12: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """RYB's admin uploads a certificate RYB really signs with; an RXA archive re-signed with it is still
    refused on the same service: trust is per organisation."""
    from hia_service.services.documents import records as documents
    from hia_service.services.organisation import branding

    act(world["other_admin"], branding.save_certificate, forger_p12.read_bytes(), CERTIFICATE_PASSPHRASE)
    forger = pem_of(forger_p12, tmp_path / "forger.pem").read_bytes()
    with app.app_context():
        assert forger in documents.trust_roots("RYB")
        assert forger not in documents.trust_roots("RXA")
        assert forger in documents.trust_roots()  # PDFs RYB signed still verify on the public page
    before = titles(app, "RXA")
    resigned = rewrite(
        archive, tmp_path / "resigned.tar.gz", edit_title, fix_manifest=True, sign_with=forger_p12
    )
    refused(import_(app, resigned, "--replace"), "a certificate this service does not trust")
    assert titles(app, "RXA") == before


def test_unsigned_and_version_2_archives_need_the_sha256(
    app: Flask, organisation: dict[str, Any], target: Flask, tmp_path: Path
) -> None:
    unsigned = tmp_path / "unsigned.tar.gz"
    shown = export(app, unsigned, "--unsigned")
    assert "The archive is NOT signed" in shown.output
    assert SIGNATURE not in archive_files(unsigned)
    refused(import_(target, unsigned), "The archive is not signed (it has no manifest.sig.json)")
    assert nothing_written(target)

    signed = tmp_path / "signed.tar.gz"
    export(app, signed)

    def as_version_2(files: dict[str, bytes]) -> None:
        del files[SIGNATURE]
        manifest = json.loads(files["manifest.json"])
        manifest["format_version"] = 2
        files["manifest.json"] = json.dumps(manifest).encode()

    old = rewrite(signed, tmp_path / "v2.tar.gz", as_version_2, fix_manifest=False)
    refused(import_(target, old), "This archive is in format version 2, made before archives were signed")
    assert "--expect-sha256" in import_(target, old).output
    wrong = hashlib.sha256(unsigned.read_bytes()).hexdigest()
    refused(import_(target, old, "--expect-sha256", wrong), "it is not the file that was exported")
    assert nothing_written(target)

    right = hashlib.sha256(old.read_bytes()).hexdigest()
    accepted = import_(target, old, "--expect-sha256", right)
    assert accepted.exit_code == 0, accepted.output
    assert (
        "The archive is not signed; it was accepted because its sha256 is the one you gave" in accepted.output
    )
    again = import_(
        target, unsigned, "--replace", "--expect-sha256", hashlib.sha256(unsigned.read_bytes()).hexdigest()
    )
    assert again.exit_code == 0, again.output


def _member(files: dict[str, bytes]) -> dict[str, Any]:
    return json.loads(files[SIGNATURE])


def _with(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, bytes]], None]:
    def apply(files: dict[str, bytes]) -> None:
        member = _member(files)
        change(member)
        files[SIGNATURE] = json.dumps(member).encode()

    return apply


def _raw(data: bytes | Callable[[bytes], bytes]) -> Callable[[dict[str, bytes]], None]:
    def apply(files: dict[str, bytes]) -> None:
        files[SIGNATURE] = data(files[SIGNATURE]) if callable(data) else data

    return apply


def _flip(member: dict[str, Any]) -> None:
    signature = bytearray(base64.b64decode(member["signature"]))
    signature[len(signature) // 2] ^= 0x01
    member["signature"] = base64.b64encode(bytes(signature)).decode()


HEADER = b'{"format": "hia-manifest-signature", "version": '
DAMAGED = "manifest.sig.json in the archive is damaged"
CORRUPTIONS: list[tuple[str, Callable[[dict[str, bytes]], None], str]] = [
    ("one bit of the signature flipped", _with(_flip), "does not match its manifest"),
    (
        "the signature of something else",
        _with(lambda m: m.update(signature=base64.b64encode(b"x" * 384).decode())),
        "does not match its manifest",
    ),
    ("not JSON", _raw(b"\x00\xff garbage"), f"{DAMAGED}: it is not valid JSON"),
    ("cut short", _raw(lambda data: data[: len(data) // 2]), f"{DAMAGED}: it is not valid JSON"),
    ("empty", _raw(b""), f"{DAMAGED}: it is not valid JSON"),
    ("a list", _raw(b"[1, 2, 3]"), f"{DAMAGED}: it is not a signature made by `hia export`"),
    ("a huge number for the version", _raw(HEADER + b"1" * 5000 + b"}"), f"{DAMAGED}: it is not valid JSON"),
    ("version 2", _with(lambda m: m.update(version=2)), f"{DAMAGED}: its version is 2, not 1"),
    ("version true", _with(lambda m: m.update(version=True)), f"{DAMAGED}: its version is True, not 1"),
    ("signs another file", _with(lambda m: m.update(signs="records/users.json")), "does not say it signs"),
    ("an unknown algorithm", _with(lambda m: m.update(algorithm="md5")), "its algorithm 'md5' is not one"),
    (
        "a list for the algorithm",
        _with(lambda m: m.update(algorithm=["x"] * 100)),
        "its algorithm ['x', 'x',",
    ),
    (
        "another key's algorithm",
        _with(lambda m: m.update(algorithm="ed25519")),
        "holds a different kind of key",
    ),
    ("a number for the signature", _with(lambda m: m.update(signature=12)), "is not a short base64 text"),
    ("a huge signature", _with(lambda m: m.update(signature="A" * 100_000)), "is not a short base64 text"),
    ("a signature not base64", _with(lambda m: m.update(signature="not base64!")), "is not valid base64"),
    ("an empty signature", _with(lambda m: m.update(signature="")), "its signature is empty"),
    ("no certificates", _with(lambda m: m.update(certificates=[])), "it must give the signer's certificate"),
    ("a dict for certificates", _with(lambda m: m.update(certificates={"a": 1})), "must give the signer's"),
    ("a number for a certificate", _with(lambda m: m.update(certificates=[7])), "must give the signer's"),
    ("too many certificates", _with(lambda m: m.update(certificates=m["certificates"] * 9)), "at most 7"),
    (
        "a garbage certificate",
        _with(
            lambda m: m.update(certificates=["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"])
        ),
        "the signer's certificate is not a readable PEM certificate",
    ),
    (
        "a garbage chain certificate",
        _with(lambda m: m["certificates"].append("hello")),
        "certificate 2 of its chain is not a readable",
    ),
    (
        "larger than any signature",
        _raw(b" " * 300_000 + b"{}"),
        f"{DAMAGED}: it is larger than any signature",
    ),
    (
        "nested a million deep",
        _raw(b"[" * 200_000 + b"]" * 200_000),
        f"{DAMAGED}: it is larger than any signature",
    ),
    (
        "nested deep but small",
        _raw(b"[" * 50_000 + b"]" * 50_000),
        f"{DAMAGED}: it is not a signature this service writes",
    ),
]


def test_a_damaged_signature_member_gets_a_clear_error_and_changes_nothing(
    archive: Path, target: Flask, tmp_path: Path
) -> None:
    for number, (what, change, message) in enumerate(CORRUPTIONS):
        bad = rewrite(archive, tmp_path / f"bad{number}.tar.gz", change, fix_manifest=False)
        result = import_(target, bad)
        assert message in result.output, (what, result.output)
        refused(result, message)
        tried("backup: damaged manifest signature (import)")
    assert nothing_written(target)


def test_export_refuses_when_the_manifest_cannot_be_signed(
    app: Flask, organisation: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The service's certificate cannot be opened: its passphrase was changed in one place and not the other.
    monkeypatch.setitem(app.config, "HIA_SIGNING_PASSPHRASE", "not the passphrase it was made with")
    out = tmp_path / "rxa.tar.gz"
    result = app.test_cli_runner().invoke(export_command, ["--org", "RXA", "--to", str(out)])
    refused(result, "The archive's manifest could not be signed, so the organisation was not exported.")
    assert "--unsigned" in result.output
    assert not out.exists()
    assert org_rows(app, "RXA")["audit_events"][-1]["event_type"] != "organisation_exported"
    export(app, out, "--unsigned")
    assert SIGNATURE not in archive_files(out)


def test_a_forged_archive_re_signed_with_a_lookalike_of_the_registered_certificate_is_refused(
    app: Flask, archive: Path, tmp_path: Path
) -> None:
    # A certificate made to look like the one RXA registered (same name), carried in the archive itself:
    # only the service's own certificate (or a trust file the operator gives) vouches for an archive.
    from hia_service.documents.signing import create_dev_certificate

    lookalike = tmp_path / "lookalike.p12"
    create_dev_certificate(lookalike, CERTIFICATE_PASSPHRASE, "Riverside Uploaded Signing")
    resigned = rewrite(
        archive, tmp_path / "resigned.tar.gz", edit_title, fix_manifest=True, sign_with=lookalike
    )
    before = org_rows(app, "RXA")
    result = import_(app, resigned, "--replace")
    refused(result, "The archive is signed by CN=Riverside Uploaded Signing")
    assert "a certificate this service does not trust" in result.output
    assert org_rows(app, "RXA") == before
