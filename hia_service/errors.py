"""One place that turns errors into NHS.UK error pages (HTML) or problem details (JSON)."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from hia_service.services.errors import ServiceError

log = logging.getLogger("hia_service.errors")

MESSAGES = {
    400: ("There is a problem with your request", "Check what you entered and try again."),
    401: ("You need to sign in", "Sign in to use this page."),
    403: ("You do not have permission to see this page", "If you think you should, ask your administrator."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("There is a problem with your request", "This page cannot be used in that way."),
    409: ("Someone else changed this", "Reload the page to see the latest version, then try again."),
    413: ("The file is too large", "Choose a smaller file and try again."),
    422: ("Some of what you sent is not valid", "Check the fields listed in 'errors'."),
    429: ("Too many requests", "Wait a minute and try again."),
    500: ("Sorry, there is a problem with the service", "Try again later. Nothing you saved has been lost."),
    503: ("Sorry, the service is not available", "Try again later. Nothing you saved has been lost."),
}


def wants_json() -> bool:
    return (
        request.path.startswith("/api/")
        or request.path == "/healthz"
        or (request.accept_mimetypes.best == "application/json")
    )


def problem(status: int, title: str, detail: str, **extra: object) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    response = jsonify(body)
    response.status_code = status
    response.content_type = "application/problem+json"
    return response


def render_error(status: int, detail: str | None = None, **extra: object) -> tuple[str, int] | Response:
    title, default_detail = MESSAGES.get(status, MESSAGES[500])
    if wants_json():
        return problem(status, title, detail or default_detail, **extra)
    return render_template("errors/error.html", title=title, detail=detail or default_detail), status


def register_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int] | Response:
        return render_error(
            400,
            "This form was sent without a valid security token, so nothing was saved. "
            "Go back, reload the page and try again.",
        )

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError) -> tuple[str, int] | Response:
        extra = {"errors": {error.field: [error.message]}} if error.field else {}
        return render_error(error.status, error.message, **extra)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | Response:
        # webargs (flask-smorest) puts field-level validation messages in error.data["messages"].
        messages = (getattr(error, "data", None) or {}).get("messages")
        if messages:
            return render_error(error.code or 422, "Check the fields listed in 'errors'.", errors=messages)
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[str, int] | Response:
        log.exception("unhandled error")
        return render_error(500)
