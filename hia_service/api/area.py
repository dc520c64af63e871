"""PUT /api/v1/assessments/{id}/area: set the area an assessment affects. The area and its deprivation
profile are stored together, by the same use case as the web's geography step; nothing else writes them."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from hia_service.api.assessment_schemas import AssessmentSchema
from hia_service.api.auth import api_user, token_required
from hia_service.api.schemas import ProblemSchema, StrictSchema
from hia_service.services.areas.profiles import AreaRequest
from hia_service.services.assessments.authoring import set_area

blp = Blueprint("api_area", __name__, url_prefix="/api/v1", description="The area an assessment affects")

INPUT_MAX = 200


class AreaUpdateSchema(StrictSchema):
    area = fields.Dict(
        required=True,
        metadata={
            "description": "The area, as for POST /api/v1/area-profiles: {'type': 'lsoa_codes'|'lad'|'icb'|"
            "'sub_icb'|'geojson'|'point_radius'|'postcodes', ...}. Postcodes are used only to find each "
            "neighbourhood: a patient list is stored as counts per neighbourhood, a radius round a "
            "postcode as a point.",
            "example": {"type": "point_radius", "postcode": "FY1 1AA", "radius_km": 5},
        },
    )
    inputs = fields.Dict(
        keys=fields.String(validate=validate.Length(max=50)),
        values=fields.String(validate=validate.Length(max=INPUT_MAX)),
        load_default=dict,
        validate=validate.Length(max=10),
        metadata={
            "description": "Optional: how the area was described in your system, kept with the profile's "
            "provenance and shown back to people (e.g. {'place': 'Blackpool Victoria Hospital'}).",
        },
    )


@blp.route("/assessments/<int(max=2147483647):assessment_id>/area")
class AssessmentArea(MethodView):
    @token_required()
    @blp.arguments(AreaUpdateSchema())
    @blp.response(200, AssessmentSchema)
    @blp.alt_response(400, schema=ProblemSchema, description="The area is not usable; 'detail' says why")
    @blp.alt_response(401, schema=ProblemSchema, description="No valid API token")
    @blp.alt_response(404, schema=ProblemSchema, description="No such assessment in your organisation")
    @blp.alt_response(409, schema=ProblemSchema, description="It cannot be changed in its current state")
    @blp.alt_response(422, schema=ProblemSchema, description="The request body is not valid")
    @blp.alt_response(503, schema=ProblemSchema, description="No reference data is loaded yet")
    def put(self, body: dict[str, Any], assessment_id: int) -> Any:
        """Set the area the proposal affects; its deprivation profile is worked out and stored with it.

        The profile is compared with the population your organisation serves, when that is set up, and
        screening is worked out again (a more deprived area can move an assessment to the full route).
        """
        inputs = {"given as": "API area definition", **body["inputs"]}
        return set_area(api_user(), assessment_id, AreaRequest(body["area"], "api", inputs))
