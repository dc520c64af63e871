"""`hia export` / `hia import` with the signed PDFs in S3 buckets (a real S3-protocol server over HTTP): the
export reads them from the source bucket, the import puts them in the target bucket only once the records
are committed (no staged objects left), --replace keeps the replaced organisation's records under its new
code, and a store that is down or a changed object stops the export or import with nothing written."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from hia_service.cli.backup import export_command, import_command
from hia_service.documents import verify_pdf
from tests.integration import object_store
from tests.integration.backup.conftest import archive_files, fresh_app, trusting
from tests.integration.backup.test_refusals import nothing_written
from tests.integration.object_store import Bucket, new_bucket, use_bucket, use_unreachable_store

moto_server = object_store.moto_server


@pytest.fixture
def source_bucket(app: Flask, moto_server: str, monkeypatch: pytest.MonkeyPatch) -> Bucket:
    bucket = new_bucket(moto_server, "source")
    use_bucket(app, bucket, monkeypatch)
    return bucket


@pytest.fixture
def in_bucket(source_bucket: Bucket, organisation: dict[str, Any]) -> dict[str, Any]:
    """The backup tests' organisation, made (approvals signed) with its PDFs going to the source bucket."""
    return organisation


def run(app: Flask, command: Any, *args: str) -> Any:
    return app.test_cli_runner().invoke(command, list(args))


def documents_in(bucket: Bucket, code: str) -> dict[str, bytes]:
    folder = f"{bucket.prefix}/documents/{code}/"
    return {
        key.removeprefix(folder): bucket.get(key.removeprefix(f"{bucket.prefix}/"))
        for key in bucket.object_keys()
        if key.startswith(folder)
    }


def test_export_and_import_round_trip_through_buckets(
    app: Flask,
    in_bucket: dict[str, Any],
    source_bucket: Bucket,
    moto_server: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    source_p12: Path,
) -> None:
    from hia_service.data.documents import versions_with_pdf_hash
    from hia_service.services.documents import records as documents

    source_pdfs = documents_in(source_bucket, "RXA")
    assert len(source_pdfs) == 2
    assert not (Path(app.config["HIA_DATA_DIR"]) / "documents").exists()  # all in the bucket
    archive = tmp_path / "rxa.tar.gz"
    exported = run(app, export_command, "--org", "RXA", "--to", str(archive))
    assert exported.exit_code == 0, exported.output
    assert "documents: 2" in exported.output
    packed = {name.removeprefix("documents/"): data for name, data in archive_files(archive).items()}
    assert sorted(hashlib.sha256(d).hexdigest() for n, d in packed.items() if n.endswith(".pdf")) == sorted(
        hashlib.sha256(d).hexdigest() for d in source_pdfs.values()
    )
    with app.app_context():
        roots = documents.trust_roots()

    target_bucket = new_bucket(moto_server, "target")
    with fresh_app("sqlite", tmp_path / "target", **trusting(source_p12)) as target:
        use_bucket(target, target_bucket, monkeypatch)
        imported = run(target, import_command, str(archive))
        assert imported.exit_code == 0, imported.output
        restored = documents_in(target_bucket, "RXA")
        assert restored == source_pdfs  # byte for byte, under the same keys
        assert not [key for key in target_bucket.object_keys() if ".import" in key]  # staged objects moved in
        assert not (Path(target.config["HIA_DATA_DIR"]) / "documents").exists()
        for data in restored.values():
            result = verify_pdf(data, roots)
            assert result.genuine, result.reason
            with target.app_context():
                recorded = versions_with_pdf_hash(hashlib.sha256(data).hexdigest())
                assert [(v.assessment.reference, v.number) for v in recorded] == [
                    (result.reference, result.version)
                ]

        # Replacing it keeps the replaced organisation's records, under its new code, in the bucket.
        replaced = run(target, import_command, str(archive), "--replace")
        assert replaced.exit_code == 0, replaced.output
        assert "kept as RXA-R1" in replaced.output
        assert documents_in(target_bucket, "RXA-R1") == source_pdfs
        assert documents_in(target_bucket, "RXA") == source_pdfs
        assert not [key for key in target_bucket.object_keys() if ".import" in key]

        # And the restored organisation exports again from the target bucket: the same PDFs.
        again = tmp_path / "again.tar.gz"
        assert run(target, export_command, "--org", "RXA", "--to", str(again)).exit_code == 0
        assert {n: d for n, d in archive_files(again).items() if n.startswith("documents/")} == {
            n: d for n, d in archive_files(archive).items() if n.startswith("documents/")
        }


def test_import_into_a_store_that_is_down_writes_nothing(
    app: Flask,
    in_bucket: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    source_p12: Path,
) -> None:
    archive = tmp_path / "rxa.tar.gz"
    assert run(app, export_command, "--org", "RXA", "--to", str(archive)).exit_code == 0
    with fresh_app("sqlite", tmp_path / "target", **trusting(source_p12)) as target:
        use_unreachable_store(target, monkeypatch)
        result = run(target, import_command, str(archive))
        assert result.exit_code == 1, result.output
        assert "The signed PDFs could not be saved in the document store" in result.output
        assert "nothing was imported" in result.output
        assert nothing_written(target)


def test_export_refuses_when_the_store_is_down_or_an_object_has_changed(
    app: Flask,
    in_bucket: dict[str, Any],
    source_bucket: Bucket,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    out = tmp_path / "x.tar.gz"
    key = next(k for k in source_bucket.object_keys() if "/documents/RXA/" in k).removeprefix("source/")
    source_bucket.put(key, source_bucket.get(key) + b"\n%tampered")
    result = run(app, export_command, "--org", "RXA", "--to", str(out))
    assert result.exit_code == 1 and "is missing or has changed on the server" in result.output
    assert key in result.output and not out.exists()

    use_unreachable_store(app, monkeypatch)
    result = run(app, export_command, "--org", "RXA", "--to", str(out))
    assert result.exit_code == 1
    assert "could not be read from the document store" in result.output and "Try again" in result.output
    assert not out.exists()
