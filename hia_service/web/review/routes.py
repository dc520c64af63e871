"""Governance review: the queue, an assessment's record, its versions, and the reviewer's actions."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from hia_service.auth.decorators import requires_role, signed_in
from hia_service.auth.roles import Role
from hia_service.services.areas import profiles as area_profiles
from hia_service.services.assessments import cumulative
from hia_service.services.errors import ServiceError
from hia_service.services.review import decisions as review
from hia_service.services.review import record as review_record
from hia_service.web.locks import FORM_NOT_VALID, opened_at
from hia_service.web.review.display import register_display_filters
from hia_service.web.review.filters import page_links, queue_filters, requested_page
from hia_service.web.review.forms import (
    ApproveForm,
    CommentForm,
    DecisionForm,
    LockForm,
    ReturnForm,
)
from hia_service.web.viewing import shown

bp = Blueprint("review", __name__, url_prefix="/review")
register_display_filters(bp)


@bp.get("/")
@requires_role(Role.REVIEWER)
def queue() -> ResponseReturnValue:
    filters, errors = queue_filters(request.args)
    result = review_record.review_queue(current_user, filters, requested_page(request.args))
    status = 400 if errors else 200
    links = page_links(request.args, result.page, result.pages)
    return (
        render_template("review/queue.html", queue=result, errors=errors, args=request.args, links=links),
        status,
    )


@bp.get("/<int:assessment_id>")
@signed_in
def record(assessment_id: int) -> ResponseReturnValue:
    return _record_page(assessment_id)


@bp.get("/<int:assessment_id>/versions/<int:number>")
@signed_in
def version(assessment_id: int, number: int) -> ResponseReturnValue:
    page = review_record.version_page(current_user, assessment_id, number)
    shown(page.assessment, "version", version=number)
    return render_template("review/version.html", page=page)


@bp.get("/<int:assessment_id>/compare")
@signed_in
def compare(assessment_id: int) -> ResponseReturnValue:
    before = request.args.get("from", type=int)
    after = request.args.get("to", type=int)
    result = review_record.comparison(current_user, assessment_id, before, after)
    shown(result.assessment, f"comparison of versions {result.before.number} and {result.after.number}")
    return render_template("review/compare.html", result=result)


@bp.post("/<int:assessment_id>/start")
@requires_role(Role.REVIEWER)
def start(assessment_id: int) -> ResponseReturnValue:
    form = LockForm()
    return _act(
        assessment_id,
        form.lock_version.data,
        lambda version: review.start_review(current_user, assessment_id, version),
        "Review started",
    )


@bp.post("/<int:assessment_id>/comments")
@requires_role(Role.REVIEWER)
def comment(assessment_id: int) -> ResponseReturnValue:
    form = CommentForm()
    section = form.section.data or ""
    version_number = opened_at(form.version.data)
    if version_number is None:
        kept = {"section": section, "body": form.body.data or ""}
        return _record_page(assessment_id, {f"comment-{section}": FORM_NOT_VALID}, kept, 400)
    try:
        review.add_comment(current_user, assessment_id, section, form.body.data or "", version_number)
    except ServiceError as error:
        field = f"comment-{section}" if error.field in ("comment", None) else error.field
        kept = {"section": section, "body": form.body.data or ""}
        return _record_page(assessment_id, {field: error.message}, kept, _status(error))
    flash("Comment added", "success")
    return redirect(url_for("review.record", assessment_id=assessment_id, _anchor=f"section-{section}"))


@bp.post("/<int:assessment_id>/return")
@requires_role(Role.REVIEWER)
def return_to_author(assessment_id: int) -> ResponseReturnValue:
    form = ReturnForm()
    comment_text = form.comment.data or ""
    return _act(
        assessment_id,
        form.lock_version.data,
        lambda version: review.return_to_author(current_user, assessment_id, comment_text, version),
        "Returned to the author with your comments",
        kept={"return_comment": comment_text},
    )


@bp.post("/<int:assessment_id>/approve")
@requires_role(Role.REVIEWER)
def approve(assessment_id: int) -> ResponseReturnValue:
    form = ApproveForm()
    conditions = form.conditions.data or ""
    return _act(
        assessment_id,
        form.lock_version.data,
        lambda version: review.approve(current_user, assessment_id, version, conditions),
        "Assessment approved",
        kept={"conditions": conditions},
    )


@bp.route("/<int:assessment_id>/decision", methods=["GET", "POST"])
@requires_role(Role.REVIEWER, Role.MANAGER)
def decision(assessment_id: int) -> ResponseReturnValue:
    page = review_record.record_page(current_user, assessment_id)
    form = DecisionForm()
    form.outcome.choices = list(review.OUTCOMES.items())
    if request.method == "GET":
        form.forum.data = page.version.answers.get("proposal.decision_forum") if page.version else ""
        form.lock_version.data = page.assessment.lock_version
        return render_template("review/decision.html", page=page, form=form, errors={})
    entry = review.DecisionInput(
        decided_on={part: request.form.get(f"decided_on-{part}", "") for part in ("day", "month", "year")},
        forum=form.forum.data or "",
        outcome=form.outcome.data or "",
        summary=form.summary.data or "",
    )
    version = opened_at(form.lock_version.data)
    if version is None:
        errors = {"lock_version": FORM_NOT_VALID}
        return render_template("review/decision.html", page=page, form=form, errors=errors), 400
    try:
        review.record_decision(current_user, assessment_id, entry, version)
    except review.InvalidInput as problems:
        return render_template("review/decision.html", page=page, form=form, errors=problems.errors), 400
    except ServiceError as error:
        page = review_record.record_page(current_user, assessment_id)
        form.lock_version.data = page.assessment.lock_version
        errors = {error.field or "decided_on": error.message}
        return render_template("review/decision.html", page=page, form=form, errors=errors), _status(error)
    flash("Decision recorded", "success")
    return redirect(url_for("review.record", assessment_id=assessment_id))


def _act(
    assessment_id: int,
    lock_version: str | None,
    action: Callable[[int], object],
    done: str,
    kept: dict[str, str] | None = None,
) -> ResponseReturnValue:
    """Run one reviewer action at the version the page was opened at; on a problem show the record again
    with the message and what was typed."""
    version = opened_at(lock_version)
    if version is None:  # not what the page sent: saying someone else changed it would be false
        return _record_page(assessment_id, {"review-actions": FORM_NOT_VALID}, kept or {}, 400)
    try:
        action(version)
    except ServiceError as error:
        field = error.field or "review-actions"
        if field == "comment":
            field = "return_comment"
        return _record_page(assessment_id, {field: error.message}, kept or {}, _status(error))
    flash(done, "success")
    return redirect(url_for("review.record", assessment_id=assessment_id))


def _status(error: ServiceError) -> int:
    return error.status


def _record_page(
    assessment_id: int,
    errors: dict[str, str] | None = None,
    kept: dict[str, str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    page = review_record.record_page(current_user, assessment_id)
    shown(page.assessment, "record", version=page.version.number if page.version else None)
    return (
        render_template(
            "review/record.html",
            page=page,
            errors=errors or {},
            kept=kept or {},
            form=LockForm(),
            conditions_max=review.CONDITIONS_MAX,
            cumulative=cumulative.cumulative_for(current_user, page.assessment),
            gaps=area_profiles.data_gaps(page.version.area_profile if page.version else None),
        ),
        status,
    )
