"""Assemble the area profile JSON from a Selection: headline figures, domains, baselines, method and notes."""

from __future__ import annotations

from typing import Any

import numpy as np

from hia_service.domain.geography.access import BARRIERS_DOMAINS, RUC21_CLASSES, barriers, rurality
from hia_service.domain.geography.area_profile import PROFILE_KEYS
from hia_service.domain.geography.selection import Selection
from hia_service.domain.geography.summary import AreaFigures, Headline, group_headlines, headline
from hia_service.domain.geography.tables import ReleaseTable

# Parts after PROFILE_KEYS, present only where the release has the data (profiles stored before them lack
# them): the people by rural-urban class, and by decile of the barriers (access to services) domain.
OPTIONAL_KEYS = ("rurality", "barriers")
BASELINE_KINDS = (("lad", "local_authorities"), ("icb", "icbs"))
LIST_FIGURES = ("population_by_decile", "share_by_quintile")  # the lists in headline_dict


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
        self.figures, self.rurality, self.barriers = _area_figures(release)
        self._groups: dict[str, list[Headline]] = {}
        # Each place's figures as JSON, made the first time a profile touches it (a 60 km circle touches
        # dozens); every profile gets its own copy.
        self._json: dict[tuple[str, int], dict[str, Any]] = {}

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

    def for_rows(self, places: list[list[int]]) -> dict[str, Any]:
        """The nation's figures and those of the places (AreaFigures.of: the local authorities and ICBs
        that the release has, in BASELINE_KINDS's order) an area touches."""
        out: dict[str, Any] = {"nation": self._place("nation", 0)}
        found = iter(places)
        for kind, key in BASELINE_KINDS:
            out[key] = [self._place(kind, i) for i in next(found)] if kind in self.release.groups else []
        return out

    def _place(self, kind: str, index: int) -> dict[str, Any]:
        """The nation's, or one local authority's or ICB's, figures as JSON: a copy of the one kept."""
        kept = self._json.get((kind, index))
        if kept is None:
            kept = self._json[(kind, index)] = self._place_json(kind, index)
        place = dict(kept)
        for key in LIST_FIGURES:
            if place[key] is not None:
                place[key] = list(place[key])
        return place

    def _place_json(self, kind: str, index: int) -> dict[str, Any]:
        info, people = self.release.info, self.release.has_population
        if kind == "nation":
            return {"code": info.nation_code, "name": info.nation, **headline_dict(self.nation, people)}
        table = self.release.groups[kind]
        return {
            "code": table.codes[index],
            "name": table.names[index],
            "vintage": table.vintage,
            **headline_dict(self.group(kind)[index], people),
        }


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


def _area_figures(release: ReleaseTable) -> tuple[AreaFigures, int | None, tuple[int, int] | None]:
    """The release's AreaFigures, with the place among its counted codes of the rural-urban class and of
    the barriers domain's decile (and that domain's place among the domains), where the release has them.
    Its places are the local authorities and ICBs of BASELINE_KINDS that the release has."""
    counted: list[tuple[np.ndarray, int]] = []
    ruc = None
    if release.ruc_class is not None:
        ruc = len(counted)
        counted.append((release.ruc_class, len(RUC21_CLASSES)))
    access = None
    for i, domain in enumerate(release.info.domains):
        if domain.key in BARRIERS_DOMAINS:
            access = (len(counted), i)
            counted.append((release.domain_decile[:, i].astype(np.int64) - 1, 10))
    places = [
        (release.group_of[kind], len(release.groups[kind].codes))
        for kind, _ in BASELINE_KINDS
        if kind in release.groups
    ]
    figures = AreaFigures(
        scores=release.imd_score,
        ranks=release.imd_rank,
        frac_rank=release.frac_rank,
        domain_scores=release.domain_score.T,
        domain_deciles=release.domain_decile.T,
        deciles=release.imd_decile,
        counted=counted,
        places=places,
        n_areas=release.n_areas,
    )
    return figures, ruc, access


def build_profile(
    release: ReleaseTable,
    selection: Selection,
    baselines: Baselines,
    method: dict[str, str],
    notes: list[str],
) -> dict[str, Any]:
    rows, weights = selection.rows, selection.weights
    found = baselines.figures.of(rows, weights, selection.fractions)
    h = found.headline
    people = release.has_population or selection.patient_list
    figures = headline_dict(h, people)
    baseline = baselines.for_rows(found.places)
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
        "domains": _domains(release, found.domains),
        "baseline": baseline,
        "relative_core20": number(h.core20_share / nation_core20) if nation_core20 else None,
        "concentration_index": figures["concentration_index"],
        "unmatched": selection.unmatched,
        "method": method,
        "notes": selection.notes + notes,
    }
    assert tuple(profile) == PROFILE_KEYS
    if baselines.rurality is not None:
        profile["rurality"] = rurality(found.by_code[baselines.rurality], h.population, people)
    if baselines.barriers is not None:
        code, i = baselines.barriers
        domain = release.info.domains[i]
        profile["barriers"] = barriers(domain.key, domain.label, found.by_code[code], people)
    return profile


def _domains(release: ReleaseTable, summaries: list[dict[str, float | None]]) -> dict[str, Any]:
    out = {}
    for domain, summary in zip(release.info.domains, summaries, strict=True):
        out[domain.key] = {
            "label": domain.label,
            "mean_score": number(summary["mean_score"], 4),
            "share_deciles_1_2": number(summary["share_deciles_1_2"]),
        }
    return out
