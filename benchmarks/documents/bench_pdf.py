"""How long a signed assessment record takes to make, and how big it is.

Run: .venv/bin/python benchmarks/documents/bench_pdf.py [--repeat N]
Prints the median of N runs for each step beside two baselines measured in the same run: a one-page tagged
PDF/UA document from Typst with the record's font (the floor for any PDF made this way) and the record
without its chart and map (the cost of layout). Targets from issues 22 and 23: render and sign a full
assessment in under 500 ms (at most 1 s; the issue 7 target was 2 s); the PDF under 1 MB.
"""

import argparse
import dataclasses
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import typst

from hia_service.config import configured_rules_dir
from hia_service.documents import (
    build_docx,
    build_pdf,
    create_dev_certificate,
    decile_chart_png,
    decile_map_png,
    sign_pdf,
    verify_pdf,
)
from hia_service.documents.charts import CHARTS
from hia_service.documents.pdf import _fonts
from hia_service.documents.sample import example_authorities, example_geometries, example_snapshot
from hia_service.domain.rules import load_rules

TARGET_MS, LIMIT_MS, TARGET_BYTES = 500.0, 1000.0, 1024 * 1024
AUTHORITIES = ("Northshire", "Eastbridge", "Wolds Vale", "Kingsmoor")  # invented, as the neighbourhoods are


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--areas", type=int, default=300, help="neighbourhoods on the map (a large ICB-wide case)"
    )
    args = parser.parse_args()
    snapshot = full_snapshot()
    geometries = example_geometries(count=args.areas)
    authorities = example_authorities(geometries, AUTHORITIES)
    with tempfile.TemporaryDirectory() as folder:
        p12 = Path(folder) / "bench.p12"
        pem = create_dev_certificate(p12, "bench", snapshot["organisation"]["name"])
        start = time.perf_counter()  # nothing laid out or drawn in this process yet: Typst starts cold
        first = sign_pdf(
            build_pdf(snapshot, map_png=partial(decile_map_png, geometries, authorities=authorities)),
            p12,
            "bench",
        )
        first_ms = (time.perf_counter() - start) * 1000
        rows = _measure(snapshot, geometries, authorities, p12, pem, args.repeat)
    _print(rows, args.repeat)
    print(
        f"the first record in a new process (Typst, fonts and matplotlib cold): {first_ms:.0f} ms, "
        f"{len(first) / 1024:.0f} KB"
    )


def full_snapshot() -> dict[str, Any]:
    """The example assessment on the whole current framework (rules/), every group answered: the
    longest record the service makes today."""
    snapshot = example_snapshot()
    framework = load_rules(configured_rules_dir()).framework()
    snapshot["framework"] = json.loads(json.dumps(dataclasses.asdict(framework), default=str))
    for question in framework.questions():
        if question.type == "impact":
            snapshot["answers"].setdefault(question.id, "neutral")
        elif question.id.endswith(".evidence"):
            snapshot["answers"].setdefault(question.id, "No difference expected from what we know locally.")
    return snapshot


def _measure(
    snapshot: dict[str, Any], geometries: list, authorities: list, p12: Path, pem: bytes, repeat: int
) -> list[tuple]:
    def draw_map() -> bytes:
        return decile_map_png(geometries, authorities=authorities)

    def full() -> bytes:
        """As an approval job does it: the map drawn while Typst lays the record out (with its chart,
        which it draws itself) in another thread, from a stand-in of the map."""
        pdf = build_pdf(snapshot, map_png=draw_map)
        return sign_pdf(pdf, p12, "bench")

    def full_in_turn() -> bytes:
        """The same, one step after another: the map drawn, then the record laid out."""
        pdf = build_pdf(snapshot, map_png=draw_map())
        return sign_pdf(pdf, p12, "bench")

    map_png = draw_map()
    unsigned = build_pdf(snapshot, map_png=map_png)
    signed = sign_pdf(unsigned, p12, "bench")
    steps: list[tuple[str, Callable[[], bytes | None]]] = [
        ("baseline: one-page tagged PDF (Typst)", _minimal_pdf),
        ("baseline: record without chart or map", lambda: build_pdf(snapshot, chart_png=b"")),
        ("chart as a picture (matplotlib; Word copy)", lambda: _first_chart(snapshot)),
        (
            f"decile map, {len(geometries)} areas (matplotlib)",
            lambda: map_png if decile_map_png(geometries) else None,
        ),
        (f"  the same, {len(authorities)} authorities outlined", draw_map),
        ("record with chart and map (unsigned)", lambda: build_pdf(snapshot, map_png=map_png)),
        ("sign (PAdES B-B, RSA 3072)", lambda: sign_pdf(unsigned, p12, "bench")),
        ("verify", lambda: signed if verify_pdf(signed, [pem]).genuine else None),
        ("  the same, drawing and layout in turn", full_in_turn),
        ("RENDER + SIGN, full (chart, map, sign)", full),
        ("Word copy (.docx)", lambda: build_docx(snapshot, map_png=map_png)),
    ]
    return [(name, *_time(step, repeat)) for name, step in steps]


def _first_chart(snapshot: dict[str, Any]) -> bytes:
    CHARTS.clear()
    return decile_chart_png(snapshot["profile"])


def _minimal_pdf() -> bytes:
    source = (
        b'#set document(title: "HIA")\n#set text(font: "Liberation Sans", lang: "en", region: "GB")\n'
        b"Health inequalities impact assessment HIA-2026-0042 v3"
    )
    pdf = typst.Compiler(source, font_paths=_fonts()).compile(format="pdf", pdf_standards=["ua-1"])
    assert isinstance(pdf, bytes)
    return pdf


def _time(step: Callable[[], bytes | None], repeat: int) -> tuple[float, int]:
    step()  # warm up: imports, fonts, matplotlib caches
    timings, output = [], b""
    for _ in range(repeat):
        start = time.perf_counter()
        output = step() or b""
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), len(output)


def _print(rows: list[tuple[str, float, int]], repeat: int) -> None:
    floor_ms, floor_bytes = rows[0][1], rows[0][2]
    layout_ms = rows[1][1]
    print(f"median of {repeat} runs")
    print(f"{'step':46} {'ms':>8} {'KB':>8} {'x 1-page':>9} {'x no-figs':>9}")
    for name, ms, size in rows:
        print(f"{name:46} {ms:8.1f} {size / 1024:8.1f} {ms / floor_ms:9.1f} {ms / layout_ms:9.2f}")
    full_ms, full_bytes = next((ms, size) for name, ms, size in rows if name.startswith("RENDER + SIGN"))
    print()
    verdict = {True: "OK", False: "OVER"}
    within = "OK" if full_ms < TARGET_MS else ("WITHIN LIMIT" if full_ms < LIMIT_MS else "OVER")
    print(f"render + sign: {full_ms:.0f} ms (target < {TARGET_MS:.0f} ms, limit {LIMIT_MS:.0f} ms): {within}")
    print(f"signed PDF: {full_bytes / 1024:.0f} KB (target < 1024 KB): {verdict[full_bytes < TARGET_BYTES]}")
    print(f"size against the one-page document: {full_bytes / floor_bytes:.0f}x")


if __name__ == "__main__":
    main()
