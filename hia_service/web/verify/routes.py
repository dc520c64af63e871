"""Anyone can check whether a PDF is the organisation's genuine, unchanged assessment record, and see what
is recorded about a version (the QR code on every record links here). No sign-in; no answers shown."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge

from hia_service.auth.decorators import public
from hia_service.documents.wording import long_date, long_datetime
from hia_service.services.documents import records as documents

bp = Blueprint("verify", __name__, url_prefix="/verify")
bp.add_app_template_filter(long_date, "verify_date")
bp.add_app_template_filter(long_datetime, "verify_datetime")
FIELD = "document"
# Problems with the upload itself are shown as an error on the form, not as a verdict on a record.
UPLOAD_PROBLEMS = {"not_pdf", "too_large", "truncated"}


@bp.get("")
@public
def form() -> ResponseReturnValue:
    return render_template("verify/form.html", errors={})


@bp.post("")
@public
def check() -> ResponseReturnValue:
    upload = request.files.get(FIELD)
    if upload is None or not upload.filename:
        return _form_error("Select the PDF file you want to check")
    data = upload.read()
    if not data:
        return _form_error("The selected file is empty. Choose the PDF of the assessment record")
    outcome = documents.check_upload(data)
    if not outcome.genuine and outcome.code in UPLOAD_PROBLEMS:
        return _form_error(outcome.reason)
    return render_template("verify/result.html", outcome=outcome, filename=upload.filename)


@bp.get("/<reference>/<int:number>")
@public
def incomplete_link(reference: str, number: int) -> ResponseReturnValue:
    """Links without the record's key: printed on records made before keys, or cut short. They show
    nothing, so counting through references finds nothing."""
    return render_template("verify/incomplete_link.html"), 404


@bp.get("/<reference>/<int:number>/<key>")
@public
def record(reference: str, number: int, key: str) -> ResponseReturnValue:
    return render_template("verify/record.html", record=documents.linked_record(reference, number, key))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    return _form_error(f"The selected file must be smaller than {limit} MB", status=413)


def _form_error(message: str, status: int = 400) -> ResponseReturnValue:
    return render_template("verify/form.html", errors={FIELD: message}), status
