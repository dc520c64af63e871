"""Downloads (who may, audited) and the public verification page (genuine, altered, bad uploads)."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token_from
from tests.integration.documents_wiring.conftest import version_of
from tests.integration.documents_wiring.test_approval_signing import text_of


def stored_pdf(app: Flask, assessment_id: int) -> bytes:
    return version_of(app, assessment_id)["pdf"]


def upload(client: FlaskClient, data: bytes, name: str = "record.pdf") -> Any:
    token = csrf_token_from(client.get("/verify").get_data(as_text=True))
    form = {"csrf_token": token, "document": (io.BytesIO(data), name)}
    return client.post("/verify", data=form, content_type="multipart/form-data")


def audit_events(app: Flask, kind: str) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from hia_service.data.models import AuditEvent
    from hia_service.extensions import db

    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.event_type == kind))
        return [row.details for row in rows]


def test_author_downloads_the_stored_signed_pdf_and_it_is_audited(
    app: Flask, client: FlaskClient, world: Any, approved: int, login: Any
) -> None:
    login(world["manager"])
    response = client.get(f"/documents/{approved}/v1.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data == stored_pdf(app, approved)
    assert "attachment" in response.headers["Content-Disposition"]
    word = client.get(f"/documents/{approved}/v1.docx")
    assert word.status_code == 200 and word.data[:2] == b"PK"
    formats = [d["format"] for d in audit_events(app, "document_downloaded")]
    assert formats == ["pdf", "docx"]


def test_other_organisations_and_missing_versions_get_not_found(
    app: Flask, client: FlaskClient, world: Any, approved: int, login: Any
) -> None:
    login(world["other_reviewer"])
    assert client.get(f"/documents/{approved}/v1.pdf").status_code == 404
    login(world["reviewer"])
    assert client.get(f"/documents/{approved}/v9.pdf").status_code == 404
    login(world["manager2"])  # same organisation, not the author: managers export only their own
    assert client.get(f"/documents/{approved}/v1.pdf").status_code == 404
    assert audit_events(app, "document_downloaded") == []


def test_signed_out_people_are_sent_to_sign_in(client: FlaskClient, approved: int) -> None:
    response = client.get(f"/documents/{approved}/v1.pdf")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_submitted_version_downloads_unsigned_and_marked_draft(
    app: Flask, client: FlaskClient, world: Any, make_assessment: Any, login: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    login(world["manager"])
    response = client.get(f"/documents/{assessment_id}/v1.pdf")
    assert response.status_code == 200
    assert "DRAFT" in text_of(response.data) and "NOT APPROVED" in text_of(response.data)
    assert b"/ByteRange" not in response.data


def test_the_genuine_record_is_confirmed(app: Flask, client: FlaskClient, approved: int) -> None:
    reference = version_of(app, approved)["reference"]
    response = upload(client, stored_pdf(app, approved))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This is a genuine record" in page
    assert f"{reference} version 1" in page
    assert "Signed by" in page


def test_one_changed_byte_is_not_genuine(app: Flask, client: FlaskClient, approved: int) -> None:
    pdf = bytearray(stored_pdf(app, approved))
    middle = len(pdf) // 3
    pdf[middle] = pdf[middle] ^ 0x01
    response = upload(client, bytes(pdf))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This record cannot be confirmed" in page
    assert "This is a genuine record" not in page


def test_bad_uploads_get_clear_answers(app: Flask, client: FlaskClient) -> None:
    not_pdf = upload(client, b"hello, this is a text file", "notes.txt")
    assert not_pdf.status_code == 400 and "not a PDF" in not_pdf.get_data(as_text=True)
    empty = upload(client, b"", "empty.pdf")
    assert empty.status_code == 400 and "The selected file is empty" in empty.get_data(as_text=True)
    token = csrf_token_from(client.get("/verify").get_data(as_text=True))
    nothing = client.post("/verify", data={"csrf_token": token}, content_type="multipart/form-data")
    assert nothing.status_code == 400 and "Select the PDF file" in nothing.get_data(as_text=True)
    unsigned = upload(client, b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    assert unsigned.status_code == 200 and "cannot be confirmed" in unsigned.get_data(as_text=True)


def test_a_100_mb_upload_gets_a_friendly_page(client: FlaskClient) -> None:
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import stream_encode_multipart

    token = csrf_token_from(client.get("/verify").get_data(as_text=True))
    huge = io.BytesIO(b"%PDF-1.7\n" + b"0" * (100 * 1024 * 1024))
    # Encoded in memory: the test client would spool it to a temporary file it never closes when refused.
    body, length, boundary = stream_encode_multipart(
        {"csrf_token": token, "document": FileStorage(huge, "huge.pdf")}, use_tempfile=False
    )
    response = client.post(
        "/verify",
        input_stream=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        environ_overrides={"CONTENT_LENGTH": str(length)},
    )
    assert response.status_code == 413, response.get_data(as_text=True)[-3000:]
    assert "must be smaller than" in response.get_data(as_text=True)


def test_the_upload_needs_a_csrf_token(client: FlaskClient) -> None:
    response = client.post(
        "/verify", data={"document": (io.BytesIO(b"%PDF-1.7"), "a.pdf")}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "This is a genuine record" not in response.get_data(as_text=True)


def test_the_qr_link_page_shows_the_record_without_answers(
    app: Flask, client: FlaskClient, approved: int
) -> None:
    from hia_service.data.assessments import get_version
    from hia_service.services.documents import records as documents

    version = version_of(app, approved)
    with app.app_context():
        row = get_version(approved, 1)
        assert row is not None
        url = documents.snapshot_for(row)["verify_url"]
    path = url.split("//", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Close the walk-in centre on Sundays" in page and "Approved" in page
    assert version["pdf_sha256"] in page
    assert "Older people use the walk-in centre most" not in page  # an answer
    assert client.get("/verify/HIA-1999-0001/1").status_code == 404
