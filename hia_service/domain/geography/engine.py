"""The geography engine: area definition in, deprivation profile out. Pure: arrays in memory, no I/O."""

from __future__ import annotations

import pickle
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from hia_service.domain.geography import postcodes as pc
from hia_service.domain.geography.access import TravelChange, travel_change
from hia_service.domain.geography.definitions import (
    AreaDefinition,
    CodeList,
    GroupArea,
    PointRadius,
    ShapeArea,
    parse_area,
)
from hia_service.domain.geography.errors import AreaDefinitionError, ReleaseNotAvailableError
from hia_service.domain.geography.profile import Baselines, build_profile
from hia_service.domain.geography.releases import DEFAULT_RELEASE, RELEASES
from hia_service.domain.geography.selection import (
    Selection,
    centre_in_nation,
    postcode_point,
    postcode_row,
    resolve,
)
from hia_service.domain.geography.shapes import check_lat_long, prepare_transformers, to_wgs84
from hia_service.domain.geography.summary import Headline
from hia_service.domain.geography.tables import Geography, PostcodeIndex, ReleaseTable, VintageLookup
from hia_service.domain.kept import Kept, digest

EACH_KINDS = ("lad", "icb", "sub_icb")
PROFILES_KEPT = 256  # a few kB each, pickled


@dataclass(frozen=True)
class AreaMap:
    """A map's content: (polygon in British National Grid, IMD decile) for each small area, and each local
    authority they are in as (name, the places in `shapes` of its small areas), in code order; no
    authorities where the release has no local authority lookup."""

    shapes: list[tuple[BaseGeometry, int]]
    authorities: tuple[tuple[str, tuple[int, ...]], ...] = ()


@dataclass(eq=False)
class GeographyEngine:
    """Profiles areas against the loaded deprivation releases. Build with `load_engine(data_dir)`."""

    releases: dict[str, ReleaseTable]
    geographies: dict[str, Geography] = field(default_factory=dict)
    postcodes: PostcodeIndex | None = None
    vintages: VintageLookup | None = None
    snapshot_id: str = ""
    attribution: str = ""
    _baselines: dict[str, Baselines] = field(default_factory=dict, repr=False)
    _profiles: Kept[Hashable, bytes] = field(default_factory=lambda: Kept(PROFILES_KEPT), repr=False)

    def release(self, release_id: str | None = None) -> ReleaseTable:
        chosen = release_id or DEFAULT_RELEASE
        if chosen not in self.releases:
            known = ", ".join(self.releases) or "none"
            message = (
                f"{chosen} is not loaded (loaded: {known})."
                if chosen in RELEASES
                else f"Unknown release {chosen!r}. Choose one of: {known}."
            )
            raise ReleaseNotAvailableError(message)
        return self.releases[chosen]

    def profile(
        self, area: Mapping[str, Any], *, release: str | None = None, method: str | None = None
    ) -> dict[str, Any]:
        """The deprivation profile of an area definition (see definitions.py for the accepted dicts).

        Each call gets a profile of its own to change as it likes. An area profiled lately (not a patient
        list) is answered from the profile kept then: building one takes 0.1 to 0.4 ms of small sums over
        its neighbourhoods, while a kept copy is read back in about 20 microseconds."""
        table = self.release(release)
        definition = parse_area(area, method)
        key = _kept_key(table.info.id, definition) if self._profiles.size else None
        kept = self._profiles.get(key) if key is not None else None
        if kept is not None:
            found: dict[str, Any] = pickle.loads(kept)
            return found
        selection = resolve(definition, table, self)
        built = build_profile(
            table, selection, self.baselines(table), _method(table, selection), self._notes(table, selection)
        )
        if key is not None:
            self._profiles.put(key, pickle.dumps(built, pickle.HIGHEST_PROTOCOL))
        return built

    def headline(self, area: Mapping[str, Any], *, release: str | None = None) -> Headline:
        """The headline figures of an area definition alone (people by decile, mean score and rank...), as
        its profile gives them to the last digit: for a caller that needs no more, e.g. beside a database's
        query for the same figures."""
        table = self.release(release)
        chosen = resolve(parse_area(area), table, self)
        return self.baselines(table).figures.headline_of(chosen.rows, chosen.weights, chosen.fractions)

    def keep_profiles(self, areas: int) -> None:
        """Keep the profiles of at most this many areas (0: none)."""
        self._profiles.resize(areas)

    @property
    def areas_kept(self) -> int:
        return self._profiles.size

    def forget_profiles(self) -> None:
        """Forget the profiles kept (a benchmark timing the work of a new area)."""
        self._profiles.clear()

    def small_area_counts(self, area: Mapping[str, Any], *, release: str | None = None) -> dict[str, Any]:
        """An area as its small areas and weights: {"codes", "counts", "unmatched", "notes"}.

        A patient list of postcodes goes through this before it is stored, so no postcode is ever kept.
        """
        table = self.release(release)
        chosen = resolve(parse_area(area), table, self)
        counts = [int(c) if float(c).is_integer() else float(c) for c in chosen.weights.tolist()]
        return {
            "codes": table.codes[chosen.rows].tolist(),
            "counts": counts,
            "unmatched": chosen.unmatched,
            "notes": chosen.notes,
        }

    def postcode_location(self, postcode: str) -> tuple[float, float]:
        """A postcode's Code-Point Open point as British National Grid (easting, northing)."""
        return postcode_point(postcode, self)

    def check_centre(self, postcode: str, *, release: str | None = None) -> None:
        """AreaDefinitionError (field "area.postcode") when a distance's centre postcode is in another
        nation than the release covers: a circle round it could only ever be empty."""
        centre_in_nation(postcode, self.release(release), self)

    def place_of(self, postcode: str, *, release: str | None = None) -> str | None:
        """The name of the local authority a postcode is in ("Blackpool"), to say where a distance is
        measured from; None where the postcode is in no neighbourhood of the release's nation."""
        table = self.release(release)
        lad = table.groups.get("lad")
        if lad is None:
            return None
        row = postcode_row(postcode, table, self)
        if row is None:
            return None
        index = int(table.group_of["lad"][row])
        return lad.names[index] if index >= 0 else None

    def travel_change(
        self,
        area: Mapping[str, Any],
        current_postcode: str,
        proposed_postcode: str,
        *,
        release: str | None = None,
    ) -> TravelChange:
        """Who travels further when a service moves from one postcode to another: straight-line distance
        from each small area's population-weighted centroid (its point-on-surface where the geography has
        no centroids), by IMD decile and rural-urban class. Raises AreaDefinitionError for a postcode it
        cannot place (field "current_site" or "proposed_site")."""
        table = self.release(release)
        if table.geography is None:
            raise AreaDefinitionError(
                f"{table.info.id} has no small-area locations here, so distances cannot be measured.", "area"
            )
        sites = []
        for postcode, name in ((current_postcode, "current_site"), (proposed_postcode, "proposed_site")):
            try:
                sites.append(postcode_point(postcode, self))
            except AreaDefinitionError as error:
                raise AreaDefinitionError(
                    error.message.replace("The centre postcode", "The postcode"), name
                ) from None
        chosen = resolve(parse_area(area), table, self)
        points = table.pwc_xy if table.pwc_xy is not None else table.rep_xy
        return travel_change(
            points=points[chosen.rows],
            weights=chosen.weights,
            imd_decile=table.imd_decile[chosen.rows],
            ruc=None if table.ruc21 is None else table.ruc21[chosen.rows],
            current=sites[0],
            proposed=sites[1],
            current_site=_formatted(current_postcode),
            proposed_site=_formatted(proposed_postcode),
            release=table.info.id,
        )

    def area_map(
        self, area: Mapping[str, Any], *, release: str | None = None, method: str | None = None
    ) -> AreaMap:
        """What a map of the area draws: each small area it takes in, and the local authorities they are in.

        Uses the light super-generalised boundaries where loaded. Releases without boundaries give an
        empty map."""
        table = self.release(release)
        selection = resolve(parse_area(area, method), table, self)
        geography = table.geography
        if geography is None or table.geo_row is None:
            return AreaMap([])
        store = geography.map_shapes or geography.shapes
        shapes = store.geometries(table.geo_row[selection.rows])
        pairs = list(zip(shapes.tolist(), table.imd_decile[selection.rows].tolist(), strict=True))
        return AreaMap(pairs, _authorities(table, selection.rows))

    def site(self, area: Mapping[str, Any]) -> tuple[float, float, float] | None:
        """(x, y, radius in metres) in British National Grid of a radius area's centre, for the map's site
        marker; None for every other kind of area, which has no one site."""
        definition = parse_area(area, None)
        if not isinstance(definition, PointRadius):
            return None
        if definition.postcode is not None:
            x, y = postcode_point(definition.postcode, self)
        else:
            assert definition.latitude is not None and definition.longitude is not None
            x, y = check_lat_long(definition.latitude, definition.longitude)
        return x, y, definition.radius_km * 1000

    def prepare(self) -> None:
        """Build now what the first profiles would otherwise build on the way (lookups, ranks, the places
        areas are compared with, this thread's grid transformations), for the default release: a server
        calls this before it takes requests, so no one's first request waits for it."""
        prepare_transformers()
        if not self.releases:
            return
        table = self.releases.get(DEFAULT_RELEASE) or next(iter(self.releases.values()))
        areas: list[dict[str, Any]] = [{"type": "lsoa_codes", "codes": [str(table.codes[0])]}]
        for kind in EACH_KINDS:
            group = table.groups.get(kind)
            if group is not None and group.codes:
                areas.append({"type": kind, "codes": [group.codes[0]]})
        if table.geography is not None and table.n_areas:
            longitude, latitude = to_wgs84(table.rep_xy[:1, 0], table.rep_xy[:1, 1])
            centre = {"latitude": float(latitude[0]), "longitude": float(longitude[0])}
            areas.append({"type": "point_radius", **centre, "radius_km": 2})
        for area in areas:
            self.profile(area, release=table.info.id)

    def baselines(self, table: ReleaseTable) -> Baselines:
        if table.info.id not in self._baselines:
            self._baselines[table.info.id] = Baselines(table)
        return self._baselines[table.info.id]

    def areas_of_kind(self, kind: str, release: str | None = None) -> list[dict[str, str]]:
        """Every local authority / ICB / Sub-ICB location the release's lookup knows, as code and name."""
        table = self.release(release)
        if kind not in EACH_KINDS or kind not in table.groups:
            raise AreaDefinitionError(f"{table.info.id} has no areas of kind {kind!r}.", "each")
        group = table.groups[kind]
        return [{"code": c, "name": n} for c, n in zip(group.codes, group.names, strict=True)]

    def each_profile(self, kind: str, *, release: str | None = None) -> Iterator[dict[str, Any]]:
        """One profile per area of `kind`, in code order, reusing this engine (one process, warm arrays)."""
        for area in self.areas_of_kind(kind, release):
            yield self.profile({"type": kind, "codes": [area["code"]]}, release=release)

    def _notes(self, table: ReleaseTable, selection: Selection) -> list[str]:
        info = table.info
        notes = [
            f"{info.title}: deciles and ranks are {info.nation}'s own (decile 1 = the most deprived 10% of "
            f"{info.unit}s in {info.nation}); they are not comparable with other nations' indices.",
            "Concentration index: 0 means the people are spread across deprivation like the whole nation; "
            "negative means concentrated in more deprived areas (-1 at the extreme), positive in less "
            "deprived.",
        ]
        if not info.has_scores:
            notes.append(
                f"The {info.id} data we hold has ranks and deciles but no scores, so mean scores are empty."
            )
        if not table.has_population and not selection.patient_list:
            notes.append(
                f"There are no population figures for {info.unit}s here, so each area counts equally."
            )
        if info.id == "IoD2025":
            notes.append(
                "Averages are weighted by Census 2021 usual residents. MHCLG's published averages use its "
                "own mid-2022 population figures, so they can differ slightly (about 0.01 to 0.05 of a score "
                "point); "
                "the share of LSOAs in the most deprived 10% is unaffected."
            )
        if info.geography == "LSOA 2011" and table.has_population:
            notes.append(
                "Population weights are Census 2021 residents mapped to 2011 LSOAs with the ONS 2011-2021 "
                "lookup (where 2011 areas were merged, the 2021 population is split equally between them)."
            )
        if self.attribution:
            notes.append(self.attribution)
        return notes


_DESCRIPTIONS = {
    "codes": "The listed small areas, each counted whole.",
    "lad": "Every LSOA in the local authority, according to the lookup named in the area.",
    "icb": "Every LSOA in the integrated care board, according to the lookup named in the area.",
    "sub_icb": "Every LSOA in the Sub-ICB location, according to the lookup named in the area.",
    "centroid": "LSOAs whose point-on-surface (a point always inside the LSOA's boundary) lies inside the "
    "shape, each counted whole.",
    "pwc": "LSOAs whose ONS population-weighted centroid lies inside the shape, each counted whole.",
    "area": "Each LSOA's residents shared out by the share of its area inside the shape (areas measured in "
    "British National Grid), assuming people are spread evenly within each LSOA; slivers under 0.1% of an "
    "LSOA's area are ignored.",
    "postcodes": "Each postcode is placed in the small area whose boundary contains its Code-Point Open grid "
    "point; the postcodes themselves are not kept.",
}


def _authorities(table: ReleaseTable, rows: NDArray[np.int64]) -> tuple[tuple[str, tuple[int, ...]], ...]:
    lad, group_of = table.groups.get("lad"), table.group_of.get("lad")
    if lad is None or group_of is None:
        return ()
    groups = group_of[rows]
    return tuple(
        (lad.names[group], tuple(np.flatnonzero(groups == group).tolist()))
        for group in np.unique(groups[groups >= 0]).tolist()
    )


def _formatted(postcode: str) -> str:
    compact = pc.normalise(postcode)
    return f"{compact[:-3]} {compact[-3:]}" if compact else postcode.strip()


def _method(table: ReleaseTable, selection: Selection) -> dict[str, str]:
    if selection.patient_list:
        weights = "the counts supplied (the people listed, not the residents of the areas)"
    elif table.has_population:
        weights = "Census 2021 usual residents"
    else:
        weights = "none: each area counts equally"
    return {
        "selection": selection.selection,
        "weights": weights,
        "description": _DESCRIPTIONS[selection.selection],
    }


def _kept_key(release_id: str, definition: AreaDefinition) -> Hashable | None:
    """What a kept profile is found by: the release and the parsed definition, a long one (a list of codes,
    a shape) by a digest, so what is kept stays small. None for a patient list of postcodes, which is not
    kept: each is new, and holds postcodes."""
    if isinstance(definition, GroupArea | PointRadius):
        return release_id, definition
    if isinstance(definition, CodeList):
        return release_id, "codes", digest([definition.codes, definition.counts, definition.blank_lines])
    if isinstance(definition, ShapeArea):
        return release_id, "geojson", definition.method, digest(definition.geojson)
    return None
