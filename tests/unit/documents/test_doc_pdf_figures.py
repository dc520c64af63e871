"""Figures go into the PDF as their PNG rows are, in place of the stand-ins Typst laid out; any PNG whose
rows a PDF cannot read goes to Typst as it is. Either way the PDF shows the figure's own pixels."""

import io
from typing import Any

import numpy as np
import pikepdf
import pytest
from PIL import Image

from hia_service.documents import build_pdf
from hia_service.documents.pdf_figures import _rows as png_rows
from hia_service.documents.pdf_figures import plain_png_size, put_figures, stand_in


def _png(mode: str, size: tuple[int, int], **save: Any) -> bytes:
    rng = np.random.default_rng(7)
    shape = (size[1], size[0], len(mode)) if len(mode) > 1 else (size[1], size[0])
    pixels = rng.integers(0, 256, size=shape, dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).convert(mode).save(buffer, format="PNG", **save)
    return buffer.getvalue()


def _images(pdf: bytes) -> list[tuple[pikepdf.Object, np.ndarray]]:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        found = {}
        for page in document.pages:
            for image in page.get_images().values():
                pixels = np.asarray(pikepdf.PdfImage(image).as_pil_image().convert("RGB"))
                found[image.objgen] = (image.get("/DecodeParms"), pixels, image.read_raw_bytes())
        return list(found.values())


def test_only_8_bit_rgb_pngs_that_are_not_interlaced_qualify() -> None:
    assert plain_png_size(_png("RGB", (30, 20))) == (30, 20)
    assert plain_png_size(_png("RGBA", (30, 20))) is None
    assert plain_png_size(_png("L", (30, 20))) is None
    assert plain_png_size(b"GIF89a" + bytes(40)) is None


def test_the_map_goes_in_as_its_rows_are_and_shows_its_own_pixels(snapshot: dict[str, Any]) -> None:
    drawn = _png("RGB", (600, 460), compress_level=1)
    images = _images(build_pdf(snapshot, map_png=drawn, chart_png=b""))
    (parms, pixels, raw), *others = [i for i in images if i[1].shape == (460, 600, 3)]
    assert not others
    assert parms is not None and int(parms.Predictor) == 15 and int(parms.Columns) == 600
    assert raw == png_rows(drawn)  # not decoded and compressed again
    assert np.array_equal(pixels, np.asarray(Image.open(io.BytesIO(drawn))))


def test_a_figure_with_transparency_is_left_to_typst_and_still_shown(snapshot: dict[str, Any]) -> None:
    drawn = _png("RGBA", (300, 230))
    images = _images(build_pdf(snapshot, map_png=drawn, chart_png=b""))
    shown = [pixels for _, pixels, _ in images if pixels.shape == (230, 300, 3)]
    assert len(shown) == 1
    assert len(np.unique(shown[0].reshape(-1, 3), axis=0)) > 1000  # the figure's noise, not a stand-in


def test_a_figure_without_its_stand_in_is_refused() -> None:
    with pikepdf.new() as document, pytest.raises(ValueError, match="No stand-in"):
        put_figures(document, {3: _png("RGB", (10, 10))})


def test_stand_ins_say_which_figure_they_are() -> None:
    first, second = stand_in((8, 4), 0), stand_in((8, 4), 1)
    assert first != second
    assert Image.open(io.BytesIO(second)).getpixel((0, 0)) == (0xA5, 0x5A, 1)
