"""The arithmetic of a deprivation profile, on plain numpy arrays.

Conventions (MHCLG): decile 1 and rank 1 are the most deprived. Averages are weighted by population
(residents, or the counts of a patient list). The average rank inverts ranks first (rank' = N + 1 - rank)
so that a higher average rank means more deprived. The share of LSOAs in the most deprived 10% counts LSOAs,
not people.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.integer]


@dataclass(frozen=True)
class Headline:
    """The headline figures used both for an area and for each baseline (nation, local authority, ICB)."""

    lsoa_count: int
    population: float
    population_by_decile: tuple[float, ...]
    share_by_quintile: tuple[float, ...]
    core20_share: float
    mean_imd_score: float | None
    mean_imd_rank: float
    share_lsoas_most_deprived_10pct: float
    concentration_index: float


def population_by_decile(deciles: IntArray, weights: FloatArray) -> FloatArray:
    """Sum of weights in each national decile; index 0 is decile 1 (most deprived)."""
    # numpy's stubs type every bincount as integers; with weights it is float64.
    return np.bincount(np.asarray(deciles, dtype=np.int64) - 1, weights=weights, minlength=10)[:10]  # type: ignore[return-value]


def share_by_quintile(by_decile: FloatArray) -> FloatArray:
    """Quintile q holds deciles 2q-1 and 2q; shares of the total weight."""
    total = by_decile.sum()
    shares: FloatArray = by_decile.reshape(5, 2).sum(axis=1) / total
    return shares


def weighted_mean(values: FloatArray, weights: FloatArray) -> float | None:
    """Population-weighted mean; None when the values are not published (NaN) for this release."""
    if np.isnan(values).any():
        return None
    return float(np.dot(values, weights) / weights.sum())


def inverted_rank(ranks: FloatArray, n_areas: int) -> FloatArray:
    """MHCLG's inversion so the most deprived area has the highest rank."""
    return n_areas + 1 - np.asarray(ranks, dtype=np.float64)


def share_in_decile_one(deciles: IntArray, fractions: FloatArray) -> float:
    """Unweighted share of areas in national decile 1; a partly-included area counts by its fraction."""
    return float(np.dot(fractions, np.asarray(deciles) == 1) / fractions.sum())


def fractional_rank(ranks: FloatArray, population: FloatArray) -> FloatArray:
    """Each area's fractional rank in the nation's population ordered from most to least deprived.

    R_i = (population of more deprived areas + half of area i's own population) / national population.
    Tied ranks share the midpoint of their combined span.
    """
    ranks = np.asarray(ranks, dtype=np.float64)
    order = np.argsort(ranks, kind="stable")
    share = population[order] / population.sum()
    ends = np.cumsum(share)
    sorted_ranks = ranks[order]
    # group ties so they share one midpoint
    starts_of_group = np.r_[True, sorted_ranks[1:] != sorted_ranks[:-1]]
    group = np.cumsum(starts_of_group) - 1
    group_end = np.zeros(group[-1] + 1)
    np.maximum.at(group_end, group, ends)
    group_start = np.r_[0.0, group_end[:-1]]
    mid = (group_start + group_end) / 2
    result = np.empty_like(ranks)
    result[order] = mid[group]
    return result


def concentration_index(frac_rank: FloatArray, weights: FloatArray) -> float:
    """Relative concentration index of the area's population over the nation's deprivation ranking.

    With y_i = (area population in LSOA i) / (residents of LSOA i), the standard weighted formula
    CI = 2 cov(y, R) / mean(y) simplifies to 2 * (weight-averaged fractional rank) - 1. It is 0 for the whole
    nation, negative when the area's people are concentrated in more deprived places (-1 at the extreme).
    """
    return float(2 * np.dot(frac_rank, weights) / weights.sum() - 1)


def headline(
    *,
    deciles: IntArray,
    scores: FloatArray,
    ranks: FloatArray,
    frac_rank: FloatArray,
    weights: FloatArray,
    fractions: FloatArray,
    n_areas: int,
) -> Headline:
    """Headline figures for one selection of areas. All arrays are aligned to the selected areas.

    The same sums as population_by_decile, weighted_mean and the rest, in the same order (so the same
    figures to the last digit), with the total weight summed once: a small area's figures are mostly the
    cost of each numpy call, not of its arithmetic."""
    total = weights.sum()
    by_decile = population_by_decile(deciles, weights)
    quintiles = share_by_quintile(by_decile)
    mean_rank = float(np.dot(inverted_rank(ranks, n_areas), weights) / total)
    if math.isnan(mean_rank):  # every release publishes ranks (only scores may be missing)
        raise ValueError("This release has no IMD ranks for the chosen areas")
    mean_score = float(np.dot(scores, weights) / total)  # NaN when any score is unpublished
    shares = quintiles.tolist()
    return Headline(
        lsoa_count=int(np.count_nonzero(fractions > 0)),
        population=float(total),
        population_by_decile=tuple(by_decile.tolist()),
        share_by_quintile=tuple(shares),
        core20_share=shares[0],
        mean_imd_score=None if math.isnan(mean_score) else mean_score,
        mean_imd_rank=mean_rank,
        share_lsoas_most_deprived_10pct=share_in_decile_one(deciles, fractions),
        concentration_index=float(2 * np.dot(frac_rank, weights) / total - 1),
    )


def domain_summaries(
    scores: FloatArray, deciles: IntArray, weights: FloatArray
) -> list[dict[str, float | None]]:
    """Each domain's population-weighted mean score and share of the population in domain deciles 1-2.

    One row of `scores` and `deciles` per domain, each row contiguous, one column per area. Each domain's
    sums are the dot products (with its own row) that weighted_mean would take, in the same order."""
    total = weights.sum()
    missing = np.asarray(np.isnan(scores).any(axis=1), dtype=bool)
    deprived = (np.asarray(deciles) <= 2).astype(np.float64)
    return [
        {
            "mean_score": None if bool(missing[i]) else float(np.dot(scores[i], weights) / total),
            "share_deciles_1_2": float(np.dot(weights, deprived[i]) / total),
        }
        for i in range(len(scores))
    ]


def group_headlines(
    group: IntArray,
    n_groups: int,
    *,
    deciles: IntArray,
    scores: FloatArray,
    ranks: FloatArray,
    frac_rank: FloatArray,
    weights: FloatArray,
    n_areas: int,
) -> list[Headline]:
    """Headline figures for every group at once (e.g. all local authorities), by bincount.

    Rows with group -1 belong to no group. Agrees with `headline` on each group's rows (tested).
    """
    keep = group >= 0
    g, dec, w = group[keep], np.asarray(deciles)[keep].astype(np.int64), weights[keep]

    def total(values: FloatArray) -> FloatArray:
        return np.bincount(g, weights=values, minlength=n_groups)  # type: ignore[return-value]  # float64, as above

    pop = total(w)
    counts = np.bincount(g, minlength=n_groups).astype(np.float64)
    by_decile = np.zeros((n_groups, 10))
    np.add.at(by_decile, (g, dec - 1), w)
    score_sum = None if np.isnan(scores).any() else total(np.asarray(scores)[keep] * w)
    rank_sum = total(inverted_rank(np.asarray(ranks)[keep], n_areas) * w)
    frac_sum = total(frac_rank[keep] * w)
    decile1 = np.bincount(g, weights=(dec == 1).astype(np.float64), minlength=n_groups)
    out = []
    for i in range(n_groups):
        quint = by_decile[i].reshape(5, 2).sum(axis=1) / pop[i]
        out.append(
            Headline(
                lsoa_count=int(counts[i]),
                population=float(pop[i]),
                population_by_decile=tuple(float(v) for v in by_decile[i]),
                share_by_quintile=tuple(float(v) for v in quint),
                core20_share=float(quint[0]),
                mean_imd_score=None if score_sum is None else float(score_sum[i] / pop[i]),
                mean_imd_rank=float(rank_sum[i] / pop[i]),
                share_lsoas_most_deprived_10pct=float(decile1[i] / counts[i]),
                concentration_index=float(2 * frac_sum[i] / pop[i] - 1),
            )
        )
    return out
