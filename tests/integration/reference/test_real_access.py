"""Rurality, the barriers domain and who travels further, on the real files: the engine against an
independent pandas computation over the raw CSVs (Cornwall: mostly rural, a closure in Penzance moving to
Truro's hospital site)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hia_service.domain.geography.engine import GeographyEngine
from tests.conftest import REFERENCE_DIR

CORNWALL = {"type": "lad", "codes": ["E06000052"]}
PENZANCE, TRURO = "TR18 4AA", "TR1 3LJ"


@pytest.fixture(scope="module")
def cornwall(lsoa_table: pd.DataFrame) -> pd.DataFrame:
    ruc = pd.read_csv(REFERENCE_DIR / "ruc21_lsoa21_ew.csv")
    pwc = pd.read_csv(REFERENCE_DIR / "lsoa21_pwc_ew.csv")
    table = lsoa_table[lsoa_table["lad24_code"] == "E06000052"]
    return table.merge(ruc, on="lsoa21_code").merge(
        pwc[["lsoa21_code", "easting", "northing"]], on="lsoa21_code"
    )


def test_cornwalls_rural_urban_mix_matches_the_classification(
    real_engine: GeographyEngine, cornwall: pd.DataFrame
) -> None:
    rurality = real_engine.profile(CORNWALL)["rurality"]
    people = cornwall.groupby("ruc21_code")["total_usual_residents"].sum()
    for entry in rurality["classes"]:
        assert entry["people"] == int(people.get(entry["code"], 0))
    total = cornwall["total_usual_residents"].sum()
    rural = cornwall.loc[cornwall["ruc"] == "Rural", "total_usual_residents"].sum()
    assert rurality["rural_share"] == pytest.approx(rural / total, abs=1e-6)
    assert rurality["rural_share"] > 0.4  # Cornwall is among England's most rural authorities


def test_cornwalls_barriers_deciles_match_the_index(
    real_engine: GeographyEngine, cornwall: pd.DataFrame
) -> None:
    barriers = real_engine.profile(CORNWALL)["barriers"]
    by_decile = cornwall.groupby("Housing_and_Services_decile")["total_usual_residents"].sum()
    assert barriers["people_by_decile"] == [int(by_decile.get(d, 0)) for d in range(1, 11)]
    total = cornwall["total_usual_residents"].sum()
    assert barriers["share_deciles_1_2"] == pytest.approx(
        by_decile.get(1, 0) / total + by_decile.get(2, 0) / total, abs=1e-6
    )


def test_moving_from_penzance_to_truro_matches_straight_lines_from_the_centroids(
    real_engine: GeographyEngine, cornwall: pd.DataFrame
) -> None:
    points = pd.read_csv(
        REFERENCE_DIR / "codepoint_open_gb_postcodes.csv.gz", usecols=["postcode", "easting", "northing"]
    ).set_index("postcode")
    here, there = points.loc[PENZANCE].to_numpy(float), points.loc[TRURO].to_numpy(float)
    xy = cornwall[["easting", "northing"]].to_numpy(float)
    w = cornwall["total_usual_residents"].to_numpy(float)
    before = np.hypot(*(xy - here).T) / 1000
    after = np.hypot(*(xy - there).T) / 1000
    change = real_engine.travel_change(CORNWALL, PENZANCE, TRURO)
    assert change.overall.people == w.sum()
    assert change.overall.mean_km_before == pytest.approx(np.dot(before, w) / w.sum(), abs=1e-3)
    assert change.overall.mean_km_after == pytest.approx(np.dot(after, w) / w.sum(), abs=1e-3)
    assert change.overall.share_further_5km == pytest.approx(w[after - before > 5].sum() / w.sum(), abs=1e-6)
    deciles = cornwall["IMD_decile"].to_numpy()
    for row in change.by_decile:
        chosen = deciles == int(row.key)
        assert row.people == w[chosen].sum()
        assert row.mean_km_after == pytest.approx(
            np.dot(after[chosen], w[chosen]) / w[chosen].sum(), abs=1e-3
        )
    deprived = np.isin(deciles, [1, 2])
    expected = w[deprived & (after - before > 1)].sum() / w[deprived].sum()
    assert change.deprived_further_share == pytest.approx(expected, abs=1e-6)
    rural = {r.key: r for r in change.by_rurality}
    assert set(rural) == set(cornwall["ruc21_code"])
    assert change.site_km_apart == pytest.approx(np.hypot(*(there - here)) / 1000, abs=1e-3)
