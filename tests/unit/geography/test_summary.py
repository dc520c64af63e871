"""Profile arithmetic on small hand-made inputs: weights, rank inversion, quintiles, concentration."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hia_service.domain.geography import summary


def test_population_by_decile_sums_weights_with_decile_one_first() -> None:
    result = summary.population_by_decile(np.array([1, 1, 3, 10]), np.array([10.0, 20.0, 30.0, 40.0]))
    assert result.tolist() == [30, 0, 30, 0, 0, 0, 0, 0, 0, 40]


def test_quintiles_pair_deciles() -> None:
    by_decile = np.array([30.0, 0, 30, 0, 0, 0, 0, 0, 0, 40])
    assert summary.share_by_quintile(by_decile).tolist() == pytest.approx([0.3, 0.3, 0, 0, 0.4])


def test_rank_is_inverted_so_most_deprived_is_highest() -> None:
    assert summary.inverted_rank(np.array([1.0, 10.0]), 10).tolist() == [10, 1]


def test_weighted_mean_uses_population_weights() -> None:
    ranks = summary.inverted_rank(np.array([1.0, 10.0]), 10)
    assert summary.weighted_mean(ranks, np.array([3.0, 1.0])) == pytest.approx(7.75)


def test_weighted_mean_is_none_when_scores_are_not_published() -> None:
    assert summary.weighted_mean(np.array([np.nan, 1.0]), np.array([1.0, 1.0])) is None


def test_share_of_areas_in_decile_one_counts_areas_not_people() -> None:
    deciles = np.array([1, 2, 1, 5])
    assert summary.share_in_decile_one(deciles, np.array([1, 1, 0.5, 1])) == pytest.approx(1.5 / 3.5)


def test_fractional_rank_orders_from_most_deprived() -> None:
    result = summary.fractional_rank(np.array([2.0, 1.0, 3.0]), np.array([10.0, 30.0, 60.0]))
    assert result.tolist() == pytest.approx([0.35, 0.15, 0.70])


def test_tied_ranks_share_one_fractional_rank() -> None:
    result = summary.fractional_rank(np.array([1.0, 1.0, 2.0]), np.array([1.0, 1.0, 2.0]))
    assert result.tolist() == pytest.approx([0.25, 0.25, 0.75])


def test_concentration_index_is_zero_for_the_whole_nation_and_negative_when_deprived() -> None:
    frac = summary.fractional_rank(np.array([1.0, 2.0]), np.array([1.0, 1.0]))
    assert summary.concentration_index(frac, np.array([1.0, 1.0])) == pytest.approx(0.0)
    assert summary.concentration_index(frac, np.array([1.0, 0.0])) == pytest.approx(-0.5)
    assert summary.concentration_index(frac, np.array([0.0, 1.0])) == pytest.approx(0.5)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=2, max_value=30), st.integers(min_value=0, max_value=10_000))
def test_concentration_index_matches_the_textbook_covariance_formula(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    population = rng.integers(1, 3000, n).astype(float)
    ranks = rng.permutation(n).astype(float) + 1
    selected = population * rng.random(n) * (rng.random(n) < 0.7)
    if selected.sum() == 0:
        selected[0] = population[0]
    p = population / population.sum()
    y = selected / population  # the share of each area's residents in the selection
    r = summary.fractional_rank(ranks, population)
    mu = np.dot(p, y)
    textbook = 2 * np.dot(p, (y - mu) * (r - np.dot(p, r))) / mu
    assert summary.concentration_index(r, selected) == pytest.approx(textbook, abs=1e-9)


def test_group_headlines_agree_with_headline_for_each_group() -> None:
    rng = np.random.default_rng(3)
    n = 40
    deciles = rng.integers(1, 11, n)
    ranks = rng.permutation(n).astype(float) + 1
    scores, weights = rng.random(n) * 60, rng.integers(500, 3000, n).astype(float)
    groups = rng.integers(-1, 4, n)
    frac = summary.fractional_rank(ranks, weights)
    common = {"deciles": deciles, "scores": scores, "ranks": ranks, "frac_rank": frac, "n_areas": n}
    every = summary.group_headlines(groups, 4, weights=weights, **common)
    for g in range(4):
        rows = groups == g
        one = summary.headline(
            deciles=deciles[rows],
            scores=scores[rows],
            ranks=ranks[rows],
            frac_rank=frac[rows],
            weights=weights[rows],
            fractions=np.ones(rows.sum()),
            n_areas=n,
        )
        for field in (
            "lsoa_count",
            "population",
            "core20_share",
            "mean_imd_score",
            "mean_imd_rank",
            "share_lsoas_most_deprived_10pct",
            "concentration_index",
        ):
            assert getattr(every[g], field) == pytest.approx(getattr(one, field)), field
        assert every[g].population_by_decile == pytest.approx(one.population_by_decile)


def _release(rng: np.random.Generator, n: int, domains: int = 3) -> dict[str, np.ndarray]:
    ranks = rng.permutation(n).astype(float) + 1
    population = rng.integers(500, 3000, n).astype(float)
    return {
        "scores": np.round(rng.random(n) * 60, 3),
        "ranks": ranks,
        "frac_rank": summary.fractional_rank(ranks, population),
        "domain_scores": np.round(rng.normal(size=(domains, n)), 3),
        "domain_deciles": rng.integers(1, 11, (domains, n)),
        "deciles": rng.integers(1, 11, n),
        "population": population,
    }


def _figures(release: dict[str, np.ndarray], **codes: object) -> summary.AreaFigures:
    given = {k: v for k, v in release.items() if k != "population"}
    return summary.AreaFigures(**given, **codes, n_areas=len(release["ranks"]))  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=400), st.integers(min_value=0, max_value=10_000))
def test_area_figures_are_headline_and_the_domain_means_to_the_last_digit(m: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    release = _release(rng, 500)
    rows = np.sort(rng.choice(500, m, replace=False))
    fractions = np.where(rng.random(m) < 0.5, 1.0, rng.random(m))
    weights = release["population"][rows] * fractions
    figures = _figures(release)
    found = figures.of(rows, weights, fractions)
    expected = summary.headline(
        deciles=release["deciles"][rows],
        scores=release["scores"][rows],
        ranks=release["ranks"][rows],
        frac_rank=release["frac_rank"][rows],
        weights=weights,
        fractions=fractions,
        n_areas=500,
    )
    assert found.headline == expected  # every field equal, not approximately
    assert figures.headline_of(rows, weights, fractions) == expected
    total = weights.sum()
    for i, domain in enumerate(found.domains):
        scores = np.ascontiguousarray(release["domain_scores"][i][rows])
        deprived = (release["domain_deciles"][i][rows] <= 2).astype(float)
        assert domain["mean_score"] == float(np.dot(scores, weights) / total)
        assert domain["share_deciles_1_2"] == float(np.dot(weights, deprived) / total)


def test_area_figures_count_people_by_code_and_find_the_places_touched() -> None:
    rng = np.random.default_rng(5)
    release = _release(rng, 60)
    classes = rng.integers(-1, 6, 60)  # -1: an area in no class
    places = rng.integers(-1, 9, 60)
    figures = _figures(release, counted=[(classes, 6)], places=[(places, 9), (places % 3, 3)])
    rows = np.arange(0, 60, 4)
    weights = release["population"][rows]
    found = figures.of(rows, weights, np.ones(len(rows)))
    by_class = [weights[classes[rows] == c].sum() for c in range(6)]
    assert found.by_code[0].tolist() == pytest.approx(by_class)
    assert found.by_code[0].sum() == pytest.approx(weights[classes[rows] >= 0].sum())
    assert found.places == [
        sorted({int(p) for p in places[rows] if p >= 0}),
        sorted({int(p) % 3 for p in places[rows]}),
    ]


def test_a_figure_unpublished_for_a_chosen_area_has_no_mean() -> None:
    rng = np.random.default_rng(8)
    release = _release(rng, 50)
    release["domain_scores"][0, :] = np.nan  # a domain with no scores at all
    release["domain_scores"][1, 10:20] = np.nan  # one without scores for some areas
    release["scores"][:] = np.nan
    figures = _figures(release)
    for rows, second_published in ((np.arange(0, 10), True), (np.arange(5, 15), False)):
        weights = release["population"][rows]
        found = figures.of(rows, weights, np.ones(len(rows)))
        assert found.headline.mean_imd_score is None
        assert found.domains[0]["mean_score"] is None
        assert (found.domains[1]["mean_score"] is not None) is second_published
        assert found.domains[2]["mean_score"] is not None
        assert all(d["share_deciles_1_2"] is not None for d in found.domains)
        assert found.headline.mean_imd_rank > 0


@pytest.mark.parametrize("unpublished", ["none", "some", "all"])
def test_headline_alone_is_the_whole_selections_headline(unpublished: str) -> None:
    """Scores published for every area, for some (a selection taking in one has no mean) or for none."""
    rng = np.random.default_rng(13)
    release = _release(rng, 80)
    if unpublished == "some":
        release["scores"][30:40] = np.nan
    elif unpublished == "all":
        release["scores"][:] = np.nan
    figures = _figures(release)
    for rows in (np.arange(0, 20), np.arange(25, 45), np.array([3, 35, 79])):
        fractions = np.where(rows % 2 == 0, 1.0, 0.5)
        weights = release["population"][rows] * fractions
        alone = figures.headline_of(rows, weights, fractions)
        assert alone == figures.of(rows, weights, fractions).headline
        takes_in_unpublished = np.isnan(release["scores"][rows]).any()
        assert (alone.mean_imd_score is None) is bool(takes_in_unpublished)
