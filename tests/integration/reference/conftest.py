"""The raw reference tables (the snapshot fixtures, reference_data_dir and real_engine: tests/conftest.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import REFERENCE_DIR


@pytest.fixture(scope="session")
def lsoa_table() -> pd.DataFrame:
    """IoD2025 joined to Census 2021 residents and the April 2024 lookup, straight from the raw files."""
    iod = pd.read_csv(REFERENCE_DIR / "iod2025_england_lsoa21.csv")
    population = pd.read_csv(REFERENCE_DIR / "lsoa21_population_census2021_ew.csv.gz")
    lookup = pd.read_csv(REFERENCE_DIR / "lsoa21_sicbl24_icb24_lad24_en.csv.gz")
    table = iod.merge(population[["lsoa21_code", "total_usual_residents"]], on="lsoa21_code")
    return table.merge(lookup, on="lsoa21_code")
