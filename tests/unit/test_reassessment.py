"""Re-assessment triggers: the decision recorded after approval moved or differs from what was assessed."""

from __future__ import annotations

from datetime import date

import pytest

from hia_service.domain.reassessment import reassessment_reasons

APPROVED = {"proposal.decision_date": "2026-03-27", "conclusion.recommendation": "proceed_with_mitigations"}


@pytest.mark.parametrize(
    ("approved", "decided_on", "outcome", "starts"),
    [
        (APPROVED, date(2026, 3, 27), "proceed_with_mitigations", []),
        (
            APPROVED,
            date(2026, 3, 28),
            "proceed_with_mitigations",
            ["The decision was taken on 28 March 2026"],
        ),
        (
            APPROVED,
            date(2026, 1, 5),
            "proceed_with_mitigations",
            ["The decision was taken on 5 January 2026"],
        ),
        (APPROVED, date(2026, 3, 27), "proceed", ["The decision was to proceed, but"]),
        (
            APPROVED,
            date(2026, 4, 1),
            "do_not_proceed",
            ["The decision was taken on 1 April 2026", "The decision was to not proceed"],
        ),
        ({}, date(2026, 3, 27), "proceed", []),  # nothing assessed to compare with
        ({"proposal.decision_date": "not a date"}, date(2026, 3, 27), "proceed", []),
    ],
)
def test_reassessment_reasons(
    approved: dict[str, str], decided_on: date, outcome: str, starts: list[str]
) -> None:
    reasons = reassessment_reasons(approved, decided_on, outcome)
    assert len(reasons) == len(starts)
    for reason, start in zip(reasons, starts, strict=True):
        assert reason.startswith(start)


def test_moved_date_names_both_dates() -> None:
    (reason,) = reassessment_reasons(APPROVED, date(2026, 5, 1), "proceed_with_mitigations")
    assert "not on 27 March 2026 as assessed" in reason
