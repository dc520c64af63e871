"""Profile of custom polygons: an ICB-sized shape (~1,500 LSOAs) and a 3,600-LSOA shape.

Run: .venv/bin/python benchmarks/geography/bench_custom_polygon.py [--repeat N]
Times engine.profile() end to end (GeoJSON dict in WGS84 -> checks -> projection -> selection -> full profile
with baselines), warm, beside the naive way in the same run: geopandas sjoin of the LSOA points (centroid) or
overlay of the LSOA polygons (area) over the full tables, then pandas for the headline figures.
Target (issue 3): ICB-sized polygon under 50 ms warm; PostGIS + GiST takes about 8 ms warm for 3,600 LSOAs.
"""

from __future__ import annotations

import argparse

import numpy as np
import shapely
from harness import NaiveTables, engine, report, timed
from shapely.geometry import mapping

from hia_service.domain.geography.engine import GeographyEngine
from hia_service.domain.geography.shapes import parse_geojson, to_wgs84
from hia_service.domain.geography.spatial import cover


def wgs84_geojson(shape: shapely.Geometry) -> dict:
    projected = shapely.transform(shape, lambda xy: np.column_stack(to_wgs84(xy[:, 0], xy[:, 1])))
    return {"type": "Feature", "properties": {}, "geometry": mapping(projected)}


def icb_sized_shape(eng: GeographyEngine) -> shapely.Geometry:
    """West Yorkshire ICB's outline, grown by 250 m and simplified: a realistic hand-made ICB-sized area."""
    table = eng.release("IoD2025")
    rows = np.flatnonzero(table.group_of["icb"] == table.groups["icb"].find("E54000054"))
    outline = shapely.coverage_union_all(table.geography.shapes.geometries(table.geo_row[rows]))
    return outline.buffer(250).simplify(50)


def london_circle(eng: GeographyEngine, lsoas: int = 3600) -> shapely.Geometry:
    """A circle round central London just big enough to take in `lsoas` LSOA points."""
    points = eng.release("IoD2025").rep_xy
    distance = np.hypot(points[:, 0] - 530_000, points[:, 1] - 180_000)
    radius = np.sort(distance)[lsoas - 1] + 1.0
    return shapely.Point(530_000, 180_000).buffer(radius, quad_segs=64)


def run(
    label: str,
    eng: GeographyEngine,
    naive: NaiveTables,
    shape: shapely.Geometry,
    repeat: int,
    target: float | None,
) -> None:
    area = {"type": "geojson", "geojson": wgs84_geojson(shape)}
    ours = eng.profile(area)
    theirs = naive.by_centroid(parse_geojson(area["geojson"]).polygon)
    assert np.allclose(ours["population_by_decile"], theirs["population_by_decile"]), "answers differ"
    vertices = shapely.get_num_coordinates(shape)
    print(f"{label}: {ours['lsoa_count']:,} LSOAs, {vertices:,} vertices")
    report(
        "  centroid, end to end from GeoJSON",
        timed(lambda: eng.profile(area), repeat),
        timed(lambda: naive.by_centroid(parse_geojson(area["geojson"]).polygon), max(3, repeat // 10)),
        target,
    )
    polygon, table = parse_geojson(area["geojson"]).polygon, eng.release("IoD2025")
    select_ms = timed(lambda: cover(table, polygon, "centroid"), repeat)
    # Like for like: the naive way selecting alone too (its profile arithmetic is not counted here).
    naive_select = timed(lambda: naive.select_by_centroid(polygon), max(3, repeat // 10))
    report("  centroid, selecting LSOAs only (shape already parsed)", select_ms, naive_select)
    by_area = eng.profile({**area, "method": "area"})
    naive_area = naive.by_area(polygon)
    assert abs(by_area["population"] - naive_area["population"]) < 0.005 * naive_area["population"]
    report(
        "  area method, end to end",
        timed(lambda: eng.profile({**area, "method": "area"}), max(5, repeat // 5)),
        timed(lambda: naive.by_area(polygon), 2),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    eng = engine()
    naive = NaiveTables(eng)
    icb = icb_sized_shape(eng)
    run("ICB-sized custom polygon (West Yorkshire, grown 250 m)", eng, naive, icb, args.repeat, 50.0)
    detailed = shapely.segmentize(icb, 5.0)
    run("The same, drawn in detail", eng, naive, detailed, args.repeat, 50.0)
    run("3,600-LSOA circle round central London", eng, naive, london_circle(eng), args.repeat, 8.0)


if __name__ == "__main__":
    main()
