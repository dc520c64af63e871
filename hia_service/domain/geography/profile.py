"""Assemble the area profile JSON from a Selection: headline figures, domains, baselines, method and notes."""

from __future__ import annotations

from typing import Any

import numpy as np

from hia_service.domain.geography.access import BARRIERS_DOMAINS, barriers, rurality
from hia_service.domain.geography.area_profile import PROFILE_KEYS
from hia_service.domain.geography.selection import Selection
from hia_service.domain.geography.summary import Headline, domain_summary, group_headlines, headline
from hia_service.domain.geography.tables import ReleaseTable

# Parts after PROFILE_KEYS, present only where the release has the data (profiles stored before them lack
# them): the people by rural-urban class, and by decile of the barriers (access to services) domain.
OPTIONAL_KEYS = ("rurality", "barriers")
BASELINE_KINDS = (("lad", "local_authorities"), ("icb", "icbs"))


def number(value: float | None, digits: int = 6) -> int | float | None:
    """JSON-friendly number: whole numbers as ints, others rounded."""
    if value is None:
        return None
    value = float(value)
    return int(value) if value.is_integer() and abs(value) < 2**53 else round(value, digits)


def headline_dict(h: Headline, people: bool) -> dict[str, Any]:
    """Headline figures as JSON. Without population figures (`people` False) there are no people counts."""
    return {
        "lsoa_count": h.lsoa_count,
        "population": number(h.population, 1) if people else None,
        "population_by_decile": [number(v, 1) for v in h.population_by_decile] if people else None,
        "share_by_quintile": [number(v) for v in h.share_by_quintile],
        "core20_share": number(h.core20_share),
        "mean_imd_score": number(h.mean_imd_score, 4),
        "mean_imd_rank": number(h.mean_imd_rank, 2),
        "share_lsoas_most_deprived_10pct": number(h.share_lsoas_most_deprived_10pct),
        "concentration_index": number(h.concentration_index),
    }


class Baselines:
    """Headline figures for the nation and every local authority and ICB of one release, computed once."""

    def __init__(self, release: ReleaseTable) -> None:
        self.release = release
        everyone = np.arange(release.n_areas)
        self.nation = _headline(release, everyone, release.population, np.ones(release.n_areas))
        self._groups: dict[str, list[Headline]] = {}

    def group(self, kind: str) -> list[Headline]:
        if kind not in self._groups:
            r = self.release
            self._groups[kind] = group_headlines(
                r.group_of[kind],
                len(r.groups[kind].codes),
                deciles=r.imd_decile,
                scores=r.imd_score,
                ranks=r.imd_rank,
                frac_rank=r.frac_rank,
                weights=r.population,
                n_areas=r.n_areas,
            )
        return self._groups[kind]

    def for_rows(self, rows: np.ndarray) -> dict[str, Any]:
        info, people = self.release.info, self.release.has_population
        out: dict[str, Any] = {
            "nation": {"code": info.nation_code, "name": info.nation, **headline_dict(self.nation, people)}
        }
        for kind, key in BASELINE_KINDS:
            out[key] = [] if kind not in self.release.groups else self._entries(kind, rows, people)
        return out

    def _entries(self, kind: str, rows: np.ndarray, people: bool) -> list[dict[str, Any]]:
        table, figures = self.release.groups[kind], self.group(kind)
        touched = np.unique(self.release.group_of[kind][rows])
        return [
            {
                "code": table.codes[i],
                "name": table.names[i],
                "vintage": table.vintage,
                **headline_dict(figures[i], people),
            }
            for i in touched.tolist()
            if i >= 0
        ]


def _headline(
    release: ReleaseTable, rows: np.ndarray, weights: np.ndarray, fractions: np.ndarray
) -> Headline:
    return headline(
        deciles=release.imd_decile[rows],
        scores=release.imd_score[rows],
        ranks=release.imd_rank[rows],
        frac_rank=release.frac_rank[rows],
        weights=weights,
        fractions=fractions,
        n_areas=release.n_areas,
    )


def build_profile(
    release: ReleaseTable,
    selection: Selection,
    baselines: Baselines,
    method: dict[str, str],
    notes: list[str],
) -> dict[str, Any]:
    rows, weights = selection.rows, selection.weights
    h = _headline(release, rows, weights, selection.fractions)
    people = release.has_population or selection.patient_list
    figures = headline_dict(h, people)
    baseline = baselines.for_rows(rows)
    nation_core20 = baselines.nation.core20_share
    profile = {
        "release": release.info.id,
        "geography": release.info.label,
        "area": selection.echo,
        **{
            key: figures[key]
            for key in (
                "lsoa_count",
                "population",
                "population_by_decile",
                "share_by_quintile",
                "core20_share",
                "mean_imd_score",
                "mean_imd_rank",
                "share_lsoas_most_deprived_10pct",
            )
        },
        "domains": _domains(release, rows, weights),
        "baseline": baseline,
        "relative_core20": number(h.core20_share / nation_core20) if nation_core20 else None,
        "concentration_index": figures["concentration_index"],
        "unmatched": selection.unmatched,
        "method": method,
        "notes": selection.notes + notes,
    }
    assert tuple(profile) == PROFILE_KEYS
    if release.ruc21 is not None:
        profile["rurality"] = rurality(release.ruc21[rows], weights, people)
    for i, domain in enumerate(release.info.domains):
        if domain.key in BARRIERS_DOMAINS:
            profile["barriers"] = barriers(
                domain.key, domain.label, release.domain_decile[rows, i], weights, people
            )
    return profile


def _domains(release: ReleaseTable, rows: np.ndarray, weights: np.ndarray) -> dict[str, Any]:
    out = {}
    for i, domain in enumerate(release.info.domains):
        summary = domain_summary(release.domain_score[rows, i], release.domain_decile[rows, i], weights)
        out[domain.key] = {
            "label": domain.label,
            "mean_score": number(summary["mean_score"], 4),
            "share_deciles_1_2": number(summary["share_deciles_1_2"]),
        }
    return out
