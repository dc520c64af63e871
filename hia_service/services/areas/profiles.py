"""Resolving an area into an AreaProfile: the one use case every door calls (the wizard's area page,
training scenarios, the API, the organisation's population served, the command line).

An AreaRequest is the area as the person gave it; `resolve` turns it into the definition to store (never a
patient's postcode: a patient list is kept as counts per neighbourhood, a radius round a postcode as a point)
and its AreaProfile, with the provenance (release, reference snapshot, method and the person's own inputs).
Also here: what a patient list leaves unknown, and the area page's chart and map.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from hia_service.documents import decile_chart_png, decile_map_png
from hia_service.domain.data_completeness import DataGap, list_completeness
from hia_service.domain.data_completeness import data_gaps as gap_list
from hia_service.domain.geography.access import TravelChange
from hia_service.domain.geography.area_profile import AreaProfile, KnownPlaces, Place, Provenance
from hia_service.domain.kept import Kept, digest
from hia_service.geography import GeographyError, ReferenceDataNotLoadedError, parse_area
from hia_service.services.areas import engine as geography
from hia_service.services.errors import ServiceError, ServiceUnavailableError

if TYPE_CHECKING:  # the engine (shapely, pyproj) loads with the reference data, not with the app
    from hia_service.domain.geography.engine import AreaMap, GeographyEngine

CARRIED = ("unmatched", "notes", "completeness")  # travel from a counted patient list into its profile


@dataclass(frozen=True)
class AreaRequest:
    """An area as a person described it: the engine's area definition (see hia_service.geography), how they
    chose it ("named", "lsoa_codes", "point_radius", "geojson", "patient_list", or "definition" for an
    API or CLI caller giving a definition directly), and what they typed, to show back to them."""

    definition: Mapping[str, Any]
    method: str = "definition"
    inputs: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    completeness: Mapping[str, Any] | None = None  # what a patient list leaves unknown (counts only)


@dataclass(frozen=True)
class ResolvedArea:
    """What an assessment stores: the area definition (no postcodes) and its profile."""

    definition: Mapping[str, Any]
    profile: AreaProfile

    def definition_json(self) -> dict[str, Any]:
        return json.loads(json.dumps(dict(self.definition), default=list))


# Areas resolved lately, by what was asked: the same ICB, catchment or circle is profiled again and again
# (the API's callers, the area page on every visit, training scenarios), and its profile cannot change
# until other reference data is loaded. Patient lists are not kept: each is new, and holds postcodes.
_resolved: Kept[str, ResolvedArea] = Kept(0)  # sized by HIA_AREAS_KEPT with each engine loaded


def resolve(request: AreaRequest, *, release: str | None = None, method: str | None = None) -> ResolvedArea:
    """The area's stored definition and profile; ServiceError with a plain-English reason if it is unusable,
    ServiceUnavailableError when no reference data is loaded."""
    engine = geography.loaded_engine()
    if request.completeness is not None or request.definition.get("type") == "postcodes":
        return _resolve(engine, request, release, method)
    kept = _resolved.since(engine)
    if kept.size != engine.areas_kept:
        kept.resize(engine.areas_kept)
    if kept.size == 0:  # keeping none: no key to work out
        return _resolve(engine, request, release, method)
    key = _request_key(request, release, method)
    return kept.get(key) or kept.put(key, _resolve(engine, request, release, method))


def _request_key(request: AreaRequest, release: str | None, method: str | None) -> str:
    """A digest of everything the resolved area is worked out from, besides the reference data: a GeoJSON
    shape may be large, and the digest keeps what was typed out of memory."""
    return digest([dict(request.definition), request.method, dict(request.inputs), release, method])


def _resolve(
    engine: GeographyEngine, request: AreaRequest, release: str | None, method: str | None
) -> ResolvedArea:
    area = _without_postcode(_lsoa_area_from_postcodes(dict(request.definition)), request.inputs, release)
    definition = {key: value for key, value in area.items() if key not in CARRIED}
    try:
        figures = engine.profile(definition, release=release, method=method)
    except ReferenceDataNotLoadedError as error:
        raise ServiceUnavailableError(str(error)) from None
    except GeographyError as error:
        raise ServiceError(
            _of_the_postcode(error.message, request), field=getattr(error, "field", None)
        ) from None
    definition = _named(definition, figures.get("area") or {})
    figures["unmatched"] = [*area.get("unmatched", []), *figures.get("unmatched", [])]
    figures["notes"] = [*figures.get("notes", []), *area.get("notes", [])]
    completeness = request.completeness or area.get("completeness")
    if completeness:
        figures["completeness"] = dict(completeness)
    provenance = Provenance(
        release=str(figures["release"]),
        checksum=engine.snapshot_id,
        method=request.method,
        inputs=MappingProxyType(dict(request.inputs)),
    )
    profile = replace(AreaProfile.from_json(figures, _known_places(engine)), provenance=provenance)
    return ResolvedArea(MappingProxyType(definition), profile)


# The places (nation, local authorities, ICBs) read from the loaded engine's profiles: each is read once,
# not once per profile, and forgotten with the engine.
_places: Kept[str, KnownPlaces] = Kept(1)


def _known_places(engine: GeographyEngine) -> KnownPlaces:
    return _places.since(engine).get_or_make("places", dict)


def profile_of(request: AreaRequest, *, release: str | None = None, method: str | None = None) -> AreaProfile:
    """Just the profile (the API's area-profiles and the command line store nothing)."""
    return resolve(request, release=release, method=method).profile


def people_figures(request: AreaRequest, name: str) -> tuple[Place, int]:
    """The headline figures of a set of people (a patient list: counts by decile, no postcode), named to be
    shown beside another set, with the release they were worked out with; and how many entries of the list
    could not be placed in a neighbourhood (left out of the figures)."""
    profile = resolve(request).profile
    left_out = sum(_entries(entry) for entry in profile.unmatched)
    return profile.as_place(name), left_out


def _entries(unmatched: Mapping[str, Any]) -> int:
    count = unmatched.get("count")
    return int(count) if isinstance(count, int | float) and not isinstance(count, bool) else 1


def travel_change(
    area: Mapping[str, Any], current_postcode: str, proposed_postcode: str, *, release: str | None = None
) -> TravelChange:
    """Who travels further when a service moves from the current to the proposed site (postcodes), for the
    people of a stored area: straight-line distance from each neighbourhood's population-weighted centre,
    by deprivation decile and rural-urban class. ServiceError naming the site whose postcode cannot be
    placed; ServiceUnavailableError when no reference data is loaded."""
    definition = {key: value for key, value in dict(area).items() if key not in CARRIED}
    try:
        return geography.loaded_engine().travel_change(
            definition, current_postcode, proposed_postcode, release=release
        )
    except ReferenceDataNotLoadedError as error:
        raise ServiceUnavailableError(str(error)) from None
    except GeographyError as error:
        raise ServiceError(error.message, field=getattr(error, "field", None)) from None


def stored_travel_change(data: Any) -> TravelChange | None:
    """A travel change stored with an assessment (JSON), as the value; None when there is none."""
    return TravelChange.from_json(data)


def each_profile(kind: str, *, release: str | None = None) -> Iterator[AreaProfile]:
    """One profile per local authority, ICB or Sub-ICB location, in code order (`hia profile --each`)."""
    for area in geography.loaded_engine().areas_of_kind(kind, release):
        request = AreaRequest({"type": kind, "codes": [area["code"]]}, "each", {"each": kind})
        yield profile_of(request, release=release)


def neighbourhoods(area: Mapping[str, Any], *, release: str | None = None) -> frozenset[str]:
    """The LSOA codes a stored area takes in; empty when it cannot be read with the data loaded now."""
    try:
        counted = geography.engine().small_area_counts(area, release=release)
    except (GeographyError, KeyError, ValueError):
        return frozenset()
    return frozenset(str(code) for code in counted["codes"])


def reference_generation() -> object:
    """Changes whenever other reference data is loaded (anything kept per area is then stale)."""
    try:
        return geography.engine()
    except GeographyError:
        return None


def map_shapes(area: Mapping[str, Any], *, release: str | None = None) -> AreaMap:
    """(polygon, IMD decile) for each neighbourhood of a stored area, and the local authorities they are
    in, for maps; no shapes without boundaries."""
    return geography.engine().area_map(area, release=release)


def map_site(area: Mapping[str, Any]) -> tuple[float, float, float] | None:
    """A radius area's centre and radius (British National Grid, metres) for the map's site marker."""
    return geography.engine().site(area)


def search_areas(query: str, kinds: Mapping[str, str], limit: int) -> list[dict[str, str]]:
    """Areas of the given kinds (kind -> label) whose name contains `query` or whose code is it."""
    words = query.strip().lower()
    if not words:
        return []
    found = []
    for kind, label in kinds.items():
        for area in geography.loaded_engine().areas_of_kind(kind):
            if words in area["name"].lower() or words == area["code"].lower():
                found.append({**area, "kind": kind, "kind_label": label})
    return found[:limit]


def reference_checksum() -> str | None:
    """The checksum of the reference data loaded now (recorded with each submitted version)."""
    return geography.reference_checksum()


def stored_profile(data: Mapping[str, Any] | None) -> AreaProfile | None:
    """A profile stored with an assessment or version (JSON), as the value."""
    return AreaProfile.from_json(data) if data else None


def _lsoa_area_from_postcodes(area: dict[str, Any]) -> dict[str, Any]:
    """A patient list of postcodes becomes counts per small area, so no postcode is ever stored."""
    if area.get("type") != "postcodes":
        return area
    try:
        counted = geography.loaded_engine().small_area_counts(area)
    except GeographyError as error:
        raise ServiceError(error.message, field="area") from None
    # The entries not used (postcode sectors only, "FY1 1**") travel with it to the profile.
    return {"type": "lsoa_codes", "from": "patient list", **counted}


def data_gaps(profile: AreaProfile | None) -> list[DataGap]:
    """What a profiled patient list leaves unknown, for the area page, the review record and the PDF."""
    return gap_list(profile)


def patient_list_completeness(data: bytes) -> dict[str, Any]:
    """What a patient list leaves unknown (counts only), carried with the area into its profile."""
    return {"source": "patient list", **(list_completeness(data) or {})}


def _of_the_postcode(message: str, request: AreaRequest) -> str:
    """The engine sees a distance round a postcode as round a latitude and longitude ("that point"): its
    message names the postcode that was typed."""
    postcode = request.definition.get("postcode")
    if not isinstance(postcode, str) or not postcode.strip():
        return message
    return message.replace("of that point", "of " + " ".join(postcode.upper().split()))


def _without_postcode(
    area: dict[str, Any], inputs: Mapping[str, str], release: str | None = None
) -> dict[str, Any]:
    """A distance around a postcode is stored as latitude and longitude and the postcode sector (the
    postcode itself is in the profile's provenance, as typed), with a label in the person's own words and
    the place it is in: "3 miles around FY1 4AA (Blackpool)"."""
    if area.get("type") != "point_radius" or not area.get("postcode"):
        return area
    from hia_service.domain.geography import postcodes as pc
    from hia_service.domain.geography.shapes import point_to_wgs84

    try:
        # The radius and postcode as the engine checks them (a radius of "ten" is refused with the field),
        # before they are read here.
        radius_km = parse_area(area).radius_km  # type: ignore[union-attr]  # a point_radius
        x, y = geography.loaded_engine().postcode_location(str(area["postcode"]))
        geography.loaded_engine().check_centre(str(area["postcode"]), release=release)
    except GeographyError as error:
        raise ServiceError(error.message, field=getattr(error, "field", None) or "postcode") from None
    longitude, latitude = point_to_wgs84(x, y)
    compact = pc.normalise(str(area["postcode"])) or ""
    place = _place_of(str(area["postcode"]))
    distance = (inputs.get("radius") or "").strip() or f"{radius_km:g} km"
    typed = f"{compact[:-3]} {compact[-3:]}" if compact else str(area["postcode"]).strip()
    return {
        "type": "point_radius",
        "latitude": round(latitude, 6),
        "longitude": round(longitude, 6),
        "radius_km": area["radius_km"],
        "centre": pc.mask(compact),
        **({"place": place} if place else {}),
        "label": f"{distance} around {typed}" + (f" ({place})" if place else ""),
    }


GROUP_WORDS = {
    "lad": ("local authority", "local authorities"),
    "icb": ("integrated care board", "integrated care boards"),
    "sub_icb": ("sub-ICB location", "sub-ICB locations"),
}


def _named(definition: dict[str, Any], found: Mapping[str, Any]) -> dict[str, Any]:
    """Local authorities, ICBs and Sub-ICB locations are labelled by name ("Blackpool and Wyre (local
    authorities)"), so the record says where, not which codes."""
    words = GROUP_WORDS.get(str(definition.get("type")))
    names = [str(n) for n in found.get("names") or ()]
    if words is None or not names:
        return definition
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return {**definition, "label": f"{listed} ({words[0] if len(names) == 1 else words[1]})"}


def _place_of(postcode: str) -> str | None:
    """The local authority a postcode is in, by name; None where it cannot be told (outside England and
    Wales, or no lookup loaded): the label then says the postcode only."""
    try:
        return geography.loaded_engine().place_of(postcode)
    except GeographyError:
        return None


# The area page's chart and map take 100 ms or more to draw (matplotlib) and are asked for on every visit:
# each worker keeps the last few, keyed by what they are drawn from. The map also depends on the boundaries
# loaded, so its entries are dropped when the geography engine is reloaded with another snapshot.
_images: Kept[tuple[str, str], bytes] = Kept(64)


def chart_png(profile: AreaProfile) -> bytes:
    """The bar chart of the people affected by decile beside England's, as a PNG."""
    key = json.dumps(profile.to_json(), sort_keys=True, default=str)
    return _images.get_or_make(("chart", key), lambda: decile_chart_png(profile))


def map_png(area: dict[str, Any]) -> bytes | None:
    """The area's neighbourhoods shaded by decile, as a PNG; None where no boundaries are loaded."""
    current = geography.loaded_engine()

    def draw() -> bytes:
        drawn = current.area_map(area)
        if not drawn.shapes:
            return b""
        return decile_map_png(drawn.shapes, site=current.site(area), authorities=drawn.authorities)

    # `make run` serves with threads: the page's two images are often asked for at the same moment.
    key = ("map", digest(area))
    return _images.since(current).get_or_make(key, draw) or None
