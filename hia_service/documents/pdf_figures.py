"""The record's pictures (the map; a chart given as a PNG) go into the PDF as their PNG rows are.

Typst decodes every PNG it lays out and compresses the pixels again. For our figures that is wasted work:
a PDF reads a PNG's compressed rows directly (FlateDecode with the PNG predictor). So Typst lays out a
stand-in of each figure instead, a PNG of the same size in one colour that says which figure it stands for,
and finish() puts the figure's own rows in its place. It also means a figure still being drawn (the map,
while Typst lays out in another thread) need not be finished before layout starts, only before the PDF is.

Only 8-bit RGB, non-interlaced PNGs qualify (what charts.py writes); any other goes to Typst as it is.
"""

import io
import struct
import zlib
from collections.abc import Mapping
from functools import lru_cache

import pikepdf
from PIL import Image

_MARK = (0xA5, 0x5A)  # a stand-in's colour is (0xA5, 0x5A, its number): a real figure's first pixel is not


def plain_png_size(png: bytes) -> tuple[int, int] | None:
    """(width, height) when png is an 8-bit RGB, non-interlaced PNG whose rows a PDF can read, else None."""
    if len(png) < 33 or png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        return None
    width, height, depth, colour, _, _, interlace = struct.unpack_from("!IIBBBBB", png, 16)
    return (width, height) if depth == 8 and colour == 2 and interlace == 0 else None


@lru_cache(maxsize=32)
def stand_in(size: tuple[int, int], number: int) -> bytes:
    """A PNG of size in the colour that marks figure number (0-255)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (*_MARK, number)).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def put_figures(document: pikepdf.Pdf, figures: Mapping[int, bytes]) -> None:
    """Put each figure's rows in place of the image Typst made from its stand-in (figure number -> PNG).
    Raises ValueError when a figure has no stand-in in the document, or not one of its size."""
    left = dict(figures)
    for image in _images(document):
        number = _stand_in_number(image)
        if number is None or number not in left:
            continue
        png = left.pop(number)
        size = plain_png_size(png)
        if size != (int(image.Width), int(image.Height)):
            raise ValueError(f"Figure {number} is not the size of its stand-in.")
        image.write(
            _rows(png),
            filter=pikepdf.Name.FlateDecode,
            decode_parms=pikepdf.Dictionary(Predictor=15, Colors=3, BitsPerComponent=8, Columns=size[0]),
        )
    if left:
        raise ValueError(f"No stand-in was laid out for figure(s) {sorted(left)}.")


def _images(document: pikepdf.Pdf) -> list[pikepdf.Stream]:
    return [
        item
        for item in document.objects
        if isinstance(item, pikepdf.Stream) and item.get(pikepdf.Name.Subtype) == pikepdf.Name.Image
    ]


def _stand_in_number(image: pikepdf.Stream) -> int | None:
    """The figure number a stand-in's first pixel gives, or None for any other image."""
    if image.get(pikepdf.Name.Filter) != pikepdf.Name.FlateDecode or pikepdf.Name.DecodeParms in image:
        return None
    if image.get(pikepdf.Name.BitsPerComponent) != 8:
        return None
    try:
        first = zlib.decompressobj().decompress(image.read_raw_bytes(), 3)
    except zlib.error:
        return None
    return first[2] if len(first) == 3 and tuple(first[:2]) == _MARK else None


def _rows(png: bytes) -> bytes:
    """The concatenated IDAT data of a PNG: its filtered rows, deflated."""
    rows, at = [], 8  # after the signature
    while at + 8 <= len(png):
        (length,) = struct.unpack_from("!I", png, at)
        if png[at + 4 : at + 8] == b"IDAT":
            rows.append(png[at + 8 : at + 8 + length])
        at += 12 + length  # length, type, data, CRC
    return b"".join(rows)
