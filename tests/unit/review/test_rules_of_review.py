"""The pure rules behind review pages: decisions, deprivation comparison, CSV cells, filters, reminders."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict

from hia_service.services.review.dashboard import Count, more_deprived_than_organisation
from hia_service.services.review.decisions import DecisionInput, InvalidInput, check_decision
from hia_service.services.review.register import safe_cell
from hia_service.services.review.reminders import reminder_text
from hia_service.web.dashboard.charts import bar_chart_png
from hia_service.web.review.filters import queue_filters


def test_a_complete_decision_is_accepted_and_trimmed() -> None:
    entry = DecisionInput(
        {"day": "3", "month": "2", "year": "2025"}, "  Trust board ", "pause", " Deferred. "
    )
    assert check_decision(entry) == (
        date(2025, 2, 3),
        {"forum": "Trust board", "outcome": "pause", "summary": "Deferred."},
    )


def test_every_problem_with_a_decision_is_reported_at_once() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_decision(DecisionInput({"day": "", "month": "", "year": ""}, "", "maybe", ""))
    assert list(caught.value.errors.items()) == [  # in the order the form asks
        ("outcome", "Select what was decided"),
        ("summary", "Describe what was decided"),
        ("forum", "Enter which group or board made the decision"),
        ("decided_on", "Enter the date of the decision"),
    ]


def test_a_decision_cannot_be_dated_in_the_future() -> None:
    later = (date.today() + timedelta(days=3)).isoformat()
    with pytest.raises(InvalidInput, match="today or in the past"):
        check_decision(DecisionInput(later, "Board", "proceed", "Yes"))


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        (
            {
                "core20_share": 0.5,
                "relative_core20": 2.5,
                "baseline": {"organisation": {"core20_share": 0.3}},
            },
            True,
        ),
        (
            {
                "core20_share": 0.25,
                "relative_core20": 1.25,
                "baseline": {"organisation": {"core20_share": 0.3}},
            },
            False,
        ),
        (
            {"core20_share": 0.25, "relative_core20": 1.25, "baseline": {"england": {"core20_share": 0.2}}},
            True,
        ),
        ({"core20_share": 0.15, "relative_core20": 0.75}, False),
        ({"core20_share": 0.2, "relative_core20": 1.0}, False),  # the same is not "more deprived"
        ({"population": 10}, None),
    ],
)
def test_more_deprived_than_the_organisation_then_england(profile: dict, expected: bool | None) -> None:
    assert more_deprived_than_organisation(profile) is expected


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-1", "'-1"), ("@cmd", "'@cmd"), ("Plain", "Plain"), (3, 3)],
)
def test_cells_that_a_spreadsheet_would_run_are_made_text(value: object, cell: object) -> None:
    assert safe_cell(value) == cell


def test_queue_filters_read_the_query_string_and_explain_bad_dates() -> None:
    args = MultiDict(
        [
            ("status", "approved"),
            ("status", "returned"),
            ("rating", "high"),
            ("q", "  HIA-2026-0042 "),
            ("decision_from-day", "1"),
            ("decision_from-month", "4"),
            ("decision_from-year", "2026"),
            ("decision_to-day", "1"),
            ("decision_to-month", "3"),
            ("decision_to-year", "2026"),
        ]
    )
    filters, errors = queue_filters(args)
    assert filters.statuses == ("approved", "returned") and filters.ratings == ("high",)
    assert filters.search == "HIA-2026-0042" and filters.decision_from == date(2026, 4, 1)
    assert filters.decision_to is None
    assert errors == {"decision_to": "Decision date to must be the same as or after decision date from"}


def test_a_reminder_lists_overdue_actions_first_in_plain_english() -> None:
    assessment = SimpleNamespace(reference="HIA-2026-0007", title="Evening clinics")
    items = [
        SimpleNamespace(
            kind="action", action="Hire an interpreter", due=date(2026, 1, 5), assessment=assessment
        ),
        SimpleNamespace(kind="review", action="Review", due=date(2026, 2, 1), assessment=assessment),
    ]
    reminder = SimpleNamespace(recipient="a@nhs.net", name="Asha", items=items)
    subject, body = reminder_text(reminder, date(2026, 1, 20), "https://hia.example.nhs.uk/")
    assert subject == "1 overdue health inequalities action"
    assert "Dear Asha," in body
    assert "HIA-2026-0007 Evening clinics" in body
    assert "Hire an interpreter\n  OVERDUE, was due 5 January 2026" in body
    assert "Review of the assessment\n  due 1 February 2026" in body
    assert "https://hia.example.nhs.uk/follow-up/" in body


def test_charts_are_png_whatever_the_number_of_bars() -> None:
    for counts in (
        [],
        [Count("a", "Approved", 3, 1.0)],
        [Count(str(i), f"Team {i}", i, 0.1) for i in range(12)],
    ):
        assert bar_chart_png("Assessments by status", counts)[:8] == b"\x89PNG\r\n\x1a\n"
