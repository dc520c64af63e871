"""In-memory tables the engine queries: one per small-area geography, one per deprivation release.

Everything is a numpy array aligned to rows, built once when a snapshot is read. Polygons stay as WKB (often
memory-mapped) and are decoded only for the rows a query needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import shapely
from numpy.typing import NDArray

from hia_service.domain.geography.access import RUC21_CLASSES
from hia_service.domain.geography.releases import ReleaseInfo
from hia_service.domain.geography.summary import fractional_rank


@dataclass(eq=False)
class ShapeStore:
    """Polygons in British National Grid (EPSG:27700) as concatenated WKB plus offsets."""

    wkb: NDArray[np.uint8]
    offsets: NDArray[np.int64]  # len n + 1
    area_m2: NDArray[np.float64]

    def geometries(self, rows: NDArray[np.integer]) -> NDArray[np.object_]:
        blob, offsets = self.wkb, self.offsets
        chunks = [blob[offsets[i] : offsets[i + 1]].tobytes() for i in rows]
        return shapely.from_wkb(np.array(chunks, dtype=object)) if chunks else np.array([], dtype=object)


SORT_AT_MOST = 500  # PointIndex.ascending: beyond this, marking is quicker than sorting


@dataclass(frozen=True, eq=False)
class PointIndex:
    """Points sorted by easting: those in a box are one slice found by two binary searches, then a test of
    northing over that slice, instead of a test of every point in the nation."""

    order: NDArray[np.intp]  # the points' indices, by easting
    x: NDArray[np.float64]  # eastings, ascending
    y: NDArray[np.float64]  # northings, in the same order

    @classmethod
    def of(cls, xy: NDArray[np.float64]) -> PointIndex:
        order = np.argsort(xy[:, 0], kind="stable")
        return cls(order, np.ascontiguousarray(xy[order, 0]), np.ascontiguousarray(xy[order, 1]))

    def strip(self, minx: float, maxx: float) -> tuple[int, int]:
        """The points with minx <= x <= maxx are self.order[start:end]: (start, end)."""
        # The array's own method: np.searchsorted's wrapper costs as much again as the search here.
        return int(self.x.searchsorted(minx, side="left")), int(self.x.searchsorted(maxx, side="right"))

    @cached_property
    def extent(self) -> tuple[float, float, float, float] | None:
        """(minx, miny, maxx, maxy) of all the points, as plain floats; None when there are none."""
        if len(self.x) == 0:
            return None
        return float(self.x[0]), float(self.y.min()), float(self.x[-1]), float(self.y.max())

    def in_box(self, minx: float, miny: float, maxx: float, maxy: float) -> NDArray[np.intp]:
        """Indices, in no particular order, of the points with minx <= x <= maxx and miny <= y <= maxy."""
        # A box beyond all the points (Welsh points for a shape in Yorkshire) needs no numpy call at all.
        extent = self.extent
        if extent is None or maxx < extent[0] or minx > extent[2] or maxy < extent[1] or miny > extent[3]:
            return self.order[:0]
        start, end = self.strip(minx, maxx)
        if end <= start:  # no point within the box's eastings: nothing to test
            return self.order[:0]
        northings = self.y[start:end]
        found: NDArray[np.intp] = self.order[start:end][(northings >= miny) & (northings <= maxy)]
        return found

    def ascending(self, indices: NDArray[np.intp]) -> NDArray[np.intp]:
        """The indices in ascending order, as a test of every point would find them (so sums over them add in
        the same order): sorted when few, else marked and read off, which is quicker for thousands."""
        if len(indices) <= SORT_AT_MOST:
            return np.sort(indices)
        marked = np.zeros(len(self.order), dtype=bool)
        marked[indices] = True
        return marked.nonzero()[0]


@dataclass(frozen=True, eq=False)
class GroupMembers:
    """Rows of each local authority, ICB or Sub-ICB location: found by slicing, not by testing every row."""

    order: NDArray[np.intp]  # rows by group, ascending within each
    bounds: NDArray[np.intp]  # group i's rows are order[bounds[i]:bounds[i + 1]]

    @classmethod
    def of(cls, group_of: NDArray[np.int32], n_groups: int) -> GroupMembers:
        order = np.argsort(group_of, kind="stable")
        bounds = np.searchsorted(group_of[order], np.arange(n_groups + 1), side="left")
        return cls(order, bounds)

    def rows(self, groups: list[int]) -> NDArray[np.intp]:
        """The rows of these (distinct) groups, ascending (as np.flatnonzero(np.isin(group_of, groups)))."""
        parts = [self.order[self.bounds[i] : self.bounds[i + 1]] for i in groups]
        rows = np.concatenate(parts) if len(parts) > 1 else parts[0].copy()
        rows.sort()
        return rows


@dataclass(eq=False)
class Geography:
    """A small-area geography (LSOA 2021 or LSOA 2011 in England and Wales) with its points and shapes."""

    key: str  # "lsoa21" | "lsoa11"
    label: str
    codes: NDArray[np.str_]
    rep_xy: NDArray[np.float64]  # point-on-surface of each polygon, BNG metres
    bbox: NDArray[np.float64]  # minx, miny, maxx, maxy, BNG
    shapes: ShapeStore
    pwc_xy: NDArray[np.float64] | None = None  # ONS population-weighted centroids (LSOA 2021 only)
    map_shapes: ShapeStore | None = None  # lighter polygons for drawing maps; else `shapes` are used
    ruc21: NDArray[np.str_] | None = None  # 2021 Rural-Urban Classification code (LSOA 2021 only)

    @cached_property
    def row_of(self) -> dict[str, int]:
        return {code: i for i, code in enumerate(self.codes.tolist())}


@dataclass(eq=False)
class GroupTable:
    """Local authorities, ICBs or Sub-ICB locations for one release, indexed 0..n-1."""

    kind: str  # "lad" | "icb" | "sub_icb"
    vintage: str  # e.g. "April 2024 (ONS LSOA 2021 to Sub-ICB, ICB and local authority lookup)"
    codes: tuple[str, ...]
    names: tuple[str, ...]
    nhs_codes: tuple[str, ...] = ()  # ODS-style codes (e.g. QE1) for ICBs and Sub-ICB locations

    @cached_property
    def index_of(self) -> dict[str, int]:
        lookup = {code.upper(): i for i, code in enumerate(self.codes)}
        lookup.update({code.upper(): i for i, code in enumerate(self.nhs_codes) if code})
        return lookup

    def find(self, code: str) -> int | None:
        return self.index_of.get(code.strip().upper())


@dataclass(eq=False)
class ReleaseTable:
    """One deprivation release: index values per small area, with population weights and groupings."""

    info: ReleaseInfo
    codes: NDArray[np.str_]
    population: NDArray[np.float64]  # NaN-free; ones when the geography has no population figures
    has_population: bool
    imd_score: NDArray[np.float64]  # NaN when the release's file has no scores
    imd_rank: NDArray[np.float64]
    imd_decile: NDArray[np.int8]
    domain_score: NDArray[np.float64]  # (n, domains)
    domain_decile: NDArray[np.int8]  # (n, domains)
    groups: dict[str, GroupTable] = field(default_factory=dict)
    group_of: dict[str, NDArray[np.int32]] = field(default_factory=dict)  # kind -> group index per row
    geography: Geography | None = None
    geo_row: NDArray[np.int32] | None = None  # this release's row -> geography row

    @property
    def n_areas(self) -> int:
        return len(self.codes)

    @cached_property
    def row_of(self) -> dict[str, int]:
        return {code: i for i, code in enumerate(self.codes.tolist())}

    @cached_property
    def frac_rank(self) -> NDArray[np.float64]:
        return fractional_rank(self.imd_rank, self.population)

    @cached_property
    def row_of_geo(self) -> NDArray[np.int32]:
        """Geography row -> this release's row, or -1 (e.g. a Welsh LSOA under an English index)."""
        assert self.geography is not None and self.geo_row is not None
        inverse = np.full(len(self.geography.codes), -1, dtype=np.int32)
        inverse[self.geo_row] = np.arange(len(self.geo_row), dtype=np.int32)
        return inverse

    @cached_property
    def outside_xy(self) -> NDArray[np.float64]:
        """Points of the geography's areas that this release does not cover (e.g. Welsh LSOAs for IoD2025)."""
        assert self.geography is not None
        return self.geography.rep_xy[self.row_of_geo < 0]

    @cached_property
    def rep_xy(self) -> NDArray[np.float64]:
        return self._gather("rep_xy")

    @cached_property
    def pwc_xy(self) -> NDArray[np.float64] | None:
        return None if self.geography is None or self.geography.pwc_xy is None else self._gather("pwc_xy")

    @cached_property
    def ruc21(self) -> NDArray[np.str_] | None:
        """Each row's rural-urban class code, where the geography has them."""
        if self.geography is None or self.geography.ruc21 is None or self.geo_row is None:
            return None
        return np.asarray(self.geography.ruc21[self.geo_row])

    @cached_property
    def bbox(self) -> NDArray[np.float64]:
        return self._gather("bbox")

    @cached_property
    def ruc_class(self) -> NDArray[np.int8] | None:
        """Each row's rural-urban class as its place in RUC21_CLASSES (-1: none): quicker to compare."""
        if self.ruc21 is None:
            return None
        classes = np.full(len(self.ruc21), -1, dtype=np.int8)
        for i, (code, _, _) in enumerate(RUC21_CLASSES):
            classes[self.ruc21 == code] = i
        return classes

    @cached_property
    def rep_index(self) -> PointIndex:
        return PointIndex.of(self.rep_xy)

    @cached_property
    def pwc_index(self) -> PointIndex | None:
        return None if self.pwc_xy is None else PointIndex.of(self.pwc_xy)

    @cached_property
    def outside_index(self) -> PointIndex:
        return PointIndex.of(self.outside_xy)

    @cached_property
    def members(self) -> dict[str, GroupMembers]:
        """Each kind of group's rows, for profiling a local authority, ICB or Sub-ICB location by slicing."""
        return {
            kind: GroupMembers.of(self.group_of[kind], len(table.codes))
            for kind, table in self.groups.items()
            if kind in self.group_of
        }

    def _gather(self, name: str) -> NDArray[np.float64]:
        assert self.geography is not None and self.geo_row is not None
        return np.ascontiguousarray(getattr(self.geography, name)[self.geo_row])


@dataclass(eq=False)
class PostcodeIndex:
    """Every Code-Point Open postcode (normalised, no space) with its grid point and small areas."""

    keys: NDArray[np.bytes_]  # sorted, dtype S7
    x: NDArray[np.int32]
    y: NDArray[np.int32]
    nation: NDArray[np.uint8]  # see NATION_CODES
    lsoa21: NDArray[np.int32]  # LSOA 2021 geography row, -1 if the point is in no England/Wales LSOA
    lsoa11: NDArray[np.int32]  # LSOA 2011 geography row, -1 likewise

    def find_one(self, key: str) -> int:
        """Row of one normalised postcode, or -1: as find, without making arrays for one key."""
        keys = self.keys
        pos = int(keys.searchsorted(key.encode("ascii")))
        return pos if pos < len(keys) and keys[pos] == key.encode("ascii") else -1

    def find(self, keys: NDArray[np.bytes_]) -> NDArray[np.int64]:
        """Row of each key, or -1."""
        if len(self.keys) == 0 or len(keys) == 0:
            return np.full(len(keys), -1, dtype=np.int64)
        pos = np.minimum(self.keys.searchsorted(keys), len(self.keys) - 1)
        return np.where(self.keys[pos] == keys, pos, -1)


NATION_CODES = {0: "unknown", 1: "England", 2: "Wales", 3: "Scotland"}


@dataclass(eq=False)
class VintageLookup:
    """ONS LSOA 2011 -> LSOA 2021 best-fit lookup, used to explain codes from the wrong vintage."""

    lsoa11: NDArray[np.str_]
    lsoa21: NDArray[np.str_]

    @cached_property
    def successors(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for old, new in zip(self.lsoa11.tolist(), self.lsoa21.tolist(), strict=True):
            out.setdefault(old, []).append(new)
        return out

    @cached_property
    def predecessors(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for old, new in zip(self.lsoa11.tolist(), self.lsoa21.tolist(), strict=True):
            out.setdefault(new, []).append(old)
        return out
