"""build_pdf: the assessment record for board papers, A4, in the NHS.UK style, as a tagged PDF.

The blocks become JSON for a Typst template (templates/documents/record.typ), which Typst lays out as a
tagged PDF: PDF/UA-1 (ISO 14289-1) for screen readers and PDF/A-2a for keeping, both checked by Typst as it
writes. pdf_tagging.finish then adds what Typst cannot yet say without an experimental switch (the names
of the facts as row headers) and where the signature space landed. Typst replaced WeasyPrint here: the same
record took WeasyPrint about 1.2-1.5 s to lay out and write on our slowest machine, and Typst 25-140 ms.

Output is deterministic: the snapshot's own date, file identifiers derived from the content, and no
random ids mean that rendering the same frozen version twice gives the same bytes.
"""

import base64
import binascii
import io
import json
import logging
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import typst
from PIL import Image, UnidentifiedImageError

from hia_service.domain.branding import LogoError, check_logo

from .blocks import Block
from .charts import MAP_PIXELS
from .content import assessment_blocks
from .errors import DocumentError, SnapshotError
from .metadata import DocumentInfo, SignatureBox
from .pdf_figures import plain_png_size, stand_in
from .pdf_layout import FIGURE_PREFIX, PAGE_HEIGHT_PT, SIGNATURE_MM, TEMPLATE, Logo, Page, record_document
from .pdf_tagging import finish
from .snapshot import check_snapshot, document_info, generated_at
from .wording import marks

log = logging.getLogger(__name__)
PDF_STANDARDS: "list[typst.PDFStandard]" = ["a-2a", "ua-1"]
FONT_FAMILY = "Liberation Sans"  # metric-compatible with Arial, the NHS.UK fallback for Frutiger
_MM_TO_PT = 72 / 25.4


def build_pdf(
    snapshot: Mapping[str, Any],
    *,
    map_png: bytes | Callable[[], bytes] | None = None,
    chart_png: bytes | None = None,
) -> bytes:
    """Render a frozen assessment version as an unsigned PDF.

    chart_png: None (the default) has the record draw the deprivation chart itself, in vectors; b"" leaves
    it out; a PNG goes in its place. map_png (from decile_map_png) is optional; it may be given as a
    function that draws it (decile_map_png with its arguments bound), which is then run here while Typst
    lays the record out in another thread from a stand-in of the map's size (Typst lets go of the GIL).
    Approved, non-training documents get an empty space for the signature that sign_pdf fills in; every
    other document is marked "DRAFT — NOT APPROVED" and/or "TRAINING — NOT FOR DECISION" on every page.
    Raises SnapshotError when the snapshot is incomplete.
    """
    check_snapshot(snapshot)
    info = document_info(snapshot)
    page = _page(snapshot, info)
    if not callable(map_png):
        return lay_out(
            assessment_blocks(snapshot, chart_png=chart_png, map_png=map_png), page, info, snapshot
        ).pdf()
    waiting = stand_in(MAP_PIXELS, 255)
    blocks = assessment_blocks(snapshot, chart_png=chart_png, map_png=waiting)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hia-record") as pool:
        laying_out = pool.submit(lay_out, blocks, page, info, snapshot)
        drawn = map_png()
        laid_out = laying_out.result()
    if laid_out.put(waiting, drawn):
        return laid_out.pdf()
    log.warning("The drawn map is not the size of its stand-in; laying the record out again")
    return lay_out(
        assessment_blocks(snapshot, chart_png=chart_png, map_png=drawn), page, info, snapshot
    ).pdf()


def warm_up() -> float:
    """Lay out the example record once, so that this process's first real record finds Typst's fonts,
    template and layout caches ready (on our slowest machine the first record took 0.8 s, later ones 0.3 s).
    Returns the milliseconds it took."""
    from .sample import example_snapshot

    started = time.perf_counter()
    build_pdf(example_snapshot())
    return (time.perf_counter() - started) * 1000


@dataclass
class LaidOut:
    """A record Typst has laid out, to be finished: its figures (by number) still to go in place of their
    stand-ins, and where the signature space landed."""

    unfinished: bytes
    info: DocumentInfo
    figures: dict[int, bytes]

    def put(self, stand_in: bytes, drawn: bytes) -> bool:
        """Give the figure laid out from stand_in (by identity) the drawn PNG; False when the drawn one is
        not the same size (lay the record out again with it)."""
        for number, png in self.figures.items():
            if png is stand_in:
                if plain_png_size(drawn) != plain_png_size(stand_in):
                    return False
                self.figures[number] = drawn
        return True

    def pdf(self) -> bytes:
        return finish(self.unfinished, keywords=self.info.to_keywords(), figures=self.figures)


def lay_out(blocks: list[Block], page: Page, info: DocumentInfo, snapshot: Mapping[str, Any]) -> LaidOut:
    """Lay out blocks on NHS-styled A4 pages. Each figure is laid out from a stand-in of its size and goes
    into the PDF as its PNG rows are, when the PDF is finished (pdf_figures.py)."""
    files: dict[str, bytes] = {}
    record = record_document(blocks, page, info.to_keywords(), files)
    figures: dict[int, bytes] = {}
    for name, png in list(files.items()):
        size = plain_png_size(png)
        if not name.startswith(FIGURE_PREFIX) or size is None or len(figures) == 255:
            continue  # Typst embeds it itself
        number = len(figures)
        files[name], figures[number] = stand_in(size, number), png
    created = generated_at(snapshot)
    signed = info.approved and not info.training
    with tempfile.TemporaryDirectory(prefix="hia-record-") as folder:
        root = Path(folder)
        shutil.copyfile(TEMPLATE, root / "record.typ")
        (root / "record.json").write_text(json.dumps(record), encoding="utf-8")
        for name, data in files.items():
            (root / name).write_bytes(data)
        compiler = typst.Compiler(str(root / "record.typ"), root=folder, font_paths=_fonts())
        try:
            # to the second, as a PDF date is written (Typst refuses microseconds)
            stamp = created.replace(microsecond=0)
            pdf = compiler.compile(format="pdf", pdf_standards=PDF_STANDARDS, timestamp=stamp)
            box = _signature_box(compiler) if signed else None
        except typst.TypstError as error:
            raise DocumentError(f"The record could not be laid out: {error.message}") from error
    if not isinstance(pdf, bytes):
        raise DocumentError("The record could not be laid out: Typst gave no PDF.")
    return LaidOut(pdf, replace(info, signature_box=box), figures)


def _signature_box(compiler: typst.Compiler) -> SignatureBox | None:
    """Where the empty signature space landed: page index and rectangle in PDF points (origin bottom left),
    from the position record.typ gives the space's top left corner."""
    found = json.loads(compiler.query("<signature-space>", field="value"))
    if len(found) != 1:
        return None
    where = found[0]
    x, top = _points(where["x"]), _points(where["y"])
    width, height = (size * _MM_TO_PT for size in SIGNATURE_MM)
    return SignatureBox(
        int(where["page"]) - 1, x, PAGE_HEIGHT_PT - top - height, x + width, PAGE_HEIGHT_PT - top
    )


def _points(length: str) -> float:
    if not length.endswith("pt"):
        raise DocumentError(f"Typst gave a position in an unexpected unit: {length!r}")
    return float(length[:-2])


@cache
def _fonts() -> typst.Fonts:
    """The record's fonts and no others, found once per process: a logo's text in a font we do not have
    falls back to them, never to whatever else the machine has."""
    folder = _font_folder()
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[folder])
    if FONT_FAMILY not in fonts.families():
        raise DocumentError(f"{FONT_FAMILY} was not found in {folder} (install fonts-liberation).")
    return fonts


def _font_folder() -> str:
    """Where fontconfig has Liberation Sans, else where Debian's fonts-liberation puts it."""
    fc_match = shutil.which("fc-match")
    if fc_match:
        found = subprocess.run(
            [fc_match, "--format=%{file}", FONT_FAMILY],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        ).stdout
        if found and "Liberation" in Path(found).name:
            return str(Path(found).parent)
    return "/usr/share/fonts/truetype/liberation"


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
            kind = (image.format or "").lower()
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise SnapshotError("The organisation's logo should be a PNG image (base64 text in JSON).") from error
    if kind not in ("png", "jpeg", "gif"):
        raise SnapshotError("The organisation's logo should be a PNG image (base64 text in JSON).")
    return Logo.fitted(data, "jpg" if kind == "jpeg" else kind, width, height)


def _svg_logo(value: bytes | str | None) -> Logo | None:
    """The SVG logo, only when it passes the same check as an upload (no scripts, no references outside
    the file) and Typst can draw it; otherwise the record goes without it and the log says why."""
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
    problem = _svg_problem(data)
    if problem:
        log.warning("SVG logo left off the PDF: it cannot be drawn (%s)", problem)
        return None
    return Logo.fitted(data, "svg", checked.width, checked.height)


def _svg_problem(data: bytes) -> str | None:
    """Why Typst cannot draw the SVG, or None: found by laying it out alone (a few milliseconds), so a
    logo it cannot read never stops a record."""
    with tempfile.TemporaryDirectory(prefix="hia-logo-") as folder:
        (Path(folder) / "logo.svg").write_bytes(data)
        source = (
            b'#set page(width: 50mm, height: 16mm, margin: 0pt)\n#image("/logo.svg", width: 100%, alt: "")'
        )
        try:
            typst.Compiler(source, root=folder, font_paths=_fonts()).compile(format="pdf")
        except typst.TypstError as error:
            return error.message
    return None
