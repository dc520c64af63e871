"""The record's map is drawn in a forked child process while this one draws the chart and lays the record
out from a stand-in of the map's size; the drawn pixels must be the ones in the PDF. Also the QR code's
path (runs of modules, not one square each), and that nothing typed into an assessment is read as Typst
markup."""

import io
import logging
import re
import threading
from functools import partial
from typing import Any

import numpy as np
import pikepdf
import pytest
from PIL import Image
from reportlab.graphics.barcode import qrencoder

from hia_service.documents import aside, build_pdf
from hia_service.documents.aside import Aside
from hia_service.documents.charts import (
    CHARTS,
    MAP_PIXELS,
    decile_chart_png,
    decile_map_png,
    known_chart_png,
)
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


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """The record forks as it would in a worker: the suite's process may hold an idle thread of another
    test's (the object store server, the rate limiter's timer), which makes it draw inline instead."""
    monkeypatch.setattr(aside, "can_fork", lambda: True)


def test_figures_drawn_aside_are_the_ones_in_the_pdf(snapshot: dict[str, Any], forking: None) -> None:
    profile = snapshot_profile(snapshot)
    assert profile is not None
    geometries = example_geometries(count=40)
    chart, drawn_map = decile_chart_png(profile), decile_map_png(geometries)
    assert Aside(lambda: 1).forked

    pdf = build_pdf(snapshot, map_png=partial(decile_map_png, geometries))

    images = _embedded_images(pdf)
    assert _contains(images, chart)
    assert _contains(images, drawn_map)
    assert pdf == build_pdf(snapshot, map_png=drawn_map, chart_png=chart), "same bytes as drawn in turn"


def test_a_map_of_another_size_is_laid_out_again_not_squeezed(
    snapshot: dict[str, Any], caplog: pytest.LogCaptureFixture, forking: None
) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (MAP_PIXELS[0], MAP_PIXELS[1] // 2), "#31688E").save(buffer, format="PNG")
    odd = buffer.getvalue()

    with caplog.at_level(logging.WARNING, logger="hia_service.documents.pdf"):
        pdf = build_pdf(snapshot, map_png=lambda: odd)

    assert "not the size of its stand-in" in caplog.text

    assert _contains(_embedded_images(pdf), odd)
    assert pdf == build_pdf(snapshot, map_png=odd)


def test_a_figure_that_fails_in_the_child_fails_the_ordinary_way(
    snapshot: dict[str, Any], forking: None
) -> None:
    def no_boundaries() -> bytes:
        return decile_map_png([])

    with pytest.raises(Exception, match="no neighbourhood boundaries"):
        build_pdf(snapshot, map_png=no_boundaries)


def test_a_process_with_another_thread_draws_inline() -> None:
    release = threading.Event()
    waiting = threading.Thread(target=release.wait)
    waiting.start()
    try:
        assert not aside.can_fork()
        assert not Aside(lambda: 1).forked
    finally:
        release.set()
        waiting.join()


def test_aside_gives_the_childs_answer_or_does_the_work_itself() -> None:
    parent = __import__("os").getpid()
    forked = Aside(lambda: __import__("os").getpid(), fork=True)
    assert forked.forked
    assert forked.result() != parent
    assert forked.result() == forked.result()  # asked twice, answered once

    inline = Aside(lambda: __import__("os").getpid(), fork=False)
    assert not inline.forked
    assert inline.result() == parent

    def fails() -> int:
        raise ValueError("drawing failed")

    failing = Aside(fails, fork=True)
    with pytest.raises(ValueError, match="drawing failed"):
        failing.result()

    unused = Aside(lambda: b"x" * 2_000_000, fork=True)  # more than even a widened pipe holds
    unused.close()  # reaped, not left waiting to write


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


def test_a_chart_drawn_in_the_child_is_kept_for_this_process_next_record(snapshot: dict[str, Any]) -> None:
    profile = snapshot_profile(snapshot)
    assert profile is not None
    CHARTS.clear()
    build_pdf(snapshot)
    kept = known_chart_png(profile)
    CHARTS.clear()
    assert kept is not None and kept == decile_chart_png(profile)
