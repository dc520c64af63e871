"""Giving out a document file, or the "being prepared" page while a worker makes it (HIA_QUEUE=rq).

The page offers a link to check again rather than refreshing by itself, which would move people on before
they have read it. Used by the assessment downloads (PDF and Word) and the practice PDF."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, url_for
from flask.typing import ResponseReturnValue

from hia_service.services.documents.jobs import RETRY_AFTER_SECONDS, DocumentNotReadyError
from hia_service.services.documents.records import Download


def send(document: Download) -> Response:
    response = Response(document.data, mimetype=document.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response.headers["Cache-Control"] = "no-store"  # assessments can hold sensitive service detail
    return response


def preparing(
    not_ready: DocumentNotReadyError, endpoint: str, back: tuple[str, str], **values: Any
) -> ResponseReturnValue:
    """HTTP 202 with the page; `endpoint` and `values` make this download's address (to check again, and
    with again=1 to queue one that failed once more); `back` is the back link's address and text."""
    page = render_template(
        "documents/preparing.html",
        state=not_ready.state,
        noun=not_ready.noun,
        number=not_ready.number,
        check_url=url_for(endpoint, **values),
        again_url=url_for(endpoint, again=1, **values),
        back_url=back[0],
        back_text=back[1],
    )
    return page, 202, {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
