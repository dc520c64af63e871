"""A version's PDF, and checking whether an uploaded PDF is a genuine, unchanged record from this service."""

from __future__ import annotations

from typing import Any

from flask import g, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from hia_service.api.auth import token_required
from hia_service.api.schemas import ProblemSchema, StrictSchema, UtcDateTime
from hia_service.services.documents import check_upload, download

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


@blp.route("/assessments/<int(max=2147483647):assessment_id>/versions/<int(max=2147483647):number>/pdf")
class VersionPdf(MethodView):
    @token_required()
    @blp.response(200, content_type="application/pdf", description="The PDF record of this version")
    @blp.alt_response(401, schema=ProblemSchema, description="No valid API token")
    @blp.alt_response(404, schema=ProblemSchema, description="No such assessment or version you may export")
    def get(self, assessment_id: int, number: int) -> Any:
        """Download a version's PDF record (signed once approved). Every download is audited."""
        document = download(g.api_user, assessment_id, number, "pdf")
        return send_file(
            _bytes_io(document.data), mimetype=document.mimetype, download_name=document.filename
        )


def _bytes_io(data: bytes) -> Any:
    from io import BytesIO

    return BytesIO(data)


@blp.route("/documents/verify")
class VerifyPdf(MethodView):
    @token_required()
    @blp.arguments(UploadSchema, location="files")
    @blp.response(200, VerificationSchema)
    @blp.alt_response(401, schema=ProblemSchema, description="No valid API token")
    @blp.alt_response(413, schema=ProblemSchema, description="The file is too large")
    @blp.alt_response(422, schema=ProblemSchema, description="No file was sent")
    def post(self, body: dict[str, Any]) -> Any:
        """Check an uploaded PDF (multipart/form-data, field 'file'): is it a record this service signed
        and issued, unchanged since? 'genuine' is false with a 'code' and 'reason' when it is not."""
        return check_upload(body["file"].read())
