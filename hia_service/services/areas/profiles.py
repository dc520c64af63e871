"""Areas as people describe them, resolved into profiles: a patient list counted per neighbourhood, a radius
round a postcode, the profile stored with an area, and the area page's chart and map."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from hia_service.documents import decile_chart_png, decile_map_png
from hia_service.domain.data_completeness import DataGap, list_completeness
from hia_service.domain.data_completeness import data_gaps as gap_list
from hia_service.geography import GeographyError
from hia_service.services.areas import engine as geography
from hia_service.services.errors import ServiceError


def lsoa_area_from_postcodes(area: dict[str, Any]) -> dict[str, Any]:
    """A patient list of postcodes becomes counts per small area, so no postcode is ever stored."""
    if area.get("type") != "postcodes":
        return area
    try:
        counted = geography.loaded_engine().small_area_counts(area)
    except GeographyError as error:
        raise ServiceError(str(error), field="area") from None
    # The entries not used (postcode sectors only, "FY1 1**") travel with it to the profile; see profile_of.
    return {"type": "lsoa_codes", "from": "patient list", **counted}


def data_gaps(profile: dict[str, Any] | None) -> list[DataGap]:
    """What a profiled patient list leaves unknown, for the area page, the review record and the PDF."""
    return gap_list(profile)


def patient_list_completeness(data: bytes) -> dict[str, Any]:
    """What a patient list leaves unknown (counts only), carried with the area into its profile."""
    return {"source": "patient list", **(list_completeness(data) or {})}


def profile_of(area: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The area definition to store and its profile, with a patient list's unused entries in the profile."""
    carried = ("unmatched", "notes", "completeness")
    definition = {key: value for key, value in area.items() if key not in carried}
    profile = geography.area_profile(definition)
    profile["unmatched"] = [*area.get("unmatched", []), *profile.get("unmatched", [])]
    profile["notes"] = [*profile.get("notes", []), *area.get("notes", [])]
    if area.get("completeness"):
        profile["completeness"] = area["completeness"]
    return definition, profile


def without_postcode(area: dict[str, Any]) -> dict[str, Any]:
    """A distance around a postcode is stored as latitude and longitude (and the postcode sector to show)."""
    if area.get("type") != "point_radius" or not area.get("postcode"):
        return area
    from pyproj import Transformer

    from hia_service.domain.geography import postcodes as pc

    try:
        x, y = geography.loaded_engine().postcode_location(str(area["postcode"]))
    except GeographyError as error:
        raise ServiceError(str(error), field="postcode") from None
    longitude, latitude = Transformer.from_crs(27700, 4326, always_xy=True).transform(x, y)
    sector = pc.mask(pc.normalise(str(area["postcode"])))
    return {
        "type": "point_radius",
        "latitude": round(latitude, 6),
        "longitude": round(longitude, 6),
        "radius_km": area["radius_km"],
        "centre": sector,
    }


# The area page's chart and map take 100 ms or more to draw (matplotlib) and are asked for on every visit:
# each worker keeps the last few, keyed by what they are drawn from. The map also depends on the boundaries
# loaded, so its entries are dropped when the geography engine is reloaded with another snapshot.
IMAGES_KEPT = 64
_images: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_images_engine: list[Any] = [None]
_images_lock = threading.Lock()


def chart_png(profile: dict[str, Any]) -> bytes:
    """The bar chart of the people affected by decile beside England's, as a PNG."""
    return _kept(
        ("chart", json.dumps(profile, sort_keys=True, default=str)), lambda: decile_chart_png(profile)
    )


def map_png(area: dict[str, Any]) -> bytes | None:
    """The area's neighbourhoods shaded by decile, as a PNG; None where no boundaries are loaded."""
    current = geography.loaded_engine()
    with _images_lock:
        if _images_engine[0] is not current:
            _images.clear()
            _images_engine[0] = current

    def draw() -> bytes:
        shapes = current.area_map(area)
        return decile_map_png(shapes) if shapes else b""

    return _kept(("map", json.dumps(area, sort_keys=True, default=str)), draw) or None


def _kept(key: tuple[str, str], draw: Callable[[], bytes]) -> bytes:
    # `make run` serves with threads: the page's two images are often asked for at the same moment.
    with _images_lock:
        if key in _images:
            _images.move_to_end(key)
            return _images[key]
    image = draw()  # outside the lock: two threads may draw the same image once each, harmlessly
    with _images_lock:
        _images[key] = image
        while len(_images) > IMAGES_KEPT:
            _images.popitem(last=False)
    return image
