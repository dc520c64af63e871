"""Build the derived arrays of a snapshot from checked reference files (see snapshot.py for the layout)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hia_service.domain.geography.releases import RELEASES
from hia_service.reference.checks import CheckedFile
from hia_service.reference.errors import Problem, ReferenceDataError
from hia_service.reference.geometry import Polygons, assign_points, sorted_polygons
from hia_service.reference.memory import release_freed_memory

ICB_VINTAGE = "April 2024 (ONS LSOA 2021 to Sub-ICB location, ICB and local authority lookup)"
NATION_OF_ADMIN = {"E": 1, "W": 2, "S": 3}
POSTCODES_PER_BATCH = 200_000


@dataclass(eq=False)
class GroupData:
    vintage: str
    codes: list[str]
    names: list[str]
    nhs_codes: list[str]
    index: NDArray[np.int32]  # per release row


@dataclass(eq=False)
class ReleaseData:
    release_id: str
    codes: NDArray[np.str_]
    population: NDArray[np.float64]
    has_population: bool
    imd_score: NDArray[np.float64]
    imd_rank: NDArray[np.float64]
    imd_decile: NDArray[np.int8]
    domain_score: NDArray[np.float64]
    domain_decile: NDArray[np.int8]
    geography: str | None  # "lsoa21" | "lsoa11" | None
    geo_row: NDArray[np.int32] | None
    groups: dict[str, GroupData] = field(default_factory=dict)


@dataclass(eq=False)
class Built:
    geographies: dict[str, Polygons]
    pwc_xy: NDArray[np.float64]
    postcodes: dict[str, NDArray[Any]]
    vintage: dict[str, NDArray[np.str_]]
    releases: dict[str, ReleaseData]
    extras: dict[str, NDArray[Any]]  # aligned to LSOA 2021 rows: rural-urban class, ward
    map_shapes: Polygons | None = None  # light (BSC) LSOA 2021 polygons for drawing maps, same row order


def build(files: dict[str, CheckedFile], progress: Callable[[str], None] | None = None) -> Built:
    """The snapshot's arrays. Uses up the boundary files' geometry and Code-Point Open's rows as it goes (let
    go once used, so the load's peak memory stays low)."""
    told = progress or (lambda _message: None)

    def say(message: str) -> None:  # each step starts with what the last one let go handed back
        release_freed_memory()
        told(message)

    say("Projecting LSOA 2021 boundaries")
    lsoa21 = _polygons(files["boundaries_lsoa21_bgc"], "LSOA21CD")
    say("Projecting LSOA 2011 boundaries")
    lsoa11 = _polygons(files["boundaries_lsoa11_bsc"], "LSOA11CD")
    lookup = files["lookup_lsoa11_lsoa21"].table
    pop21 = _aligned(files["population_lsoa21"], "lsoa21_code", lsoa21.codes, "total_usual_residents")
    pop11 = _population_2011(lookup, lsoa21.codes, pop21, lsoa11.codes)
    say("Placing every postcode in its LSOA")
    postcodes = _postcodes(files["codepoint_open"], lsoa21, lsoa11, lookup)
    say("Building the deprivation tables")
    releases = {
        "IoD2025": _iod2025(files, lsoa21, pop21),
        "IoD2019": _lsoa11_release(
            "IoD2019", files["iod2019"], lsoa11, pop11, _iod2019_groups(files, lsoa21, pop21)
        ),
        "WIMD2019": _lsoa11_release("WIMD2019", files["wimd2019"], lsoa11, pop11, _wimd_groups(lookup)),
        "SIMD2020": _codes_only("SIMD2020", files["simd2020"], "dz11_code"),
        "NIMDM2017": _codes_only("NIMDM2017", files["nimdm2017"], "soa01_code"),
    }
    pwc = files["pwc_lsoa21"]
    pwc_xy = np.column_stack([_aligned(pwc, "lsoa21_code", lsoa21.codes, c) for c in ("easting", "northing")])
    extras = {
        "ruc21_code": _aligned(files["ruc_lsoa21"], "lsoa21_code", lsoa21.codes, "ruc21_code").astype("U4"),
        "ward24_code": _aligned(
            files["lookup_lsoa21_ward24"], "lsoa21_code", lsoa21.codes, "wd24_code"
        ).astype("U9"),
    }
    vintage = {
        "lsoa11": lookup["lsoa11_code"].to_numpy(dtype="U9"),
        "lsoa21": lookup["lsoa21_code"].to_numpy(dtype="U9"),
    }
    say("Projecting the map boundaries")
    maps = _polygons(files["boundaries_lsoa21_bsc"], "lsoa21_code")
    if not np.array_equal(maps.codes, lsoa21.codes):
        raise ReferenceDataError(
            [
                Problem(
                    files["boundaries_lsoa21_bsc"].spec.file,
                    None,
                    "its LSOA codes differ from the BGC boundaries' codes",
                )
            ]
        )
    return Built({"lsoa21": lsoa21, "lsoa11": lsoa11}, pwc_xy, postcodes, vintage, releases, extras, maps)


def settle(checked: CheckedFile) -> None:
    """Cut a file that has passed its checks down to what build() takes from it, before the next is read:
    Code-Point Open's 1.7 million postcode strings (about 100 MB) become 7-byte keys (12 MB)."""
    if checked.spec.id == "codepoint_open" and checked.keys is None:
        table = checked.table
        checked.keys = _compact_postcodes(table["postcode"])
        # Only what _postcodes takes. Whole metres fit 32 bits (the checks keep them in range); a file giving
        # fractions of a metre keeps them, as the points are placed from them.
        checked.table = pd.DataFrame(
            {
                **{axis: _compact_metres(table[axis]) for axis in ("easting", "northing")},
                "admin_district_code": table["admin_district_code"],
            }
        )


def _compact_metres(values: pd.Series) -> NDArray[Any]:
    return values.to_numpy(dtype=np.int32) if values.dtype.kind in "iu" else values.to_numpy()


def _polygons(checked: CheckedFile, code_column: str) -> Polygons:
    """The file's polygons in British National Grid. The file's own (WGS84) copy is let go once projected, so
    two copies of every boundary file are never held at once."""
    assert checked.geometry is not None
    polygons = sorted_polygons(checked.table[code_column].to_numpy(dtype=str), checked.geometry)
    checked.geometry = None
    return polygons


def _aligned(checked: CheckedFile, key: str, codes: NDArray[np.str_], column: str) -> NDArray[Any]:
    """`column` of a file, in the order of `codes`; every code must be present."""
    table = checked.table.set_index(key)
    missing = pd.Index(codes).difference(table.index)
    if len(missing):
        raise ReferenceDataError(
            [
                Problem(
                    checked.spec.file,
                    None,
                    f"has no row for {len(missing)} code(s) in the boundaries, e.g. {missing[0]}",
                )
            ]
        )
    return table[column].reindex(codes).to_numpy()


def _population_2011(
    lookup: pd.DataFrame, codes21: NDArray[np.str_], pop21: NDArray[Any], codes11: NDArray[np.str_]
) -> NDArray[np.float64]:
    """Census 2021 residents on 2011 LSOAs: each 2021 LSOA's population split equally among its parents."""
    row21 = pd.Series(np.arange(len(codes21)), index=codes21)[lookup["lsoa21_code"]].to_numpy()
    parents = lookup.groupby("lsoa21_code")["lsoa11_code"].transform("count").to_numpy()
    share = np.asarray(pop21, dtype=np.float64)[row21] / parents
    row11 = pd.Series(np.arange(len(codes11)), index=codes11).reindex(lookup["lsoa11_code"]).to_numpy()
    ok = ~np.isnan(row11)
    # numpy's stubs type every bincount as integers; with weights it is float64.
    return np.bincount(row11[ok].astype(np.int64), weights=share[ok], minlength=len(codes11))  # type: ignore[return-value]


def _postcodes(
    codepoint: CheckedFile, lsoa21: Polygons, lsoa11: Polygons, lookup: pd.DataFrame
) -> dict[str, NDArray[Any]]:
    """Every postcode's compact key, grid point, nation and LSOAs. Uses up Code-Point Open's rows."""
    settle(codepoint)  # done already when the checks settled each file
    table, keys = codepoint.table, codepoint.keys
    assert keys is not None
    codepoint.table, codepoint.keys = table.iloc[:0].copy(), None  # a copy: a slice keeps every row alive
    release_freed_memory()
    order = np.argsort(keys, kind="stable")
    x = table["easting"].to_numpy(dtype=np.float64)[order]
    y = table["northing"].to_numpy(dtype=np.float64)[order]
    admin = _first_letters(table["admin_district_code"])[order]
    nation = np.zeros(len(admin), dtype=np.uint8)
    for letter, number in NATION_OF_ADMIN.items():
        nation[admin == letter] = number
    in_ew = nation != 3  # Scottish postcodes have no LSOA; unknown ones are tried
    row21 = assign_points(lsoa21, x, y, in_ew)
    row11 = _postcodes_2011(row21, lsoa21, lsoa11, lookup, x, y)
    return {
        "keys": keys[order],
        "x": x.astype(np.int32),
        "y": y.astype(np.int32),
        "nation": nation,
        "lsoa21": row21,
        "lsoa11": row11,
    }


def _first_letters(codes: pd.Series) -> NDArray[np.str_]:
    """Each code's first letter ("" when blank), worked out once for each distinct code."""
    categories = pd.Categorical(codes)
    letters = np.array([str(c)[:1] for c in categories.categories] + [""], dtype="U1")
    return letters[categories.codes]  # a blank's code is -1: the "" at the end


def _compact_postcodes(postcodes: pd.Series) -> NDArray[np.bytes_]:
    """Postcodes without their space, as 7-byte strings; a batch at a time, so the 1.7 million Python strings
    of the spaceless copy (about 100 MB) are never all made at once."""
    keys = np.empty(len(postcodes), dtype="S7")
    for start in range(0, len(postcodes), POSTCODES_PER_BATCH):
        batch = postcodes.iloc[start : start + POSTCODES_PER_BATCH]
        keys[start : start + len(batch)] = batch.str.replace(" ", "", regex=False).to_numpy(dtype="S7")
    return keys


def _postcodes_2011(
    row21: NDArray[np.int32],
    lsoa21: Polygons,
    lsoa11: Polygons,
    lookup: pd.DataFrame,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
) -> NDArray[np.int32]:
    """A postcode's LSOA 2011: exact from the ONS lookup when its 2021 LSOA has one 2011 parent (unchanged or
    split); for merged or redrawn areas, the 2011 boundary containing the point."""
    parents = lookup.groupby("lsoa21_code")["lsoa11_code"].agg(list)
    row11_of = pd.Series(np.arange(len(lsoa11.codes)), index=lsoa11.codes)
    single = np.full(len(lsoa21.codes), -1, dtype=np.int32)
    for code, olds in parents.items():
        if len(olds) == 1 and olds[0] in row11_of.index:
            single[np.searchsorted(lsoa21.codes, code)] = row11_of[olds[0]]
    result = np.where(row21 >= 0, single[np.maximum(row21, 0)], -1).astype(np.int32)
    ambiguous = (row21 >= 0) & (result < 0)
    result[ambiguous] = assign_points(lsoa11, x[ambiguous], y[ambiguous])
    return result


def _index_columns(release_id: str, table: pd.DataFrame) -> dict[str, Any]:
    info = RELEASES[release_id]
    n = len(table)

    def column(name: str, dtype: Any) -> NDArray[Any]:
        return table[name].to_numpy(dtype=dtype) if name in table else np.full(n, np.nan)

    return {
        "imd_score": column("IMD_score", np.float64),
        "imd_rank": table["IMD_rank"].to_numpy(dtype=np.float64),
        "imd_decile": table["IMD_decile"].to_numpy(dtype=np.int8),
        "domain_score": np.column_stack([column(f"{d.column}_score", np.float64) for d in info.domains]),
        "domain_decile": np.column_stack(
            [table[f"{d.column}_decile"].to_numpy(dtype=np.int8) for d in info.domains]
        ),
    }


def _iod2025(files: dict[str, CheckedFile], lsoa21: Polygons, pop21: NDArray[Any]) -> ReleaseData:
    table = files["iod2025"].table.sort_values("lsoa21_code", kind="stable")
    codes = table["lsoa21_code"].to_numpy(dtype="U9")
    geo_row = _geo_rows(files["iod2025"], codes, lsoa21.codes)
    lookup = files["lookup_lsoa21_icb24"].table.set_index("lsoa21_code").reindex(codes)
    groups = {
        "lad": _group(lookup, "lad24_code", "lad24_name", None, ICB_VINTAGE),
        "icb": _group(lookup, "icb24_code", "icb24_name", "icb24_code_nhs", ICB_VINTAGE),
        "sub_icb": _group(lookup, "sicbl24_code", "sicbl24_name", "sicbl24_code_nhs", ICB_VINTAGE),
    }
    return ReleaseData(
        "IoD2025",
        codes,
        np.asarray(pop21, dtype=np.float64)[geo_row],
        True,
        **_index_columns("IoD2025", table),
        geography="lsoa21",
        geo_row=geo_row,
        groups=groups,
    )


def _geo_rows(
    checked: CheckedFile, codes: NDArray[np.str_], geo_codes: NDArray[np.str_]
) -> NDArray[np.int32]:
    rows = np.searchsorted(geo_codes, codes)
    rows = np.minimum(rows, len(geo_codes) - 1)
    missing = geo_codes[rows] != codes
    if missing.any():
        raise ReferenceDataError(
            [
                Problem(
                    checked.spec.file,
                    None,
                    f"{int(missing.sum())} code(s) have no boundary, e.g. {codes[missing][0]}",
                )
            ]
        )
    return rows.astype(np.int32)


def _group(table: pd.DataFrame, code: str, name: str, nhs: str | None, vintage: str) -> GroupData:
    codes_per_row = table[code].fillna("").to_numpy(dtype=str)
    unique, index = np.unique(codes_per_row, return_inverse=True)
    first = pd.Series(np.arange(len(table))).groupby(index).first().to_numpy()
    names = table[name].fillna("").to_numpy(dtype=str)[first].tolist()
    nhs_codes = table[nhs].fillna("").to_numpy(dtype=str)[first].tolist() if nhs else []
    group_index = np.where(codes_per_row == "", -1, index).astype(np.int32)
    return GroupData(vintage, unique.tolist(), names, nhs_codes, group_index)


def _lsoa11_release(
    release_id: str,
    checked: CheckedFile,
    lsoa11: Polygons,
    pop11: NDArray[np.float64],
    group_tables: Callable[[NDArray[np.str_], pd.DataFrame], dict[str, GroupData]],
) -> ReleaseData:
    table = checked.table.sort_values("lsoa11_code", kind="stable").reset_index(drop=True)
    codes = table["lsoa11_code"].to_numpy(dtype="U9")
    geo_row = _geo_rows(checked, codes, lsoa11.codes)
    return ReleaseData(
        release_id,
        codes,
        pop11[geo_row],
        True,
        **_index_columns(release_id, table),
        geography="lsoa11",
        geo_row=geo_row,
        groups=group_tables(codes, table),
    )


def _iod2019_groups(
    files: dict[str, CheckedFile], lsoa21: Polygons, pop21: NDArray[Any]
) -> Callable[[NDArray[np.str_], pd.DataFrame], dict[str, GroupData]]:
    """LADs as published with IoD2019 (2019 codes); ICBs (April 2024) by best fit: the ICB holding most of
    each 2011 LSOA's Census 2021 population."""

    def make(codes: NDArray[np.str_], table: pd.DataFrame) -> dict[str, GroupData]:
        lookup = files["lookup_lsoa11_lsoa21"].table
        icb = files["lookup_lsoa21_icb24"].table.set_index("lsoa21_code")
        pairs = lookup[["lsoa11_code", "lsoa21_code"]].join(icb, on="lsoa21_code", how="inner")
        pop = pd.Series(np.asarray(pop21, dtype=np.float64), index=lsoa21.codes)
        pairs = pairs.assign(pop=pop.reindex(pairs["lsoa21_code"]).to_numpy())
        best = (
            pairs.sort_values("pop", ascending=False).drop_duplicates("lsoa11_code").set_index("lsoa11_code")
        )
        best = best.reindex(codes)
        fit = "April 2024, best fit of 2011 LSOAs by Census 2021 population"
        return {
            "lad": _group(table, "lad19_code", "lad19_name", None, "2019 (as published with IoD2019)"),
            "icb": _group(best, "icb24_code", "icb24_name", "icb24_code_nhs", fit),
            "sub_icb": _group(best, "sicbl24_code", "sicbl24_name", "sicbl24_code_nhs", fit),
        }

    return make


def _wimd_groups(lookup: pd.DataFrame) -> Callable[[NDArray[np.str_], pd.DataFrame], dict[str, GroupData]]:
    def make(codes: NDArray[np.str_], _table: pd.DataFrame) -> dict[str, GroupData]:
        lad = lookup.drop_duplicates("lsoa11_code").set_index("lsoa11_code").reindex(codes)
        return {"lad": _group(lad, "lad22_code", "lad22_name", None, "2022 (ONS LSOA 2011 to 2021 lookup)")}

    return make


def _codes_only(release_id: str, checked: CheckedFile, key: str) -> ReleaseData:
    table = checked.table.sort_values(key, kind="stable").reset_index(drop=True)
    codes = table[key].to_numpy(dtype="U9")
    return ReleaseData(
        release_id,
        codes,
        np.ones(len(codes)),
        False,
        **_index_columns(release_id, table),
        geography=None,
        geo_row=None,
    )
