"""/api/v1/assessments/<id>/versions: the frozen versions submitted for review, exactly as submitted."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from hia_service.api.assessment_schemas import VersionSchema, VersionSummarySchema
from hia_service.api.auth import api_user, token_required
from hia_service.api.schemas import ProblemSchema
from hia_service.auth.permissions import Action
from hia_service.services.assessments.authoring import assessment_for
from hia_service.services.review.record import version_page

blp = Blueprint("api_versions", __name__, url_prefix="/api/v1", description="Frozen versions of assessments")


@blp.route("/assessments/<int(max=2147483647):assessment_id>/versions")
class Versions(MethodView):
    @token_required(reads_only=True)
    @blp.response(200, VersionSummarySchema(many=True))
    @blp.alt_response(401, schema=ProblemSchema, description="No valid API token")
    @blp.alt_response(404, schema=ProblemSchema, description="No such assessment that you can see")
    def get(self, assessment_id: int) -> Any:
        """Every version submitted for review, oldest first."""
        return sorted(assessment_for(api_user(), assessment_id, Action.VIEW).versions, key=lambda v: v.number)


@blp.route("/assessments/<int(max=2147483647):assessment_id>/versions/<int(max=2147483647):number>")
class VersionItem(MethodView):
    @token_required(reads_only=True)
    @blp.response(200, VersionSchema)
    @blp.alt_response(401, schema=ProblemSchema, description="No valid API token")
    @blp.alt_response(404, schema=ProblemSchema, description="No such assessment or version that you can see")
    def get(self, assessment_id: int, number: int) -> Any:
        """One frozen version: answers, area, profile, rating, quality warnings, rule versions, hash."""
        return version_page(api_user(), assessment_id, number).version
