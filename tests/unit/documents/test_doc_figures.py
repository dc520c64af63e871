"""The record draws its deprivation chart itself (vectors, described in words for a screen reader), and its
map is drawn while Typst lays the record out from a stand-in of the map's size; the drawn pixels must be
the ones in the PDF. Also the QR code's path (runs of modules, not one square each), and that nothing
typed into an assessment is read as Typst markup."""

import io
import logging
import re
from functools import partial
from typing import Any

import numpy as np
import pikepdf
import pytest
from PIL import Image
from reportlab.graphics.barcode import qrencoder

from hia_service.documents import build_pdf
from hia_service.documents.charts import MAP_PIXELS, decile_chart_png, decile_map_png
from hia_service.documents.pdf_layout import qr_svg
from hia_service.documents.sample import example_geometries
from hia_service.documents.snapshot import snapshot_profile


def _embedded_images(pdf: bytes) -> list[np.ndarray]:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        found = {}
        for page in document.pages:
            for image in page.get_images().values():
                found[image.objgen] = np.asarray(pikepdf.PdfImage(image).as_pil_image().convert("RGB"))
        return list(found.values())


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _contains(images: list[np.ndarray], png: bytes) -> bool:
    wanted = _pixels(png)
    return any(image.shape == wanted.shape and np.array_equal(image, wanted) for image in images)


def test_the_map_drawn_during_layout_is_the_one_in_the_pdf(snapshot: dict[str, Any]) -> None:
    geometries = example_geometries(count=40)
    drawn_map = decile_map_png(geometries)

    pdf = build_pdf(snapshot, map_png=partial(decile_map_png, geometries))

    images = _embedded_images(pdf)
    assert len(images) == 1 and _contains(images, drawn_map)  # the chart is drawn, not a picture
    assert pdf == build_pdf(snapshot, map_png=drawn_map), "the same bytes as with the map given"


def test_the_chart_is_drawn_in_the_record_and_said_in_words(
    snapshot: dict[str, Any], page_texts: Any
) -> None:
    profile = snapshot_profile(snapshot)
    assert profile is not None
    pdf = build_pdf(snapshot)
    assert not _embedded_images(pdf)
    text = " ".join(page_texts(pdf))
    for label in ("24%", "17%", "People affected", "Share of people (%)", "least deprived"):
        assert label in text
    with pikepdf.open(io.BytesIO(pdf)) as document:
        alternatives = [
            str(e.Alt) for e in _structure(document.Root.StructTreeRoot) if e.get("/S") == "/Figure"
        ]
    assert any(
        a.startswith("Bar chart") and "Decile 1 (most deprived): 24% against 10%" in a for a in alternatives
    )


def test_a_chart_given_as_a_picture_goes_in_as_it_is(snapshot: dict[str, Any]) -> None:
    profile = snapshot_profile(snapshot)
    assert profile is not None
    chart = decile_chart_png(profile)
    assert _contains(_embedded_images(build_pdf(snapshot, chart_png=chart)), chart)
    assert not _embedded_images(build_pdf(snapshot, chart_png=b""))


def _structure(node: Any) -> Any:
    kids = node.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _structure(kid)


def test_a_map_of_another_size_is_laid_out_again_not_squeezed(
    snapshot: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (MAP_PIXELS[0], MAP_PIXELS[1] // 2), "#31688E").save(buffer, format="PNG")
    odd = buffer.getvalue()

    with caplog.at_level(logging.WARNING, logger="hia_service.documents.pdf"):
        pdf = build_pdf(snapshot, map_png=lambda: odd)

    assert "not the size of its stand-in" in caplog.text
    assert _contains(_embedded_images(pdf), odd)
    assert pdf == build_pdf(snapshot, map_png=odd)


def test_a_map_that_fails_to_draw_fails_the_ordinary_way(snapshot: dict[str, Any]) -> None:
    def no_boundaries() -> bytes:
        return decile_map_png([])

    with pytest.raises(Exception, match="no neighbourhood boundaries"):
        build_pdf(snapshot, map_png=no_boundaries)


def test_map_size_is_what_the_stand_in_assumes() -> None:
    assert Image.open(io.BytesIO(decile_map_png(example_geometries(count=5)))).size == MAP_PIXELS


def test_qr_code_path_draws_exactly_the_dark_modules() -> None:
    url = "https://hia.example.nhs.uk/verify/HIA-2026-0042/v3?c=0123456789abcdef"
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(url)
    qr.make()
    count = qr.getModuleCount()
    expected = {(row, col) for row in range(count) for col in range(count) if qr.isDark(row, col)}

    path = re.search(r'<path d="([^"]+)"', qr_svg(url))
    assert path is not None
    drawn: set[tuple[int, int]] = set()
    for x, y, length in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path.group(1)):
        row, start = int(y) - 2, int(x) - 2
        drawn |= {(row, start + i) for i in range(int(length))}
    assert drawn == expected
    assert path.group(1).count("M") < len(expected) / 2  # runs, not one square per module


def test_text_typed_into_an_assessment_is_never_read_as_typst_markup(
    snapshot: dict[str, Any], page_texts: Any
) -> None:
    typed = '#read("/etc/passwd") #set page(width: 1cm) *bold* $x^2$ <label> @ref `raw` // not a comment'
    snapshot["title"] = typed
    snapshot["status"] = "draft"
    text = " ".join(page_texts(build_pdf(snapshot)))
    assert typed in " ".join(text.split())
    assert "root:" not in text
