"""One place that turns errors into NHS.UK error pages (HTML) or problem details (JSON)."""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from hia_service.services.errors import ServiceError

log = logging.getLogger("hia_service.errors")

MESSAGES = {
    400: ("There is a problem with your request", "Check what you entered and try again."),
    401: ("You need to sign in", "Sign in to use this page."),
    403: ("You do not have permission to see this page", "If you think you should, ask your administrator."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("There is a problem with your request", "This page cannot be used in that way."),
    # "Someone else changed this" is ChangedSinceOpenedError's own title: most refusals at 409 are of a step
    # the record's stage does not allow, which nobody else need have caused.
    409: ("This cannot be done at this stage", "Reload the page to see the latest version, then try again."),
    413: ("The file is too large", "Choose a smaller file and try again."),
    422: ("Some of what you sent is not valid", "Check the fields listed in 'errors'."),
    429: ("Too many requests", "Wait a minute and try again."),
    500: ("Sorry, there is a problem with the service", "Try again later. Nothing you saved has been lost."),
    503: ("Sorry, the service is not available", "Try again later. Nothing you saved has been lost."),
}


DATABASE_DOWN_TITLE = "Sorry, there is a problem \u2013 try again"  # en dash, as NHS.UK writes it
DATABASE_DOWN = (
    "The service cannot reach its records just now. Wait a minute, then try again. Everything that was "
    "confirmed as saved is safe. If you were saving answers when you saw this page, check they are there."
)


TOO_MANY_ATTEMPTS = "Too many attempts"


def wait_before_retrying(seconds: float) -> str:
    """'Wait 3 minutes, then try again.' in whole minutes (or hours), rounded up."""
    minutes = max(1, math.ceil(seconds / 60))
    if minutes <= 90:
        return f"Wait {minutes} minute{'s' if minutes != 1 else ''}, then try again."
    hours = math.ceil(minutes / 60)
    return f"Wait {hours} hours, then try again."


def _too_many_attempts(error: RateLimitExceeded) -> Response:
    """A refusal by a rate limit, with when to try again (Retry-After) and the limit's X-RateLimit-*
    headers. Only a refusal carries them: the limiter does not look its counts up again for every answer
    (extensions.py), so an allowed call costs one count and nothing more."""
    response = make_response(_refusal(error))
    current = _limiter().current_limit
    if current is not None:
        add_limit_headers(response, current.limit.amount, current.remaining, current.reset_at)
    return response


def add_limit_headers(response: Response, amount: int, remaining: int, reset_at: int) -> None:
    """When to try again and the limit that refused: Retry-After and X-RateLimit-* (reset_at: epoch s)."""
    response.headers["Retry-After"] = str(max(1, int(reset_at - time.time())))
    response.headers["X-RateLimit-Limit"] = str(amount)
    response.headers["X-RateLimit-Remaining"] = str(remaining)
    response.headers["X-RateLimit-Reset"] = str(reset_at)


def _limiter() -> Limiter:
    from hia_service.extensions import limiter

    return limiter


def _refusal(error: RateLimitExceeded) -> tuple[str, int] | Response:
    """A person refused by a rate limit (sign-in, join codes) is told what happened and how long to wait.
    API clients get problem details as before."""
    if wants_json():
        return render_error(429)
    current = _limiter().current_limit
    # reset_at is rounded up a second by the limiter: a 1-minute window must read "Wait 1 minute".
    wait = (
        wait_before_retrying(current.reset_at - 1 - time.time())
        if current
        else "Wait a minute, then try again."
    )
    said = error.limit.error_message  # the route's own words, with a {wait} slot
    message = said if isinstance(said, str) else "You have tried this too many times. {wait}"
    return render_error(429, message.format(wait=wait), title=TOO_MANY_ATTEMPTS)


def _forget_the_session() -> None:
    """Drop the broken connection and the signed-in user cached on this request, so drawing the error
    page does not try the database again."""
    from flask import g

    from hia_service.data.transaction import rollback
    from hia_service.extensions import login_manager

    rollback()
    g._login_user = login_manager.anonymous_user()  # Flask-Login's per-request cache of current_user


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


def _too_large() -> str:
    """Refused before any page sees it (MAX_CONTENT_LENGTH): say the limit, as the pages' own checks do."""
    most = current_app.config.get("MAX_CONTENT_LENGTH")
    size = f"{most / 2**20:.0f} MB" if most and most >= 2**20 else f"{(most or 0) / 2**10:.0f} KB"
    limit = f" The most the service takes at once is {size}." if most else ""
    if wants_json():
        return f"The request is too large.{limit} Send a smaller body or file."
    return f"Nothing was saved.{limit} Go back, choose a smaller file and try again."


def render_error(
    status: int, detail: str | None = None, title: str | None = None, **extra: object
) -> tuple[str, int] | Response:
    default_title, default_detail = MESSAGES.get(status, MESSAGES[500])
    title = title or default_title
    if wants_json():
        return problem(status, title, detail or default_detail, **extra)
    return render_template("errors/error.html", title=title, detail=detail or default_detail), status


def register_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int] | Response:
        return render_error(
            400,
            # Most often the page was open so long that the session behind it ended, or the person
            # signed in again in another tab: say so plainly, and how to keep what they typed.
            "This page had expired, so what you sent was not saved. Go back, copy anything you typed, "
            "then reload the page and enter it again.",
        )

    app.register_error_handler(RateLimitExceeded, _too_many_attempts)

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError) -> tuple[str, int] | Response:
        if error.field:
            errors = {error.field: [error.message]}
            return render_error(error.status, error.message, title=error.title, errors=errors)
        return render_error(error.status, error.message, title=error.title)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | Response:
        # webargs (flask-smorest) puts field-level validation messages in error.data["messages"].
        messages = (getattr(error, "data", None) or {}).get("messages")
        if messages:
            return render_error(error.code or 422, "Check the fields listed in 'errors'.", errors=messages)
        if error.code == 413:
            return render_error(413, _too_large())
        return render_error(error.code or 500)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error: DBAPIError) -> tuple[str, int] | Response:
        # The database is down, restarting or unreachable. Nothing of this request was committed, and the
        # pool checks connections before use (pool_pre_ping), so the next request after it is back works.
        log.error("database unavailable", extra={"fields": {"error": str(error.orig or error)[:300]}})
        _forget_the_session()
        return render_error(503, DATABASE_DOWN, title=DATABASE_DOWN_TITLE)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[str, int] | Response:
        log.exception("unhandled error")
        return render_error(500)
