"""The arithmetic of a deprivation profile, on plain numpy arrays.

Conventions (MHCLG): decile 1 and rank 1 are the most deprived. Averages are weighted by population
(residents, or the counts of a patient list). The average rank inverts ranks first (rank' = N + 1 - rank)
so that a higher average rank means more deprived. The share of LSOAs in the most deprived 10% counts LSOAs,
not people.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
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
    """Headline figures for one selection of areas. All arrays are aligned to the selected areas."""
    total = float(weights.sum())
    return _headline(
        total=total,
        by_decile=population_by_decile(deciles, weights),
        rank_sum=float(np.dot(inverted_rank(ranks, n_areas), weights)),
        score_sum=float(np.dot(scores, weights)),  # NaN when any score is unpublished
        frac_sum=float(np.dot(frac_rank, weights)),
        deciles=deciles,
        fractions=fractions,
    )


def _headline(
    *,
    total: float,
    by_decile: FloatArray,
    rank_sum: float,
    score_sum: float,
    frac_sum: float,
    deciles: IntArray,
    fractions: FloatArray,
) -> Headline:
    """The headline figures from a selection's weighted sums (each sum already taken once)."""
    mean_rank = rank_sum / total
    if math.isnan(mean_rank):  # every release publishes ranks (only scores may be missing)
        raise ValueError("This release has no IMD ranks for the chosen areas")
    mean_score = score_sum / total
    deciles_sum = float(by_decile.sum())
    people = by_decile.tolist()
    # share_by_quintile's arithmetic (each pair added, then divided), without three numpy calls
    shares = [(people[q] + people[q + 1]) / deciles_sum for q in range(0, 10, 2)]
    return Headline(
        lsoa_count=int(np.count_nonzero(fractions > 0)),
        population=float(total),
        population_by_decile=tuple(people),
        share_by_quintile=tuple(shares),
        core20_share=shares[0],
        mean_imd_score=None if math.isnan(mean_score) else mean_score,
        mean_imd_rank=mean_rank,
        share_lsoas_most_deprived_10pct=share_in_decile_one(deciles, fractions),
        concentration_index=2 * frac_sum / total - 1,
    )


@dataclass(frozen=True)
class SelectionFigures:
    """A selection's headline figures, each domain's summary, its people by each code counted and the
    places (codes) it touches (AreaFigures)."""

    headline: Headline
    domains: list[dict[str, float | None]]
    by_code: list[FloatArray]  # people with each code of each `counted` code, in order
    places: list[list[int]]  # the codes of each `places` code found among the areas, ascending


HEADLINE_SUMS = 3  # AreaFigures' first figures: the IMD's inverted rank, score and fractional rank


class AreaFigures:
    """A release's per-area figures that a profile sums weighted by people, side by side in one array.

    A profile of a few hundred neighbourhoods was mostly the fixed cost of its numpy calls (about seventy),
    not of its arithmetic: here the figures a profile averages (the IMD's rank, score and fractional rank,
    each domain's score and share in deciles 1-2) come out for the chosen areas in one gather, and their
    codes (IMD decile, and any others: rural-urban class, a domain's decile, local authority, ICB) in one
    more. Each sum is the dot product it always was, of the same contiguous numbers in the same order, so
    every figure is the same to the last digit."""

    def __init__(
        self,
        *,
        scores: FloatArray,
        ranks: FloatArray,
        frac_rank: FloatArray,
        domain_scores: FloatArray,
        domain_deciles: IntArray,
        deciles: IntArray,
        counted: Sequence[tuple[IntArray, int]] = (),
        places: Sequence[tuple[IntArray, int]] = (),
        n_areas: int,
    ) -> None:
        """`domain_scores`, `domain_deciles`: one row per domain. `counted`: codes (0..n-1, or -1 for none)
        and how many there are, whose people are counted; `places`: the same, whose presence is found."""
        rows = [inverted_rank(ranks, n_areas), np.asarray(scores, dtype=np.float64), frac_rank]
        rows += list(np.asarray(domain_scores, dtype=np.float64))
        rows += list((np.asarray(domain_deciles) <= 2).astype(np.float64))
        values = np.stack(rows)
        missing = np.isnan(values)
        # A figure unpublished for any chosen area has no mean (None), whatever its weight: one published
        # for no area is not summed at all; one published for some (no release so far) is checked.
        never = np.asarray(missing.all(axis=1), dtype=bool)
        some = np.asarray(missing.any(axis=1), dtype=bool)
        self._summed = np.flatnonzero(~never).tolist()  # the figures summed, in the order of the block
        self._partly = np.flatnonzero(some[self._summed]).tolist()  # their places in the block
        self._heads = sum(1 for i in self._summed if i < HEADLINE_SUMS)  # the block's first rows
        self._values = np.ascontiguousarray(values[self._summed])
        self._domains = len(domain_scores)
        codes = [(np.asarray(deciles, dtype=np.int64) - 1, 10), *counted, *places]
        # One row per code, shifted by one so that "none" (-1) is bin 0, which bincount takes.
        self._codes = np.ascontiguousarray(np.stack([np.asarray(c, dtype=np.int64) + 1 for c, _ in codes]))
        self._lengths = [n + 1 for _, n in codes]
        self._counted = 1 + len(counted)

    def of(self, rows: IntArray, weights: FloatArray, fractions: FloatArray) -> SelectionFigures:
        block = np.take(self._values, rows, axis=1)
        sums = self._sums(block, weights)
        codes = np.take(self._codes, rows, axis=1)
        lengths = self._lengths
        # numpy's stubs type every bincount as integers; with weights it is float64.
        by_code: list[FloatArray] = [
            np.bincount(codes[i], weights=weights, minlength=lengths[i])[1 : lengths[i]]  # type: ignore[misc]
            for i in range(self._counted)
        ]
        places = [
            np.bincount(codes[i], minlength=lengths[i])[1:].nonzero()[0].tolist()
            for i in range(self._counted, len(lengths))
        ]
        total = float(weights.sum())
        headline = self._headline_from(sums, total, by_code[0], codes[0], fractions)
        d = self._domains
        domains: list[dict[str, float | None]] = [
            {
                "mean_score": None if math.isnan(sums[3 + i]) else sums[3 + i] / total,
                "share_deciles_1_2": sums[3 + d + i] / total,
            }
            for i in range(d)
        ]
        return SelectionFigures(headline, domains, by_code[1:], places)

    def headline_of(self, rows: IntArray, weights: FloatArray, fractions: FloatArray) -> Headline:
        """`of(...).headline` alone, to the last digit: only the figures it averages, and the IMD deciles."""
        sums = self._sums(np.take(self._values[: self._heads], rows, axis=1), weights)
        deciles = np.take(self._codes[0], rows)  # shifted by one: the decile itself
        by_decile: FloatArray = np.bincount(deciles, weights=weights, minlength=11)[1:11]  # type: ignore[assignment]
        return self._headline_from(sums, float(weights.sum()), by_decile, deciles, fractions)

    def _sums(self, block: FloatArray, weights: FloatArray) -> list[float]:
        """Each figure's weighted sum over the chosen areas, from their gathered rows of the block (all of
        them, or its first rows): NaN where a figure is unpublished for any of them."""
        sums = [math.nan] * (HEADLINE_SUMS + 2 * self._domains)
        for i, values in zip(self._summed[: len(block)], block, strict=True):
            sums[i] = float(np.dot(values, weights))
        for k in self._partly:
            if k < len(block) and np.isnan(block[k]).any():
                sums[self._summed[k]] = math.nan
        return sums

    @staticmethod
    def _headline_from(
        sums: list[float], total: float, by_decile: FloatArray, deciles: IntArray, fractions: FloatArray
    ) -> Headline:
        return _headline(
            total=total,
            by_decile=by_decile,
            rank_sum=sums[0],
            score_sum=sums[1],
            frac_sum=sums[2],
            deciles=deciles,
            fractions=fractions,
        )


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
