"""Regenerating a frozen version gives the same bytes: in another process, and under concurrent requests."""

import base64
import hashlib
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hia_service.documents import build_docx, build_pdf
from hia_service.documents.sample import example_map_png

FIXTURE = Path(__file__).parents[2] / "unit" / "documents" / "fixtures" / "assessment_snapshot.json"
RENDER = """
import hashlib, json, sys
from hia_service.documents import build_docx, build_pdf
snapshot = json.loads(open(sys.argv[1], encoding="utf-8").read())
print(hashlib.sha256(build_pdf(snapshot)).hexdigest(), hashlib.sha256(build_docx(snapshot)).hexdigest())
"""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_another_process_renders_identical_bytes(snapshot):
    here = f"{_sha(build_pdf(snapshot))} {_sha(build_docx(snapshot))}"
    there = subprocess.run(
        [sys.executable, "-c", RENDER, str(FIXTURE)], capture_output=True, text=True, check=True, timeout=120
    )
    assert there.stdout.strip() == here


def test_an_svg_logo_renders_identical_bytes_in_another_process(snapshot, tmp_path):
    logo = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" '
        b'fill="#005eb8"/><text x="6" y="26" font-family="Arial" font-size="16">Northshire</text></svg>'
    )
    snapshot["organisation"]["logo_svg"] = base64.b64encode(logo).decode()
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(snapshot), encoding="utf-8")
    here = f"{_sha(build_pdf(snapshot))} {_sha(build_docx(snapshot))}"
    there = subprocess.run(
        [sys.executable, "-c", RENDER, str(path)], capture_output=True, text=True, check=True, timeout=120
    )
    assert there.stdout.strip() == here
    snapshot["organisation"]["logo_svg"] = None
    assert _sha(build_pdf(snapshot)) != here.split()[0]  # the logo is really on the page


def test_concurrent_renders_do_not_disturb_each_other(snapshot):
    map_png = example_map_png()
    expected = build_pdf(snapshot, map_png=map_png)
    snapshots = [json.loads(json.dumps(snapshot)) for _ in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda s: build_pdf(s, map_png=example_map_png()), snapshots))
    assert all(result == expected for result in results)
