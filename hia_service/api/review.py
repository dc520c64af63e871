"""/api/v1/assessments/<id>/review/…: a reviewer starts the review, comments, returns or approves."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from hia_service.api.assessment_schemas import (
    ApproveSchema,
    AssessmentSchema,
    CommentCreateSchema,
    CommentSchema,
    LockSchema,
    ReturnSchema,
    VersionSchema,
)
from hia_service.api.auth import api_user, token_required
from hia_service.api.schemas import ProblemSchema
from hia_service.auth.roles import Role
from hia_service.services.review.decisions import add_comment, approve, return_to_author, start_review

blp = Blueprint(
    "api_review", __name__, url_prefix="/api/v1", description="Governance review (reviewers only)"
)

ERRORS = (
    (401, "No valid API token"),
    (403, "Only reviewers may do this, and never on an assessment they wrote"),
    (404, "No such assessment in your organisation"),
    (409, "Not possible in the assessment's current state, or it changed since lock_version"),
    (422, "The request is not valid; 'errors' lists each field"),
)


def _errors(view: Any) -> Any:
    for status, description in ERRORS:
        view = blp.alt_response(status, schema=ProblemSchema, description=description)(view)
    return view


@blp.route("/assessments/<int(max=2147483647):assessment_id>/review/start")
class StartReview(MethodView):
    @token_required(Role.REVIEWER)
    @blp.arguments(LockSchema())
    @blp.response(200, AssessmentSchema)
    @_errors
    def post(self, body: dict[str, Any], assessment_id: int) -> Any:
        """Start reviewing a submitted assessment."""
        return start_review(api_user(), assessment_id, body["lock_version"])


@blp.route("/assessments/<int(max=2147483647):assessment_id>/review/comments")
class Comments(MethodView):
    @token_required(Role.REVIEWER)
    @blp.arguments(CommentCreateSchema())
    @blp.response(201, CommentSchema)
    @_errors
    def post(self, body: dict[str, Any], assessment_id: int) -> Any:
        """Comment on one section (or 'general') of the version under review."""
        return add_comment(api_user(), assessment_id, body["section"], body["body"], body["version"])


@blp.route("/assessments/<int(max=2147483647):assessment_id>/review/return")
class Return(MethodView):
    @token_required(Role.REVIEWER)
    @blp.arguments(ReturnSchema())
    @blp.response(200, AssessmentSchema)
    @_errors
    def post(self, body: dict[str, Any], assessment_id: int) -> Any:
        """Return the assessment to its author with a comment saying what to change."""
        return return_to_author(api_user(), assessment_id, body["comment"], body["lock_version"])


@blp.route("/assessments/<int(max=2147483647):assessment_id>/review/approve")
class Approve(MethodView):
    @token_required(Role.REVIEWER)
    @blp.arguments(ApproveSchema())
    @blp.response(200, VersionSchema)
    @blp.alt_response(400, schema=ProblemSchema, description="The conditions of approval are too long")
    @_errors
    def post(self, body: dict[str, Any], assessment_id: int) -> Any:
        """Approve the version under review, with any conditions of approval; its action plan starts being
        tracked."""
        return approve(api_user(), assessment_id, body["lock_version"], body["conditions"])
