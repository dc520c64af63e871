import io

import numpy as np
import pytest
import shapely
from PIL import Image
from pyproj import Transformer

from hia_service.documents import DocumentError, decile_chart_png, decile_map_png
from hia_service.documents.charts import DECILE_COLOURS
from hia_service.documents.sample import example_geometries


def _image(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


def test_the_chart_is_a_png_and_the_same_every_time(snapshot):
    first = decile_chart_png(snapshot["profile"])
    assert first.startswith(b"\x89PNG")
    assert first == decile_chart_png(snapshot["profile"])
    assert _image(first).size == (1360, 540)


def test_the_chart_changes_when_the_data_does(snapshot):
    before = decile_chart_png(snapshot["profile"])
    snapshot["profile"]["population_by_decile"] = list(reversed(snapshot["profile"]["population_by_decile"]))
    assert decile_chart_png(snapshot["profile"]) != before


def test_the_map_shades_each_area_by_its_decile():
    # one big square in decile 1: the middle of the map is decile 1's colour
    square = shapely.box(430000, 433000, 436000, 439000)
    image = _image(decile_map_png([(square, 1)]))
    width, height = image.size
    expected = tuple(int(DECILE_COLOURS[0][i : i + 2], 16) for i in (1, 3, 5))
    assert image.getpixel((int(width * 0.39), height // 2)) == expected


def test_the_map_accepts_wgs84_and_british_national_grid_alike():
    lon_lat = shapely.box(-1.60, 53.80, -1.55, 53.83)
    bng = shapely.transform(lon_lat, lambda xy: _to_bng(xy))
    assert _image(decile_map_png([(lon_lat, 3)])).size == _image(decile_map_png([(bng, 3)])).size
    assert decile_map_png([(lon_lat, 3)]) == decile_map_png([(lon_lat, 3)])


def _to_bng(xy):

    x, y = Transformer.from_crs(4326, 27700, always_xy=True).transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def test_the_map_handles_multipolygons_holes_and_out_of_range_deciles():
    donut = shapely.box(0, 0, 1000, 1000).difference(shapely.box(400, 400, 600, 600))
    islands = shapely.MultiPolygon([shapely.box(1200, 0, 1400, 200), shapely.box(1500, 0, 1700, 200)])
    assert decile_map_png([(donut, 0), (islands, 11)]).startswith(b"\x89PNG")


def test_a_map_with_no_areas_is_refused_plainly():
    with pytest.raises(DocumentError, match="no neighbourhood boundaries"):
        decile_map_png([(shapely.Polygon(), 1), (None, 2)])


def test_the_example_geometries_make_a_map():
    pairs = example_geometries()
    assert len(pairs) > 20
    assert {d for _, d in pairs} <= set(range(1, 11))
