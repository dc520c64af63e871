"""POST /api/v1/area-profiles: the deprivation profile of an area, from the same engine as the web and CLI."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from hia_service.api.auth import api_caller, token_required
from hia_service.api.schemas import (
    AreaProfileDetailSchema,
    AreaProfileRequestSchema,
    AreaProfileSchema,
    ProblemSchema,
)
from hia_service.services.areas.profiles import AreaRequest
from hia_service.services.organisation.population import profile_for_organisation

blp = Blueprint("api_profiles", __name__, url_prefix="/api/v1", description="Deprivation profiles of areas")

# What a summary keeps of each local authority and ICB the area touches.
PLACE_SUMMARY = ("code", "name", "population", "core20_share")


@blp.route("/area-profiles")
class AreaProfiles(MethodView):
    @token_required(reads_only=True)
    @blp.arguments(AreaProfileRequestSchema())
    @blp.arguments(AreaProfileDetailSchema(), location="query")
    @blp.response(200, AreaProfileSchema)
    @blp.alt_response(
        400, schema=ProblemSchema, description="The area definition is not usable; 'detail' says why"
    )
    @blp.alt_response(401, schema=ProblemSchema, description="No valid API token")
    @blp.alt_response(422, schema=ProblemSchema, description="The request body is not valid")
    @blp.alt_response(503, schema=ProblemSchema, description="No reference data is loaded yet")
    def post(self, body: dict[str, Any], query: dict[str, Any]) -> Any:
        """Profile the people in an area (or on a patient list) against deprivation.

        The area is LSOA codes, local authorities, ICBs or Sub-ICB locations, a GeoJSON shape, a point with a
        radius, or a list of postcodes or LSOA codes with counts. Postcodes are used only to find each
        LSOA and are never stored or echoed back. When the token's organisation has set up the population it
        serves, `baseline.organisation` holds the same headline figures for that population. The local
        authorities and ICBs the area touches come with their headline figures only; ask with
        `?detail=full` for all their figures.
        """
        # Compared with the population the token's organisation serves too, when it has set one up.
        profile = profile_for_organisation(
            api_caller().organisation_id,
            AreaRequest(body["area"], method="api"),
            release=body.get("release"),
            method=body.get("method"),
        )
        answer = profile.to_json()
        return answer if query["detail"] == "full" else _summary(answer)


def _summary(answer: dict[str, Any]) -> dict[str, Any]:
    """The places the area touches with their headline figures only: their full figures (deciles,
    quintiles, scores, the lookup's vintage) are most of a large area's answer."""
    baseline = dict(answer.get("baseline") or {})
    for key in ("local_authorities", "icbs"):
        places = baseline.get(key) or []
        baseline[key] = [{k: place[k] for k in PLACE_SUMMARY if k in place} for place in places]
    return {**answer, "baseline": baseline}
