"""Turn a checked area definition into a Selection: which small areas, with what weights, and what was
left out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from hia_service.domain.geography import postcodes as pc
from hia_service.domain.geography.codes import (
    GROUP_LABELS,
    explain_unknown_code,
    explain_unknown_group,
    nearest_group,
)
from hia_service.domain.geography.definitions import (
    AreaDefinition,
    CodeList,
    GroupArea,
    PointRadius,
    PostcodeList,
    ShapeArea,
)
from hia_service.domain.geography.errors import AreaDefinitionError
from hia_service.domain.geography.shapes import Circle, check_lat_long, parse_geojson
from hia_service.domain.geography.spatial import cover, outside_release
from hia_service.domain.geography.tables import (
    NATION_CODES,
    Geography,
    GroupTable,
    PostcodeIndex,
    ReleaseTable,
    VintageLookup,
)


class Context(Protocol):
    geographies: dict[str, Geography]
    vintages: VintageLookup | None
    postcodes: PostcodeIndex | None


@dataclass
class Selection:
    rows: NDArray[np.int64]
    weights: NDArray[np.float64]
    fractions: NDArray[np.float64]
    echo: dict[str, Any]
    selection: str  # short name of how areas were chosen
    patient_list: bool = False
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def resolve(definition: AreaDefinition, release: ReleaseTable, context: Context) -> Selection:
    if definition.kind not in release.info.area_kinds:
        raise AreaDefinitionError(_not_supported(definition.kind, release), "area.type")
    if isinstance(definition, CodeList):
        return _code_list(definition, release, context)
    if isinstance(definition, GroupArea):
        return _group(definition, release)
    if isinstance(definition, ShapeArea):
        shape = parse_geojson(definition.geojson)
        echo = {"type": "geojson", "method": definition.method, **shape.echo}
        return _spatial(release, shape.polygon, definition.method, echo)
    if isinstance(definition, PointRadius):
        return _point_radius(definition, release, context)
    return _postcode_list(definition, release, context)


def _not_supported(kind: str, release: ReleaseTable) -> str:
    info = release.info
    if info.area_kinds == frozenset({"lsoa_codes"}):
        return (
            f"{info.title} can only be profiled from a list of {info.unit} codes: the reference data has no "
            f"boundaries, population or postcode lookup for {info.nation}'s {info.unit}s."
        )
    label = GROUP_LABELS.get(kind, kind)
    return f"{info.title} cannot be profiled by {label}: {info.nation} has none in the lookup."


def _code_list(definition: CodeList, release: ReleaseTable, context: Context) -> Selection:
    found = np.array([release.row_of.get(code, -1) for code in definition.codes], dtype=np.int64)
    counts = np.ones(len(found)) if definition.counts is None else np.asarray(definition.counts)
    missing: Counter[str] = Counter()
    for code, row, count in zip(definition.codes, found.tolist(), counts.tolist(), strict=True):
        if row < 0:
            missing[code[:20]] += count
    unmatched = [
        {
            "code": _shown(code),
            "count": _number(n),
            "reason": "a postcode, not a small-area code (send postcodes as a postcode list)"
            if pc.normalise(code)
            else explain_unknown_code(code, release.info, context.geographies, context.vintages),
        }
        for code, n in missing.items()
    ]
    ok = found >= 0
    if not ok.any():
        reasons = _each_reason(unmatched)
        message = f"None of the codes could be used with {release.info.id}: {reasons}."
        raise AreaDefinitionError(message, "area.codes")
    echo: dict[str, Any] = {"type": "lsoa_codes", "codes": list(dict.fromkeys(map(_shown, definition.codes)))}
    blanks = (
        [f"{definition.blank_lines} blank lines in the file were skipped."] if definition.blank_lines else []
    )
    if definition.counts is None:
        rows = np.unique(found[ok])
        repeats = (
            [] if len(rows) == ok.sum() else [f"{ok.sum() - len(rows)} repeated codes were counted once."]
        )
        return Selection(
            rows,
            release.population[rows],
            np.ones(len(rows)),
            echo,
            "codes",
            False,
            unmatched,
            repeats + blanks,
        )
    echo["with_counts"] = True
    selection = _weighted(found[ok], counts[ok], release, echo, "codes", unmatched)
    selection.notes.extend(blanks)
    return selection


REASONS_LISTED = 10  # in an error message; the area page lists every entry left out of a profile


def _each_reason(unmatched: list[dict[str, Any]]) -> str:
    """'E01999999 is not a known LSOA 2021 code; E01000010 is ...', and how many more."""
    listed = "; ".join(f"{u['code']} is {u['reason']}" for u in unmatched[:REASONS_LISTED])
    more = len(unmatched) - REASONS_LISTED
    return listed + (f"; and {more} more" if more > 0 else "")


def _shown(code: str) -> str:
    """A code as it may be echoed: anything shaped like a postcode is masked to its sector."""
    compact = pc.normalise(code)
    return pc.mask(compact) if compact else code[:20]


def _weighted(
    rows: NDArray[np.int64],
    counts: NDArray[np.float64],
    release: ReleaseTable,
    echo: dict[str, Any],
    how: str,
    unmatched: list[dict[str, Any]],
) -> Selection:
    """A patient list: each listed person (or count) is a weight on their small area."""
    # numpy's stubs type every bincount as integers; with weights it is float64.
    totals: NDArray[np.float64] = np.bincount(rows, weights=counts, minlength=release.n_areas)  # type: ignore[assignment]
    chosen = np.flatnonzero(totals > 0)
    if len(chosen) == 0:
        raise AreaDefinitionError(
            "Every matched entry has a count of zero, so there is nobody to profile.", "area.counts"
        )
    return Selection(chosen, totals[chosen], np.ones(len(chosen)), echo, how, True, unmatched)


def _group(definition: GroupArea, release: ReleaseTable) -> Selection:
    table = release.groups[definition.kind]
    indices, unmatched = [], []
    for code in definition.codes:
        index = table.find(code)
        if index is None:
            known = {kind: other.find(code) is not None for kind, other in release.groups.items()}
            unmatched.append(
                {
                    "code": _shown(code),
                    "reason": explain_unknown_group(code, definition.kind, table.vintage, known),
                }
            )
        else:
            indices.append(index)
    if not indices:
        raise AreaDefinitionError(
            _not_found(definition.codes[0], unmatched[0]["reason"], release, table), "area.codes"
        )
    indices = list(dict.fromkeys(indices))
    rows = release.members[definition.kind].rows(indices)
    echo = {
        "type": definition.kind,
        "codes": [table.codes[i] for i in indices],
        "names": [table.names[i] for i in indices],
        "vintage": table.vintage,
    }
    return Selection(
        rows, release.population[rows], np.ones(len(rows)), echo, definition.kind, False, unmatched
    )


def _not_found(code: str, reason: str, release: ReleaseTable, table: GroupTable) -> str:
    """Why the code is not there and, unless it is another kind of area's code, the nearest ones that are."""
    another_kind = any(other.find(code) is not None for other in release.groups.values())
    nearest = None if another_kind else nearest_group(code, table)
    suggestion = f" Did you mean {nearest}?" if nearest else ""
    return f"{_shown(code)} is {reason}.{suggestion}"


def _spatial(
    release: ReleaseTable,
    polygon: BaseGeometry | Circle,
    method: str,
    echo: dict[str, Any],
    around: str | None = None,
) -> Selection:
    """`around`: for a distance round a point, how the point reads ("FY1 4**"): an empty circle is then
    answered in terms of the distance, on the distance's field."""
    covered = cover(release, polygon, method)
    others = outside_release(release, polygon)
    info = release.info
    if len(covered.rows) == 0:
        if others:
            raise AreaDefinitionError(_outside_message(info.id, info.nation, others), "area")
        if isinstance(polygon, Circle) and around is not None:
            raise AreaDefinitionError(
                _empty_circle_message(info.nation, polygon, around, method), "area.radius_km"
            )
        raise AreaDefinitionError(_empty_shape_message(info.nation, method), "area")
    notes = []
    if others:
        notes.append(
            f"{others} small areas inside the shape are outside {info.nation} and are not counted: "
            f"{info.id} covers {info.nation} only."
        )
    weights = release.population[covered.rows]
    if method == "area":  # the other methods take each area whole (every fraction one)
        weights = weights * covered.fractions
    return Selection(covered.rows, weights, covered.fractions, echo, method, False, [], notes)


def _outside_message(release_id: str, nation: str, others: int) -> str:
    areas = "neighbourhood" if others == 1 else "neighbourhoods"
    return (
        f"The area is outside {nation} ({others:,} {areas}). The deprivation figures used here "
        f"({release_id}) cover {nation} only."
    )


def _empty_circle_message(nation: str, circle: Circle, around: str, method: str) -> str:
    counted = "overlaps" if method == "area" else "has its centre"
    return (
        f"No neighbourhood in {nation} {counted} within {circle.radius_km:g} km of {around}. Use a larger "
        "distance: in the countryside one neighbourhood (LSOA) can stretch several kilometres."
    )


def _empty_shape_message(nation: str, method: str) -> str:
    if method == "area":
        return (
            f"The boundary does not overlap any neighbourhood in {nation}: is it in the sea, or outside "
            f"{nation}?"
        )
    return (
        f"The boundary does not contain the centre of any neighbourhood (LSOA) in {nation}: it may be in "
        f"the sea, outside {nation}, or smaller than one neighbourhood. Draw or upload a larger boundary, or "
        "list the neighbourhoods' codes instead."
    )


def _point_radius(definition: PointRadius, release: ReleaseTable, context: Context) -> Selection:
    echo: dict[str, Any] = {
        "type": "point_radius",
        "radius_km": definition.radius_km,
        "method": definition.method,
    }
    if definition.postcode is not None:
        x, y = postcode_point(definition.postcode, context)
        centre_in_nation(definition.postcode, release, context)
        echo["centre"] = {"postcode_sector": pc.mask(pc.normalise(definition.postcode))}
    else:
        assert definition.latitude is not None and definition.longitude is not None
        x, y = check_lat_long(definition.latitude, definition.longitude)
        echo["centre"] = {"latitude": definition.latitude, "longitude": definition.longitude}
    around = (
        " ".join(definition.postcode.upper().split()) if definition.postcode is not None else "that point"
    )
    return _spatial(release, Circle(x, y, definition.radius_km), definition.method, echo, around)


def postcode_point(postcode: str, context: Context) -> tuple[float, float]:
    compact = pc.normalise(postcode)
    if compact is None:
        raise AreaDefinitionError(
            "The centre postcode is not in the format of a UK postcode.", "area.postcode"
        )
    index = _postcode_index(context)
    row = index.find_one(compact)
    if row < 0:
        raise AreaDefinitionError(
            f"The centre postcode ({pc.mask(compact)}) is {_not_found_reason(compact)}.", "area.postcode"
        )
    return float(index.x[row]), float(index.y[row])


def centre_in_nation(postcode: str, release: ReleaseTable, context: Context) -> None:
    """A centre postcode in another nation is refused as that, not as an empty circle: a distance round
    Edinburgh is outside what an index for England can profile, however long it is."""
    compact = pc.normalise(postcode)
    index = _postcode_index(context)
    row = index.find_one(compact) if compact is not None else -1
    nation = NATION_CODES.get(int(index.nation[row]), "unknown") if row >= 0 else "unknown"
    if nation not in ("unknown", release.info.nation):
        shown = " ".join(postcode.upper().split())
        raise AreaDefinitionError(
            f"{shown} is in {nation}. The deprivation figures used here ({release.info.id}) cover "
            f"{release.info.nation} only.",
            "area.postcode",
        )


def postcode_row(postcode: str, release: ReleaseTable, context: Context) -> int | None:
    """The release's row of the small area a postcode is in, as a patient list would count it; None where
    it is not a postcode, not in the index, or in no small area of the release's nation."""
    compact = pc.normalise(postcode)
    if compact is None or context.postcodes is None or release.geography is None:
        return None
    index = context.postcodes
    found = index.find_one(compact)
    if found < 0:
        return None
    geo_column = index.lsoa21 if release.info.geography == "LSOA 2021" else index.lsoa11
    geo_row = int(geo_column[found])
    row = int(release.row_of_geo[geo_row]) if geo_row >= 0 else -1
    return row if row >= 0 else None


def _postcode_index(context: Context) -> PostcodeIndex:
    if context.postcodes is None:
        raise AreaDefinitionError("Postcodes cannot be looked up: the postcode index is not loaded.", "area")
    return context.postcodes


def _not_found_reason(compact: str) -> str:
    place = pc.outside_great_britain(compact)
    if place:
        return f"in {place}: Code-Point Open covers Great Britain only"
    return "not in Code-Point Open 2025 (it may be new, no longer used, or mistyped)"


def _postcode_list(definition: PostcodeList, release: ReleaseTable, context: Context) -> Selection:
    index = _postcode_index(context)
    listed = pc.normalise_all(definition.postcodes)
    found = index.find(listed.keys)
    geo_column = index.lsoa21 if release.info.geography == "LSOA 2021" else index.lsoa11
    geo_rows = np.where(found >= 0, geo_column[np.maximum(found, 0)], -1)
    rows = np.where(geo_rows >= 0, release.row_of_geo[np.maximum(geo_rows, 0)], -1)
    counts = np.ones(len(rows)) if definition.counts is None else np.asarray(definition.counts)
    unmatched = _postcode_problems(listed, found, geo_rows, rows, counts, release, index)
    ok = rows >= 0
    echo = {
        "type": "postcodes",
        "entries": len(rows),
        "matched_entries": int(ok.sum()),
        "with_counts": definition.counts is not None,
    }
    if not ok.any():
        first = unmatched[0]
        raise AreaDefinitionError(
            f"None of the postcodes could be placed in {release.info.nation} (for example "
            f"{first['postcode']}: {first['reason']}).",
            "area.postcodes",
        )
    selection = _weighted(rows[ok], counts[ok], release, echo, "postcodes", unmatched)
    if definition.blank_lines:
        selection.notes.append(f"{definition.blank_lines} blank lines in the file were skipped.")
    return selection


def _postcode_problems(
    listed: pc.NormalisedList,
    found: NDArray[np.int64],
    geo_rows: NDArray[np.int64],
    rows: NDArray[np.int64],
    counts: NDArray[np.float64],
    release: ReleaseTable,
    index: PostcodeIndex,
) -> list[dict[str, Any]]:
    problems = pc.UnmatchedPostcodes()
    info = release.info
    for i in np.flatnonzero(rows < 0).tolist():
        compact = listed.keys[i].decode() if listed.valid[i] else None
        if compact is None:
            reason = "not in the format of a UK postcode"
        elif found[i] < 0:
            reason = _not_found_reason(compact)
        elif geo_rows[i] < 0:
            nation = "Scotland" if index.nation[found[i]] == 3 else None
            reason = (
                f"in Scotland: {info.id} covers {info.nation} only"
                if nation
                else "its grid point is outside every LSOA boundary"
            )
        else:
            other = "Wales" if info.nation == "England" else "England"
            reason = f"in {other}: {info.id} covers {info.nation} only"
        problems.add(compact, reason, counts[i])
    return problems.entries()


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(float(value), 2)
