"""build_pdf: the assessment record for board papers, A4, in the NHS.UK style, as a tagged PDF.

The blocks become HTML and a print stylesheet (templates/documents/record_pdf.*), which WeasyPrint lays
out as a tagged PDF: PDF/UA-1 (ISO 14289-1) for screen readers and PDF/A-2a for keeping. ReportLab's
open-source toolkit, which drew the record before, cannot write a structure tree (only the commercial
ReportLab PLUS tags PDFs), so a screen reader got an unstructured stream.

Output is deterministic: the snapshot's own date, fixed file identifiers derived from the content, and no
random ids mean that rendering the same frozen version twice gives the same bytes.
"""

import base64
import binascii
import gc
import io
import logging
import struct
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache, lru_cache, partial
from typing import Any

import pydyf
from PIL import Image, UnidentifiedImageError
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.html import UA_COUNTER_STYLE
from weasyprint.images import RasterImage
from weasyprint.urls import URLFetcher, URLFetcherResponse

from hia_service.domain.branding import LogoError, check_logo

from .aside import Aside
from .blocks import Block
from .charts import CHART_PIXELS, MAP_PIXELS, decile_chart_png, known_chart_png, remember_chart_png
from .content import assessment_blocks
from .errors import SnapshotError
from .metadata import DocumentInfo, SignatureBox
from .pdf_html import PAGE_HEIGHT_PT, TEMPLATES, Logo, Page, data_uri, record_html
from .pdf_tagging import finish
from .snapshot import check_snapshot, document_info, generated_at, snapshot_profile
from .wording import marks

log = logging.getLogger(__name__)
# What WeasyPrint's pdf/ua-1 and pdf/a-2a variants both set; pdf_tagging.finish adds the rest of each.
PDF_OPTIONS = {"pdf_version": "1.7", "pdf_tags": True, "pdf_identifier": True}
_PX_TO_PT = 0.75  # CSS pixels (1/96 in) to PDF points (1/72 in)


class _Deflate:
    """zlib for pydyf, which WeasyPrint writes PDFs with: pydyf deflates every stream at level 9 and has
    no setting for it. zlib's default level 6 makes a record about 2% bigger in about 45 ms less."""

    compress = staticmethod(zlib.compress)

    @staticmethod
    def compressobj(level: int = zlib.Z_DEFAULT_COMPRESSION, *args: Any, **kwargs: Any) -> Any:
        return zlib.compressobj(min(level, 6), *args, **kwargs)


pydyf.zlib = _Deflate


def build_pdf(
    snapshot: Mapping[str, Any],
    *,
    map_png: bytes | Callable[[], bytes] | None = None,
    chart_png: bytes | None = None,
) -> bytes:
    """Render a frozen assessment version as an unsigned PDF.

    chart_png defaults to decile_chart_png(snapshot["profile"]). map_png (from decile_map_png) is optional;
    it may be given as a function that draws it (decile_map_png with its arguments bound). Figures still
    to draw are drawn in a child process while the record is laid out (documents/aside.py).
    Approved, non-training documents get an empty space for the signature that sign_pdf fills in; every
    other document is marked "DRAFT — NOT APPROVED" and/or "TRAINING — NOT FOR DECISION" on every page.
    Raises SnapshotError when the snapshot is incomplete.
    """
    check_snapshot(snapshot)
    profile = snapshot_profile(snapshot)
    if chart_png is None and profile is not None and profile.population_by_decile:
        chart_png = known_chart_png(profile)  # None: still to draw
        draw_chart = chart_png is None
    else:
        draw_chart = False
    work = _Figures(
        chart=partial(decile_chart_png, profile) if draw_chart and profile is not None else None,
        map=map_png if callable(map_png) else None,
    )
    figures = Aside(work, fork=None if work else False)
    try:
        drawn, later = _figures_for_layout(work, figures)
        chart = chart_png if chart_png is not None else drawn[0]
        map_bytes = map_png if isinstance(map_png, bytes) else drawn[1]
        blocks = assessment_blocks(snapshot, chart_png=chart, map_png=map_bytes)
        info = document_info(snapshot)
        pdf = render_blocks(blocks, _page(snapshot, info), info, snapshot, figures if later else None, later)
        drawn_chart = figures.result()[0] if work.chart is not None else None
        if drawn_chart is not None and profile is not None:  # so this process's next record draws nothing
            remember_chart_png(profile, drawn_chart)
        return pdf
    finally:
        figures.close()


@dataclass(frozen=True)
class _Figures:
    """What a record still has to draw, run together (in one child process when forked)."""

    chart: Callable[[], bytes] | None
    map: Callable[[], bytes] | None

    def __bool__(self) -> bool:
        return self.chart is not None or self.map is not None

    def __call__(self) -> tuple[bytes | None, bytes | None]:
        return (self.chart() if self.chart else None, self.map() if self.map else None)


def _figures_for_layout(
    work: _Figures, figures: Aside[tuple[bytes | None, bytes | None]]
) -> tuple[tuple[bytes | None, bytes | None], dict[int, int]]:
    """The chart and map to lay out: blank placeholders of their size while a child draws them (with the
    id of each placeholder -> its place in the child's answer), else the figures themselves."""
    if not figures.forked:
        return figures.result(), {}
    drawn = (
        _placeholder(CHART_PIXELS) if work.chart else None,
        _placeholder(MAP_PIXELS) if work.map else None,
    )
    return drawn, {id(png): place for place, png in enumerate(drawn) if png is not None}


def render_blocks(
    blocks: list[Block],
    page: Page,
    info: DocumentInfo,
    snapshot: Mapping[str, Any],
    figures: Aside[tuple[bytes | None, bytes | None]] | None = None,
    later: Mapping[int, int] | None = None,
) -> bytes:
    """Lay out blocks on NHS-styled A4 pages (separate from build_pdf so benchmarks can time layout alone).

    figures and later: figures being drawn elsewhere while this lays out blank placeholders of the same
    size (later maps each placeholder's id to its place in the figures' answer); each placeholder's
    pixels are swapped for the drawn figure's before the PDF is written."""
    images: dict[str, bytes] = {}
    html = record_html(blocks, page, images)
    with gc_paused():
        cache: dict[str, Any] = {}
        document = RecordHTML(string=html, url_fetcher=FigureFetcher(images)).render(cache=cache)
        if figures is not None and later:
            drawn = figures.result()
            swaps = {url: drawn[later[id(png)]] for url, png in images.items() if id(png) in later}
            if not _swap_images(cache, swaps):
                log.warning("A drawn figure did not fit its placeholder; laying the record out again")
                images.update({url: png for url, png in swaps.items() if png is not None})
                cache = {}
                document = RecordHTML(string=html, url_fetcher=FigureFetcher(images)).render(cache=cache)
        _embed_pngs_as_they_are(cache)
        box = signature_box(document) if info.approved and not info.training else None
        created = generated_at(snapshot)
        metadata = document.metadata
        metadata.keywords = [replace(info, signature_box=box).to_keywords()]
        metadata.created = metadata.modified = created.isoformat(timespec="seconds")
        metadata.lang = "en-GB"
        return bytes(document.write_pdf(finisher=partial(finish, created=created), **PDF_OPTIONS))


def _swap_images(cache: dict[str, Any], swaps: Mapping[str, bytes | None]) -> bool:
    """Give each placeholder image WeasyPrint loaded the drawn figure's pixels; False (nothing changed)
    unless every one is the same size and colour mode as its placeholder."""
    checked = []
    for url, png in swaps.items():
        image = cache.get(url)
        if png is None or image is None:
            return False
        with Image.open(io.BytesIO(png)) as drawn:
            if (drawn.width, drawn.height, drawn.mode) != (image.width, image.height, image.mode):
                return False
        checked.append((image, png))
    for image, png in checked:
        image.image_data = image.cache_image_data(png)  # WeasyPrint reads it when the PDF is written
    return True


def _embed_pngs_as_they_are(cache: Mapping[str, Any]) -> None:
    """Let each PNG the record laid out go into the PDF as its compressed rows are. WeasyPrint decodes every
    PNG and encodes it again just to take those rows out: about 60 ms for a record's chart and map. Only
    8-bit, non-interlaced RGB or grey PNGs qualify (their rows are what the PDF's PNG predictor reads);
    anything else (a logo with 16 bits or transparency, say) goes WeasyPrint's own way."""
    for image in cache.values():
        if isinstance(image, RasterImage):
            image._get_png_data = partial(_png_rows, image)  # WeasyPrint has no option for it


def _png_rows(image: RasterImage, pillow_image: Image.Image) -> bytes:
    """The concatenated IDAT data of image's PNG when pillow_image is that PNG as it stands, else what
    WeasyPrint would give."""
    png = image.image_data.data
    if not (isinstance(png, bytes) and pillow_image.format == "PNG" and _plain_png(png, pillow_image)):
        return bytes(RasterImage._get_png_data(pillow_image))
    rows, at = [], 8  # after the signature
    while at + 8 <= len(png):
        (length,) = struct.unpack_from("!I", png, at)
        if png[at + 4 : at + 8] == b"IDAT":
            rows.append(png[at + 8 : at + 8 + length])
        at += 12 + length  # length, type, data, CRC
    return b"".join(rows)


def _plain_png(png: bytes, pillow_image: Image.Image) -> bool:
    """Whether the PNG's header says 8-bit RGB or grey, not interlaced, the size and kind Pillow opened."""
    if len(png) < 33 or png[12:16] != b"IHDR":
        return False
    width, height, depth, colour, _, _, interlace = struct.unpack_from("!IIBBBBB", png, 16)
    modes = {2: "RGB", 0: "L"}
    return (
        depth == 8
        and interlace == 0
        and modes.get(colour) == pillow_image.mode
        and (width, height) == pillow_image.size
    )


@lru_cache(maxsize=4)
def _placeholder(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector while WeasyPrint works. Layout makes hundreds of thousands of
    short-lived objects, so the collector ran many full passes over the whole worker's heap: about 15%
    of a record's time. Reference counting still frees most of it; the cycles left (boxes point at their
    parents) go at the next ordinary collection after the render."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class FigureFetcher(URLFetcher):
    """Serves the record's figures by name and data: URIs; the record fetches nothing else (no files,
    no network), whatever its text says."""

    def __init__(self, figures: Mapping[str, bytes]) -> None:
        super().__init__(allowed_protocols=("data",))
        self._figures = figures

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url in self._figures:
            return URLFetcherResponse(url, self._figures[url], headers={"Content-Type": "image/png"})
        return super().fetch(url, headers)


class RecordHTML(HTML):
    """WeasyPrint's HTML with the user-agent stylesheet cut down to the elements the record uses."""

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [_record_ua()]


@cache
def _record_ua() -> CSS:
    return CSS(filename=str(TEMPLATES / "record_ua.css"), counter_style=UA_COUNTER_STYLE)


def signature_box(document: Document) -> SignatureBox | None:
    """Where the empty signature space landed: page index and rectangle in PDF points (origin bottom left)."""
    for index, page in enumerate(document.pages):
        for box in page._page_box.descendants():  # WeasyPrint's laid-out boxes; no public API for this
            element = getattr(box, "element", None)
            if element is None or element.get("id") != "signature-space" or box.element_tag != "div":
                continue
            x, y = box.border_box_x() * _PX_TO_PT, box.border_box_y() * _PX_TO_PT
            width, height = box.border_width() * _PX_TO_PT, box.border_height() * _PX_TO_PT
            return SignatureBox(index, x, PAGE_HEIGHT_PT - y - height, x + width, PAGE_HEIGHT_PT - y)
    return None


def _page(snapshot: Mapping[str, Any], info: DocumentInfo) -> Page:
    organisation = snapshot["organisation"]
    return Page(
        title=snapshot["title"],
        organisation=organisation["name"],
        label=info.label,
        marks=marks(training=info.training, approved=info.approved),
        logo=_logo(organisation.get("logo_png")) or _svg_logo(organisation.get("logo_svg")),
        address=organisation.get("address") or None,
    )


def _decoded(value: bytes | str, what: str) -> bytes:
    try:
        return value if isinstance(value, bytes) else base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as error:
        raise SnapshotError(f"The organisation's {what} should be base64 text in JSON.") from error


def _logo(value: bytes | str | None) -> Logo | None:
    """The organisation's PNG logo, checked to be a readable image."""
    if not value:
        return None
    data = _decoded(value, "logo")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise SnapshotError("The organisation's logo should be a PNG image (base64 text in JSON).") from error
    return Logo.fitted(data_uri(data, "image/png"), width, height)


def _svg_logo(value: bytes | str | None) -> Logo | None:
    """The SVG logo, only when it passes the same check as an upload (no scripts, no
    references outside the file); otherwise the record goes without it and the log says why."""
    if not value:
        return None
    data = _decoded(value, "SVG logo")
    try:
        checked = check_logo(data)
        if checked.kind != "svg":
            raise LogoError("it is not an SVG")
    except LogoError as error:
        log.warning("SVG logo left off the PDF: it fails the logo check (%s)", error)
        return None
    return Logo.fitted(data_uri(data, "image/svg+xml"), checked.width, checked.height)
