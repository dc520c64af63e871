"""A version's PDF and Word copy (made in the background with HIA_QUEUE=rq: 202 until ready), and checking
whether an uploaded PDF is a genuine, unchanged record from this service."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import Any

from flask import Response, g, jsonify, request, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, fields

from hia_service.api.auth import api_user, token_required
from hia_service.api.schemas import ProblemSchema, StrictSchema, UtcDateTime
from hia_service.errors import problem
from hia_service.services.documents.jobs import RETRY_AFTER_SECONDS, DocumentNotReadyError, download
from hia_service.services.documents.records import MIMETYPES, check_upload

blp = Blueprint("api_documents", __name__, url_prefix="/api/v1", description="PDF records and their checking")


class UploadSchema(StrictSchema):
    file = Upload(required=True, metadata={"description": "The PDF to check."})


class PublicRecordSchema(Schema):
    organisation = fields.String()
    reference = fields.String()
    version = fields.Integer()
    title = fields.String()
    status = fields.String()
    approved_on = fields.String(allow_none=True)
    sha256 = fields.String(allow_none=True)


class VerificationSchema(Schema):
    genuine = fields.Boolean()
    code = fields.String(metadata={"example": "genuine"})
    reason = fields.String()
    signer = fields.String(allow_none=True)
    signed_at = UtcDateTime(allow_none=True)
    sha256 = fields.String()
    record = fields.Nested(PublicRecordSchema, allow_none=True)


class DocumentQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE  # other query parameters were always ignored here

    again = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Queue the document again after it could not be prepared (see the 503 answer)."
        },
    )


class PreparingSchema(Schema):
    status = fields.String(metadata={"example": "preparing"})
    detail = fields.String(metadata={"example": "The PDF of version 1 is being prepared. Ask again shortly."})
    attempts = fields.Integer(metadata={"description": "Tries that have failed so far (it is retried)."})
    job = fields.String(metadata={"description": "The background job's reference."})


class PreparationFailedSchema(ProblemSchema):
    job = fields.String(metadata={"description": "The background job's reference, for an administrator."})
    attempts = fields.Integer(metadata={"description": "How many times it was tried."})
    again = fields.String(metadata={"description": "Ask for this address to queue the document again."})


WAITING_HEADERS = {
    "Retry-After": {"description": "Seconds to wait before asking again", "schema": {"type": "integer"}},
    "Location": {"description": "Where to ask again: this same address", "schema": {"type": "string"}},
}


def document_operation(kind: str, what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The access and OpenAPI description shared by the PDF and Word downloads (token first, as usual)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        documented = [
            blp.arguments(DocumentQuerySchema(), location="query"),
            blp.response(200, content_type=MIMETYPES[kind], description=what),
            blp.alt_response(
                202,
                schema=PreparingSchema,
                headers=WAITING_HEADERS,
                description="With background documents (HIA_QUEUE=rq): it is being prepared; ask again at "
                "`Location` after `Retry-After` seconds",
            ),
            blp.alt_response(401, schema=ProblemSchema, description="No valid API token"),
            blp.alt_response(
                404, schema=ProblemSchema, description="No such assessment or version you may export"
            ),
            blp.alt_response(422, schema=ProblemSchema, description="`again` is not true or false"),
            blp.alt_response(
                503,
                schema=PreparationFailedSchema,
                description="It could not be prepared after every retry (ask again with `?again=1`), or the "
                "background queue cannot be reached just now",
            ),
        ]
        for decorator in reversed(documented):
            view = decorator(view)
        return token_required()(view)

    return decorate


@blp.route("/assessments/<int(max=2147483647):assessment_id>/versions/<int(max=2147483647):number>/pdf")
class VersionPdf(MethodView):
    @document_operation("pdf", "The PDF record of this version")
    def get(self, query: dict[str, Any], assessment_id: int, number: int) -> Any:
        """Download a version's PDF record (signed once approved). Every download is audited.

        Where documents are made in the background, the first request queues it and answers 202 until
        it is ready."""
        return _document(assessment_id, number, "pdf", query["again"])


@blp.route("/assessments/<int(max=2147483647):assessment_id>/versions/<int(max=2147483647):number>/docx")
class VersionDocx(MethodView):
    @document_operation("docx", "The Word copy of this version")
    def get(self, query: dict[str, Any], assessment_id: int, number: int) -> Any:
        """Download a version's Word copy (never signed). Every download is audited.

        Where documents are made in the background, the first request queues it and answers 202 until
        it is ready."""
        return _document(assessment_id, number, "docx", query["again"])


def _document(assessment_id: int, number: int, kind: str, again: bool) -> Response:
    try:
        document = download(api_user(), assessment_id, number, kind, again=again)
    except DocumentNotReadyError as not_ready:
        return _not_ready(not_ready)
    return send_file(BytesIO(document.data), mimetype=document.mimetype, download_name=document.filename)


def _not_ready(not_ready: DocumentNotReadyError) -> Response:
    state, noun, here = not_ready.state, not_ready.noun, request.base_url
    if state.status == "failed":
        response = problem(
            503,
            f"The {noun} could not be prepared",
            f"The {noun} of version {not_ready.number} could not be made after {state.attempts} tries. "
            f"Nothing saved has been lost. Ask for {here}?again=1 to try again; if it keeps failing, give "
            "your system administrator the job reference.",
            job=state.job_id,
            attempts=state.attempts,
            again=f"{here}?again=1",
        )
    else:
        response = jsonify(
            status="preparing",
            detail=f"The {noun} of version {not_ready.number} is being prepared. Ask again at this address "
            "shortly.",
            attempts=state.attempts,
            job=state.job_id,
        )
        response.status_code = 202
        g.retry_after = RETRY_AFTER_SECONDS  # set on the answer after the rate limiter (api/__init__.py)
    response.headers["Location"] = here
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/documents/verify")
class VerifyPdf(MethodView):
    @token_required(reads_only=True)
    @blp.arguments(UploadSchema(), location="files")
    @blp.response(200, VerificationSchema)
    @blp.alt_response(401, schema=ProblemSchema, description="No valid API token")
    @blp.alt_response(413, schema=ProblemSchema, description="The file is too large")
    @blp.alt_response(422, schema=ProblemSchema, description="No file was sent")
    def post(self, body: dict[str, Any]) -> Any:
        """Check an uploaded PDF (multipart/form-data, field 'file'): is it a record this service signed
        and issued, unchanged since? 'genuine' is false with a 'code' and 'reason' when it is not."""
        return check_upload(body["file"].read())
