"""Profile of a shape covering all of England (33,755 LSOAs).

Run: .venv/bin/python benchmarks/geography/bench_england.py [--repeat N]
The shape is England's outline (the union of its LSOA boundaries, simplified, grown by 1 km so it takes in
every LSOA), sent as WGS84 GeoJSON. Times engine.profile() end to end, warm, for the centroid and area
methods, beside the naive way in the same run (geopandas sjoin / overlay over the full tables).
Target (issue 3): under 500 ms.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import shapely
from bench_custom_polygon import wgs84_geojson
from harness import NaiveTables, engine, report, timed

from hia_service.domain.geography.engine import GeographyEngine
from hia_service.domain.geography.shapes import parse_geojson


def england_outline(eng: GeographyEngine) -> shapely.Geometry:
    """Each local authority's LSOAs merged (they tile exactly), simplified to 50 m, then merged together."""
    table = eng.release("IoD2025")
    polygons, lad = table.geography.shapes.geometries(table.geo_row), table.group_of["lad"]
    parts = []
    for index in range(len(table.groups["lad"].codes)):
        members = polygons[lad == index]
        try:
            parts.append(shapely.coverage_union_all(members))
        except shapely.errors.GEOSException:  # a few repaired polygons do not tile exactly
            parts.append(shapely.union_all(members))
    return shapely.union_all(shapely.simplify(np.array(parts), 50), grid_size=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    eng = engine()
    table = eng.release("IoD2025")
    started = time.perf_counter()
    detailed = england_outline(eng)
    outline = detailed.simplify(100).buffer(1000, quad_segs=4).simplify(100)
    print(f"(building the England outline took {time.perf_counter() - started:.1f} s; not timed below)")
    area = {"type": "geojson", "geojson": wgs84_geojson(outline)}
    ours = eng.profile(area)
    naive = NaiveTables(eng)
    polygon = parse_geojson(area["geojson"]).polygon
    assert ours["lsoa_count"] == table.n_areas, ours["lsoa_count"]
    assert np.allclose(ours["population_by_decile"], naive.by_centroid(polygon)["population_by_decile"])
    vertices = shapely.get_num_coordinates(outline)
    print(
        f"All of England: {ours['lsoa_count']:,} LSOAs, {vertices:,} vertices; "
        f"notes: {[n for n in ours['notes'] if 'outside England' in n]}"
    )
    report(
        "  centroid, end to end from GeoJSON",
        timed(lambda: eng.profile(area), args.repeat),
        timed(lambda: naive.by_centroid(parse_geojson(area["geojson"]).polygon), 3),
        500.0,
    )
    report(
        "  area method, end to end",
        timed(lambda: eng.profile({**area, "method": "area"}), 3),
        timed(lambda: naive.by_area(polygon), 1, warm=0),
    )
    fine = {"type": "geojson", "geojson": wgs84_geojson(detailed)}
    count = eng.profile(fine)["lsoa_count"]
    print(
        f"England's outline in detail (not grown): {count:,} LSOAs, "
        f"{shapely.get_num_coordinates(detailed):,} vertices"
    )
    report(
        "  centroid, end to end from GeoJSON",
        timed(lambda: eng.profile(fine), args.repeat),
        timed(lambda: naive.by_centroid(parse_geojson(fine["geojson"]).polygon), 3),
        500.0,
    )


if __name__ == "__main__":
    main()
