"""Follow-up: the approved action plans and review dates, and marking an action as done."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField

from hia_service.auth.decorators import requires_role
from hia_service.auth.roles import Role
from hia_service.services.assessments import service_users
from hia_service.services.assessments.authoring import assessment_for
from hia_service.services.errors import ServiceError
from hia_service.services.review import followup
from hia_service.web.locks import FORM_NOT_VALID, opened_at
from hia_service.web.wizard import area as area_form

bp = Blueprint("followup", __name__, url_prefix="/follow-up")


class DoneForm(FlaskForm):
    lock_version = HiddenField()
    note = TextAreaField("What was done?")


@bp.get("/")
@requires_role(Role.MANAGER, Role.REVIEWER)
def items() -> ResponseReturnValue:
    listing = followup.follow_up_list(current_user, request.args.get("show", "open"))
    return render_template("followup/items.html", listing=listing)


@bp.route("/actions/<int:item_id>", methods=["GET", "POST"])
@requires_role(Role.MANAGER, Role.REVIEWER)
def item(item_id: int) -> ResponseReturnValue:
    entry = followup.item_for(current_user, item_id)
    form = DoneForm()
    if request.method == "GET":
        form.lock_version.data = entry.item.lock_version
        return render_template("followup/item.html", entry=entry, form=form, errors={})
    version = opened_at(form.lock_version.data)
    if version is None:  # not what the page sent: saying someone else changed the action would be false
        errors = {"lock_version": FORM_NOT_VALID}
        return render_template("followup/item.html", entry=entry, form=form, errors=errors), 400
    try:
        followup.complete(current_user, item_id, form.note.data or "", version)
    except ServiceError as error:
        entry = followup.item_for(current_user, item_id)
        errors = {"note": error.message}
        return render_template("followup/item.html", entry=entry, form=form, errors=errors), error.status
    flash("Action marked as done", "success")
    return redirect(url_for("followup.items"))


@bp.route("/assessments/<int:assessment_id>/users", methods=["GET", "POST"])
@requires_role(Role.MANAGER, Role.REVIEWER)
def users(assessment_id: int) -> ResponseReturnValue:
    """The service's users now beside those recorded with the approved assessment: shown, not stored."""
    before = service_users.recorded_users(current_user, assessment_id)
    comparison, errors = None, {}
    if request.method == "POST":
        try:
            listed = area_form.users_from_form(request.files)
            comparison = service_users.followup_comparison(current_user, assessment_id, listed)
        except ServiceError as error:
            errors["users_file"] = error.message
    assessment = assessment_for(current_user, assessment_id)
    page = render_template(
        "followup/users.html", assessment=assessment, before=before, comparison=comparison, errors=errors
    )
    return page, (400 if errors else 200)
