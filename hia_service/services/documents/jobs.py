"""Documents made in the background (HIA_QUEUE=rq): the signed record of an approved version, the drawn PDF
of any other version (practice ones too), and the Word copy of every version. A download (web page or API)
asks for the file; if it is not ready it queues the work and says "being prepared" until it is. With
HIA_QUEUE=sync the work is done inside the request, and drawn copies are kept under their fingerprint just
the same.

The functions named *_job run in `hia worker` (documents/queue.py, through hia_service.worker_jobs),
each as one unit of work.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from hia_service.data import assessments as assessment_store
from hia_service.data import documents as store
from hia_service.data.models import AssessmentVersion, User
from hia_service.data.transaction import commit, finish
from hia_service.domain.workflow import Status
from hia_service.services.documents import queue as jobs
from hia_service.services.documents import records as documents
from hia_service.services.documents import storage
from hia_service.services.documents.records import Download

log = logging.getLogger("hia_service.documents")
SIGN_JOB = "hia_service.worker_jobs.sign_job"  # which gives it an app context in a plain `rq worker`
RENDER_JOB = "hia_service.worker_jobs.render_job"
RETRY_AFTER_SECONDS = 5  # how soon a download that is being prepared is worth asking for again


class DocumentNotReadyError(Exception):
    """The document (`kind` "pdf" or "docx" of version `number`) is being prepared in the background;
    `state` says how that is going."""

    def __init__(self, state: jobs.JobState, kind: str, number: int) -> None:
        super().__init__(state.status)
        self.state = state
        self.kind = kind
        self.number = number
        self.noun = documents.NAMES[kind]


# --- on the web side ----------------------------------------------------------------------------------


def queue_signing(version: AssessmentVersion) -> None:
    """After the approval commits, sign the record in the background. Refuses now (rolling the approval
    back) if signing is not set up, rather than approving something that can never be signed."""
    documents.signing_credentials(version.assessment.organisation)
    documents.check_own_address()
    jobs.enqueue_after_commit(
        _sign_id(version), SIGN_JOB, version.assessment_id, version.number, lane=_lane(version)
    )


def document_for_download(version: AssessmentVersion, kind: str, *, again: bool = False) -> bytes:
    """The version's PDF record or Word copy if it is ready; otherwise queue it and raise
    DocumentNotReadyError."""
    if not jobs.queued():
        return _made_now(version, kind)
    if kind == "pdf" and _is_signed_record(version):
        if version.pdf_sha256 is not None:
            return documents.version_pdf(version)
        state = jobs.ensure(
            _sign_id(version),
            SIGN_JOB,
            version.assessment_id,
            version.number,
            again=again,
            lane=_lane(version),
        )
        raise DocumentNotReadyError(state, kind, version.number)
    key = render_key(version, kind)
    stored = storage.document_storage().read(key)
    if stored is not None:
        return stored
    state = jobs.ensure(
        _render_id(key),
        RENDER_JOB,
        version.assessment_id,
        version.number,
        kind,
        again=again,
        lane=_lane(version),
    )
    raise DocumentNotReadyError(state, kind, version.number)


def _made_now(version: AssessmentVersion, kind: str) -> bytes:
    """Without a queue: the signed record, or a drawn copy kept under its fingerprint as the worker keeps
    it, so the next download of an unchanged version (a reviewer's, the same person's again) is not drawn
    a second time. A copy that cannot be kept is still given out."""
    if kind == "pdf" and _is_signed_record(version):
        return documents.version_pdf(version)
    key = render_key(version, kind)
    place = storage.document_storage()
    try:
        kept = place.read(key)
    except (OSError, storage.StorageError):
        kept = None  # the store is away: draw it, as for a first download
    if kept is not None:
        return kept
    data = documents.drawn(version, kind)
    try:
        place.write(key, data)
    except (OSError, storage.StorageError) as error:
        fields = {"key": key, "error": str(error) or type(error).__name__}
        log.warning("A drawn copy could not be kept for later downloads", extra={"fields": fields})
    return data


def render_key(version: AssessmentVersion, kind: str = "pdf") -> str:
    """Drawn copies (PDF or Word) are stored under a fingerprint of what they show, so a change (the version
    going into review, say) makes a new copy rather than serving a stale one."""
    snapshot = documents.snapshot_for(version)
    fingerprint = hashlib.sha256(
        json.dumps([snapshot, version.area, version.reference_release], sort_keys=True, default=str).encode()
    ).hexdigest()[:24]
    assessment = version.assessment
    return (
        f"drawn/{assessment.organisation.code}/{assessment.reference}-v{version.number}-{fingerprint}.{kind}"
    )


def _lane(version: AssessmentVersion) -> str:
    """Whose turn it is on the queue: the organisation's (queue.py keeps it fair between them)."""
    return version.assessment.organisation.code


def _is_signed_record(version: AssessmentVersion) -> bool:
    return version.status == Status.APPROVED.value and not version.assessment.is_training


def _sign_id(version: AssessmentVersion) -> str:
    return f"sign-{version.assessment_id}-{version.number}"


def _render_id(key: str) -> str:
    """render-<fingerprint> for a PDF (as before Word copies were queued), render-<fingerprint>-docx."""
    fingerprint, kind = key.rsplit("-", 1)[-1].split(".")
    return f"render-{fingerprint}" + ("" if kind == "pdf" else f"-{kind}")


# --- in the worker ------------------------------------------------------------------------------------


def sign_job(assessment_id: int, number: int) -> str:
    """Draw, sign and store an approved version's record (once: a second run finds it done)."""
    with _unit_of_work("sign", assessment_id, number):
        version = assessment_store.get_version(assessment_id, number)
        if version is None or not _is_signed_record(version):
            return "nothing to sign"
        if store.lock_for_signing(version).pdf_sha256 is not None:
            return "already signed"
        documents.sign_approved(version)
        commit()
        return "signed"


def render_job(assessment_id: int, number: int, kind: str = "pdf") -> str:
    """Draw a version's PDF (one that is not a signed record) or its Word copy, and store it under its
    fingerprint. (Jobs queued before Word copies were queued carry no kind: they are PDFs.)"""
    with _unit_of_work(f"render {kind}", assessment_id, number):
        version = assessment_store.get_version(assessment_id, number)
        if version is None or kind not in documents.MIMETYPES:
            return "nothing to draw"
        key = render_key(version, kind)
        if not storage.document_storage().exists(key):
            storage.document_storage().write(key, documents.drawn(version, kind))
        return key


@contextmanager
def _unit_of_work(kind: str, assessment_id: int, number: int) -> Iterator[None]:
    """A clean session and a clear log line when it fails (RQ then retries it, see documents/queue.py).
    Runs in an app context: `hia worker` gives one; hia_service.worker_jobs does in a plain `rq worker`."""
    fields = {"job": kind, "assessment_id": assessment_id, "version": number}
    try:
        yield
        log.info("Background document job done", extra={"fields": fields})
    except Exception as error:
        log.error(
            "Background document job failed; it will be retried unless this was the last try",
            extra={"fields": {**fields, "error": str(error) or type(error).__name__}},
        )
        raise
    finally:
        finish()


def download(user: User, assessment_id: int, number: int, kind: str, *, again: bool = False) -> Download:
    """documents.download(), except that a document not made yet is queued (DocumentNotReadyError) rather
    than made while the page waits. `again` re-queues one whose job failed after every retry."""
    return documents.download(
        user, assessment_id, number, kind, source=partial(document_for_download, again=again)
    )
