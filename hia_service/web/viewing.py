"""Pages that show a live assessment's content say so here, and the entry is audited once the page has been
sent (services/assessments/viewing.py): in the same batches as the API's reads, after the request's own
commit, so viewing a page costs no extra commit. A page that ends in an error was not shown: nothing."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, request
from flask_login import current_user

from hia_service.services.assessments import viewing

VIEW_KEY = "assessment_view"


def shown(assessment: Any, page: str, *, version: int | None = None) -> None:
    """Note that this request's page shows the assessment's content (a practice one is not audited)."""
    view = viewing.assessment_view(current_user, assessment, page, request.path, version=version)
    if view is not None:
        setattr(g, VIEW_KEY, view)


def register_view_audit(app: Flask) -> None:
    # Registered before the transaction boundary, so Flask runs it after the request's commit or rollback.
    @app.after_request
    def audit_assessment_view(response: Response) -> Response:
        view = g.pop(VIEW_KEY, None)
        if view is not None and response.status_code < 400:
            viewing.record_view(view)
        return response
