"""Approving an assessment signs and stores its record; the signature checks out with pyHanko and poppler."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from hia_service.documents import verify_pdf
from tests.conftest import pdf_text
from tests.integration.documents_wiring.conftest import pdf_file, version_of

PDFSIG = "/usr/bin/pdfsig"


def text_of(pdf: bytes) -> str:
    return pdf_text(pdf)


def trust(app: Flask) -> list[bytes]:
    from hia_service.services.documents import records as documents

    with app.app_context():
        return documents.trust_roots()


def test_approval_stores_a_signed_pdf_recorded_on_the_version(app: Flask, approved: int) -> None:
    version = version_of(app, approved)
    pdf = version["pdf"]
    assert version["status"] == "approved"
    assert version["pdf_sha256"] == hashlib.sha256(pdf).hexdigest()
    assert version["key"] == f"documents/RXA/{version['reference']}-v1.pdf"
    result = verify_pdf(pdf, trust(app))
    assert result.genuine, result.reason
    assert (result.reference, result.version) == (version["reference"], 1)
    assert "Test organisation" in (result.signer or "") or "Trust RXA" in (result.signer or "")
    text = text_of(pdf)
    assert "DRAFT" not in text
    assert "Close the walk-in centre on Sundays" in text
    # The duties the framework names reach the signed record (framework 1.1's first and last).
    flat = " ".join(text.split())
    assert "Duties this assessment answers" in flat
    assert "Public sector equality duty (Equality Act 2010, section 149)" in flat
    assert "Fair consultation (the Gunning principles)" in flat
    assert "What led to the rating, and what would change it" in flat and "(rule " not in flat


def test_poppler_accepts_the_signature(app: Flask, approved: int, tmp_path: Path) -> None:
    pdf_path = pdf_file(version_of(app, approved), tmp_path)
    run = subprocess.run([PDFSIG, str(pdf_path)], capture_output=True, text=True, timeout=60, check=False)
    assert "Signature Validation: Signature is Valid." in run.stdout, run.stdout + run.stderr
    assert "Total document signed" in run.stdout


def test_a_development_certificate_is_made_and_logged(app: Flask, approved: int, caplog: Any) -> None:
    certs = Path(app.config["HIA_DATA_DIR"]) / "certs"
    assert (certs / "RXA.p12").exists() and (certs / "RXA.pem").exists()


def test_training_assessments_are_never_signed(app: Flask, world: Any, make_assessment: Any) -> None:
    from hia_service.data.assessments import get_assessment
    from hia_service.services.documents import on_approval as documents_hook
    from hia_service.services.documents import records as documents
    from hia_service.services.documents import storage

    assessment_id = make_assessment(world["trainer"], training=True)
    with app.app_context():
        assessment = get_assessment(assessment_id)
        assert assessment is not None
        version = assessment.versions[0]
        version.status = "approved"  # as if it had been approved: the hook must still not sign it
        key = documents.stored_pdf_key(version)
        storage.document_storage().delete(key)  # left by an earlier test's HIA-2026-0001
        documents_hook.on_approved(version)
        assert version.pdf_sha256 is None
        assert not storage.document_storage().exists(key)
        pdf = documents.version_pdf(version)
    assert "TRAINING" in text_of(pdf)
    assert b"/ByteRange" not in pdf


def test_production_without_a_certificate_refuses_approval(
    app: Flask, world: Any, make_assessment: Any, act: Any
) -> None:
    from hia_service.services.documents.records import SigningNotSetUpError
    from hia_service.services.review import decisions as review

    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.start_review, assessment_id, None)
    app.config["HIA_ENV"] = "production"
    try:
        with pytest.raises(SigningNotSetUpError, match="signing is not set up") as refused:
            act(world["reviewer"], review.approve, assessment_id, None)
    finally:
        app.config["HIA_ENV"] = "testing"
    assert version_of(app, assessment_id)["status"] == "submitted"  # the approval was rolled back
    # Said to the reviewer: what their organisation can do about it, not the server's settings.
    assert "Your organisation's administrator needs to upload one in Settings" in refused.value.message
    assert "HIA_" not in refused.value.message


def test_production_without_its_own_address_refuses_approval_rather_than_sign_a_guessed_link(
    app: Flask, world: Any, make_assessment: Any, act: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The verification link and QR code are inside the signed bytes: a record signed with the development
    server's address could never be corrected. Without HIA_BASE_URL production signs nothing."""
    from hia_service.services.documents import records
    from hia_service.services.documents.records import SigningNotSetUpError
    from hia_service.services.review import decisions as review

    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.start_review, assessment_id, None)
    with app.app_context():  # a real certificate, configured as production's would be
        from hia_service.data.models import Assessment
        from hia_service.extensions import db

        organisation = db.session.get(Assessment, assessment_id).organisation
        p12, passphrase = records.signing_credentials(organisation)
    monkeypatch.setitem(app.config, "HIA_SIGNING_P12", str(p12))
    monkeypatch.setitem(app.config, "HIA_SIGNING_PASSPHRASE", passphrase)
    monkeypatch.setitem(app.config, "HIA_BASE_URL", None)
    app.config["HIA_ENV"] = "production"
    try:
        with pytest.raises(SigningNotSetUpError, match="does not know its own web address"):
            act(world["reviewer"], review.approve, assessment_id, None)
    finally:
        app.config["HIA_ENV"] = "testing"
    assert version_of(app, assessment_id)["status"] == "submitted"  # the approval was rolled back


def test_a_disk_that_cannot_be_written_rolls_the_approval_back(
    app: Flask, world: Any, make_assessment: Any, act: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hia_service.services.documents import records as documents
    from hia_service.services.errors import ServiceError
    from hia_service.services.review import decisions as review

    def disk_full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.start_review, assessment_id, None)
    monkeypatch.setattr(documents.os, "replace", disk_full)
    with pytest.raises(ServiceError, match=r"The PDF could not be saved.*try again"):
        act(world["reviewer"], review.approve, assessment_id, None)
    monkeypatch.undo()
    version = version_of(app, assessment_id)
    assert (version["status"], version["pdf_sha256"]) == ("submitted", None)
    assert not list((Path(app.config["HIA_DATA_DIR"]) / "documents" / "RXA").glob("*.tmp"))


def test_regenerating_a_frozen_version_gives_the_same_text(app: Flask, approved: int) -> None:
    from hia_service.data.assessments import get_version
    from hia_service.services.documents import records as documents

    with app.app_context():
        version = get_version(approved, 1)
        assert version is not None
        first, second = documents.render_pdf(version), documents.render_pdf(version)
        snapshot = documents.snapshot_for(version)
    assert text_of(first) == text_of(second)
    assert first == second
    assert snapshot["generated_at"].startswith(snapshot["signoff"][-1]["date"][:4])
    assert [row["role"] for row in snapshot["signoff"]] == ["Author", "Reviewer", "Approver"]
