"""Read-only facts about the service: reference data loaded, rules versions."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from hia_service.api.auth import token_required
from hia_service.api.schemas import ReferenceDatasetSchema, RulesVersionsSchema
from hia_service.services.areas.reference import loaded_datasets
from hia_service.services.rules import ruleset

blp = Blueprint("api_status", __name__, url_prefix="/api/v1", description="Reference data and rules versions")


@blp.route("/reference-data")
class ReferenceData(MethodView):
    @token_required(reads_only=True)
    @blp.response(200, ReferenceDatasetSchema(many=True))
    def get(self) -> Any:
        """The reference datasets loaded now, with their release, checksum and when they were loaded."""
        return loaded_datasets()


@blp.route("/rules")
class RulesVersions(MethodView):
    @token_required(reads_only=True)
    @blp.response(200, RulesVersionsSchema)
    def get(self) -> Any:
        """Which framework and scoring versions new assessments use, and every version the service keeps."""
        rules = ruleset()
        return {
            "framework": rules.current_framework_version,
            "scoring": rules.current_scoring_version,
            "available_frameworks": sorted(rules.frameworks),
            "available_scoring": sorted(rules.scorings),
        }
