"""The record's PNG figures go into the PDF as their own compressed rows, not decoded and encoded again;
any PNG whose rows are not what a PDF reads as they stand (16 bits, interlaced, transparent, a palette)
goes WeasyPrint's own way. Either way the PDF shows the same pixels."""

import io
import struct
import zlib
from typing import Any

import numpy as np
import pikepdf
import pytest
from PIL import Image
from weasyprint.images import RasterImage

from hia_service.documents import build_pdf
from hia_service.documents.charts import decile_chart_png
from hia_service.documents.pdf import _png_rows
from hia_service.documents.snapshot import snapshot_profile

RNG = np.random.default_rng(2026)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack("!I", len(data)) + kind + data + struct.pack("!I", zlib.crc32(kind + data))


def _png(width: int, height: int, depth: int, colour: int, rows: bytes, interlace: int = 0) -> bytes:
    header = struct.pack("!IIBBBBB", width, height, depth, colour, 0, 0, interlace)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows))
        + _chunk(b"IEND", b"")
    )


def _idat(png: bytes) -> bytes:
    found, at = [], 8
    while at < len(png):
        (length,) = struct.unpack_from("!I", png, at)
        if png[at + 4 : at + 8] == b"IDAT":
            found.append(png[at + 8 : at + 8 + length])
        at += 12 + length
    return b"".join(found)


def _pillow_png(array: np.ndarray, mode: str) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).convert(mode).save(buffer, format="PNG")
    return buffer.getvalue()


def _sixteen_bit_rgb(width: int = 5, height: int = 4) -> bytes:
    pixels = RNG.integers(0, 65536, size=(height, width, 3), dtype=np.uint16).astype(">u2")
    return _png(width, height, 16, 2, b"".join(b"\x00" + row.tobytes() for row in pixels))


def _interlaced_rgb(size: int = 3) -> bytes:
    """Adam7: seven passes, each a smaller image of every n-th pixel, each row with its filter byte."""
    pixels = RNG.integers(0, 256, size=(size, size, 3), dtype=np.uint8)
    passes = (
        (0, 0, 8, 8),
        (0, 4, 8, 8),
        (4, 0, 8, 4),
        (0, 2, 4, 4),
        (2, 0, 4, 2),
        (0, 1, 2, 2),
        (1, 0, 2, 1),
    )
    rows = b""
    for top, left, down, across in passes:
        part = pixels[top::down, left::across]
        if part.size:
            rows += b"".join(b"\x00" + row.tobytes() for row in part)
    return _png(size, size, 8, 2, rows, interlace=1)


def _raster(png: bytes) -> tuple[RasterImage, Image.Image]:
    image = RasterImage(Image.open(io.BytesIO(png)), "test", png)
    return image, Image.open(io.BytesIO(image.image_data.data))


def _embedded(pdf: bytes) -> list[tuple[bytes, np.ndarray]]:
    """Each image in the PDF: its stream as stored (still compressed) and its decoded pixels."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        found = {}
        for page in document.pages:
            for image in page.get_images().values():
                pixels = np.asarray(pikepdf.PdfImage(image).as_pil_image().convert("RGB"))
                found[image.objgen] = (image.read_raw_bytes(), pixels)
        return list(found.values())


def _eight_bit(colour: int, channels: int, width: int = 17, height: int = 12) -> bytes:
    """Rows unfiltered and deflated by zlib, unlike Pillow, so its encoding again would differ."""
    pixels = RNG.integers(0, 256, size=(height, width * channels), dtype=np.uint8)
    return _png(width, height, 8, colour, b"".join(b"\x00" + row.tobytes() for row in pixels))


@pytest.mark.parametrize(("colour", "channels"), [(2, 3), (0, 1)], ids=["RGB", "grey"])
def test_an_8_bit_png_goes_in_as_its_own_rows(colour: int, channels: int) -> None:
    png = _eight_bit(colour, channels)
    image, opened = _raster(png)
    assert RasterImage._get_png_data(opened) != _idat(png)  # WeasyPrint's own way encodes it again

    assert _png_rows(image, opened) == _idat(png)


@pytest.mark.parametrize(
    "png", [pytest.param(_sixteen_bit_rgb(), id="16-bit"), pytest.param(_interlaced_rgb(), id="interlaced")]
)
def test_a_png_whose_rows_a_pdf_cannot_read_goes_weasyprints_way(png: bytes) -> None:
    image, opened = _raster(png)
    assert opened.mode == "RGB"

    assert _png_rows(image, opened) == RasterImage._get_png_data(opened)
    assert _png_rows(image, opened) != _idat(png)


def test_the_colour_of_a_transparent_png_goes_weasyprints_way() -> None:
    png = _pillow_png(RNG.integers(0, 256, (6, 7, 3), dtype=np.uint8), "RGBA")
    image, opened = _raster(png)
    colour = opened.convert("RGB")  # as WeasyPrint hands it over, the alpha kept apart

    assert _png_rows(image, colour) == RasterImage._get_png_data(colour)


def test_the_records_chart_is_stored_as_drawn_and_shows_the_same_pixels(snapshot: dict[str, Any]) -> None:
    profile = snapshot_profile(snapshot)
    assert profile is not None
    chart = decile_chart_png(profile)

    images = _embedded(build_pdf(snapshot, chart_png=chart))

    drawn = np.asarray(Image.open(io.BytesIO(chart)).convert("RGB"))
    matching = [
        raw for raw, pixels in images if pixels.shape == drawn.shape and np.array_equal(pixels, drawn)
    ]
    assert matching == [_idat(chart)]


@pytest.mark.parametrize("png", [_sixteen_bit_rgb(40, 30), _interlaced_rgb(9)], ids=["16-bit", "interlaced"])
def test_a_logo_png_of_another_kind_shows_its_own_pixels(snapshot: dict[str, Any], png: bytes) -> None:
    import base64

    snapshot["organisation"]["logo_png"] = base64.b64encode(png).decode()
    wanted = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))

    images = _embedded(build_pdf(snapshot))

    assert any(pixels.shape == wanted.shape and np.array_equal(pixels, wanted) for _, pixels in images)
