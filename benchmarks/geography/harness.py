"""Shared set-up for the geography benchmarks: a snapshot of the real reference data, timing, and reporting.

The snapshot is the one in HIA_DATA_DIR when it has one; otherwise one is built (about 15 s) in a cache folder
under the system temp directory and reused by later runs.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hia_service.domain.geography.engine import GeographyEngine
from hia_service.reference.loader import load_reference
from hia_service.reference.snapshot import current_snapshot_id, load_engine

REPO = Path(__file__).resolve().parents[2]
REFERENCE_DIR = Path(os.environ.get("HIA_REFERENCE_DIR", REPO.parent / "shared" / "reference-data"))
CACHE_DIR = Path(tempfile.gettempdir()) / "hia-geography-bench"


def data_dir() -> Path:
    configured = os.environ.get("HIA_DATA_DIR")
    if configured and current_snapshot_id(Path(configured)):
        return Path(configured)
    load_reference(REFERENCE_DIR, CACHE_DIR)  # idempotent: checks the files, builds only the first time
    return CACHE_DIR


def engine() -> GeographyEngine:
    """The engine keeping no profiles: each timed call does the whole work, as the naive way does, not a
    read of the answer kept from the call before (web/bench_postgis.py times both)."""
    loaded = load_engine(data_dir())
    assert loaded is not None
    loaded.keep_profiles(0)
    return loaded


def timed(work: Callable[[], Any], repeat: int, warm: int = 1) -> float:
    """Median milliseconds of `repeat` runs after `warm` untimed runs."""
    for _ in range(warm):
        work()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def report(label: str, ours_ms: float, naive_ms: float, target_ms: float | None = None) -> None:
    """One line: our figure, the naive figure from the same run, and naive / ours."""
    verdict = ""
    if target_ms is not None:
        verdict = f"  (target < {target_ms:g} ms: {'met' if ours_ms < target_ms else 'MISSED'})"
    print(
        f"{label:58} {ours_ms:9.1f} ms   naive {naive_ms:9.1f} ms   "
        f"naive/ours {naive_ms / ours_ms:6.1f}{verdict}"
    )


class NaiveTables:
    """The naive way: the full tables in geopandas/pandas, joined per query with sjoin/overlay."""

    def __init__(self, engine: GeographyEngine) -> None:
        table = engine.release("IoD2025")
        geo = table.geography
        assert geo is not None and table.geo_row is not None
        self.n = table.n_areas
        attributes = pd.DataFrame(
            {
                "code": table.codes,
                "population": table.population,
                "score": table.imd_score,
                "rank": table.imd_rank,
                "decile": table.imd_decile,
            }
        )
        self.points = gpd.GeoDataFrame(attributes, geometry=gpd.points_from_xy(*table.rep_xy.T), crs=27700)
        self.polygons = gpd.GeoDataFrame(attributes, geometry=geo.shapes.geometries(table.geo_row), crs=27700)

    def profile(self, joined: pd.DataFrame, weights: pd.Series) -> dict[str, Any]:
        by_decile = weights.groupby(joined["decile"]).sum().reindex(range(1, 11), fill_value=0)
        total = weights.sum()
        return {
            "population": total,
            "population_by_decile": by_decile.to_numpy(),
            "core20_share": by_decile.iloc[:2].sum() / total,
            "mean_imd_score": float(np.average(joined["score"], weights=weights)),
            "mean_imd_rank": float(np.average(self.n + 1 - joined["rank"], weights=weights)),
            "share_lsoas_most_deprived_10pct": float((joined["decile"] == 1).mean()),
        }

    def select_by_centroid(self, shape: Any) -> pd.DataFrame:
        """The LSOAs whose point is inside the shape, and nothing more (to compare with selecting alone)."""
        frame = gpd.GeoDataFrame(geometry=[shape], crs=27700)
        return gpd.sjoin(self.points, frame, predicate="within")

    def by_centroid(self, shape: Any) -> dict[str, Any]:
        joined = self.select_by_centroid(shape)
        return self.profile(joined, joined["population"])

    def by_area(self, shape: Any) -> dict[str, Any]:
        frame = gpd.GeoDataFrame(geometry=[shape], crs=27700)
        pieces = gpd.overlay(self.polygons.assign(whole=self.polygons.area), frame, how="intersection")
        share = pieces.area / pieces["whole"]
        return self.profile(pieces, pieces["population"] * share)
