"""Two sets of people side by side by deprivation: the people who use a service against its catchment, or a
service's users before and after a change (did the most deprived patients stop coming?). Pure.

A patient list is kept only as headline figures (counts by decile and fifth), never as postcodes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hia_service.domain.geography.area_profile import Place

# Where an assessment keeps its service users' figures: in its answers, under a key that is no question (so
# they are frozen with each version, and a follow-up can compare a later list with them).
USERS_ANSWER_KEY = "who.service_users_figures"
# Where they were kept until December 2026: the key of the question "Who uses the service now?", whose typed
# answer the figures replaced. Versions recorded then are read from it (migration 0013 moved the drafts').
EARLIER_USERS_KEY = "who.service_users"
FIFTHS = (
    "Most deprived fifth (Core20)",
    "Second most deprived fifth",
    "Middle fifth",
    "Second least deprived fifth",
    "Least deprived fifth",
)
CLEAR_CHANGE = 0.02  # two percentage points: less is said to be about the same
NOT_COMPARABLE = "The share in the most deprived fifth is not known for both, so they cannot be compared."


@dataclass(frozen=True)
class ShareRow:
    label: str
    first: float | None
    second: float | None


@dataclass(frozen=True)
class PeopleComparison:
    """`first` and `second` side by side: each fifth of neighbourhoods by deprivation, as a share of each."""

    first: Place
    second: Place
    rows: tuple[ShareRow, ...]

    @property
    def core20(self) -> ShareRow:
        return self.rows[0]

    def users_sentence(self) -> str:
        """For users (second) against the catchment (first)."""
        row = self.core20
        if row.first is None or row.second is None:
            return NOT_COMPARABLE
        return (
            f"{_percent(row.second)} of {self.second.name} live in the most deprived fifth of neighbourhoods "
            f"in England, against {_percent(row.first)} of {self.first.name}. {_gap(row.second - row.first)}"
        )

    def change_sentence(self) -> str:
        """For the same service's users before (first) and after (second) a change."""
        row = self.core20
        if row.first is None or row.second is None:
            return NOT_COMPARABLE
        change = row.second - row.first
        if abs(change) < CLEAR_CHANGE:
            return (
                f"The share of patients from the most deprived fifth of neighbourhoods is about the same: "
                f"{_percent(row.first)} before and {_percent(row.second)} after."
            )
        word = "fell" if change < 0 else "rose"
        points = round(abs(change) * 100)
        warning = " Find out why the most deprived patients are coming less." if change < 0 else ""
        return (
            f"The share of patients from the most deprived fifth of neighbourhoods {word} from "
            f"{_percent(row.first)} to {_percent(row.second)} ({points} percentage points).{warning}"
        )


def compare_people(first: Place, second: Place) -> PeopleComparison:
    first_fifths, second_fifths = fifths(first), fifths(second)
    rows = tuple(ShareRow(label, first_fifths[n], second_fifths[n]) for n, label in enumerate(FIFTHS))
    return PeopleComparison(first, second, rows)


def fifths(place: Place) -> tuple[float | None, ...]:
    """The share of the people in each fifth, most deprived first, from the deciles where it can be."""
    deciles = place.population_by_decile
    if deciles and len(deciles) == 10 and all(v is not None for v in deciles):
        counts = [float(v or 0) for v in deciles]
        total = sum(counts)
        if total > 0:
            return tuple(round((counts[2 * n] + counts[2 * n + 1]) / total, 6) for n in range(5))
    quintiles = place.share_by_quintile
    if quintiles and len(quintiles) == 5:
        return tuple(quintiles)
    return (place.core20_share, None, None, None, None)


def stored_users(answers: Mapping[str, Any]) -> Place | None:
    """The service users' figures kept with an assessment's answers, or None."""
    data = answers.get(USERS_ANSWER_KEY)
    if not isinstance(data, Mapping):
        data = answers.get(EARLIER_USERS_KEY)  # figures, not the typed answer, in a version from before
    return Place.from_json(data) if isinstance(data, Mapping) else None


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def _gap(difference: float) -> str:
    if abs(difference) < CLEAR_CHANGE:
        return "The service reaches the most deprived people about as well as its catchment would suggest."
    if difference > 0:
        return "The service's users are more deprived than the people in its catchment."
    return "The most deprived people in the catchment use the service less than their numbers would suggest."
