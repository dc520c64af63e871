"""Cumulative impact: overlap by shared neighbourhoods (LSOAs) and groups harmed in several assessments."""

from __future__ import annotations

import pytest

from hia_service.domain.cumulative import OtherAssessment, cumulative_view, overlaps, repeated_harms


def other(ref: str, lsoas: set[str], negative: dict[str, str] | None = None) -> OtherAssessment:
    return OtherAssessment(
        id=int(ref[-1]),
        reference=ref,
        title=f"Proposal {ref}",
        status="approved",
        rating="medium",
        lsoas=frozenset(lsoas),
        negative_groups=negative or {},
    )


MINE = {"E01000001", "E01000002", "E01000003", "E01000004"}


@pytest.mark.parametrize(
    ("others", "expected"),
    [
        ([], []),
        ([other("HIA-1", {"E01999999"})], []),  # no shared neighbourhood: no overlap
        ([other("HIA-1", {"E01000001"})], [("HIA-1", 1, 0.25)]),
        (
            [other("HIA-1", {"E01000001"}), other("HIA-2", MINE | {"E01999999"})],
            [("HIA-2", 4, 1.0), ("HIA-1", 1, 0.25)],  # most shared first
        ),
        (
            [other("HIA-3", {"E01000001", "E01000002"}), other("HIA-2", {"E01000003", "E01000004"})],
            [("HIA-2", 2, 0.5), ("HIA-3", 2, 0.5)],  # ties by reference
        ),
    ],
)
def test_overlaps(others: list[OtherAssessment], expected: list[tuple[str, int, float]]) -> None:
    assert [(o.other.reference, o.shared, o.share_of_this) for o in overlaps(MINE, others)] == expected


def test_no_area_no_overlap() -> None:
    assert overlaps(set(), [other("HIA-1", MINE)]) == ()


AGE = {"pc.age": "Age"}
CARERS = {"ehia_groups.carers": "Carers"}


@pytest.mark.parametrize(
    ("mine", "others", "expected"),
    [
        (AGE, [other("HIA-1", MINE, AGE)], [("Age", ("HIA-9", "HIA-1"))]),
        ({}, [other("HIA-1", MINE, AGE), other("HIA-2", MINE, AGE)], [("Age", ("HIA-1", "HIA-2"))]),
        (AGE, [other("HIA-1", MINE, CARERS)], []),  # different groups: nothing repeated
        (AGE, [other("HIA-1", {"E01999999"}, AGE)], []),  # not overlapping: not counted
        (
            {**AGE, **CARERS},
            [other("HIA-1", MINE, {**AGE, **CARERS}), other("HIA-2", MINE, AGE)],
            [("Age", ("HIA-9", "HIA-1", "HIA-2")), ("Carers", ("HIA-9", "HIA-1"))],  # most repeated first
        ),
    ],
)
def test_repeated_harms(
    mine: dict[str, str], others: list[OtherAssessment], expected: list[tuple[str, tuple[str, ...]]]
) -> None:
    view = cumulative_view("HIA-9", MINE, mine, others)
    assert [(r.label, r.references) for r in view.repeated] == expected
    assert repeated_harms("HIA-9", mine, view.overlaps) == view.repeated
