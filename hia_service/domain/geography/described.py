"""An area definition in words, as the pages and the signed record name it ("Within 3 km of FY1 4AA"), never
its geometry: a drawn or uploaded boundary is thousands of coordinates that no reader needs."""

from __future__ import annotations

from typing import Any

NAMES_SHOWN = 10
AREA_KINDS = {
    "lsoa_codes": "neighbourhoods (LSOAs) listed",
    "lad": "local authority area",
    "icb": "integrated care board area",
    "sub_icb": "sub-ICB area",
    "geojson": "an uploaded or drawn boundary",
    "point_radius": "a distance around a place",
    "postcodes": "patients' home postcodes, matched to neighbourhoods",
}


def describe_area(area: Any) -> str:
    if not isinstance(area, dict):
        return str(area)
    if area.get("label"):  # in the person's own words, with the place: "3 miles around FY1 4AA (Blackpool)"
        return str(area["label"])
    kind = AREA_KINDS.get(str(area.get("type")), "an area")
    codes = area.get("codes") or ([area["code"]] if area.get("code") else [])
    if area.get("type") == "point_radius":
        place = area.get("postcode") or area.get("centre") or "a point"
        return f"Within {area.get('radius_km')} km of {place}"
    if area.get("type") in ("lsoa_codes", "postcodes"):
        patients = area.get("patients")
        count = patients if isinstance(patients, int) else len(codes or area.get("postcodes") or [])
        return f"{count:,} {kind}" if count else kind[:1].upper() + kind[1:]
    names = ", ".join(str(c.get("code") if isinstance(c, dict) else c) for c in codes[:NAMES_SHOWN])
    more = f" and {len(codes) - NAMES_SHOWN} more" if len(codes) > NAMES_SHOWN else ""
    return f"{kind[:1].upper() + kind[1:]}{': ' + names if names else ''}{more}"
