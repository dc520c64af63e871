"""Answers in words and the differences between versions, labelled from each version's own framework."""

from __future__ import annotations

import pytest

from hia_service.domain.framework import Framework, Question, Section
from hia_service.domain.rules import load_framework
from hia_service.services.review.answers import (
    NOT_ANSWERED,
    answer_sections,
    compare,
    describe_area,
    format_answer,
    long_date,
)

FRAMEWORK = load_framework("1.0")


@pytest.mark.parametrize(
    ("question_id", "value", "text"),
    [
        ("proposal.title", "Evening clinics", "Evening clinics"),
        ("proposal.kind", "procurement", "Procurement or contract"),
        ("proposal.decision_date", "2026-03-01", "1 March 2026"),
        ("pc.age.impact", "unknown", "Not known yet"),
        (
            "engagement.who",
            ["patients", "staff"],
            "Patients and people who use the service; Staff and staff networks",
        ),
        ("who.geography", {"type": "lad", "codes": ["E06000009"]}, "Local authority area: E06000009"),
        ("proposal.summary", "", NOT_ANSWERED),
    ],
)
def test_each_kind_of_answer_reads_in_words(question_id: str, value: object, text: str) -> None:
    row = format_answer(FRAMEWORK.question(question_id), value)
    assert row.label == FRAMEWORK.question(question_id).label
    assert row.text == text


def test_the_action_plan_becomes_a_table_with_the_frameworks_column_names() -> None:
    plan = [{"action": "Evening clinic", "owner": "A Patel", "due": "2026-05-01", "measure": None}]
    row = format_answer(FRAMEWORK.question("actions.plan"), plan)
    assert row.columns == ("Action", "Owner", "Due date", "Measure of success")
    assert row.rows == (("Evening clinic", "A Patel", "1 May 2026", ""),)
    assert row.text == "1 actions"
    assert row.plain == "Action: Evening clinic, Owner: A Patel, Due date: 1 May 2026, Measure of success: "


def test_sections_show_answers_and_unanswered_required_questions_but_not_hidden_ones() -> None:
    answers = {"engagement.done": "no", "engagement.how": "Left over from when it said yes"}
    engagement = next(s for s in answer_sections(FRAMEWORK, answers) if s.id == "engagement")
    shown = {row.question_id: row.text for row in engagement.answers}
    assert shown == {"engagement.done": "No", "engagement.not_proportionate": NOT_ANSWERED}


def _framework(version: str, *questions: Question) -> Framework:
    return Framework(
        version=version, title="Test", sections=(Section(id="s", title="Section", questions=questions),)
    )


def test_compare_labels_each_side_from_its_own_framework_version() -> None:
    old = _framework(
        "1.0",
        Question(id="s.a", type="text", label="Old wording of A", name="A"),
        Question(id="s.gone", type="text", label="Dropped question", name="gone"),
    )
    new = _framework(
        "2.0",
        Question(id="s.a", type="text", label="New wording of A", name="A"),
        Question(id="s.new", type="text", label="Brand new question", name="new"),
    )
    differences = compare(
        (old, {"s.a": "before", "s.gone": "only then"}), (new, {"s.a": "after", "s.new": "only now"})
    )
    summary = [(d.label, d.kind, d.before and d.before.text, d.after and d.after.text) for d in differences]
    assert summary == [
        ("New wording of A", "Changed", "before", "after"),
        ("Brand new question", "Added", None, "only now"),
        ("Dropped question", "Removed", "only then", None),
    ]
    assert differences[0].before.label == "Old wording of A"


def test_compare_ignores_answers_that_are_the_same_or_blank_on_both_sides() -> None:
    answers = {"proposal.title": "Same", "proposal.summary": ""}
    assert compare((FRAMEWORK, answers), (FRAMEWORK, {**answers, "proposal.summary": None})) == []


@pytest.mark.parametrize(
    ("area", "text"),
    [
        ({"type": "lsoa_codes", "codes": ["E01000001", "E01000002"]}, "2 neighbourhoods (LSOAs) listed"),
        ({"type": "point_radius", "postcode": "FY1 1AA", "radius_km": 2}, "Within 2 km of FY1 1AA"),
        ({"type": "icb", "code": "E54000048"}, "Integrated care board area: E54000048"),
        ({"type": "geojson", "geojson": {}}, "An uploaded or drawn boundary"),
        # As stored: the person's own words and the place, never a latitude and longitude.
        (
            {
                "type": "point_radius",
                "latitude": 53.8,
                "longitude": -3.05,
                "radius_km": 4.828032,
                "centre": "FY1 4**",
                "label": "3 miles around FY1 4AA (Blackpool)",
            },
            "3 miles around FY1 4AA (Blackpool)",
        ),
        (
            {"type": "lad", "codes": ["E06000009"], "label": "Blackpool (local authority)"},
            "Blackpool (local authority)",
        ),
        (
            {
                "type": "point_radius",
                "latitude": 53.8,
                "longitude": -3.05,
                "radius_km": 2,
                "centre": "FY1 4**",
            },
            "Within 2 km of FY1 4**",
        ),
    ],
)
def test_areas_are_described_without_listing_every_neighbourhood(area: dict, text: str) -> None:
    assert describe_area(area) == text


def test_dates_that_cannot_be_read_are_shown_as_they_are() -> None:
    assert long_date("2026-02-30") == "2026-02-30"
    assert long_date("2026-12-09") == "9 December 2026"
