"""/api/v1/assessments: list, start, read, answer section by section, submit. Same services as the web."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest.pagination import PaginationParameters

from hia_service.api.assessment_schemas import (
    AnswersSavedSchema,
    AnswersUpdateSchema,
    AssessmentCreateSchema,
    AssessmentQuerySchema,
    AssessmentSchema,
    AssessmentSummarySchema,
    ConflictSchema,
    VersionSchema,
)
from hia_service.api.auth import api_user, token_required
from hia_service.api.paging import Blueprint
from hia_service.api.schemas import ProblemSchema
from hia_service.auth.permissions import Action
from hia_service.auth.roles import Role
from hia_service.errors import problem
from hia_service.services import rules
from hia_service.services.assessments.authoring import (
    assessment_for,
    save_page,
    start_assessment,
    submit_for_review,
)
from hia_service.services.errors import NotFoundError
from hia_service.services.review.record import visible_assessments

blp = Blueprint("api_assessments", __name__, url_prefix="/api/v1", description="Assessments")

NO_TOKEN = {"schema": ProblemSchema, "description": "No valid API token"}
NOT_FOUND = {"schema": ProblemSchema, "description": "No such assessment in your organisation, or not yours"}
INVALID = {"schema": ProblemSchema, "description": "The request is not valid; 'errors' lists each field"}


@blp.route("/assessments")
class Assessments(MethodView):
    @token_required(reads_only=True)
    @blp.arguments(AssessmentQuerySchema(), location="query")
    @blp.response(200, AssessmentSummarySchema(many=True))
    @blp.paginate(page=1, page_size=20, max_page_size=100)
    @blp.alt_response(400, schema=ProblemSchema, description="`page` is past the last page")
    @blp.alt_response(401, **NO_TOKEN)
    @blp.alt_response(422, **INVALID)
    def get(self, query: dict[str, Any], pagination_parameters: PaginationParameters) -> Any:
        """Assessments you can see, most recently changed first, filtered and paged by the database.

        `page` (from 1) and `page_size` (up to 100, 20 if not given) choose the page; the X-Pagination header
        gives the total and page numbers, and the Link header the addresses of the other pages.
        """
        rows, total = visible_assessments(
            api_user(),
            training=query["training"],
            status=query["status"],
            search=query["search"],
            page=pagination_parameters.page,
            per_page=pagination_parameters.page_size,
        )
        pagination_parameters.item_count = total
        return rows

    @token_required(Role.MANAGER, Role.REVIEWER, Role.ADMIN)
    @blp.arguments(AssessmentCreateSchema())
    @blp.response(201, AssessmentSchema)
    @blp.alt_response(401, **NO_TOKEN)
    @blp.alt_response(403, schema=ProblemSchema, description="Not for trainers: they practise in a session")
    @blp.alt_response(422, **INVALID)
    def post(self, body: dict[str, Any]) -> Any:
        """Start an assessment. Practice assessments are not started here: each is of a scenario, started
        from a training session on the training pages, which is where its feedback is."""
        return start_assessment(api_user(), body["title"])


@blp.route("/assessments/<int(max=2147483647):assessment_id>")
class AssessmentItem(MethodView):
    @token_required(reads_only=True)
    @blp.response(200, AssessmentSchema)
    @blp.alt_response(401, **NO_TOKEN)
    @blp.alt_response(404, **NOT_FOUND)
    def get(self, assessment_id: int) -> Any:
        """One assessment with its current answers, area, profile and lock_version."""
        return assessment_for(api_user(), assessment_id, Action.VIEW)


@blp.route("/assessments/<int(max=2147483647):assessment_id>/answers/<section_id>")
class SectionAnswers(MethodView):
    @token_required()
    @blp.arguments(AnswersUpdateSchema())
    @blp.response(200, AnswersSavedSchema)
    @blp.alt_response(401, **NO_TOKEN)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, schema=ConflictSchema, description="Someone else changed these answers first")
    @blp.alt_response(422, **INVALID)
    def put(self, body: dict[str, Any], assessment_id: int, section_id: str) -> Any:
        """Save answers to questions of one section (only the questions you send are changed).

        Send the lock_version you last read. If someone else changed the same questions since, nothing
        is saved and the answer is 409 with each conflicting question's stored and sent value.
        """
        assessment = assessment_for(api_user(), assessment_id, Action.EDIT)
        section_questions = _section_questions(assessment, section_id)
        unknown = sorted(set(body["answers"]) - section_questions)
        if unknown:
            return _invalid(
                {qid: [f"'{qid}' is not a question in section '{section_id}'"] for qid in unknown}
            )
        result = save_page(
            api_user(), assessment_id, sorted(body["answers"]), body["answers"], body["lock_version"]
        )
        if result.errors:
            return _invalid({qid: [message] for qid, message in result.errors.items()})
        if result.conflicts:
            return _conflict(result.conflicts, result.lock_version)
        return {"values": result.values, "lock_version": result.lock_version}


def _section_questions(assessment: Any, section_id: str) -> set[str]:
    framework = rules.framework(assessment.framework_version)
    section = next((s for s in framework.sections if s.id == section_id), None)
    if section is None:
        sections = ", ".join(s.id for s in framework.sections)
        raise NotFoundError(f"There is no section '{section_id}'. The sections are: {sections}.")
    return {q.id for q in section.questions}


def _invalid(answer_errors: dict[str, list[str]]) -> Any:
    return problem(
        422,
        "There is a problem with your answers",
        "Nothing was saved. Check the answers listed in 'errors'.",
        errors={"json": {"answers": answer_errors}},
    )


def _conflict(conflicts: dict[str, tuple[Any, Any]], lock_version: int) -> Any:
    return problem(
        409,
        "Someone else changed this",
        "Someone else changed these answers after you read them. Nothing was saved. Read the assessment "
        "again, then send your answers with the new lock_version.",
        conflicts={qid: {"theirs": theirs, "yours": yours} for qid, (theirs, yours) in conflicts.items()},
        lock_version=lock_version,
    )


@blp.route("/assessments/<int(max=2147483647):assessment_id>/submit")
class Submit(MethodView):
    @token_required()
    @blp.response(201, VersionSchema)
    @blp.alt_response(401, **NO_TOKEN)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, schema=ProblemSchema, description="It cannot be submitted in its current state")
    def post(self, assessment_id: int) -> Any:
        """Submit the assessment for governance review. The answers are frozen as a new version."""
        return submit_for_review(api_user(), assessment_id)
