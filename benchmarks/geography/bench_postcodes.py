"""Profile of a patient list of 100,000 postcodes (a waiting-list extract).

Run: .venv/bin/python benchmarks/geography/bench_postcodes.py [--repeat N] [--size N]
The list is drawn at random from real English and Welsh postcodes (with repeats, as in a real list), written
the way extracts arrive (mixed case, some without spaces, a few blanks and junk). Times, warm:
  - engine.profile() on the list (normalise, look up in the sorted postcode index, profile), and
  - the same from the CSV file bytes (area_from_file + profile), the CLI/upload path,
beside the naive way in the same run: pandas merge with Code-Point Open for grid points, geopandas sjoin of
those points with the LSOA polygons over the full tables, then pandas for the headline figures.
Target (issue 3): 100,000 patient postcodes under 3 s.
"""

from __future__ import annotations

import argparse

import geopandas as gpd
import numpy as np
import pandas as pd
from harness import REFERENCE_DIR, NaiveTables, engine, report, timed

from hia_service.domain.geography.files import area_from_file


def patient_list(size: int) -> list[str]:
    codepoint = pd.read_csv(
        REFERENCE_DIR / "codepoint_open_gb_postcodes.csv.gz", usecols=["postcode", "admin_district_code"]
    )
    pool = codepoint.loc[codepoint["admin_district_code"].fillna("").str[:1].isin(["E", "W"]), "postcode"]
    rng = np.random.default_rng(2025)
    chosen = pool.to_numpy()[rng.integers(0, len(pool), size)].astype(object)
    lower = rng.random(size) < 0.2
    chosen[lower] = [p.lower() for p in chosen[lower]]
    compact = rng.random(size) < 0.2
    chosen[compact] = [p.replace(" ", "") for p in chosen[compact]]
    chosen[rng.random(size) < 0.002] = "not known"
    return chosen.tolist()


class NaivePostcodes:
    def __init__(self, tables: NaiveTables) -> None:
        self.tables = tables
        codepoint = pd.read_csv(REFERENCE_DIR / "codepoint_open_gb_postcodes.csv.gz")
        codepoint["key"] = codepoint["postcode"].str.replace(" ", "").str.upper()
        self.codepoint = codepoint[["key", "easting", "northing"]]

    def profile(self, postcodes: list[str]) -> dict:
        listed = pd.DataFrame({"key": pd.Series(postcodes).str.replace(" ", "").str.upper()})
        located = listed.merge(self.codepoint, on="key", how="inner")
        points = gpd.GeoDataFrame(
            geometry=gpd.points_from_xy(located["easting"], located["northing"]), crs=27700
        )
        joined = gpd.sjoin(points, self.tables.polygons, predicate="within")
        return self.tables.profile(joined, pd.Series(1.0, index=joined.index))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--size", type=int, default=100_000)
    args = parser.parse_args()
    eng = engine()
    postcodes = patient_list(args.size)
    data = ("postcode\n" + "\n".join(postcodes) + "\n\n").encode()
    area = {"type": "postcodes", "postcodes": postcodes}
    ours = eng.profile(area)
    naive = NaivePostcodes(NaiveTables(eng))
    theirs = naive.profile(postcodes)
    assert abs(ours["population"] - theirs["population"]) <= 0.001 * args.size, (ours["population"], theirs)
    print(
        f"{args.size:,} postcodes: {ours['population']:,} placed in {ours['lsoa_count']:,} English LSOAs; "
        f"{sum(e['count'] for e in ours['unmatched']):,} not used ({len(ours['unmatched'])} masked groups)"
    )
    naive_ms = timed(lambda: naive.profile(postcodes), max(2, args.repeat // 2))
    report("  postcode list, end to end", timed(lambda: eng.profile(area), args.repeat), naive_ms, 3000.0)
    report(
        "  from the CSV file bytes (upload / CLI path)",
        timed(lambda: eng.profile(area_from_file(data)), args.repeat),
        naive_ms,
        3000.0,
    )


if __name__ == "__main__":
    main()
