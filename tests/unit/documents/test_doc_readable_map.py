"""A map a board member can read (issue 22, item 4): a marker at the site of a radius area, the decile
legend in words, and the source and copyright line under the map."""

import io

import numpy as np
import shapely
from PIL import Image

from hia_service.documents.blocks import Figure, Para
from hia_service.documents.charts import (
    SITE_COLOUR,
    _in_british_national_grid,
    decile_legend_words,
    decile_map_png,
)
from hia_service.documents.content import assessment_blocks
from hia_service.documents.sample import example_geometries

SOURCE = (
    "Contains OS data © Crown copyright and database right 2025; Source: Office for National Statistics; "
    "English Indices of Deprivation 2025, MHCLG."
)


def _site_pixels(png: bytes) -> int:
    """Pixels of the site marker's red (no decile shade is near it)."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    red = np.array([int(SITE_COLOUR[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(pixels - red).sum(axis=2) < 30).sum())


def test_the_legend_says_each_decile_in_words():
    assert decile_legend_words(1) == "1 \u2013 most deprived 10%"
    assert decile_legend_words(2) == "2 \u2013 most deprived 10\u201320%"
    assert decile_legend_words(6) == "6 \u2013 least deprived 40\u201350%"
    assert decile_legend_words(10) == "10 \u2013 least deprived 10%"


def test_a_radius_area_is_drawn_with_a_marker_at_its_site():
    geometries = example_geometries()
    minx, miny, maxx, maxy = shapely.total_bounds(_in_british_national_grid([g for g, _ in geometries]))
    site = ((minx + maxx) / 2, (miny + maxy) / 2, 2000.0)
    assert _site_pixels(decile_map_png(geometries)) == 0
    assert _site_pixels(decile_map_png(geometries, site=site)) > 100


def test_the_source_line_names_the_release_used_under_the_map(snapshot):
    blocks = assessment_blocks(snapshot, chart_png=None, map_png=b"map")
    index = next(
        i for i, b in enumerate(blocks) if isinstance(b, Figure) and b.caption.startswith("Neighbourhoods")
    )
    assert blocks[index + 1] == Para(SOURCE, style="small")


def test_an_older_release_is_named_as_it_was_used(snapshot):
    snapshot["provenance"] |= {"release": "IoD2019", "release_label": "English Indices of Deprivation 2019"}
    texts = [getattr(b, "text", "") for b in assessment_blocks(snapshot, chart_png=None, map_png=b"map")]
    assert any("English Indices of Deprivation 2019, MHCLG." in t for t in texts)


def test_the_caption_and_alt_text_of_a_radius_map_say_where_the_site_is(snapshot):
    snapshot["profile"]["area"] = {"type": "point_radius", "radius_km": 2, "method": "centroid"}
    figure = next(
        b
        for b in assessment_blocks(snapshot, chart_png=None, map_png=b"map")
        if isinstance(b, Figure) and b.caption.startswith("Neighbourhoods")
    )
    assert "The red dot is the site; the dashed circle is 2 km around it" in figure.caption
    assert "The site is marked at the centre, with a circle 2 km around it." in figure.alt_text


def test_the_local_authorities_are_named_in_words_under_the_map_and_in_its_alt_text(snapshot):
    snapshot["profile"]["baseline"]["local_authorities"] = [
        {**snapshot["profile"]["baseline"]["local_authorities"][0], "code": code, "name": name}
        for code, name in (("E08000016", "Barnsley"), ("E08000017", "Doncaster"), ("E08000018", "Rotherham"))
    ]
    blocks = assessment_blocks(snapshot, chart_png=None, map_png=b"map")
    figure = next(b for b in blocks if isinstance(b, Figure) and b.png == b"map")
    sentence = "The area covers neighbourhoods in 3 local authorities: Barnsley, Doncaster and Rotherham."
    assert (
        figure.caption
        == "Neighbourhoods affected, shaded by deprivation decile, with local authority boundaries"
    )
    assert sentence in figure.alt_text
    assert blocks[blocks.index(figure) + 2] == Para(sentence)


def test_a_profile_that_names_no_local_authority_says_nothing_of_them(snapshot):
    snapshot["profile"]["baseline"]["local_authorities"] = []
    blocks = assessment_blocks(snapshot, chart_png=None, map_png=b"map")
    figure = next(b for b in blocks if isinstance(b, Figure) and b.png == b"map")
    assert figure.caption == "Neighbourhoods affected, shaded by deprivation decile"
    assert "local authorit" not in figure.alt_text
    assert not any("local authorit" in getattr(b, "text", "") for b in blocks)
