"""The logo is checked from its bytes: real type, size in bytes and pixels, and SVGs that can only draw."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from hia_service.domain.branding import MAX_LOGO_BYTES, LogoError, check_logo


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (0, 94, 184)).save(buffer, format="PNG")
    return buffer.getvalue()


def svg(body: str = "", attributes: str = 'width="120" height="40"') -> bytes:
    return f'<svg xmlns="http://www.w3.org/2000/svg" {attributes}>{body}</svg>'.encode()


def test_a_png_is_measured_from_its_header() -> None:
    logo = check_logo(png(240, 80))
    assert (logo.kind, logo.width, logo.height) == ("png", 240, 80)


@pytest.mark.parametrize(
    ("attributes", "size"),
    [
        ('width="120" height="40"', (120, 40)),
        ('width="120px" height="40px"', (120, 40)),
        ('viewBox="0 0 300 100"', (300, 100)),
    ],
)
def test_a_plain_svg_is_accepted_with_its_size(attributes: str, size: tuple[int, int]) -> None:
    logo = check_logo(svg('<rect width="10" height="10" fill="#005eb8"/><use href="#a"/>', attributes))
    assert (logo.kind, logo.width, logo.height) == ("svg", *size)


REFUSED = [
    (b"", "The selected file is empty"),
    (b"\0" * (MAX_LOGO_BYTES + 1), "must be smaller than 500 KB"),
    (b"GIF89a" + b"\0" * 20, "The logo must be a PNG or SVG image"),
    (b"\xff\xd8\xff\xe0" + b"\0" * 20, "The logo must be a PNG or SVG image"),  # a JPEG named .png
    (b"\x89PNG\r\n\x1a\n\0\0\0\rJUNK", "The PNG file is damaged"),
    (png(2001, 100), "at most 2000 pixels on each side (this one is 2001 by 100)"),
    (png(300, 10), "at least 16 pixels on each side"),
    (svg("<script>alert(1)</script>"), "contains a <script> element"),
    (svg("<foreignObject><p>x</p></foreignObject>"), "contains a <foreignobject> element"),
    (svg('<rect width="1" height="1" onclick="x()"/>'), "'onclick' attribute"),
    (svg('<image href="https://example.com/a.png"/>'), "refers to something outside the file"),
    (
        svg('<image xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="file:///etc/passwd"/>'),
        "refers to something outside the file",
    ),
    # svglib would read these two: an embedded picture (data: URI) and a file beside the SVG
    (svg('<image href="data:image/png;base64,iVBORw0KGgo=" width="9" height="9"/>'), "outside the file"),
    (svg('<use href="other.svg#logo"/>'), "refers to something outside the file"),
    (svg('<rect style="fill: url(https://x.example/f.svg#a)"/>'), "style refers to something outside"),
    (svg("<style>@import 'https://x.example/a.css';</style>"), "style refers to something outside"),
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>', "DOCTYPE or entity"),
    (b"<svg xmlns='http://www.w3.org/2000/svg' width='10'", "not well-formed XML"),
    (svg("", ""), "must say its size"),
    (svg("", 'width="5000" height="40"'), "at most 2000 pixels"),
]


@pytest.mark.parametrize(("data", "reason"), REFUSED)
def test_bad_logos_are_refused_with_the_reason(data: bytes, reason: str) -> None:
    with pytest.raises(LogoError) as refused:
        check_logo(data)
    assert reason in str(refused.value)
