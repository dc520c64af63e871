"""Queries and writes for assessment documents: the recorded fingerprint of a signed PDF, the public
look-ups the verification page needs, and the files staged to move into place once their records commit."""

from __future__ import annotations

from sqlalchemy import delete, select

from hia_service.data.models import Assessment, AssessmentEvent, AssessmentVersion, StagedDocument
from hia_service.extensions import db


def record_pdf_hash(version: AssessmentVersion, sha256: str) -> AssessmentVersion:
    """pdf_sha256 is not frozen: it is written once, when the approved version is signed."""
    version.pdf_sha256 = sha256
    db.session.flush()
    return version


def lock_for_signing(version: AssessmentVersion) -> AssessmentVersion:
    """Hold the version's row until this transaction ends and re-read it, so two signers (a worker and a
    download that signs an old approval) cannot both sign and leave a file that does not match the recorded
    fingerprint: the second sees the first one's pdf_sha256. (SQLite has one writer at a time anyway.)"""
    db.session.execute(
        select(AssessmentVersion.id).where(AssessmentVersion.id == version.id).with_for_update()
    ).scalar_one()
    db.session.refresh(version, ["pdf_sha256"])
    return version


def note_staged_document(staged_key: str, final_key: str) -> None:
    """Part of the caller's transaction: the row exists exactly when the records that need the file do."""
    db.session.add(StagedDocument(staged_key=staged_key, final_key=final_key))
    db.session.flush()


def staged_documents(final_key: str | None = None) -> list[StagedDocument]:
    """Files still to move into place (those whose transaction has committed), oldest first."""
    query = select(StagedDocument).order_by(StagedDocument.id)
    if final_key is not None:
        query = query.where(StagedDocument.final_key == final_key)
    return list(db.session.scalars(query))


def forget_staged_document(row_id: int) -> None:
    """A statement, not session.delete(): another process may have forgotten the same row already."""
    db.session.execute(delete(StagedDocument).where(StagedDocument.id == row_id))
    db.session.flush()


def versions_with_pdf_hash(sha256: str) -> list[AssessmentVersion]:
    query = select(AssessmentVersion).where(AssessmentVersion.pdf_sha256 == sha256)
    return list(db.session.scalars(query))


def version_by_link(reference: str, number: int, key: str) -> AssessmentVersion | None:
    """The live (non-training) version a public link names: its reference, number and random key."""
    query = (
        select(AssessmentVersion)
        .join(Assessment, AssessmentVersion.assessment_id == Assessment.id)
        .where(
            Assessment.reference == reference.strip().upper(),
            AssessmentVersion.number == number,
            AssessmentVersion.verify_key == key,
            Assessment.is_training.is_(False),
        )
    )
    return db.session.scalar(query)


def rollback() -> None:
    """Undo everything in this unit of work (a failed approval must leave no trace of being approved)."""
    db.session.rollback()


def version_events(assessment_id: int, number: int) -> list[AssessmentEvent]:
    """The workflow history of one version, oldest first (queried, so events added this request count)."""
    query = (
        select(AssessmentEvent)
        .where(AssessmentEvent.assessment_id == assessment_id, AssessmentEvent.version_number == number)
        .order_by(AssessmentEvent.id)
    )
    return list(db.session.scalars(query))
