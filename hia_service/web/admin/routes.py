"""Administration: the organisation's users, adding a person to it, and the changes an administrator makes
to their accounts (deactivate, reactivate, reset a password, change a role). Another organisation's user is
not found here.

Deactivating and resetting a password ask first, on a page of their own saying what will happen. A change
that is not open (the organisation's last administrator, the administrator's own account) shows the
account again with the reason. The rules live in services/accounts/administration.py, shared with `hia
users`."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from hia_service.auth.decorators import requires_role
from hia_service.auth.roles import Role
from hia_service.services.accounts import administration
from hia_service.services.accounts.administration import AccountPage, Change, NewAccountRefused
from hia_service.services.accounts.users import organisation_accounts
from hia_service.services.errors import ServiceError
from hia_service.web.admin.forms import ConfirmForm, NewUserForm, RoleForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@requires_role(Role.ADMIN)
def users() -> ResponseReturnValue:
    return render_template("admin/users.html", users=organisation_accounts(current_user))


@bp.route("/users/new", methods=["GET", "POST"])
@requires_role(Role.ADMIN)
def new_user() -> ResponseReturnValue:
    form = NewUserForm()
    if request.method == "GET":
        return _new_user_page(form)
    try:
        added = administration.add_account(
            current_user, form.email.data or "", form.name.data or "", form.role.data or ""
        )
    except NewAccountRefused as error:
        return _new_user_page(form, error)
    # Shown once and never stored in clear, as a reset password is: nothing may keep a copy.
    page = render_template("admin/user_added.html", person=added.account, password=added.password)
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


def _new_user_page(form: NewUserForm, error: NewAccountRefused | None = None) -> ResponseReturnValue:
    errors = error.problems if error else {}
    html = render_template(
        "admin/new_user.html", form=form, errors=errors, choices=administration.role_choices()
    )
    return html, error.status if error else 200


@bp.get("/users/<int:user_id>")
@requires_role(Role.ADMIN)
def user(user_id: int) -> ResponseReturnValue:
    return _user_page(administration.account_page(current_user, user_id))


def _user_page(page: AccountPage, error: ServiceError | None = None) -> ResponseReturnValue:
    errors = {"account-actions": error.message} if error else {}
    page_html = render_template("admin/user.html", page=page, errors=errors, form=ConfirmForm())
    return page_html, error.status if error else 200


def _refused(user_id: int, error: ServiceError) -> ResponseReturnValue:
    """The account again, saying why the change was not made (another organisation's stays a 404)."""
    if error.status == 404:
        raise error
    return _user_page(administration.account_page(current_user, user_id), error)


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@requires_role(Role.ADMIN)
def deactivate(user_id: int) -> ResponseReturnValue:
    page = administration.account_page(current_user, user_id)
    name = page.account.name
    if request.method == "GET":
        refused = page.refusal(Change.DEACTIVATE)
        if refused:
            return _user_page(page, refused)
        return render_template("admin/deactivate.html", page=page, form=ConfirmForm())
    try:
        changed = administration.deactivate_account(current_user, user_id)
    except ServiceError as error:
        return _refused(user_id, error)
    if changed:
        flash(
            f"{name}'s account has been deactivated. They have been signed out, cannot sign in and their "
            "API tokens no longer work.",
            "success",
        )
    else:
        flash(f"{name}'s account was already deactivated.", "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/reactivate")
@requires_role(Role.ADMIN)
def reactivate(user_id: int) -> ResponseReturnValue:
    page = administration.account_page(current_user, user_id)
    try:
        changed = administration.reactivate_account(current_user, user_id)
    except ServiceError as error:
        return _refused(user_id, error)
    name = page.account.name
    flash(
        f"{name}'s account has been reactivated. They can sign in again."
        if changed
        else f"{name}'s account is already active.",
        "success",
    )
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/users/<int:user_id>/reset-password", methods=["GET", "POST"])
@requires_role(Role.ADMIN)
def reset_password(user_id: int) -> ResponseReturnValue:
    page = administration.account_page(current_user, user_id)
    if request.method == "GET":
        refused = page.refusal(Change.RESET_PASSWORD)
        if refused:
            return _user_page(page, refused)
        return render_template("admin/reset_password.html", page=page, form=ConfirmForm())
    try:
        password = administration.reset_password(current_user, user_id)
    except ServiceError as error:
        return _refused(user_id, error)
    # Shown once and never stored in clear: the administrator passes it on. Nothing may keep a copy.
    response = make_response(render_template("admin/password_reset.html", page=page, password=password))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/users/<int:user_id>/role", methods=["GET", "POST"])
@requires_role(Role.ADMIN)
def change_role(user_id: int) -> ResponseReturnValue:
    page = administration.account_page(current_user, user_id)
    refused = page.refusal(Change.CHANGE_ROLE)
    if refused:
        return _user_page(page, refused)
    form = RoleForm()
    if request.method == "GET":
        form.role.data = page.account.role.value
        return _role_page(page, form)
    try:
        changed = administration.change_role(current_user, user_id, form.role.data or "")
    except ServiceError as error:
        if error.status == 404:
            raise
        return _role_page(page, form, error)
    name, role = page.account.name, Role.parse(form.role.data or "")
    flash(
        f"{name}'s role has been changed to {role.label.lower()}."
        if changed
        else f"{name} already has the role {role.label.lower()}.",
        "success",
    )
    return redirect(url_for("admin.user", user_id=user_id))


def _role_page(page: AccountPage, form: RoleForm, error: ServiceError | None = None) -> ResponseReturnValue:
    errors = {"role": error.message} if error else {}
    html = render_template(
        "admin/role.html", page=page, form=form, errors=errors, choices=administration.role_choices()
    )
    return html, error.status if error else 200
