"""Web layer: blueprints per feature, templates, static assets and the signed-in session."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, current_app, flash, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user
from jinja2 import BytecodeCache, ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader
from jinja2.bccache import Bucket
from werkzeug.routing import IntegerConverter, Map

from hia_service import __version__
from hia_service.auth.decorators import public
from hia_service.config import PROJECT_ROOT
from hia_service.extensions import login_manager
from hia_service.services.accounts.people import record_session_expired
from hia_service.services.accounts.users import active_user
from hia_service.web.kept_macros import register_kept_macros
from hia_service.web.viewing import register_view_audit

SESSION_KEY = "session_key"  # the user's session key at sign-in (services/accounts/people.py)
NHSUK_DIST = PROJECT_ROOT / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"
IDLE_MESSAGE = (
    "You were signed out because you had not done anything for {minutes} minutes. Sign in again to carry on."
)
ABSOLUTE_MESSAGE = (
    "You were signed out because you signed in more than {hours} hours ago. Sign in again to carry on."
)


class CompiledTemplates(BytecodeCache):
    """Templates compiled once per process, for every app it makes (a CLI command beside the web app, a
    test's own app): compiling a page with its nhsuk-frontend macros takes about 200 ms, loading it compiled
    about 10. Jinja keys each entry by the template's file and checks it against the source's checksum, so
    an edited template is compiled again."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def register_templates(app: Flask) -> None:
    app.jinja_options = {
        "undefined": ChainableUndefined,  # nhsuk-frontend-jinja macros read optional nested params
        "loader": ChoiceLoader(
            [FileSystemLoader(str(PROJECT_ROOT / "templates")), PackageLoader("nhsuk_frontend_jinja")]
        ),
        "autoescape": True,
        "bytecode_cache": COMPILED_TEMPLATES,
    }

    register_kept_macros(app)

    @app.context_processor
    def service_context() -> dict[str, object]:
        return {"service_name": app.config["HIA_SERVICE_NAME"], "app_version": __version__}


class DatabaseInteger(IntegerConverter):
    """<int:...> in every URL, capped at PostgreSQL's integer: a bigger id is a 404, not a database error."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int = 2_147_483_647,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseInteger  # before any route is added
    from hia_service.web.admin.routes import bp as admin_bp
    from hia_service.web.auth.routes import bp as auth_bp
    from hia_service.web.dashboard.routes import bp as dashboard_bp
    from hia_service.web.documents.routes import bp as documents_bp
    from hia_service.web.followup.routes import bp as followup_bp
    from hia_service.web.main.routes import bp as main_bp
    from hia_service.web.review.routes import bp as review_bp
    from hia_service.web.settings.routes import bp as settings_bp
    from hia_service.web.tokens.routes import bp as tokens_bp
    from hia_service.web.training.routes import bp as training_bp
    from hia_service.web.verify.routes import bp as verify_bp
    from hia_service.web.wizard.routes import bp as wizard_bp

    # The design system's stylesheet names the NHS font host in its @font-face rules; served through
    # this route so HIA_FONT_HOST decides where (or whether) browsers fetch the font.
    app.add_url_rule("/nhsuk/nhsuk-frontend.min.css", "nhsuk_stylesheet", nhsuk_stylesheet)
    # The design system's compiled CSS/JS and images, straight from the npm package (never copied here).
    app.register_blueprint(
        Blueprint("nhsuk", __name__, static_folder=str(NHSUK_DIST), static_url_path="/nhsuk")
    )
    app.register_blueprint(
        Blueprint("assets", __name__, static_folder=str(NHSUK_DIST / "assets"), static_url_path="/assets")
    )
    app.register_blueprint(
        Blueprint(
            "app_static",
            __name__,
            static_folder=str(PROJECT_ROOT / "hia_service" / "static"),
            static_url_path="/static",
        )
    )
    for bp in (
        main_bp,
        auth_bp,
        admin_bp,
        review_bp,
        dashboard_bp,
        followup_bp,
        tokens_bp,
        wizard_bp,
        documents_bp,
        verify_bp,
        training_bp,
        settings_bp,
    ):
        app.register_blueprint(bp)
    _register_session_hooks(app)
    register_view_audit(app)


DESIGN_SYSTEM_FONT_HOST = "https://assets.nhs.uk"
FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")


@public
def nhsuk_stylesheet() -> ResponseReturnValue:
    font_host = current_app.config.get("HIA_FONT_HOST")
    css = current_app.extensions.get("hia_nhsuk_css", {}).get(font_host)
    if css is None:
        css = stylesheet_for((NHSUK_DIST / "nhsuk-frontend.min.css").read_text(encoding="utf-8"), font_host)
        current_app.extensions.setdefault("hia_nhsuk_css", {})[font_host] = css
    response = Response(css, mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


def stylesheet_for(css: str, font_host: str | None) -> str:
    """The design system's CSS with its web font fetched from font_host, or with no web font at all (its
    font stack then falls back to Arial)."""
    if not font_host:
        return FONT_FACE.sub("", css)
    return css.replace(DESIGN_SYSTEM_FONT_HOST, font_host)


@login_manager.user_loader
def load_user(user_id: str) -> object | None:
    return active_user(user_id, session.get(SESSION_KEY))


def _register_session_hooks(app: Flask) -> None:
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see this page"
    login_manager.login_message_category = "info"

    @app.before_request
    def expire_idle_sessions() -> ResponseReturnValue | None:
        g.request_id = request.headers.get("X-Request-Id") or secrets.token_hex(8)
        # An API call signs in with its token, not a web session, and is not the person's activity in one
        # (nor does it need Flask-Login to load anyone: about 70 us of every call).
        if request.path.startswith("/api/") or not current_user.is_authenticated:
            return None
        now = datetime.now(UTC).timestamp()
        idle_limit = app.config["HIA_SESSION_IDLE_MINUTES"] * 60
        # The cookie is re-signed on every request, so its own age never reaches the absolute limit:
        # the time of signing in is kept in the session and checked here.
        absolute_limit = app.permanent_session_lifetime.total_seconds()
        signed_in_at = session.setdefault("signed_in_at", now)
        if now - signed_in_at > absolute_limit:
            hours = int(absolute_limit // 3600)
            return _expire(current_user, "absolute", ABSOLUTE_MESSAGE.format(hours=hours))
        if now - session.get("last_seen", now) > idle_limit:
            return end_idle_session()
        session["last_seen"] = now
        return None


def end_idle_session() -> ResponseReturnValue:
    """Sign the person out for inactivity: by this hook, or by the time-out warning when its time runs out
    (the page counts from its own last contact with the service, so it may end a little before this hook
    would)."""
    minutes = current_app.config["HIA_SESSION_IDLE_MINUTES"]
    return _expire(current_user, "idle", IDLE_MESSAGE.format(minutes=minutes))


def _expire(user: object, reason: str, message: str) -> ResponseReturnValue:
    record_session_expired(user._get_current_object(), reason)  # type: ignore[attr-defined]
    logout_user()
    session.clear()
    flash(message, "info")
    return redirect(url_for("auth.sign_in", next=idle_return_path(request)))


def idle_return_path(req: Any) -> str | None:
    """Where to go after signing in again: the page asked for, or for a form sent after the time-out, the
    page the form was on (its path, from this site only), so the person is not left on the home page."""
    if req.method == "GET":
        return str(req.full_path)
    came_from = urlsplit(req.referrer or "")
    if came_from.netloc and came_from.netloc != req.host:
        return None
    path = came_from.path + (f"?{came_from.query}" if came_from.query else "")
    return path if path.startswith("/") and not path.startswith("//") else None
