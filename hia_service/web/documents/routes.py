"""Download a version's record: the signed PDF once approved (otherwise marked draft), or the Word copy.
Who may download follows can(user, Action.EXPORT, assessment); anyone else gets "not found".

With HIA_QUEUE=rq a PDF that is not made yet is made in the background: the page says it is being prepared
and offers a link to check again (no automatic refresh, which would move people on before they have read
the page)."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from hia_service.auth.decorators import signed_in
from hia_service.services import document_jobs, documents

bp = Blueprint("documents", __name__, url_prefix="/documents")


@bp.get("/<int:assessment_id>/v<int:number>.pdf")
@signed_in
def pdf(assessment_id: int, number: int) -> ResponseReturnValue:
    again = request.args.get("again") == "1"
    try:
        document = document_jobs.download(current_user, assessment_id, number, "pdf", again=again)
    except document_jobs.DocumentNotReadyError as not_ready:
        page = render_template(
            "documents/preparing.html", state=not_ready.state, assessment_id=assessment_id, number=number
        )
        return page, 202, {"Retry-After": "5", "Cache-Control": "no-store"}
    return _send(document)


@bp.get("/<int:assessment_id>/v<int:number>.docx")
@signed_in
def docx(assessment_id: int, number: int) -> Response:
    return _send(documents.download(current_user, assessment_id, number, "docx"))


def _send(document: documents.Download) -> Response:
    response = Response(document.data, mimetype=document.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response.headers["Cache-Control"] = "no-store"  # assessments can hold sensitive service detail
    return response
