"""One snapshot of the real reference data per test session (built once: it takes about 15 seconds)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hia_service.domain.geography.engine import GeographyEngine
from hia_service.reference.loader import load_reference
from hia_service.reference.snapshot import load_engine
from tests.conftest import REFERENCE_DIR


@pytest.fixture(scope="session")
def reference_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("reference-data-dir")
    load_reference(REFERENCE_DIR, data_dir)
    return data_dir


@pytest.fixture(scope="session")
def real_engine(reference_data_dir: Path) -> GeographyEngine:
    engine = load_engine(reference_data_dir)
    assert engine is not None
    return engine


@pytest.fixture(scope="session")
def lsoa_table() -> pd.DataFrame:
    """IoD2025 joined to Census 2021 residents and the April 2024 lookup, straight from the raw files."""
    iod = pd.read_csv(REFERENCE_DIR / "iod2025_england_lsoa21.csv")
    population = pd.read_csv(REFERENCE_DIR / "lsoa21_population_census2021_ew.csv.gz")
    lookup = pd.read_csv(REFERENCE_DIR / "lsoa21_sicbl24_icb24_lad24_en.csv.gz")
    table = iod.merge(population[["lsoa21_code", "total_usual_residents"]], on="lsoa21_code")
    return table.merge(lookup, on="lsoa21_code")
