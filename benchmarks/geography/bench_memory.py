"""Memory of the geography engine alone with the reference data loaded (resident set size).

Run: .venv/bin/python benchmarks/geography/bench_memory.py
Starts a fresh Python process that loads the engine for the current snapshot and profiles a local authority,
an ICB-sized shape by both methods and a list of postcodes (so lazy caches and memory maps are touched), then
reports its RSS. Beside it, in the same run, a process holding the same data the naive way: geopandas
boundaries plus pandas index, population, lookup and Code-Point tables. Target (issue 3): under 600 MB RSS.
A real gunicorn worker holds more (Flask, SQLAlchemy, the rules, the PDF libraries): benchmarks/web/
bench_postgis.py reports each worker's RSS after its warm-up.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from harness import REFERENCE_DIR, data_dir

OURS = """
from hia_service.reference.snapshot import load_engine
engine = load_engine({data_dir!r})
for release in engine.releases:
    engine.baselines(engine.release(release))
engine.profile({{"type": "lad", "codes": ["E06000009"]}})
circle = {{"type": "point_radius", "latitude": 53.8, "longitude": -1.55, "radius_km": 25}}
engine.profile(circle)
engine.profile({{**circle, "method": "area"}})
engine.profile({{"type": "postcodes", "postcodes": ["SW1A 2AA", "TS1 2AA"] * 50_000}})
"""

NAIVE = """
import geopandas as gpd, pandas as pd
R = {reference!r}
boundaries = gpd.read_file("/vsigzip/" + R + "/lsoa21_boundaries_ew_bgc.geojson.gz").to_crs(27700)
tables = [pd.read_csv(R + "/" + name) for name in ("iod2025_england_lsoa21.csv",
          "lsoa21_population_census2021_ew.csv.gz", "lsoa21_sicbl24_icb24_lad24_en.csv.gz",
          "codepoint_open_gb_postcodes.csv.gz")]
"""

REPORT = """
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print(int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024)
"""


def measure(code: str) -> tuple[float, float]:
    output = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code) + REPORT], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(output[-2]), float(output[-1])


def main() -> None:
    ours, ours_peak = measure(OURS.format(data_dir=str(data_dir())))
    naive, naive_peak = measure(NAIVE.format(reference=str(REFERENCE_DIR)))
    verdict = "met" if ours < 600 else "MISSED"
    # The engine alone in a bare Python process: a gunicorn worker also holds Flask, SQLAlchemy, the rules
    # and the PDF libraries (benchmarks/web/bench_postgis.py measures real workers).
    print(
        f"Engine alone, all releases loaded and used: {ours:6.0f} MB (peak {ours_peak:.0f})   "
        f"naive {naive:6.0f} MB "
        f"(peak {naive_peak:.0f})   naive/ours {naive / ours:4.1f}  (target < 600 MB: {verdict})"
    )


if __name__ == "__main__":
    main()
