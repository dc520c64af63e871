"""Download a version's record: the signed PDF once approved (otherwise marked draft), or the Word copy.
Who may download follows can(user, Action.EXPORT, assessment); anyone else gets "not found".

With HIA_QUEUE=rq a file that is not made yet is made in the background: the page says it is being prepared
(web/downloads.py) until it is; `?again=1` queues again one that failed after every retry."""

from __future__ import annotations

from flask import Blueprint, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from hia_service.auth.decorators import signed_in
from hia_service.services.documents import jobs as document_jobs
from hia_service.web import downloads

bp = Blueprint("documents", __name__, url_prefix="/documents")


@bp.get("/<int:assessment_id>/v<int:number>.pdf")
@signed_in
def pdf(assessment_id: int, number: int) -> ResponseReturnValue:
    return _download(assessment_id, number, "pdf")


@bp.get("/<int:assessment_id>/v<int:number>.docx")
@signed_in
def docx(assessment_id: int, number: int) -> ResponseReturnValue:
    return _download(assessment_id, number, "docx")


def _download(assessment_id: int, number: int, kind: str) -> ResponseReturnValue:
    again = request.args.get("again") == "1"
    try:
        document = document_jobs.download(current_user, assessment_id, number, kind, again=again)
    except document_jobs.DocumentNotReadyError as not_ready:
        back = (url_for("review.record", assessment_id=assessment_id), "Back to the assessment")
        return downloads.preparing(
            not_ready, f"documents.{kind}", back, assessment_id=assessment_id, number=number
        )
    return downloads.send(document)
