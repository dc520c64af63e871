"""Signed records kept in an S3 bucket (HIA_STORAGE_URL=s3://...) on a real S3-protocol server over HTTP:
approval stores the record in the bucket and nowhere on local disk, the download serves it and it verifies,
a changed or missing object is caught, and a store that cannot be reached or refuses stops the approval with
a clear "try again" and records nothing."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hia_service.documents import verify_pdf
from tests.conftest import csrf_token_from, make_test_app
from tests.integration import object_store
from tests.integration.documents_wiring.conftest import version_of
from tests.integration.documents_wiring.test_approval_signing import text_of, trust
from tests.integration.object_store import Bucket, use_bucket, use_unreachable_store

moto_server = object_store.moto_server
bucket = object_store.bucket


# --- the store itself, as create_app builds it ----------------------------------------------------------


def test_an_app_with_a_bucket_url_writes_reads_and_checks_objects_there(
    bucket: Bucket, database_url: str, tmp_path: Path
) -> None:
    from hia_service.extensions import db
    from hia_service.services.documents import storage

    server = make_test_app(
        database_url, tmp_path, HIA_STORAGE_URL=bucket.url, HIA_S3_ENDPOINT_URL=bucket.endpoint
    )
    with server.app_context():
        store = storage.document_storage()
        assert isinstance(store, storage.S3ObjectStore)
        assert store is storage.document_storage()  # one store, one client, for the app
        store.write("documents/RXA/HIA-2026-0009-v1.pdf", b"%PDF-1.7 the record")
        assert store.read("documents/RXA/HIA-2026-0009-v1.pdf") == b"%PDF-1.7 the record"
        assert store.exists("documents/RXA/HIA-2026-0009-v1.pdf")
        assert store.read("documents/RXA/HIA-2026-0009-v2.pdf") is None  # missing is None, not an error
        assert not store.exists("documents/RXA/HIA-2026-0009-v2.pdf")
        store.move("documents/RXA/HIA-2026-0009-v1.pdf", "documents/RXA/moved.pdf")
        assert store.read("documents/RXA/moved.pdf") == b"%PDF-1.7 the record"
        assert not store.exists("documents/RXA/HIA-2026-0009-v1.pdf")
        with pytest.raises(ValueError, match="not a storage key"):
            store.read("documents/../../etc/passwd")
        db.engine.dispose()
    # It is really in the bucket, under the prefix, and nothing went to the local folder.
    assert bucket.get("documents/RXA/moved.pdf") == b"%PDF-1.7 the record"
    assert bucket.object_keys() == ["hia/pdfs/documents/RXA/moved.pdf"]
    assert not (tmp_path / "documents").exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://hia-pdfs.s3.amazonaws.com/", "must look like s3://bucket-name/optional/prefix"),
        ("s3://Not_A_Bucket/pdfs", "a bucket name is 3 to 63 lower-case letters"),
        ("s3://AKIAKEY:secret@hia-pdfs/pdfs", "must not hold credentials"),
        ("s3://hia-pdfs/pdfs/../other", "the prefix has an empty, '.' or '..' part"),
    ],
)
def test_a_bad_storage_url_stops_start_up_with_a_clear_message(
    url: str, message: str, monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    from pydantic import ValidationError

    from hia_service.config import Settings

    monkeypatch.setenv("HIA_ENV", "testing")
    monkeypatch.setenv("HIA_STORAGE_URL", url)
    with pytest.raises(ValidationError, match=re.escape(message)):
        Settings()
    monkeypatch.delenv("HIA_STORAGE_URL")
    with pytest.raises(ValueError, match=re.escape(message)):
        make_test_app(database_url, tmp_path, HIA_STORAGE_URL=url)


def test_settings_read_the_bucket_and_endpoint_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from hia_service.config import Settings, parse_storage_url

    monkeypatch.setenv("HIA_ENV", "testing")
    assert Settings().flask_config()["HIA_STORAGE_URL"] is None  # the local folder unless told otherwise
    monkeypatch.setenv("HIA_STORAGE_URL", "s3://hia-pdfs/live/")
    monkeypatch.setenv("HIA_S3_ENDPOINT_URL", "https://minio.internal:9000")
    config = Settings().flask_config()
    assert (config["HIA_STORAGE_URL"], config["HIA_S3_ENDPOINT_URL"]) == (
        "s3://hia-pdfs/live/",
        "https://minio.internal:9000",
    )
    assert parse_storage_url("s3://hia-pdfs/live/") == ("hia-pdfs", "live")
    assert parse_storage_url("s3://hia-pdfs") == ("hia-pdfs", "")
    monkeypatch.setenv("HIA_S3_ENDPOINT_URL", "minio.internal:9000")
    with pytest.raises(ValidationError, match="HIA_S3_ENDPOINT_URL must be an http"):
        Settings()


# --- approval and download with the bucket ---------------------------------------------------------------


def test_approval_signs_into_the_bucket_and_the_download_serves_it(
    app: Flask,
    bucket: Bucket,
    monkeypatch: pytest.MonkeyPatch,
    world: Any,
    make_assessment: Any,
    act: Any,
    login: Any,
) -> None:
    from hia_service.services.review import decisions as review

    use_bucket(app, bucket, monkeypatch)
    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.start_review, assessment_id, None)
    act(world["reviewer"], review.approve, assessment_id, None)

    version = version_of(app, assessment_id)  # read back through the app's storage: the bucket
    assert version["status"] == "approved"
    in_bucket = bucket.get(version["key"])
    assert version["pdf"] == in_bucket
    assert hashlib.sha256(in_bucket).hexdigest() == version["pdf_sha256"]
    local = Path(app.config["HIA_DATA_DIR"]) / version["key"]  # (may hold an earlier test's record)
    assert not local.exists() or local.read_bytes() != in_bucket  # no shared disk needed

    client = login(world["manager"])
    response = client.get(f"/documents/{assessment_id}/v1.pdf")
    assert response.status_code == 200 and response.data == in_bucket
    result = verify_pdf(response.data, trust(app))
    assert result.genuine, result.reason
    assert (result.reference, result.version) == (version["reference"], 1)
    assert "Close the walk-in centre on Sundays" in text_of(response.data)


@pytest.mark.parametrize("damage", ["changed", "deleted"])
def test_a_changed_or_missing_object_in_the_bucket_is_not_served(
    app: Flask,
    bucket: Bucket,
    monkeypatch: pytest.MonkeyPatch,
    approved_in_bucket: int,
    world: Any,
    login: Any,
    damage: str,
) -> None:
    version = version_of(app, approved_in_bucket)
    if damage == "changed":
        bucket.put(version["key"], version["pdf"] + b"\n%altered after signing")
    else:
        bucket.remove(version["key"])
    client = login(world["manager"])
    response = client.get(f"/documents/{approved_in_bucket}/v1.pdf")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "application/pdf" not in response.content_type
    assert "missing or has changed on the server" in page


@pytest.fixture
def approved_in_bucket(
    app: Flask, bucket: Bucket, monkeypatch: pytest.MonkeyPatch, world: Any, make_assessment: Any, act: Any
) -> int:
    from hia_service.services.review import decisions as review

    use_bucket(app, bucket, monkeypatch)
    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.start_review, assessment_id, None)
    act(world["reviewer"], review.approve, assessment_id, None)
    return assessment_id


# --- a store that is down or refuses -------------------------------------------------------------------


def _approve_in_browser(client: FlaskClient, assessment_id: int) -> Any:
    page = client.get(f"/review/{assessment_id}").get_data(as_text=True)
    lock = re.search(r'name="lock_version"[^>]*value="(\d+)"', page) or re.search(
        r'value="(\d+)"[^>]*name="lock_version"', page
    )
    form = {"csrf_token": csrf_token_from(page), "lock_version": lock[1] if lock else ""}
    return client.post(f"/review/{assessment_id}/approve", data=form)


def test_an_unreachable_store_stops_the_approval_with_a_clear_message(
    app: Flask,
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    world: Any,
    make_assessment: Any,
    act: Any,
    login: Any,
) -> None:
    from hia_service.services.review import decisions as review

    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.start_review, assessment_id, None)
    use_unreachable_store(app, monkeypatch)
    login(world["reviewer"])

    response = _approve_in_browser(client, assessment_id)

    assert response.status_code == 503
    text = response.get_data(as_text=True)
    assert "The PDF could not be saved, so the assessment has not been approved" in text
    assert "Please try again in a few minutes" in text and "the document store did not accept it" in text
    assert "127.0.0.1" not in text and "botocore" not in text  # the details are for the log, not the page
    version = version_of(app, assessment_id)
    assert (version["status"], version["pdf_sha256"]) == ("submitted", None)


def test_a_store_that_refuses_stops_the_approval_and_a_download_says_try_again(
    app: Flask,
    bucket: Bucket,
    monkeypatch: pytest.MonkeyPatch,
    approved_in_bucket: int,
    world: Any,
    make_assessment: Any,
    act: Any,
    login: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from hia_service.services.documents import storage
    from hia_service.services.errors import ServiceError
    from hia_service.services.review import decisions as review

    # The bucket is gone (or the credentials may not use it): S3 answers, and refuses.
    gone = object_store.Bucket(bucket.endpoint, "hia-no-such-bucket", "pdfs", bucket.client)
    use_bucket(app, gone, monkeypatch)
    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.start_review, assessment_id, None)
    with pytest.raises(ServiceError, match="could not be saved, so the assessment has not been approved"):
        act(world["reviewer"], review.approve, assessment_id, None)
    assert version_of(app, assessment_id)["status"] == "submitted"
    logged = [
        getattr(record, "fields", {}) for record in caplog.records if record.name == "hia_service.storage"
    ]
    assert {"action": "write", "code": "NoSuchBucket"}.items() <= logged[-1].items()  # for the administrator

    use_unreachable_store(app, monkeypatch)
    response = login(world["manager"]).get(f"/documents/{approved_in_bucket}/v1.pdf")
    assert response.status_code == 503
    assert "could not be fetched from the document store just now" in response.get_data(as_text=True)
    with app.app_context(), pytest.raises(storage.StoreUnavailableError):
        storage.document_storage().exists("documents/RXA/anything.pdf")


def test_hia_storage_check_proves_the_store_works_or_says_why_not(
    app: Flask, bucket: Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hia_service.cli.storage import storage_cli

    use_bucket(app, bucket, monkeypatch)
    result = app.test_cli_runner().invoke(storage_cli, ["check"])
    assert result.exit_code == 0, result.output
    assert f"Document storage works: {bucket.url}" in result.output
    (key,) = bucket.object_keys()
    assert key.startswith("hia/pdfs/checks/") and b"hia storage check" in bucket.get(key.split("/", 2)[2])

    use_unreachable_store(app, monkeypatch)
    result = app.test_cli_runner().invoke(storage_cli, ["check"])
    assert result.exit_code == 1
    assert "Could not write to and read back from s3://hia-nowhere/pdfs/" in result.output


def test_a_record_signed_on_one_server_is_downloaded_from_another_with_no_shared_disk(
    app: Flask,
    client: FlaskClient,
    bucket: Bucket,
    monkeypatch: pytest.MonkeyPatch,
    approved_in_bucket: int,
    world: Any,
    login: Any,
    database_url: str,
    tmp_path: Path,
) -> None:
    from hia_service.extensions import db

    other_server = make_test_app(
        database_url, tmp_path / "other", HIA_STORAGE_URL=bucket.url, HIA_S3_ENDPOINT_URL=bucket.endpoint
    )
    try:
        login(world["manager"])  # on the first server; the signed cookie works on any
        second = other_server.test_client()
        second.set_cookie("session", client.get_cookie("session", domain="hia.test").value, domain="hia.test")
        response = second.get(f"/documents/{approved_in_bucket}/v1.pdf")
        assert response.status_code == 200
        assert response.data == bucket.get(version_of(app, approved_in_bucket)["key"])
        assert not (tmp_path / "other" / "documents").exists()  # its own data folder holds no PDFs
        assert verify_pdf(response.data, trust(app)).genuine
    finally:
        with other_server.app_context():
            db.session.remove()
            db.engine.dispose()
