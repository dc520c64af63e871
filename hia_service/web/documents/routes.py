"""Download a version's record: the signed PDF once approved (otherwise marked draft), or the Word copy.
Who may download follows can(user, Action.EXPORT, assessment); anyone else gets "not found"."""

from __future__ import annotations

from flask import Blueprint, Response
from flask_login import current_user

from hia_service.auth.decorators import signed_in
from hia_service.services import documents

bp = Blueprint("documents", __name__, url_prefix="/documents")


@bp.get("/<int:assessment_id>/v<int:number>.pdf")
@signed_in
def pdf(assessment_id: int, number: int) -> Response:
    return _send(documents.download(current_user, assessment_id, number, "pdf"))


@bp.get("/<int:assessment_id>/v<int:number>.docx")
@signed_in
def docx(assessment_id: int, number: int) -> Response:
    return _send(documents.download(current_user, assessment_id, number, "docx"))


def _send(document: documents.Download) -> Response:
    response = Response(document.data, mimetype=document.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response.headers["Cache-Control"] = "no-store"  # assessments can hold sensitive service detail
    return response
