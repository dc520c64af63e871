"""Administration: the organisation's users."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from hia_service.auth.decorators import requires_role
from hia_service.auth.roles import Role
from hia_service.services.accounts.users import organisation_user, organisation_users

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@requires_role(Role.ADMIN)
def users() -> ResponseReturnValue:
    return render_template("admin/users.html", users=organisation_users(current_user))


@bp.get("/users/<int:user_id>")
@requires_role(Role.ADMIN)
def user(user_id: int) -> ResponseReturnValue:
    person = organisation_user(current_user, user_id)
    if person is None:
        abort(404)  # another organisation's user is simply not found here
    return render_template("admin/user.html", person=person)
