"""Personal API tokens: each person manages only their own. The token itself is shown once, on the page
that created it, and never stored (only its hash is)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from hia_service.auth.decorators import signed_in
from hia_service.extensions import client_address, limiter
from hia_service.services.accounts.tokens import (
    MAX_DAYS,
    TokenRefused,
    create_confirmed_token,
    day_choices,
    needs_password,
    own_token,
    revoke_token,
    token_max_days,
    user_tokens,
)
from hia_service.services.errors import ServiceError

bp = Blueprint("tokens", __name__, url_prefix="/account/api-tokens")
TOO_MANY_PASSWORDS = "You have entered your password too many times. {wait}"


def _password_limit() -> str:
    return str(current_app.config["HIA_SIGN_IN_RATE_LIMIT"])


@bp.get("")
@signed_in
def index() -> ResponseReturnValue:
    return _index_page()


def _index_page(errors: dict[str, str] | None = None, name: str = "", days: int | None = None) -> str:
    longest = token_max_days(current_user.organisation_id)
    return render_template(
        "tokens/index.html",
        tokens=user_tokens(current_user),
        errors=errors or {},
        name=name,
        days=days or longest,
        day_choices=day_choices(current_user.organisation_id),
        longest=longest,
        needs_password=needs_password(current_user),
    )


@bp.post("")
@signed_in
# The password box is a way to guess passwords too, so it shares the sign-in allowance of the address.
@limiter.limit(_password_limit, key_func=client_address, scope="sign-in", error_message=TOO_MANY_PASSWORDS)
def create() -> ResponseReturnValue:
    name = request.form.get("name", "")
    days = _days(request.form.get("days"))
    signed_in_at = session.get("signed_in_at")
    try:
        token, plaintext = create_confirmed_token(
            current_user,
            name,
            days,
            password=request.form.get("password", ""),
            signed_in_at=datetime.fromtimestamp(signed_in_at, UTC) if signed_in_at else None,
        )
    except TokenRefused as error:
        return _index_page(error.problems, name, days), 400
    except ServiceError as error:
        return _index_page({error.field or "name": error.message}, name, days), 400
    response = make_response(render_template("tokens/created.html", token=token, plaintext=plaintext))
    response.headers["Cache-Control"] = "no-store"  # the token must not linger in a cache
    return response


def _days(raw: str | None) -> int:
    try:
        return int(raw or MAX_DAYS)
    except ValueError:
        return MAX_DAYS + 1  # refused by the service with its own message


@bp.route("/<int:token_id>/revoke", methods=["GET", "POST"])
@signed_in
def revoke(token_id: int) -> ResponseReturnValue:
    if request.method == "GET":  # it cannot be undone, and whatever uses it stops: ask first
        token = own_token(current_user, token_id)  # another person's token is not found
        if token.revoked_at is not None:
            return redirect(url_for("tokens.index"))
        return render_template("tokens/revoke.html", token=token)
    token = revoke_token(current_user, token_id)
    flash(f"Token '{token.name}' has been revoked. Anything using it can no longer call the API.", "success")
    return redirect(url_for("tokens.index"))
