"""Properties of the profile engine, checked with hypothesis on the tiny hand-made world (conftest.py).

The profile of two disjoint areas together is the population-weighted combination of their profiles;
shares sum to 1; the order, case, spacing and repetition of LSOA codes change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hia_service.domain.geography.engine import GeographyEngine
from tests.fuzz_counts import fuzz_settings, tried
from tests.unit.geography.conftest import CODES21

ENGLISH = CODES21[:9]
subsets = st.sets(st.sampled_from(ENGLISH), min_size=1)


@st.composite
def disjoint_pairs(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    both = draw(st.lists(st.sampled_from(ENGLISH), min_size=2, unique=True))
    cut = draw(st.integers(1, len(both) - 1))
    return both[:cut], both[cut:]


class Tiny:
    """The engine, with a short repr for hypothesis's failure reports."""

    def __init__(self, engine: GeographyEngine) -> None:
        self.engine = engine

    def __repr__(self) -> str:
        return "<tiny engine>"


@pytest.fixture(scope="module")
def tiny(engine: GeographyEngine) -> Tiny:
    return Tiny(engine)


def profile(tiny: Tiny, codes: list[str]) -> dict[str, Any]:
    return tiny.engine.profile({"type": "lsoa_codes", "codes": codes})


def figures(result: dict[str, Any]) -> dict[str, Any]:
    """Everything but the echo of the input and the notes (which mention repeats)."""
    return {k: v for k, v in result.items() if k not in ("area", "notes")}


def weighted(a: dict[str, Any], b: dict[str, Any], key: str, weight: str = "population") -> float:
    return (a[key] * a[weight] + b[key] * b[weight]) / (a[weight] + b[weight])


@fuzz_settings(60)
@given(pair=disjoint_pairs())
def test_union_of_disjoint_areas_is_the_weighted_combination(
    tiny: Tiny, pair: tuple[list[str], list[str]]
) -> None:
    tried("engine: union of disjoint areas")
    first, second = pair
    a, b, union = profile(tiny, first), profile(tiny, second), profile(tiny, first + second)
    assert union["population"] == a["population"] + b["population"]
    assert union["lsoa_count"] == a["lsoa_count"] + b["lsoa_count"]
    assert union["population_by_decile"] == [
        x + y for x, y in zip(a["population_by_decile"], b["population_by_decile"], strict=True)
    ]
    # Each figure is published rounded (ranks to 2 places), so the combination of rounded parts is allowed
    # that rounding.
    for key, rounding in (("core20_share", 1e-5), ("mean_imd_score", 1e-4), ("mean_imd_rank", 0.011)):
        assert union[key] == pytest.approx(weighted(a, b, key), abs=rounding), key
    for i, share in enumerate(union["share_by_quintile"]):
        expected = (
            a["share_by_quintile"][i] * a["population"] + b["share_by_quintile"][i] * b["population"]
        ) / union["population"]
        assert share == pytest.approx(expected, abs=1e-5)
    lsoa_share = weighted(a, b, "share_lsoas_most_deprived_10pct", weight="lsoa_count")
    assert union["share_lsoas_most_deprived_10pct"] == pytest.approx(lsoa_share, abs=1e-5)
    for domain, summary in union["domains"].items():
        combined = (
            a["domains"][domain]["mean_score"] * a["population"]
            + b["domains"][domain]["mean_score"] * b["population"]
        ) / union["population"]
        assert summary["mean_score"] == pytest.approx(combined, abs=2e-4), domain


@fuzz_settings(60)
@given(codes=subsets)
def test_shares_sum_to_one_and_deciles_to_the_population(tiny: Tiny, codes: set[str]) -> None:
    tried("engine: shares sum to one")
    result = profile(tiny, sorted(codes))
    assert sum(result["population_by_decile"]) == pytest.approx(result["population"])
    assert sum(result["share_by_quintile"]) == pytest.approx(1, abs=1e-5)
    assert 0 <= result["core20_share"] <= 1
    assert -1 <= result["concentration_index"] <= 1


@fuzz_settings(60)
@given(codes=subsets, data=st.data())
def test_order_case_spacing_and_repeats_change_nothing(
    tiny: Tiny, codes: set[str], data: st.DataObject
) -> None:
    tried("engine: order, case, repeats")
    plain = sorted(codes)
    shuffled = data.draw(st.permutations(plain))
    repeats = data.draw(st.lists(st.sampled_from(plain), max_size=5))
    messy = [
        data.draw(st.sampled_from([c, c.lower(), f"  {c} ", c.lower() + "\t"])) for c in [*shuffled, *repeats]
    ]
    assert figures(profile(tiny, messy)) == figures(profile(tiny, plain))
