"""Access and rurality: who the people affected are by rural-urban class and by the barriers domain, and who
travels further when a site moves. Pure arithmetic on the engine's arrays.

Closures and relocations turn on distance and on how far people already are from services, which area
deprivation (IMD) alone does not show: the 2021 Rural-Urban Classification (ONS) and the IoD "Barriers to
housing and services" domain (WIMD, SIMD and NIMDM: "Access to services") do.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

# The 2021 Rural-Urban Classification of LSOAs (ONS), in order from most urban to most rural.
RUC21_CLASSES: tuple[tuple[str, str, bool], ...] = (
    ("UN1", "Urban: nearer to a major town or city", False),
    ("UF1", "Urban: further from a major town or city", False),
    ("RLN1", "Larger rural: nearer to a major town or city", True),
    ("RLF1", "Larger rural: further from a major town or city", True),
    ("RSN1", "Smaller rural: nearer to a major town or city", True),
    ("RSF1", "Smaller rural: further from a major town or city", True),
)
RUC21_SOURCE = "2021 Rural-Urban Classification of LSOAs (ONS)"
# The domain that measures physical and financial distance from services, per release's domain keys.
BARRIERS_DOMAINS = ("barriers_to_housing_and_services", "access_to_services")
# Where an assessment keeps its travel change: in its answers, under a key that is no question.
TRAVEL_ANSWER_KEY = "access.travel_change"
FURTHER_KM = (1.0, 5.0)  # "travels further" thresholds the summary reports
DEPRIVED_DECILES = (1, 2)


def _share(part: float, whole: float) -> float | None:
    return round(part / whole, 6) if whole > 0 else None


def _people(value: float) -> int | float:
    value = float(value)
    return int(value) if value.is_integer() else round(value, 1)


def rurality(by_class: NDArray[np.float64], total: float, people: bool) -> dict[str, Any]:
    """People by rural-urban class (every class listed, in order) and the share living in rural areas.
    `by_class`: the people in each class of RUC21_CLASSES, in order; `total`: everyone in the area (some
    may be in no class)."""
    classes = []
    rural = 0.0
    for count, (code, label, is_rural) in zip(by_class.tolist(), RUC21_CLASSES, strict=True):
        rural += count if is_rural else 0.0
        classes.append(
            {
                "code": code,
                "label": label,
                "rural": is_rural,
                "people": _people(count) if people else None,
                "share": _share(count, total),
            }
        )
    return {"classification": RUC21_SOURCE, "classes": classes, "rural_share": _share(rural, total)}


def barriers(key: str, label: str, by_decile: NDArray[np.float64], people: bool) -> dict[str, Any]:
    """People by national decile of the barriers (access to services) domain; decile 1 = most deprived.
    `by_decile`: the people in each decile, decile 1 first."""
    counts = by_decile.tolist()
    total = float(by_decile.sum())
    return {
        "domain": key,
        "label": label,
        "people_by_decile": [_people(c) for c in counts] if people else None,
        "share_by_decile": [_share(c, total) for c in counts],
        "share_deciles_1_2": _share(counts[0] + counts[1], total),  # as numpy adds two
    }


# --- who travels further ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TravelRow:
    """The straight-line distance to the current and proposed site for one group of people."""

    key: str  # "1".."10" for an IMD decile, a RUC21 code, or "all"
    label: str
    people: float
    mean_km_before: float | None
    mean_km_after: float | None
    share_further_1km: float | None
    share_further_5km: float | None

    @property
    def change_km(self) -> float | None:
        if self.mean_km_before is None or self.mean_km_after is None:
            return None
        return round(self.mean_km_after - self.mean_km_before, 3)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "people": _people(self.people),
            "mean_km_before": self.mean_km_before,
            "mean_km_after": self.mean_km_after,
            "change_km": self.change_km,
            "share_further_1km": self.share_further_1km,
            "share_further_5km": self.share_further_5km,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TravelRow:
        return cls(
            key=str(data.get("key") or ""),
            label=str(data.get("label") or ""),
            people=_finite(data.get("people")) or 0.0,
            mean_km_before=_finite(data.get("mean_km_before")),
            mean_km_after=_finite(data.get("mean_km_after")),
            share_further_1km=_finite(data.get("share_further_1km")),
            share_further_5km=_finite(data.get("share_further_5km")),
        )


@dataclass(frozen=True)
class TravelChange:
    """Who travels further when a service moves from one site to another: straight-line distance from each
    neighbourhood's population-weighted centre, weighted by its people, by IMD decile and rural-urban class.
    Straight lines understate real journeys (roads, buses, rivers), most of all in rural areas; they show
    who is moved further away, not how long the journey takes."""

    current_site: str  # the postcodes as typed, formatted ("FY1 1AA")
    proposed_site: str
    release: str
    overall: TravelRow
    by_decile: tuple[TravelRow, ...]
    by_rurality: tuple[TravelRow, ...]  # empty where the rural-urban classification is not loaded
    site_km_apart: float
    deprived_further_share: float | None  # of people in IMD deciles 1-2, the share >1 km further away

    def to_json(self) -> dict[str, Any]:
        return {
            "current_site": self.current_site,
            "proposed_site": self.proposed_site,
            "release": self.release,
            "site_km_apart": self.site_km_apart,
            "overall": self.overall.to_json(),
            "by_decile": [r.to_json() for r in self.by_decile],
            "by_rurality": [r.to_json() for r in self.by_rurality],
            "deprived_further_share": self.deprived_further_share,
        }

    @classmethod
    def from_json(cls, data: Any) -> TravelChange | None:
        """The stored form back; None for anything that is not one (never a crash on an old record)."""
        if not isinstance(data, Mapping) or not isinstance(data.get("overall"), Mapping):
            return None

        def rows(key: str) -> tuple[TravelRow, ...]:
            return tuple(TravelRow.from_json(r) for r in data.get(key) or () if isinstance(r, Mapping))

        return cls(
            current_site=str(data.get("current_site") or ""),
            proposed_site=str(data.get("proposed_site") or ""),
            release=str(data.get("release") or ""),
            overall=TravelRow.from_json(data["overall"]),
            by_decile=rows("by_decile"),
            by_rurality=rows("by_rurality"),
            site_km_apart=_finite(data.get("site_km_apart")) or 0.0,
            deprived_further_share=_finite(data.get("deprived_further_share")),
        )


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _row(
    key: str, label: str, before: NDArray[np.float64], after: NDArray[np.float64], w: NDArray[np.float64]
) -> TravelRow:
    total = float(w.sum())
    if total <= 0:
        return TravelRow(key, label, 0.0, None, None, None, None)
    change = after - before

    def mean(values: NDArray[np.float64]) -> float:
        return round(float(np.dot(values, w) / total), 3)

    return TravelRow(
        key,
        label,
        total,
        mean(before),
        mean(after),
        _share(float(w[change > FURTHER_KM[0]].sum()), total),
        _share(float(w[change > FURTHER_KM[1]].sum()), total),
    )


def travel_change(
    *,
    points: NDArray[np.float64],
    weights: NDArray[np.float64],
    imd_decile: NDArray[np.integer],
    ruc: NDArray[np.str_] | None,
    current: tuple[float, float],
    proposed: tuple[float, float],
    current_site: str,
    proposed_site: str,
    release: str,
) -> TravelChange:
    """Straight-line km from each neighbourhood's point (British National Grid metres) to each site."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    weights = np.asarray(weights, dtype=np.float64)
    before = np.hypot(points[:, 0] - current[0], points[:, 1] - current[1]) / 1000.0
    after = np.hypot(points[:, 0] - proposed[0], points[:, 1] - proposed[1]) / 1000.0
    deciles = np.asarray(imd_decile)
    by_decile = tuple(
        _row(str(d), f"Decile {d}", before[m], after[m], weights[m])
        for d in range(1, 11)
        if (m := deciles == d).any()
    )
    by_rurality: tuple[TravelRow, ...] = ()
    if ruc is not None:
        by_rurality = tuple(
            _row(code, label, before[m], after[m], weights[m])
            for code, label, _ in RUC21_CLASSES
            if (m := ruc == code).any()
        )
    deprived = np.isin(deciles, DEPRIVED_DECILES)
    deprived_people = float(weights[deprived].sum())
    further = deprived & (after - before > FURTHER_KM[0])
    return TravelChange(
        current_site=current_site,
        proposed_site=proposed_site,
        release=release,
        overall=_row("all", "Everyone", before, after, weights),
        by_decile=by_decile,
        by_rurality=by_rurality,
        site_km_apart=round(math.hypot(proposed[0] - current[0], proposed[1] - current[1]) / 1000.0, 3),
        deprived_further_share=_share(float(weights[further].sum()), deprived_people),
    )
