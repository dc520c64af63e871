"""Full reference load: check all 15 files, build the snapshot, and read it back.

Run: .venv/bin/python benchmarks/geography/bench_load.py
Loads into a fresh temporary folder (no database: provenance rows are a few inserts) and times it once, beside
the naive way in the same run: geopandas reads the boundaries, reprojects them and sjoins every Code-Point
postcode to its LSOA, with pandas reading the index, population and lookup tables (the same derived
content, without the checks; it does less work, so expect it to be quicker).
Targets: a full load in under 2 minutes (issue 3); the loading process's peak memory (RSS) under 600 MB
(issue 23), printed beside the naive build's peak measured in a process of its own. The peak is also
measured as an operator meets it: `hia reference load` run as a command (the app's settings and database
too), into a fresh folder and a new SQLite database; the target applies to that figure.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
from harness import REFERENCE_DIR

from hia_service.reference.loader import load_reference
from hia_service.reference.snapshot import load_engine


def naive_build() -> int:
    boundaries = gpd.read_file(f"/vsigzip/{REFERENCE_DIR / 'lsoa21_boundaries_ew_bgc.geojson.gz'}").to_crs(
        27700
    )
    codepoint = pd.read_csv(REFERENCE_DIR / "codepoint_open_gb_postcodes.csv.gz")
    points = gpd.GeoDataFrame(
        codepoint, geometry=gpd.points_from_xy(codepoint.easting, codepoint.northing), crs=27700
    )
    placed = gpd.sjoin(points, boundaries[["LSOA21CD", "geometry"]], predicate="within")
    for name in (
        "iod2025_england_lsoa21.csv",
        "lsoa21_population_census2021_ew.csv.gz",
        "lsoa21_sicbl24_icb24_lad24_en.csv.gz",
        "iod2019_england_lsoa11.csv",
    ):
        pd.read_csv(REFERENCE_DIR / name)
    gpd.read_file(f"/vsigzip/{REFERENCE_DIR / 'lsoa11_boundaries_ew_bsc.geojson.gz'}").to_crs(27700)
    return len(placed)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _naive_in_own_process(answer: multiprocessing.Queue[tuple[float, float]]) -> None:
    started = time.perf_counter()
    naive_build()
    answer.put((time.perf_counter() - started, _peak_mb()))


def command_peak_mb() -> tuple[float, float]:
    """(peak RSS in MB, seconds) of `hia reference load` in a process of its own, after `hia db upgrade`."""
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("HIA_")},
            "HIA_ENV": "development",
            "HIA_DATA_DIR": folder,
            "HIA_DATABASE_URL": f"sqlite:///{folder}/hia.sqlite3",
        }
        hia = [sys.executable, "-c", "from hia_service.cli import main; main(prog_name='hia')"]
        subprocess.run([*hia, "db", "upgrade"], env=env, check=True, capture_output=True)
        started = time.perf_counter()
        load = subprocess.Popen(
            [*hia, "reference", "load", "--from", str(REFERENCE_DIR)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(load.pid, 0)
        load.returncode = os.waitstatus_to_exitcode(status)
        if load.returncode != 0:
            raise SystemExit(f"hia reference load failed (exit {load.returncode})")
        return usage.ru_maxrss / 1024, time.perf_counter() - started


def main() -> None:
    command_peak, command_seconds = command_peak_mb()
    with tempfile.TemporaryDirectory() as folder:
        prepared, seconds = load_reference(REFERENCE_DIR, Path(folder))
        load_peak = _peak_mb()  # this process has done nothing else yet: the load's own peak
        size = sum(f.stat().st_size for f in prepared.path.rglob("*") if f.is_file())
        started = time.perf_counter()
        engine = load_engine(Path(folder))
        read_ms = (time.perf_counter() - started) * 1000
        assert engine is not None
    answer: multiprocessing.Queue[tuple[float, float]] = multiprocessing.get_context("spawn").Queue()
    child = multiprocessing.get_context("spawn").Process(target=_naive_in_own_process, args=(answer,))
    child.start()
    naive, naive_peak = answer.get()
    child.join()
    verdict = "met" if seconds < 120 else "MISSED"
    print(
        f"Full reference load (check 15 files, build, write, verify): {seconds:6.1f} s   "
        f"naive {naive:6.1f} s   "
        f"naive/ours {naive / seconds:4.2f}  (target < 120 s: {verdict})"
    )
    memory = "met" if command_peak < 600 else "MISSED"
    print(f"  peak memory of the load: {load_peak:6.0f} MB RSS   naive {naive_peak:6.0f} MB")
    print(
        f"  `hia reference load` as a command (settings, database, the load): {command_peak:6.0f} MB RSS "
        f"peak, {command_seconds:.1f} s   (target < 600 MB: {memory})"
    )
    print(
        "  (the naive build does less: no checks or checksums, no LSOA 2011 postcode index, "
        "no snapshot written)"
    )
    print(
        f"  snapshot {prepared.snapshot_id}: {size / 1e6:.0f} MB on disk; "
        f"the service reads it in {read_ms:.0f} ms"
    )


if __name__ == "__main__":
    main()
