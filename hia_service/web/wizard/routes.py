"""The manager's guided assessment: start, task list, one generic page route, the area, check and submit."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from hia_service.auth.decorators import signed_in
from hia_service.auth.permissions import Action
from hia_service.documents.wording import core20_headline
from hia_service.domain.framework import IMPACT_LABELS
from hia_service.domain.geography.area_profile import AreaProfile
from hia_service.domain.workflow import Status
from hia_service.services import rules
from hia_service.services.areas import profiles as area_profiles
from hia_service.services.assessments import authoring as assessments
from hia_service.services.assessments import cumulative, local_answers, service_users, wizard
from hia_service.services.errors import ServiceError, ServiceUnavailableError, StateTransitionError
from hia_service.services.organisation import choices, local_framework
from hia_service.services.review.answers import answer_sections, describe_area, format_answer
from hia_service.services.review.feedback import return_feedback
from hia_service.services.training import cohorts as training
from hia_service.web.viewing import shown
from hia_service.web.wizard import area as area_form

bp = Blueprint("wizard", __name__, url_prefix="/assessments")
CHECK = "check-answers"
LATER = "later"  # the value of the "Save and come back later" button
SAVED_FOR_LATER = "Your answers have been saved. You can come back to this page from the task list."
NOT_YOURS_TO_SUBMIT = "Only the author can submit this assessment, while it is a draft or returned to them."
ALREADY_SUBMITTED = (
    "This assessment has already been sent for review, perhaps from another tab: it is now {status}. "
    "Reload the page to see where it is."
)


@bp.app_context_processor
def wizard_context() -> dict[str, Any]:
    return {
        "wizard_my_assessments": lambda: assessments.my_assessments(current_user),
        "IMPACT_OPTIONS": [{"value": v, "label": label} for v, label in IMPACT_LABELS.items()],
    }


@bp.get("/")
@signed_in
def mine() -> ResponseReturnValue:
    return render_template("wizard/mine.html", items=assessments.my_assessments(current_user))


@bp.route("/new", methods=["GET", "POST"])
@signed_in
def new() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("wizard/new.html", errors={}, title_value="")
    title = request.form.get("title", "")
    try:
        assessment = assessments.start_assessment(current_user, title)
    except ServiceError as error:
        return render_template("wizard/new.html", errors={"title": error.message}, title_value=title), 400
    return redirect(url_for("wizard.tasks", assessment_id=assessment.id))


@bp.get("/<int:assessment_id>")
@signed_in
def tasks(assessment_id: int) -> ResponseReturnValue:
    assessment = assessments.assessment_for(current_user, assessment_id)
    framework = rules.framework(assessment.framework_version)
    rating = assessments.current_rating(assessment)
    warnings = [
        {**w, "page": wizard.page_of_question(framework, w.get("question_id"), w.get("section_id"))}
        for w in rating["quality"]
    ]
    local = local_framework.for_answers(assessment.organisation_id, assessment.answers)
    return render_template(
        "wizard/tasks.html",
        assessment=assessment,
        local=local,
        local_status=_local_status(local, assessment.answers),
        tasks=wizard.task_list(framework, assessment.answers),
        rating=rating,
        warnings=warnings,
        editable=_is_editable(assessment),
        feedback=return_feedback(current_user, assessment),
    )


def _local_status(local: local_framework.LocalFramework, answers: dict[str, Any]) -> str:
    answered = [g for g in local.active_groups if answers.get(g.impact_key)]
    if not answered:
        return "not started"
    return "completed" if len(answered) == len(local.active_groups) else "in progress"


@bp.route("/<int:assessment_id>/local-groups", methods=["GET", "POST"])
@signed_in
def local_groups(assessment_id: int) -> ResponseReturnValue:
    """The impact on the organisation's own groups, asked on top of the national framework."""
    assessment = assessments.assessment_for(current_user, assessment_id, Action.VIEW)
    local = local_framework.for_answers(assessment.organisation_id, assessment.answers)
    if not local.active_groups or not _is_editable(assessment):
        return redirect(url_for("wizard.tasks", assessment_id=assessment_id))
    errors: dict[str, str] = {}
    values = dict(assessment.answers)
    if request.method == "POST":
        later = request.form.get("action") == LATER
        errors = local_answers.save_local_answers(current_user, assessment_id, request.form, draft=later)
        if not errors:
            flash(SAVED_FOR_LATER if later else "Your answers about local groups have been saved.", "success")
            return redirect(url_for("wizard.tasks", assessment_id=assessment_id))
        values = {**values, **request.form.to_dict()}
    return render_template(
        "wizard/local_groups.html", assessment=assessment, local=local, values=values, errors=errors
    ), (400 if errors else 200)


@bp.get("/<int:assessment_id>/resume")
@signed_in
def resume(assessment_id: int) -> ResponseReturnValue:
    assessment = assessments.assessment_for(current_user, assessment_id)
    target = assessment.current_section
    if not target or not _is_editable(assessment):
        return redirect(url_for("wizard.tasks", assessment_id=assessment_id))
    return redirect(url_for("wizard.step", assessment_id=assessment_id, page_id=target))


@bp.route("/<int:assessment_id>/check-answers", methods=["GET", "POST"])
@signed_in
def check_answers(assessment_id: int) -> ResponseReturnValue:
    assessment = assessments.assessment_for(current_user, assessment_id)
    framework = rules.framework(assessment.framework_version)
    incomplete = wizard.incomplete_tasks(framework, assessment.answers)
    errors: dict[str, str] = {}
    if request.method == "POST" and assessment.is_training:
        # Practice goes to its feedback page, never into the review workflow; unfinished sections are
        # allowed (they show as missed key points), so a short practice still gets feedback.
        try:
            training.submit_practice(current_user, assessment_id)
        except StateTransitionError as error:
            errors["submit"] = error.message
        else:
            return redirect(url_for("training.feedback", assessment_id=assessment_id))
    elif request.method == "POST" and not _is_editable(assessment):
        # A reviewer may read this page but never submit from it: say so, rather than "not found". The
        # author, from a tab opened before they submitted, is told it has gone already.
        ours = assessment.author_id == current_user.id
        errors["submit"] = (
            ALREADY_SUBMITTED.format(status=Status(assessment.status).label.lower())
            if ours
            else NOT_YOURS_TO_SUBMIT
        )
    elif request.method == "POST":
        # The service applies the completeness gate, so the API's submit refuses exactly what this page does.
        try:
            version = assessments.submit_for_review(current_user, assessment_id)
        except StateTransitionError as error:
            errors["submit"] = error.message
        else:
            return redirect(url_for("wizard.submitted", assessment_id=assessment_id, number=version.number))
    shown(assessment, "check answers")
    return render_template(
        "wizard/check.html",
        assessment=assessment,
        sections=answer_sections(framework, assessment.answers),
        page_for=lambda qid: wizard.page_of_question(framework, qid, None),
        incomplete=incomplete,
        errors=errors,
        editable=_is_editable(assessment),
        rating=assessments.current_rating(assessment),
        travel=assessments.travel_change_of(assessment.answers),
        feedback=return_feedback(current_user, assessment),  # the reviewer's reasons, before resubmitting
    ), (400 if errors else 200)


@bp.get("/<int:assessment_id>/submitted/<int:number>")
@signed_in
def submitted(assessment_id: int, number: int) -> ResponseReturnValue:
    assessment = assessments.assessment_for(current_user, assessment_id)
    return render_template("wizard/submitted.html", assessment=assessment, number=number)


@bp.route("/<int:assessment_id>/<page_id>", methods=["GET", "POST"])
@signed_in
def step(assessment_id: int, page_id: str) -> ResponseReturnValue:
    """Every page of the framework, generated from it: show, or save and go on."""
    assessment = assessments.assessment_for(current_user, assessment_id, Action.VIEW)
    framework = rules.framework(assessment.framework_version)
    moved = wizard.moved_group(framework, page_id)
    if moved is not None and request.method == "GET":  # an old one-group page: its group on today's page
        return redirect(
            url_for(
                "wizard.step",
                assessment_id=assessment_id,
                page_id=moved[0].id,
                return_to=request.args.get("return_to"),
                _anchor=moved[1].id,
            )
        )
    # A form posted from an old one-group page (open across a release) saves that group alone.
    current = wizard.one_group(*moved) if moved is not None else wizard.page(framework, page_id)
    if not _is_editable(assessment):
        flash(
            "This assessment has been submitted, so it cannot be changed. This is a read-only copy.", "info"
        )
        return redirect(url_for("wizard.tasks", assessment_id=assessment_id))
    if request.method == "GET":
        shown(assessment, f"question page {current.id}")
    if current.is_area:
        return _area_step(assessment, framework, current)
    if request.method == "GET":
        return _render_step(assessment, framework, current, dict(assessment.answers), {}, {})
    return _save_step(assessment, framework, current)


def _save_step(assessment: Any, framework: Any, current: wizard.Page) -> ResponseReturnValue:
    # Only the questions visible given what was just chosen: no error for a box the person cannot see.
    shown = wizard.shown_questions(
        current, {**assessment.answers, **wizard.submitted_choices(current, request.form)}
    )
    raw = wizard.raw_answers(shown, request.form, wizard.follow_ups(current))
    row_change = wizard.row_change(request.form)
    if row_change is not None:  # "Add another" or "Remove": the page again, as typed, nothing saved yet
        typed = {**assessment.answers, **wizard.change_rows(raw, row_change)}
        return _render_step(assessment, framework, current, typed, {}, {}, _lock(), typed_rows=True)
    if request.form.get("action") == LATER:
        return _save_for_later(assessment, framework, current, raw)
    values, errors = wizard.page_errors(assessment.framework_version, assessment.answers, raw)
    if errors:  # refused before saving: nothing stored changes, and what was typed goes back on the page
        typed = {**assessment.answers, **values, **{q: raw[q] for q in wizard.answers_in_error(raw, errors)}}
        # The lock the page was opened with stays, so a change made meanwhile in another tab is still shown.
        return _render_step(assessment, framework, current, typed, errors, {}, _lock()), 400
    result = assessments.save_page(
        current_user, assessment.id, list(raw), raw, _lock(), current_section=current.id
    )
    if not result.saved:
        mine = {**assessment.answers, **{q: v for q, v in result.values.items()}}
        typed = {**mine, **{q: raw[q] for q in result.errors}}
        status = 409 if result.conflicts else 400
        return _render_step(
            assessment, framework, current, typed, result.errors, result.conflicts, result.lock_version
        ), status
    return redirect(_after_save(assessment.id, framework, current.id))


def _save_for_later(
    assessment: Any, framework: Any, current: wizard.Page, raw: dict[str, Any]
) -> ResponseReturnValue:
    """Keep what is typed, finished or not: no errors now; "Save and continue" and submitting ask later."""
    result = assessments.save_page(
        current_user, assessment.id, list(raw), raw, _lock(), current_section=current.id, draft=True
    )
    if result.conflicts:
        typed = {**assessment.answers, **raw}
        return _render_step(
            assessment, framework, current, typed, {}, result.conflicts, result.lock_version, typed_rows=True
        ), 409
    if result.unsaved:  # saved apart from these: shown as typed, with why, to correct now or later
        typed = {**assessment.answers, **result.values, **{q: raw[q] for q in result.unsaved}}
        return _render_step(
            assessment, framework, current, typed, {}, {}, result.lock_version, unsaved=result.unsaved
        )
    flash(SAVED_FOR_LATER, "success")
    return redirect(url_for("wizard.tasks", assessment_id=assessment.id))


def _after_save(assessment_id: int, framework: Any, page_id: str) -> str:
    if request.args.get("return_to") == CHECK:
        return url_for("wizard.check_answers", assessment_id=assessment_id)
    answers = assessments.assessment_for(current_user, assessment_id).answers
    _, following = wizard.neighbours(framework, page_id, answers)
    if following is None:
        return url_for("wizard.check_answers", assessment_id=assessment_id)
    return url_for("wizard.step", assessment_id=assessment_id, page_id=following)


def _render_step(
    assessment: Any,
    framework: Any,
    current: wizard.Page,
    values: dict[str, Any],
    errors: dict[str, str],
    conflicts: dict[str, tuple[Any, Any]],
    lock_version: int | None = None,
    *,
    typed_rows: bool = False,
    unsaved: dict[str, str] | None = None,
) -> str:
    """The page with `values`; `typed_rows`: tables show the rows as posted (no blank row added)."""
    previous, _ = wizard.neighbours(framework, current.id, assessment.answers)
    typed_rows = typed_rows or bool(errors) or bool(unsaved)
    conflict_rows = [
        (format_answer(framework.question(q), theirs), format_answer(framework.question(q), yours))
        for q, (theirs, yours) in conflicts.items()
    ]
    return render_template(
        "wizard/step.html",
        assessment=assessment,
        page=current,
        questions=wizard.page_questions(current, values),
        help=wizard.page_help(framework, current),
        follow_ups=wizard.follow_ups(current),
        anchors=wizard.error_anchors(current, values),
        values=values,
        errors=errors,
        conflicts=conflict_rows,
        lock_version=assessment.lock_version if lock_version is None else lock_version,
        previous=previous,
        suggestions=choices.suggestions(assessment.organisation_id),
        local=local_framework.for_answers(assessment.organisation_id, assessment.answers),
        core20=_core20_sentence(assessment.area_profile),
        return_to=request.args.get("return_to"),
        screening=rules.screening(assessment.framework_version, assessment.answers, assessment.area_profile),
        feedback=return_feedback(current_user, assessment),
        progress=wizard.progress(framework, current.id, assessment.answers),
        tables=wizard.table_rows(current, values, typed=typed_rows),
        unsaved=unsaved or {},
    )


def _lock() -> int | None:
    value = request.form.get("lock_version", "")
    return int(value) if value.isascii() and value.isdigit() else None  # "³" is a digit, not a number


def _is_editable(assessment: Any) -> bool:
    return Status(assessment.status).editable_by_author and assessment.author_id == current_user.id


def _area_step(assessment: Any, framework: Any, current: wizard.Page) -> ResponseReturnValue:
    errors: dict[str, str] = {}
    query = request.args.get("q", "")
    try:
        found = area_form.search_areas(query)
    except ServiceUnavailableError as error:
        found, errors["method"] = [], error.message
    if request.method == "POST" and request.form.get("method") == "service_users":
        try:
            service_users.set_service_users(
                current_user, assessment.id, area_form.users_from_form(request.files)
            )
        except ServiceError as error:
            errors["users_file"] = error.message
        else:
            flash("The service's users are now shown beside the area.", "success")
            return redirect(
                url_for("wizard.step", assessment_id=assessment.id, page_id=current.id) + "#users"
            )
    elif request.method == "POST":
        try:
            chosen = area_form.area_from_form(request.form, request.files)
            assessments.set_area(current_user, assessment.id, chosen)
        except ServiceError as error:
            errors[_area_field(error.field)] = error.message
        else:
            flash("Area saved. Check the deprivation profile below, then continue.", "success")
            return redirect(url_for("wizard.step", assessment_id=assessment.id, page_id=current.id))
    previous, following = wizard.neighbours(framework, current.id, assessment.answers)
    return render_template(
        "wizard/area.html",
        assessment=assessment,
        page=current,
        help=wizard.page_help(framework, current),
        errors=errors,
        query=query,
        found=found,
        form=request.form,
        methods=area_form.METHODS,
        following=following,
        previous=previous,
        core20=_core20_sentence(assessment.area_profile),
        cumulative=cumulative.cumulative_for(current_user, assessment),
        gaps=area_profiles.data_gaps(assessment.area_profile),
        feedback=return_feedback(current_user, assessment),
        area_text=describe_area(assessment.area) if assessment.area else None,
        not_used=assessment.area_profile.unmatched if assessment.area_profile else (),
        users=service_users.users_comparison(assessment),
        users_left_out=service_users.users_left_out(assessment),
    ), (400 if errors else 200)


AREA_FIELDS = ("method", "area_search", "lsoa_codes", "postcode", "radius_km", "geojson_file", "patient_file")


def _area_field(field: str | None) -> str:
    """Engine errors name a part of the definition ("area.codes"); show them beside the chosen method."""
    if field in AREA_FIELDS:
        return field
    if field and field.removeprefix("area.") in AREA_FIELDS:  # the radius or the centre postcode
        return field.removeprefix("area.")
    method = request.form.get("method", "")
    return {
        "named": "area_search",
        "lsoa_codes": "lsoa_codes",
        "point_radius": "postcode",
        "geojson": "geojson_file",
        "patient_list": "patient_file",
    }.get(method, "method")


def _core20_sentence(profile: AreaProfile | None) -> str | None:
    # One wording for the page and the PDF, reading the nation's own baseline from the profile.
    return core20_headline(profile) + "." if profile is not None else None


@bp.get("/<int:assessment_id>/area/chart.png")
@signed_in
def area_chart(assessment_id: int) -> ResponseReturnValue:
    assessment = assessments.assessment_for(current_user, assessment_id)
    profile = assessment.area_profile
    if profile is None:
        abort(404)
    return Response(area_profiles.chart_png(profile), mimetype="image/png")


@bp.get("/<int:assessment_id>/area/map.png")
@signed_in
def area_map(assessment_id: int) -> ResponseReturnValue:
    assessment = assessments.assessment_for(current_user, assessment_id)
    image = area_profiles.map_png(assessment.area) if assessment.area else None
    if image is None:
        abort(404)
    return Response(image, mimetype="image/png")
