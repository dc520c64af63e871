"""Checks on an organisation's logo before it goes on documents. Pure: bytes in, facts or a reason out.

The type is sniffed from the bytes, never taken from the file name. An SVG is accepted only when it can do
nothing but draw: no scripts, no event handlers, no references outside the file, no DTD (entity tricks),
and little enough to draw: at most MAX_SVG_ELEMENTS elements, and with every <use> copied out (a <use> of a
group of <use>s of ... multiplies, the SVG form of "billion laughs") at most MAX_DRAWN_ELEMENTS, nested at
most MAX_USE_DEPTH deep."""

from __future__ import annotations

import math
import re
import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass

MAX_LOGO_BYTES = 500_000
MAX_LOGO_PIXELS = 2000  # each side
MIN_LOGO_PIXELS = 16
MAX_SVG_ELEMENTS = 3000  # a detailed crest is a few hundred
MAX_DRAWN_ELEMENTS = 10_000  # elements once every <use> is copied out
MAX_USE_DEPTH = 4  # a <use> of something that itself holds a <use>, and so on
MAX_NESTING = 100  # elements inside elements
TOO_COMPLEX = (
    "The SVG logo is too complicated to draw on documents. Save it as a simpler SVG (for example with "
    "'outline text' and without repeated copies of copies), or as a PNG, and upload it again"
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_FORBIDDEN_ELEMENTS = {"script", "foreignobject", "iframe", "object", "embed", "audio", "video"}
_URL_IN_CSS = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$")


class LogoError(ValueError):
    """Why a logo was refused, in words fit to show the admin."""


@dataclass(frozen=True)
class Logo:
    kind: str  # "png" | "svg"
    width: int
    height: int


def check_logo(data: bytes) -> Logo:
    if not data:
        raise LogoError("The selected file is empty")
    if len(data) > MAX_LOGO_BYTES:
        raise LogoError(
            f"The logo must be smaller than {MAX_LOGO_BYTES // 1000} KB (this one is {len(data) // 1000} KB)"
        )
    if data.startswith(PNG_SIGNATURE):
        logo = _png(data)
    elif _looks_like_svg(data):
        logo = _svg(data)
    else:
        raise LogoError("The logo must be a PNG or SVG image; this file is neither, whatever its name says")
    _check_pixels(logo)
    return logo


def _png(data: bytes) -> Logo:
    # The first chunk of every PNG is IHDR: length, "IHDR", width, height (big-endian).
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise LogoError("The PNG file is damaged: it has no image header")
    width, height = struct.unpack(">II", data[16:24])
    return Logo("png", width, height)


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1000].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")) and b"<svg" in data[:5000].lower()


def _svg(data: bytes) -> Logo:
    if b"<!doctype" in data.lower() or b"<!entity" in data.lower():
        raise LogoError("The SVG logo must not contain a DOCTYPE or entity declarations")
    try:
        root = ET.fromstring(data)
    except (ET.ParseError, LookupError):  # LookupError: an XML declaration naming an unknown encoding
        raise LogoError("The SVG logo is not well-formed XML, so it cannot be read") from None
    if _local(root.tag) != "svg":
        raise LogoError("The SVG file does not start with an <svg> element")
    elements = list(root.iter())
    if len(elements) > MAX_SVG_ELEMENTS:
        raise LogoError(TOO_COMPLEX)
    for element in elements:
        _check_element(element)
    _check_drawn_size(root, elements)
    return Logo("svg", *_svg_size(root))


def _check_drawn_size(root: ET.Element, elements: list[ET.Element]) -> None:
    """Count the elements a renderer would draw with every <use> replaced by what it points at, without
    copying anything: refused when too many, nested too deep, or a <use> that (in the end) uses itself."""
    stack = [(root, 1)]
    while stack:  # nesting first (without recursion), so the count below cannot recurse too deep
        element, level = stack.pop()
        if level > MAX_NESTING:
            raise LogoError(TOO_COMPLEX)
        stack.extend((child, level + 1) for child in element)
    by_id = {element.get("id"): element for element in elements if element.get("id")}
    memo: dict[int, tuple[int, int]] = {}  # id(element) -> (elements drawn, <use> depth below it)
    visiting: set[int] = set()

    def drawn(element: ET.Element, uses_above: int) -> tuple[int, int]:
        # uses_above bounds the recursion: at most (MAX_USE_DEPTH + 1) * MAX_NESTING calls deep
        key = id(element)
        if key in visiting or uses_above > MAX_USE_DEPTH:
            raise LogoError(TOO_COMPLEX)  # a reference loop, or copies of copies nested too deep
        if key not in memo:
            visiting.add(key)
            count, depth = 1, 0
            if _local(str(element.tag)) == "use":
                target = by_id.get(_href(element).lstrip("#"))
                if target is not None:
                    inner, inner_depth = drawn(target, uses_above + 1)
                    count, depth = count + inner, inner_depth + 1
            for child in element:
                inner, inner_depth = drawn(child, uses_above)
                count, depth = count + inner, max(depth, inner_depth)
            visiting.discard(key)
            memo[key] = (count, depth)
        count, depth = memo[key]
        if count > MAX_DRAWN_ELEMENTS or uses_above + depth > MAX_USE_DEPTH:
            raise LogoError(TOO_COMPLEX)
        return count, depth

    drawn(root, 0)


def _href(element: ET.Element) -> str:
    return next((value for name, value in element.attrib.items() if _local(name) == "href"), "").strip()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _check_element(element: ET.Element) -> None:
    name = _local(str(element.tag))
    if name in _FORBIDDEN_ELEMENTS:
        raise LogoError(
            f"The SVG logo contains a <{name}> element; logos must not contain scripts or embedded content"
        )
    for attribute, value in element.attrib.items():
        local = _local(attribute)
        if local.startswith("on"):
            raise LogoError(f"The SVG logo has a script in its '{local}' attribute; remove event handlers")
        if local == "href" and not value.strip().startswith("#"):
            raise LogoError(
                "The SVG logo refers to something outside the file (a link or image); "
                "it must be self-contained"
            )
        if _URL_IN_CSS.search(value):
            raise LogoError(
                "The SVG logo's style refers to something outside the file; it must be self-contained"
            )
    if name == "style" and (
        _URL_IN_CSS.search(element.text or "") or "@import" in (element.text or "").lower()
    ):
        raise LogoError(
            "The SVG logo's style refers to something outside the file; it must be self-contained"
        )


def _svg_size(root: ET.Element) -> tuple[int, int]:
    width, height = _length(root.get("width")), _length(root.get("height"))
    if width is None or height is None:
        box = (root.get("viewBox") or "").replace(",", " ").split()
        if len(box) == 4:
            try:
                width, height = float(box[2]), float(box[3])
            except ValueError:
                width = height = None
    if not width or not height or not math.isfinite(width) or not math.isfinite(height):
        raise LogoError("The SVG logo must say its size: give it width and height in pixels, or a viewBox")
    return round(width), round(height)


def _length(value: str | None) -> float | None:
    match = _LENGTH.match(value or "")
    return float(match.group(1)) if match else None


def _check_pixels(logo: Logo) -> None:
    if max(logo.width, logo.height) > MAX_LOGO_PIXELS:
        raise LogoError(
            f"The logo must be at most {MAX_LOGO_PIXELS} pixels on each side "
            f"(this one is {logo.width} by {logo.height})"
        )
    if min(logo.width, logo.height) < MIN_LOGO_PIXELS:
        raise LogoError(
            f"The logo must be at least {MIN_LOGO_PIXELS} pixels on each side "
            f"(this one is {logo.width} by {logo.height})"
        )
