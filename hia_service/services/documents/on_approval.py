"""Called by services.review.approve(): sign and store the record of the version just approved.

With HIA_QUEUE=sync the signing happens here, and an exception rolls the whole approval back, so an
assessment is never "approved" without its signed record. With HIA_QUEUE=rq the approval commits and a
worker signs the record (retrying if it fails); the download page says "being prepared" until then.
Training assessments are never signed (there is only a note in the log).
"""

from __future__ import annotations

import logging

from hia_service.data import documents as store
from hia_service.data.models import AssessmentVersion
from hia_service.services.documents import jobs as document_jobs
from hia_service.services.documents import queue as jobs
from hia_service.services.documents import records as documents
from hia_service.services.errors import ServiceError

log = logging.getLogger("hia_service.documents")


def on_approved(version: AssessmentVersion) -> None:
    if version.assessment.is_training:
        log.info("Training assessments are never signed", extra={"fields": {"version_id": version.id}})
        return
    try:
        if jobs.queued():
            document_jobs.queue_signing(version)
        else:
            documents.sign_approved(version)
    except ServiceError:
        store.rollback()  # so the page shown with the message sees the assessment as it was
        raise
