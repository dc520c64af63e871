"""marshmallow schemas for the API (the HTML forms use WTForms: they share services, not schemas).

Views give blp.arguments an instance, made once: given the class, webargs makes a new schema for every call
(about 40 us each). The schemas keep no state between loads, so one instance serves every thread."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, fields, validate


class UtcDateTime(fields.DateTime):
    """RFC 3339 with an offset always: SQLite hands back naive datetimes, which are UTC in this service."""

    def _serialize(
        self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any
    ) -> str | float | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE  # an unknown field is a mistake worth telling the caller about


class ProblemSchema(Schema):
    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String(metadata={"example": "There is a problem with your request"})
    status = fields.Integer(metadata={"example": 422})
    detail = fields.String(metadata={"example": "Check the fields listed in 'errors'."})
    errors = fields.Dict(metadata={"example": {"json": {"area": ["Missing data for required field."]}}})


class AreaProfileRequestSchema(StrictSchema):
    release = fields.String(
        load_default=None,
        validate=validate.OneOf(["IoD2025", "IoD2019", "WIMD2019", "SIMD2020", "NIMDM2017"]),
        metadata={"description": "Which index to use. Defaults to IoD2025 (England, LSOA 2021)."},
    )
    method = fields.String(
        load_default=None,
        validate=validate.OneOf(["centroid", "area", "pwc"]),
        metadata={
            "description": "For shapes: count an LSOA in by its point-on-surface (centroid), by the share "
            "of its area inside (area), or by its population-weighted centroid (pwc)."
        },
    )
    area = fields.Dict(
        required=True,
        metadata={
            "description": "The area: {'type': 'lsoa_codes'|'lad'|'icb'|'sub_icb'|'geojson'|'point_radius'|"
            "'postcodes', ...}",
            "example": {"type": "lad", "codes": ["E06000009"]},
        },
    )


class AreaProfileDetailSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # other query parameters were always ignored here

    detail = fields.String(
        load_default="summary",
        validate=validate.OneOf(["summary", "full"]),
        metadata={
            "description": "How much of the comparison with places to send. `summary` (the default): the "
            "nation and your organisation's population in full, and each local authority and ICB the area "
            "touches with its code, name, population and core20_share only. `full`: every place's full "
            "figures too (deciles, quintiles, scores and the lookup used), as this endpoint answered before "
            "the parameter was added: several times larger for a large area."
        },
    )


class AreaProfileSchema(Schema):
    """The area profile. Keys are fixed so that other tools can rely on them."""

    release = fields.String()
    geography = fields.String()
    area = fields.Dict()
    lsoa_count = fields.Integer()
    population = fields.Float()
    population_by_decile = fields.List(fields.Float())
    share_by_quintile = fields.List(fields.Float())
    core20_share = fields.Float(allow_none=True)
    mean_imd_score = fields.Float(allow_none=True)
    mean_imd_rank = fields.Float(allow_none=True)
    share_lsoas_most_deprived_10pct = fields.Float(allow_none=True)
    domains = fields.Dict()
    baseline = fields.Dict(
        metadata={
            "description": "The places the area is compared with: `nation`, `organisation` (when set up), "
            "`local_authorities` and `icbs` (headline figures only unless `?detail=full`)."
        }
    )
    relative_core20 = fields.Float(allow_none=True)
    concentration_index = fields.Float(allow_none=True)
    unmatched = fields.List(fields.Dict())
    method = fields.Dict(allow_none=True)
    notes = fields.List(fields.String())
    completeness = fields.Dict(allow_none=True)
    rurality = fields.Dict(
        metadata={"description": "People in each 2021 rural-urban class, and the share in rural areas."}
    )
    barriers = fields.Dict(
        metadata={"description": "People by national decile of the barriers to housing and services domain."}
    )
    provenance = fields.Dict(
        metadata={
            "description": "Where the profile came from: release, the reference data's checksum, how the "
            "area was given (method) and the inputs as given."
        }
    )


class ReferenceDatasetSchema(Schema):
    dataset_id = fields.String()
    release = fields.String()
    geography = fields.String()
    file_name = fields.String()
    sha256 = fields.String()
    row_count = fields.Integer()
    publisher = fields.String()
    licence = fields.String()
    loaded_at = UtcDateTime()


class RulesVersionsSchema(Schema):
    framework = fields.String(metadata={"example": "1.0"})
    scoring = fields.String(metadata={"example": "1.0"})
    available_frameworks = fields.List(fields.String())
    available_scoring = fields.List(fields.String())
