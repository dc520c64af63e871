"""Personal API tokens: each person manages only their own. The token itself is shown once, on the page
that created it, and never stored (only its hash is)."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from hia_service.auth.decorators import signed_in
from hia_service.services.accounts.tokens import MAX_DAYS, create_token, revoke_token, user_tokens
from hia_service.services.errors import ServiceError

bp = Blueprint("tokens", __name__, url_prefix="/account/api-tokens")
DAY_CHOICES = (30, 90, 180, 365)


@bp.get("")
@signed_in
def index() -> ResponseReturnValue:
    return _index_page()


def _index_page(errors: dict[str, str] | None = None, name: str = "", days: int = 90) -> str:
    return render_template(
        "tokens/index.html",
        tokens=user_tokens(current_user),
        errors=errors or {},
        name=name,
        days=days,
        day_choices=DAY_CHOICES,
    )


@bp.post("")
@signed_in
def create() -> ResponseReturnValue:
    name = request.form.get("name", "")
    days = _days(request.form.get("days"))
    try:
        token, plaintext = create_token(current_user, name, days)
    except ServiceError as error:
        return _index_page({error.field or "name": error.message}, name, days), 400
    response = make_response(render_template("tokens/created.html", token=token, plaintext=plaintext))
    response.headers["Cache-Control"] = "no-store"  # the token must not linger in a cache
    return response


def _days(raw: str | None) -> int:
    try:
        return int(raw or 90)
    except ValueError:
        return MAX_DAYS + 1  # refused by the service with its own message


@bp.post("/<int:token_id>/revoke")
@signed_in
def revoke(token_id: int) -> ResponseReturnValue:
    token = revoke_token(current_user, token_id)  # another person's token is not found
    flash(f"Token '{token.name}' has been revoked. Anything using it can no longer call the API.", "success")
    return redirect(url_for("tokens.index"))
