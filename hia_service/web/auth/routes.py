"""Signing in and out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from hia_service.addresses import public_url
from hia_service.auth.decorators import public, signed_in
from hia_service.extensions import client_address, limiter
from hia_service.services.accounts.identity import FAILED, record_identity_failure, sign_in_with_identity
from hia_service.services.accounts.people import (
    authenticate,
    change_own_password,
    record_sign_out,
    session_key_for,
)
from hia_service.services.errors import ServiceError, SignInError, SignInThrottledError
from hia_service.web import SESSION_KEY, end_idle_session, idle_return_path
from hia_service.web.auth import oidc
from hia_service.web.auth.forms import ChangePasswordForm, SignInForm

bp = Blueprint("auth", __name__)
bp.record_once(lambda state: oidc.init_oidc(state.app))
OIDC_NEXT = "oidc_next"
TOO_MANY_SIGN_INS = (
    "You have tried to sign in too many times. {wait} If you have forgotten your password, ask your "
    "organisation's administrator to reset it."
)


def _sign_in_limit() -> str:
    return str(current_app.config["HIA_SIGN_IN_RATE_LIMIT"])


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(
    _sign_in_limit,
    key_func=client_address,
    methods=["POST"],
    scope="sign-in",
    error_message=TOO_MANY_SIGN_INS,
)
def sign_in() -> ResponseReturnValue:
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data or "", form.password.data or "", address=client_address())
        except SignInError as error:
            form.email.errors = [*form.email.errors, error.message]
            wait = error.wait_seconds if isinstance(error, SignInThrottledError) else None
            return _sign_in_page(form, error.status, retry_after=wait)
        start_session(user)
        return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
    return _sign_in_page(form, 400 if form.errors else 200)


def _sign_in_page(
    form: SignInForm, status: int, account_error: str | None = None, *, retry_after: int | None = None
) -> ResponseReturnValue:
    page = render_template(
        "auth/sign_in.html", form=form, oidc_enabled=oidc.oidc_enabled(), account_error=account_error
    )
    if retry_after is not None:
        g.retry_after = retry_after  # set on the answer after the rate limiter (api/__init__.py)
    return page, status


@bp.get("/sign-in/organisation-account")
@public
@limiter.limit(_sign_in_limit, key_func=client_address, scope="sign-in", error_message=TOO_MANY_SIGN_INS)
def oidc_start() -> ResponseReturnValue:
    """Send the person to their organisation's sign-in page (authorisation code flow with PKCE)."""
    if not oidc.oidc_enabled():
        abort(404)
    next_path = _safe_next(request.args.get("next"))
    # From HIA_BASE_URL (required with OIDC in production); the request's host only on a developer's machine.
    redirect_uri = public_url(url_for("auth.oidc_callback")) or url_for("auth.oidc_callback", _external=True)
    try:
        response = oidc.client().authorize_redirect(redirect_uri)
    except oidc.protocol_errors() as error:  # the provider's discovery document could not be read
        record_identity_failure(f"provider unavailable: {type(error).__name__}", address=client_address())
        return _sign_in_page(SignInForm(), 503, FAILED)
    session[OIDC_NEXT] = next_path
    return response


@bp.get("/sign-in/organisation-account/callback")
@public
@limiter.limit(_sign_in_limit, key_func=client_address, scope="sign-in", error_message=TOO_MANY_SIGN_INS)
def oidc_callback() -> ResponseReturnValue:
    if not oidc.oidc_enabled():
        abort(404)
    next_path = session.pop(OIDC_NEXT, None)
    try:
        claims = oidc.verified_claims()
    except oidc.protocol_errors() as error:
        record_identity_failure(f"{type(error).__name__}: {error}", address=client_address())
        return _sign_in_page(SignInForm(), 401, FAILED)
    try:
        user = sign_in_with_identity(claims, oidc.claim_policy(), address=client_address())
    except SignInError as error:
        return _sign_in_page(SignInForm(), 403, error.message)
    start_session(user)
    return redirect(_safe_next(next_path) or url_for("main.home"))


@bp.post("/sign-out")
@signed_in
def sign_out() -> ResponseReturnValue:
    record_sign_out(current_user)
    logout_user()
    session.clear()
    flash("You have signed out", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
@limiter.limit(
    _sign_in_limit,
    key_func=client_address,
    methods=["POST"],
    scope="change-password",
    error_message="You have tried to change your password too many times. Wait a minute, then try again.",
)
def change_password() -> ResponseReturnValue:
    """The person's own password. Someone given a password by an administrator comes here first, and
    cannot reach any other page until they have chosen their own (see must_change_password below)."""
    form = ChangePasswordForm()
    if current_user.password_hash is None:
        return render_template("auth/change_password.html", form=form, no_password=True)
    if form.validate_on_submit():
        try:
            key = change_own_password(
                current_user._get_current_object(),
                form.current_password.data or "",
                form.new_password.data or "",
                form.confirm_password.data or "",
            )
        except ServiceError as error:
            getattr(form, error.field or "new_password").errors = [error.message]
        else:
            session[SESSION_KEY] = key
            flash("Your password has been changed. You have been signed out on any other devices.", "success")
            return redirect(url_for("main.home"))
    status = 400 if form.errors else 200
    return render_template("auth/change_password.html", form=form, no_password=False), status


@bp.get("/session/alive")
@signed_in
def session_alive() -> ResponseReturnValue:
    """Typing a long answer is activity, though nothing is sent until it is saved: the pages call this now
    and then while someone types, so the idle time-out does not sign them out mid-answer."""
    return "", 204, {"Cache-Control": "no-store"}


@bp.post("/session/timed-out")
@public
def session_timed_out() -> ResponseReturnValue:
    """Where the time-out warning sends the page when its time runs out: the person is signed out as for
    inactivity, and lands on the sign-in page that says so, returning to their page after signing in.
    (A session the service has already ended is not sent here: the page goes to the sign-in page.)"""
    if current_user.is_authenticated:
        return end_idle_session()
    return redirect(url_for("auth.sign_in", next=idle_return_path(request)))


# Where someone who must change their password may still go: this page, signing out, and the files the
# pages need.
OPEN_WHILE_PASSWORD_MUST_CHANGE = frozenset(
    {
        "auth.change_password",
        "auth.sign_out",
        "auth.session_alive",
        "auth.session_timed_out",
        "nhsuk_stylesheet",
        "nhsuk.static",
        "assets.static",
        "app_static.static",
    }
)


@bp.before_app_request
def must_change_password() -> ResponseReturnValue | None:
    if request.path.startswith("/api/") or not current_user.is_authenticated:
        return None
    if current_user.password_must_change and request.endpoint not in OPEN_WHILE_PASSWORD_MUST_CHANGE:
        return redirect(url_for("auth.change_password"))
    return None


def start_session(user: Any) -> None:  # a User (views do not import the data layer)
    """A fresh session (defeats session fixation) with the times the expiry checks read, and the key that
    signing out replaces."""
    session.clear()
    login_user(user)
    session[SESSION_KEY] = session_key_for(user)
    session.permanent = True
    session["signed_in_at"] = session["last_seen"] = datetime.now(UTC).timestamp()


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths, so a crafted link cannot send people elsewhere after sign-in."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
