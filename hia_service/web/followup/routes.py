"""Follow-up: the approved action plans and review dates, and marking an action as done."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField

from hia_service.auth.decorators import requires_role
from hia_service.auth.roles import Role
from hia_service.services.errors import ServiceError
from hia_service.services.review import followup
from hia_service.web.review.forms import lock_from

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
    try:
        followup.complete(current_user, item_id, form.note.data or "", lock_from(form.lock_version.data))
    except ServiceError as error:
        entry = followup.item_for(current_user, item_id)
        errors = {"note": error.message}
        return render_template("followup/item.html", entry=entry, form=form, errors=errors), error.status
    flash("Action marked as done", "success")
    return redirect(url_for("followup.items"))
