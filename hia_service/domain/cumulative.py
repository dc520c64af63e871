"""Cumulative impact: other assessments of the same organisation whose affected areas overlap this one, and
the groups that several of them harm.

Audit Wales found assessments never looked at the combined effect of several decisions on the same people.
Two assessments overlap when their areas share neighbourhoods (LSOAs). Pure: the caller supplies each
assessment's neighbourhood codes and its negative groups.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# A group harmed by at least this many of the overlapping assessments (this one included) is flagged.
REPEATED_HARM_AT = 2
# For the rating (scoring 1.9 on): a decision already taken reaches the same people when it covers at least
# this share of this assessment's neighbourhoods (a fifth: more than a shared border).
HARMED_AGAIN_SHARE = 0.2
DECIDED = frozenset({"approved", "decision_recorded"})


@dataclass(frozen=True)
class OtherAssessment:
    """What the overlap needs to know about another assessment."""

    id: int
    reference: str
    title: str
    status: str
    rating: str | None
    lsoas: frozenset[str]
    negative_groups: Mapping[str, str]  # group id -> label


@dataclass(frozen=True)
class Overlap:
    other: OtherAssessment
    shared: int  # neighbourhoods in both areas
    share_of_this: float  # the shared neighbourhoods as a share of this assessment's area


@dataclass(frozen=True)
class RepeatedHarm:
    group_id: str
    label: str
    references: tuple[str, ...]  # the assessments (this one first, if it harms the group) that harm it


@dataclass(frozen=True)
class CumulativeView:
    overlaps: tuple[Overlap, ...]
    repeated: tuple[RepeatedHarm, ...]
    viewable: frozenset[int] = frozenset()  # overlapping assessments the person looking may open

    @property
    def any(self) -> bool:
        return bool(self.overlaps)


def overlaps(lsoas: Iterable[str], others: Iterable[OtherAssessment]) -> tuple[Overlap, ...]:
    """Other assessments sharing at least one neighbourhood, most shared first."""
    mine = frozenset(lsoas)
    if not mine:
        return ()
    found = []
    for other in others:
        shared = len(mine & other.lsoas)
        if shared:
            found.append(Overlap(other, shared, shared / len(mine)))
    return tuple(sorted(found, key=lambda o: (-o.shared, o.other.reference)))


def repeated_harms(
    reference: str, negative_groups: Mapping[str, str], found: Iterable[Overlap]
) -> tuple[RepeatedHarm, ...]:
    """Groups harmed in several overlapping assessments: the same people may bear the effects together."""
    harmed_by: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for group_id, label in negative_groups.items():
        harmed_by.setdefault(group_id, []).append(reference)
        labels[group_id] = label
    for overlap in found:
        for group_id, label in overlap.other.negative_groups.items():
            harmed_by.setdefault(group_id, []).append(overlap.other.reference)
            labels.setdefault(group_id, label)
    repeated = [
        RepeatedHarm(group_id, labels[group_id], tuple(refs))
        for group_id, refs in harmed_by.items()
        if len(refs) >= REPEATED_HARM_AT
    ]
    return tuple(sorted(repeated, key=lambda r: (-len(r.references), r.label)))


def cumulative_view(
    reference: str,
    lsoas: Iterable[str],
    negative_groups: Mapping[str, str],
    others: Iterable[OtherAssessment],
) -> CumulativeView:
    found = overlaps(lsoas, others)
    return CumulativeView(found, repeated_harms(reference, negative_groups, found))


def harmed_again(found: Iterable[Overlap]) -> dict[str, tuple[str, ...]]:
    """The groups each decision already taken harms, by group id, with the references of those decisions:
    only decisions approved or recorded whose areas cover at least HARMED_AGAIN_SHARE of this one's."""
    harmed_by: dict[str, list[str]] = {}
    for overlap in found:
        if overlap.other.status in DECIDED and overlap.share_of_this >= HARMED_AGAIN_SHARE:
            for group_id in overlap.other.negative_groups:
                harmed_by.setdefault(group_id, []).append(overlap.other.reference)
    return {group_id: tuple(sorted(refs)) for group_id, refs in harmed_by.items()}
