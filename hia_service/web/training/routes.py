"""Training: trainers run sessions (join code, trainees, scenarios, progress, CSV); trainees join, practise on
the ordinary wizard (marked as training on every page) and read feedback. Views stay thin: services decide."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from hia_service.auth.decorators import requires_role, signed_in
from hia_service.auth.roles import Role
from hia_service.extensions import client_address, limiter
from hia_service.services.documents.jobs import DocumentNotReadyError
from hia_service.services.errors import ServiceError
from hia_service.services.training import cohorts as training
from hia_service.services.training import results as training_results
from hia_service.web import downloads

bp = Blueprint("training", __name__, url_prefix="/training")
TOO_MANY_JOINS = "You have entered too many join codes. {wait} Check the code with your trainer."


def _join_limit() -> str:
    return str(current_app.config["HIA_JOIN_RATE_LIMIT"])


def _account() -> str:
    return f"user:{current_user.get_id()}"


@bp.app_context_processor
def training_context() -> dict[str, Any]:
    return {"training_practice": training.practice_of, "show_code": training.show_code}


@bp.get("/")
@signed_in
def index() -> ResponseReturnValue:
    is_trainer = current_user.role == Role.TRAINER
    return render_template(
        "training/index.html",
        run=training.sessions_run(current_user) if is_trainer else [],
        joined=training.sessions_joined(current_user),
        is_trainer=is_trainer,
        code_is_live=training.code_is_live,
    )


# Guessing a join code takes many tries, so tries are limited per address and per account (so one account
# cannot spread its guesses over many addresses). Only signed-in tries count: @signed_in runs first.
@bp.route("/join", methods=["GET", "POST"])
@signed_in
@limiter.limit(
    _join_limit,
    key_func=client_address,
    methods=["POST"],
    scope="training-join",
    error_message=TOO_MANY_JOINS,
)
@limiter.limit(
    _join_limit,
    key_func=_account,
    methods=["POST"],
    scope="training-join-account",
    error_message=TOO_MANY_JOINS,
)
def join() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("training/join.html", errors={}, code="")
    code = request.form.get("code", "")
    try:
        session = training.join_session(current_user, code, address=client_address())
    except ServiceError as error:
        return render_template("training/join.html", errors={"code": error.message}, code=code), 400
    flash(f"You have joined '{session.name}'.", "success")
    return redirect(url_for("training.practise", session_id=session.id))


@bp.route("/sessions/new", methods=["GET", "POST"])
@requires_role(Role.TRAINER)
def new_session() -> ResponseReturnValue:
    form = request.form
    if request.method == "POST":
        held_on = {part: form.get(f"held_on-{part}", "") for part in ("day", "month", "year")}
        try:
            session = training.create_session(
                current_user, form.get("name", ""), held_on, form.getlist("scenarios")
            )
        except training.FormErrors as error:
            return _new_session_page(error.errors), 400
        flash("Training session created. Share the join code with your trainees.", "success")
        return redirect(url_for("training.session", session_id=session.id))
    return _new_session_page({})


def _new_session_page(errors: dict[str, str]) -> str:
    return render_template(
        "training/new_session.html",
        errors=errors,
        form=request.form,
        chosen=request.form.getlist("scenarios"),
        scenarios=sorted(training.scenarios().values(), key=lambda s: s.title),
    )


@bp.get("/sessions/<int:session_id>")
@requires_role(Role.TRAINER)
def session(session_id: int) -> ResponseReturnValue:
    return _session_page(session_id, {}, {})


def _session_page(session_id: int, errors: dict[str, str], form: Any) -> str:
    progress = training_results.cohort_progress(current_user, session_id)
    return render_template(
        "training/session.html",
        progress=progress,
        errors=errors,
        form=form,
        code_live=training.code_is_live(progress.session),
    )


@bp.post("/sessions/<int:session_id>/trainees")
@requires_role(Role.TRAINER)
def add_trainee(session_id: int) -> ResponseReturnValue:
    try:
        added = training.add_trainee(current_user, session_id, request.form.get("email", ""))
    except ServiceError as error:
        if error.status == 404:
            raise
        return _session_page(session_id, {error.field or "email": error.message}, request.form), 400
    flash(f"{added.name} has been added to the session.", "success")
    return redirect(url_for("training.session", session_id=session_id))


@bp.route("/sessions/<int:session_id>/code", methods=["GET", "POST"])
@requires_role(Role.TRAINER)
def replace_code(session_id: int) -> ResponseReturnValue:
    if request.method == "GET":  # the old code stops working at once, for anyone still to join: ask first
        session = training.session_for_trainer(current_user, session_id)
        return render_template("training/new_code.html", s=session, code_live=training.code_is_live(session))
    session = training.new_code(current_user, session_id)
    flash(f"New join code {training.show_code(session.join_code)}. The old code no longer works.", "success")
    return redirect(url_for("training.session", session_id=session_id))


@bp.get("/sessions/<int:session_id>/results.csv")
@requires_role(Role.TRAINER)
def results_csv(session_id: int) -> ResponseReturnValue:
    session, body = training_results.results_csv(current_user, session_id)
    response = Response(body, mimetype="text/csv")
    filename = f"training-results-{session.held_on.isoformat()}-{session.id}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/sessions/<int:session_id>/practise")
@signed_in
def practise(session_id: int) -> ResponseReturnValue:
    session = training.session_for_trainee(current_user, session_id)
    chosen = [training.scenario(s) for s in session.scenario_ids]
    return render_template("training/practise.html", session=session, scenarios=chosen)


@bp.get("/sessions/<int:session_id>/scenarios/<scenario_id>")
@signed_in
def brief(session_id: int, scenario_id: str) -> ResponseReturnValue:
    session, chosen = training.session_scenario(current_user, session_id, scenario_id)
    return render_template("training/brief.html", session=session, scenario=chosen)


@bp.post("/sessions/<int:session_id>/scenarios/<scenario_id>/start")
@signed_in
def start(session_id: int, scenario_id: str) -> ResponseReturnValue:
    assessment = training.start_practice(current_user, session_id, scenario_id)
    return redirect(url_for("wizard.tasks", assessment_id=assessment.id))


@bp.get("/practice/<int:assessment_id>/feedback")
@signed_in
def feedback(assessment_id: int) -> ResponseReturnValue:
    try:
        result = training_results.practice_feedback(current_user, assessment_id)
    except training_results.NotSubmittedError as error:
        flash(error.message, "info")
        return redirect(url_for("wizard.check_answers", assessment_id=assessment_id))
    return render_template("training/feedback.html", fb=result, assessment=result.assessment)


@bp.get("/practice/<int:assessment_id>/practice.pdf")
@signed_in
def pdf(assessment_id: int) -> ResponseReturnValue:
    again = request.args.get("again") == "1"
    try:
        document = training_results.practice_pdf(current_user, assessment_id, again=again)
    except DocumentNotReadyError as not_ready:  # HIA_QUEUE=rq: drawn in the background
        back = (url_for("training.feedback", assessment_id=assessment_id), "Back to your feedback")
        return downloads.preparing(not_ready, "training.pdf", back, assessment_id=assessment_id)
    return downloads.send(document)
