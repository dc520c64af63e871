"""Area definitions: the one plain-dict format the library, CLI and API all accept, checked with clear errors.

    {"type": "lsoa_codes", "codes": ["E01000001", ...], "counts": [12, ...]}       counts optional
    {"type": "lad" | "icb" | "sub_icb", "codes": ["E06000009"]}                      or "code": "..."
    {"type": "geojson", "geojson": {...}, "method": "centroid" | "area" | "pwc"}
    {"type": "point_radius", "postcode": "FY1 1AA" | "latitude": .., "longitude": .., "radius_km": 2}
    {"type": "postcodes", "postcodes": ["FY1 1AA", ...], "counts": [3, ...]}         counts optional

Lists may also be given as objects: "codes": [{"code": "E01000001", "count": 12}], and likewise
"postcodes": [{"postcode": "FY1 1AA", "count": 3}].
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hia_service.domain.geography.errors import AreaDefinitionError

METHODS = ("centroid", "area", "pwc")
DEFAULT_METHOD = "centroid"
MAX_CODES = 100_000
MAX_POSTCODES = 2_000_000
MAX_RADIUS_KM = 100.0  # a regional service (a trust, an ambulance service) reaches this far
AREA_TYPES = ("lsoa_codes", "lad", "icb", "sub_icb", "geojson", "point_radius", "postcodes")


@dataclass(frozen=True)
class CodeList:
    codes: tuple[str, ...]
    counts: tuple[float, ...] | None
    blank_lines: int = 0
    kind: str = "lsoa_codes"


@dataclass(frozen=True)
class GroupArea:
    kind: str  # "lad" | "icb" | "sub_icb"
    codes: tuple[str, ...]


@dataclass(frozen=True)
class ShapeArea:
    geojson: Any  # a GeoJSON mapping, or its text
    method: str
    kind: str = "geojson"


@dataclass(frozen=True)
class PointRadius:
    postcode: str | None
    latitude: float | None
    longitude: float | None
    radius_km: float
    method: str
    kind: str = "point_radius"


@dataclass(frozen=True)
class PostcodeList:
    postcodes: tuple[str, ...]
    counts: tuple[float, ...] | None
    blank_lines: int = 0
    kind: str = "postcodes"


AreaDefinition = CodeList | GroupArea | ShapeArea | PointRadius | PostcodeList


def parse_area(area: Any, method: str | None = None) -> AreaDefinition:
    """Check an area definition dict and return its typed form. `method` overrides none given in `area`."""
    if not isinstance(area, Mapping):
        raise AreaDefinitionError(
            "The area must be an object with a 'type' (for example 'lsoa_codes').", "area"
        )
    kind = area.get("type")
    if kind not in AREA_TYPES:
        raise AreaDefinitionError(
            f"Unknown area type {kind!r}. Use one of: {', '.join(AREA_TYPES)}.", "area.type"
        )
    if kind == "lsoa_codes":
        codes, counts = _items(area, "codes", "code", MAX_CODES)
        blanks = _whole_number(area.get("blank_lines", 0), "area.blank_lines")
        return CodeList(tuple(c.strip().upper() for c in codes), counts, blanks)
    if kind in ("lad", "icb", "sub_icb"):
        return GroupArea(kind, _group_codes(area))
    chosen = _method(area, method)
    if kind == "geojson":
        if "geojson" not in area or area["geojson"] in (None, "", {}):
            raise AreaDefinitionError("Give the shape as GeoJSON in 'geojson'.", "area.geojson")
        return ShapeArea(area["geojson"], chosen)
    if kind == "point_radius":
        return _point_radius(area, chosen)
    postcodes, counts = _items(area, "postcodes", "postcode", MAX_POSTCODES)
    return PostcodeList(
        tuple(postcodes), counts, _whole_number(area.get("blank_lines", 0), "area.blank_lines")
    )


def _method(area: Mapping[str, Any], override: str | None) -> str:
    given = area.get("method")
    if given is not None and override is not None and given != override:
        raise AreaDefinitionError(
            f"The area says method {given!r} but {override!r} was also asked for; give one.", "method"
        )
    chosen = override or given or DEFAULT_METHOD
    if chosen not in METHODS:
        raise AreaDefinitionError(f"Unknown method {chosen!r}. Use one of: {', '.join(METHODS)}.", "method")
    return chosen


def _group_codes(area: Mapping[str, Any]) -> tuple[str, ...]:
    field = f"area.{'codes' if 'codes' in area else 'code'}"
    raw = area.get("codes", area.get("code"))
    values = [raw] if isinstance(raw, str) else raw
    if (
        not isinstance(values, Sequence)
        or not values
        or not all(isinstance(v, str) and v.strip() for v in values)
    ):
        raise AreaDefinitionError("Give at least one area code, as text, in 'codes'.", field)
    return tuple(v.strip().upper() for v in values)


def _items(
    area: Mapping[str, Any], key: str, item_key: str, limit: int
) -> tuple[list[str], tuple[float, ...] | None]:
    raw = area.get(key)
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes) or len(raw) == 0:
        raise AreaDefinitionError(f"Give a non-empty list in '{key}'.", f"area.{key}")
    if len(raw) > limit:
        raise AreaDefinitionError(
            f"The list has {len(raw):,} entries; the most we take at once is {limit:,}.", f"area.{key}"
        )
    if all(isinstance(item, Mapping) for item in raw):
        values = [_text(item.get(item_key), f"area.{key}[{i}].{item_key}") for i, item in enumerate(raw)]
        counts = [item.get("count", 1) for item in raw]
        has_counts = any("count" in item for item in raw)
        return values, _counts(counts, f"area.{key}") if has_counts else None
    values = [_text(item, f"area.{key}[{i}]") for i, item in enumerate(raw)]
    if area.get("counts") is None:
        return values, None
    counts = area["counts"]
    if not isinstance(counts, Sequence) or isinstance(counts, str) or len(counts) != len(values):
        raise AreaDefinitionError(f"'counts' must be a list the same length as '{key}'.", "area.counts")
    return values, _counts(counts, "area.counts")


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise AreaDefinitionError("Each entry must be text.", field)
    return value


def _counts(values: Sequence[Any], field: str) -> tuple[float, ...]:
    out = []
    for i, value in enumerate(values):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value < 0
        ):
            raise AreaDefinitionError(
                f"Count number {i + 1} ({value!r}) is not a number of people (0 or more).", f"{field}[{i}]"
            )
        out.append(float(value))
    if sum(out) <= 0:
        raise AreaDefinitionError("All the counts are zero, so there is nobody to profile.", field)
    return tuple(out)


def _whole_number(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise AreaDefinitionError("Expected a whole number, 0 or more.", field)
    return value


def _number(area: Mapping[str, Any], key: str) -> float:
    value = area.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise AreaDefinitionError(f"'{key}' must be a number.", f"area.{key}")
    return float(value)


def _point_radius(area: Mapping[str, Any], method: str) -> PointRadius:
    radius = _number(area, "radius_km")
    if not 0 < radius <= MAX_RADIUS_KM:
        raise AreaDefinitionError(
            f"The radius must be more than 0 and at most {MAX_RADIUS_KM:g} km.", "area.radius_km"
        )
    postcode = area.get("postcode")
    if postcode is not None:
        if not isinstance(postcode, str) or not postcode.strip():
            raise AreaDefinitionError("The postcode must be text, like 'FY1 1AA'.", "area.postcode")
        return PointRadius(postcode, None, None, radius, method)
    if "latitude" not in area or "longitude" not in area:
        raise AreaDefinitionError(
            "Give the centre as a 'postcode', or as 'latitude' and 'longitude'.", "area.postcode"
        )
    lat, lon = _number(area, "latitude"), _number(area, "longitude")
    return PointRadius(None, lat, lon, radius, method)


KM_PER_MILE = 1.609344
_DISTANCE = re.compile(
    r"^\s*(?P<number>\d+(?:\.\d+)?|\.\d+)\s*(?P<unit>km|kms|kilometres?|kilometers?|k|mi|miles?)?\s*\.?\s*$",
    re.IGNORECASE,
)

_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def without_thousands_commas(text: str) -> str | None:
    """`text` with the commas between thousands (1,000) taken out; None if another comma is left: a decimal
    comma (3,5), which read as a thousands comma would be ten times the number meant."""
    if "," not in text:
        return text
    cleaned = _THOUSANDS.sub("", text)
    return None if "," in cleaned else cleaned


def parse_distance_km(text: str) -> float:
    """A distance as people type it ("5", "5 km", "5km", "2.5 kilometres", "3 miles") in kilometres.

    A bare number is kilometres, as the question asks for. Raises AreaDefinitionError saying what to type.
    """
    typed = without_thousands_commas(str(text))
    if typed is None:
        raise AreaDefinitionError(
            "Use a full stop for the decimal point in the distance, like 3.5 km", "area.radius_km"
        )
    found = _DISTANCE.match(typed)
    if not found:
        raise AreaDefinitionError(
            "Enter the distance as a number of kilometres or miles, like 5, 5 km or 3 miles", "area.radius_km"
        )
    number = float(found["number"])
    unit = (found["unit"] or "km").lower()
    return number * KM_PER_MILE if unit.startswith("mi") else number
