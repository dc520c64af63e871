"""The JSON API under /api/v1: flask-smorest MethodViews and marshmallow schemas over the same services."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, Response, g, request
from flask_smorest import Api as SmorestApi

from hia_service import __version__

API_PREFIX = "/api/v1"
UNAUDITED = {"api-docs.openapi_json", "api_docs_page.docs"}  # public documentation, no caller to record


class Api(SmorestApi):
    def _register_error_handlers(self) -> None:
        # hia_service.errors answers every error, as problem+json on API paths.
        pass


api = Api()


def register_api(app: Flask) -> None:
    from hia_service.api.area import blp as area_blp
    from hia_service.api.assessments import blp as assessments_blp
    from hia_service.api.docs import bp as docs_bp
    from hia_service.api.documents import blp as documents_blp
    from hia_service.api.profiles import blp as profiles_blp
    from hia_service.api.review import blp as review_blp
    from hia_service.api.status import blp as status_blp
    from hia_service.api.versions import blp as versions_blp
    from hia_service.extensions import csrf

    _configure(app)
    api.init_app(app)
    blueprints = (
        assessments_blp,
        area_blp,
        review_blp,
        versions_blp,
        documents_blp,
        profiles_blp,
        status_blp,
    )
    for blp in blueprints:
        csrf.exempt(blp)  # token-authenticated, no cookies: CSRF does not apply
        api.register_blueprint(blp)
    app.register_blueprint(docs_bp)
    _register_body_check(app)
    _register_rate_limits(app)
    _register_call_audit(app)


def _configure(app: Flask) -> None:
    app.config.update(
        API_TITLE="Health inequalities impact assessment API",
        API_VERSION=__version__,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {
                "description": "Deprivation profiles, assessments and their records, for NHS organisations. "
                "Authenticate with a personal API token: `Authorization: Bearer hia_...`. Create one on the "
                "'API tokens' page of the service. Each token may make a limited number of calls a minute; "
                "above it the answer is 429 with a Retry-After header."
            },
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
        },
    )
    app.config.setdefault("RATELIMIT_STORAGE_URI", _rate_limit_storage(app))
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)  # Redis away: limit per process
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "hia")


def _rate_limit_storage(app: Flask) -> str:
    """HIA_RATELIMIT_STORAGE_URI if set; in production the service's Redis, so every app server counts
    against one allowance; elsewhere each process counts its own."""
    if app.config.get("HIA_RATELIMIT_STORAGE_URI"):
        return str(app.config["HIA_RATELIMIT_STORAGE_URI"])
    return str(app.config["HIA_REDIS_URL"]) if app.config.get("HIA_ENV") == "production" else "memory://"


# What a request body may be: JSON, or a file upload (documents/verify). Any other body (curl's default
# form encoding, text/plain) would be read as no body at all, and its fields reported missing though sent.
BODY_TYPES = ("application/json", "multipart/form-data")
NOT_JSON = "Send the body as JSON, with the header 'Content-Type: application/json'."


def _register_body_check(app: Flask) -> None:
    from hia_service.errors import render_error

    @app.before_request
    def refuse_a_body_that_is_not_json() -> tuple[str, int] | Response | None:
        if not request.path.startswith(API_PREFIX + "/") or request.method not in ("POST", "PUT", "PATCH"):
            return None
        if not request.content_length or request.mimetype in BODY_TYPES or request.mimetype.endswith("+json"):
            return None
        shown = request.mimetype or "none"
        return render_error(415, f"{NOT_JSON} This one was sent as {shown[:80]}.", title="Send JSON")


def _register_rate_limits(app: Flask) -> None:
    from hia_service.api.auth import caller_rate_limit_key
    from hia_service.api.rate_limits import register_allowance
    from hia_service.extensions import CALLER_KEY, limiter

    # Registered before the limiter's own hook, so Flask runs it after: the limiter sets Retry-After on
    # every limited answer to when its window resets (up to a minute). An answer with a wait of its own
    # (g.retry_after: a document being prepared, a client slowed after wrong passwords) keeps it; a view
    # that ran was not refused by the limiter, so its wait is the true one.
    @app.after_request
    def own_retry_after(response: Response) -> Response:
        if g.get("retry_after") is not None:
            response.headers["Retry-After"] = str(g.retry_after)
        return response

    app.extensions[CALLER_KEY] = caller_rate_limit_key
    limiter.init_app(app)  # signing in and join codes (the web's own limits)
    register_allowance(app, app.config["RATELIMIT_STORAGE_URI"], app.config["RATELIMIT_KEY_PREFIX"])


def _register_call_audit(app: Flask) -> None:
    from hia_service.services.accounts.api_calls import ApiCall, record_api_call

    # Registered before the transaction boundary, so Flask runs it after the request's commit or
    # rollback: a refused or failed call is recorded too, in a transaction of its own (or, for a view
    # that only reads, in the next batch: token_required(reads_only=True)).
    @app.after_request
    def audit_api_call(response: Response) -> Response:
        if request.path.startswith(API_PREFIX + "/") and request.endpoint not in UNAUDITED:
            call = ApiCall(
                g.get("api_caller"), request.method, request.path, response.status_code, datetime.now(UTC)
            )
            record_api_call(call, batched=bool(g.get("api_reads_only")))
        return response
