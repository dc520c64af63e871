"""What the wizard needs: visible questions, section status and answer validation with NHS-style messages."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hia_service.domain.framework import (
    Framework,
    section_status,
    validate_answer,
    visible_answers,
    visible_questions,
)
from hia_service.domain.rules import RuleSet


def ids(questions: Any) -> list[str]:
    return [q.id for q in questions]


def test_follow_up_question_shows_only_when_the_answer_says_so(framework: Framework) -> None:
    who = framework.section("who")
    assert "who.staff" not in ids(visible_questions(who, {}))
    assert "who.staff" not in ids(visible_questions(who, {"who.staff_affected": "no"}))
    assert "who.staff" in ids(visible_questions(who, {"who.staff_affected": "yes"}))


def test_mitigation_shows_for_negative_and_unknown_impacts_only(framework: Framework) -> None:
    pc = framework.section("pc")
    for impact, shown in [("negative", True), ("unknown", True), ("neutral", False), ("positive", False)]:
        assert ("pc.race.mitigation" in ids(visible_questions(pc, {"pc.race.impact": impact}))) is shown


def test_answers_to_hidden_questions_are_dropped(framework: Framework) -> None:
    answers = {
        "engagement.done": "no",
        "engagement.feedback": "They liked it",
        "engagement.not_proportionate": "x",
    }
    kept = visible_answers(framework, answers)
    assert "engagement.feedback" not in kept
    assert kept["engagement.not_proportionate"] == "x"
    assert "not.a.question" not in visible_answers(framework, {"not.a.question": 1})


def test_section_status(framework: Framework) -> None:
    who = framework.section("who")
    geography = {"type": "icb", "codes": ["E54000050"]}
    assert section_status(who, {}) == "not started"
    assert section_status(who, {"who.staff_affected": "no"}) == "in progress"
    done = {"who.geography": geography, "who.service_users": "Adults with COPD", "who.staff_affected": "no"}
    assert section_status(who, done) == "completed"
    # Saying yes opens a required follow-up, so the section is no longer complete.
    assert section_status(who, {**done, "who.staff_affected": "yes"}) == "in progress"
    assert (
        section_status(who, {**done, "who.staff_affected": "yes", "who.staff": "Two phlebotomists"})
        == "completed"
    )


def test_section_with_invalid_stored_answer_is_in_progress(framework: Framework) -> None:
    monitoring = framework.section("monitoring")
    assert section_status(monitoring, {"monitoring.review_date": "2026-02-30"}) == "in progress"
    assert section_status(monitoring, {"monitoring.review_date": "2026-02-28"}) == "completed"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"day": "27", "month": "3", "year": "2026"}, ("2026-03-27", None)),
        ("2026-03-27", ("2026-03-27", None)),
        (date(2026, 3, 27), ("2026-03-27", None)),
        ({"day": "", "month": "", "year": ""}, (None, "Enter a decision date")),
        (None, (None, "Enter a decision date")),
        ({"day": "27", "month": "", "year": "2026"}, (None, "Decision date must include a month")),
        ({"day": "31", "month": "2", "year": "2026"}, (None, "Decision date must be a real date")),
        ({"day": "1", "month": "x", "year": "2026"}, (None, "Decision date must be a real date")),
        ({"day": "9999999999", "month": "1", "year": "2027"}, (None, "Decision date must be a real date")),
        (
            {"day": "1", "month": "99999999999999999999", "year": "2027"},
            (None, "Decision date must be a real date"),
        ),
        (
            {"day": "1", "month": "2", "year": "26"},
            (None, "Decision date must include a year with 4 numbers"),
        ),
        ("27/03/2026", (None, "Decision date must be a real date")),
    ],
)
def test_date_answers(framework: Framework, raw: Any, expected: tuple[Any, str | None]) -> None:
    assert validate_answer(framework.question("proposal.decision_date"), raw) == expected


def test_text_answers(framework: Framework) -> None:
    title = framework.question("proposal.title")
    assert validate_answer(title, "  Move the clinic  ") == ("Move the clinic", None)
    assert validate_answer(title, "   ") == (None, "Enter the title of the proposal")
    value, error = validate_answer(title, "x" * 151)
    assert error == "Title of the proposal must be 150 characters or fewer"
    assert value == "x" * 151  # kept so the person can edit it
    assert validate_answer(framework.question("proposal.sites"), "") == (None, None)  # optional


def test_choice_and_impact_answers(framework: Framework) -> None:
    kind = framework.question("proposal.kind")
    assert validate_answer(kind, "estates") == ("estates", None)
    assert validate_answer(kind, "castle") == (None, "Select the kind of proposal")
    assert validate_answer(kind, None) == (None, "Select the kind of proposal")
    impact = framework.question("pc.age.impact")
    assert validate_answer(impact, "negative") == ("negative", None)
    assert validate_answer(impact, "") == (None, "Select the likely impact for Age")


def test_multi_choice_answers(framework: Framework) -> None:
    who = framework.question("engagement.who")
    assert validate_answer(who, ["staff", "patients"]) == (["patients", "staff"], None)
    assert validate_answer(who, "staff") == (["staff"], None)
    assert validate_answer(who, []) == (None, "Select who you involved")
    assert validate_answer(who, ["aliens"])[1] == "Select who you involved"
    declaration = framework.question("conclusion.declaration")
    assert validate_answer(declaration, [])[1] == "Confirm the declaration to continue"


def test_action_plan_rows(framework: Framework) -> None:
    plan = framework.question("actions.plan")
    good = {"action": "Run an evening clinic", "owner": "Sam Patel", "due": "2026-06-01", "measure": ""}
    blank = {"action": "", "owner": "", "due": "", "measure": ""}
    value, error = validate_answer(plan, [good, blank])
    assert error is None
    assert value == [{**good, "measure": None}]
    assert validate_answer(plan, [good, {**good, "owner": " "}])[1] == "Enter the owner for action 2"
    assert (
        validate_answer(plan, [{**good, "due": "2026-13-01"}])[1]
        == "Due date for action 1 must be a real date"
    )
    assert validate_answer(plan, [{**good, "due": {"day": "1", "month": "6", "year": ""}}])[1] == (
        "Due date for action 1 must include a year"
    )
    # The page's spare rows arrive with a three-box date left blank: they are empty rows, not errors.
    spare = {"action": "", "owner": "", "due": {"day": "", "month": "", "year": " "}, "measure": ""}
    assert validate_answer(plan, [good, spare, spare]) == ([{**good, "measure": None}], None)
    assert validate_answer(plan, [])[1] is None  # the plan itself is optional; quality checks ask for it
    assert validate_answer(plan, "not rows")[1] == "Action plan must be a list of rows"


def test_table_rows_and_required_table(framework: Framework) -> None:
    gaps = framework.question("evidence.gaps")
    assert validate_answer(gaps, [])[1] == "Add at least one gap"
    assert validate_answer(gaps, [{"gap": "No ethnicity data"}])[1] == "Enter the plan for gap 1"


def test_geography_and_profile_answers(framework: Framework) -> None:
    geography = framework.question("who.geography")
    area = {"type": "lad", "codes": ["E06000001"]}
    assert validate_answer(geography, area) == (area, None)
    assert (
        validate_answer(geography, None)[1]
        == "Complete the geography step to say where the people affected live"
    )
    assert validate_answer(framework.question("core20.profile"), "anything") == (None, None)


def test_dates_on_two_pages_must_come_in_order(framework: Framework) -> None:
    from hia_service.domain.framework import date_order_errors

    questions = {q.id: q for q in framework.questions()}
    answers = {"proposal.decision_date": "2027-06-01", "monitoring.review_date": "2027-03-01"}
    assert date_order_errors(questions, answers, ["monitoring.review_date"]) == {
        "monitoring.review_date": "Review date must be after the decision date (1 June 2027)"
    }
    assert date_order_errors(questions, answers, ["proposal.decision_date"]) == {
        "proposal.decision_date": "Decision date must be before the review date (1 March 2027)"
    }
    assert date_order_errors(questions, answers, ["pc.age.impact"]) == {}  # neither date on this page
    later = {**answers, "monitoring.review_date": "2028-03-01"}
    assert date_order_errors(questions, later, ["monitoring.review_date"]) == {}
    assert date_order_errors({}, answers, ["monitoring.review_date"]) == {}  # a framework without the pair


@pytest.mark.parametrize("sent", [True, 3, 2.5, {"value": "patients"}, [["patients"]], [1, 2]])
def test_a_multiple_choice_answer_that_is_not_options_is_refused(framework: Framework, sent: Any) -> None:
    """From the API: true/false, a number, an object or a list of lists is none of the options."""
    question = framework.question("engagement.who")
    value, error = validate_answer(question, sent)
    assert value == [] and error


@pytest.mark.parametrize("sent", [{"a": 1}, ["Finance committee"], True])
def test_text_sent_as_an_object_a_list_or_true_false_is_refused_not_stored_as_spelled(
    framework: Framework, sent: Any
) -> None:
    value, error = validate_answer(framework.question("proposal.decision_forum"), sent)
    assert value is None and error == "Group or board making the decision must be text"
    plan = framework.question("actions.plan")
    row = {"action": sent, "owner": "Practice manager", "due": "2027-03-01"}
    value, error = validate_answer(plan, [row])
    assert error == "Action for action 1 must be text"


@pytest.mark.parametrize("sent", [200, 2.5])
def test_a_number_sent_for_text_is_kept_as_its_text(framework: Framework, sent: float) -> None:
    assert validate_answer(framework.question("proposal.decision_forum"), sent) == (str(sent), None)


@pytest.mark.parametrize(
    ("raw", "box"),
    [
        ({"day": "1", "month": "13", "year": "2027"}, "month"),
        ({"day": "1", "month": "1", "year": "27"}, "year"),
        ({"day": "1", "month": "", "year": "2027"}, "month"),
        ({"day": "x", "month": "1", "year": "2027"}, "day"),
        ({"day": "31", "month": "2", "year": "2027"}, "day"),
        ("2027-01-01", "day"),
    ],
)
def test_a_date_error_points_at_the_box_that_is_wrong(raw: Any, box: str) -> None:
    from hia_service.domain.framework.validation import wrong_date_part

    assert wrong_date_part(raw) == box


def test_a_row_column_labelled_as_a_question_is_asked_for_by_its_label(ruleset: RuleSet) -> None:
    """Not "Select the what changes for combination 1": the label is a question, not a noun."""
    combinations = ruleset.framework("1.3").question("intersection.impacts")
    row = {"groups": "Older people, disabled people"}
    assert validate_answer(combinations, [row])[1] == "Answer \u2018What changes\u2019 for combination 1"
    row |= {"mechanism": "access"}
    assert validate_answer(combinations, [row])[1] == "Answer \u2018Better or worse\u2019 for combination 1"
    row |= {"direction": "negative"}
    assert validate_answer(combinations, [row])[1] == "Answer \u2018How\u2019 for combination 1"


def test_none_of_these_is_refused_beside_other_choices(ruleset: RuleSet) -> None:
    question = ruleset.framework("1.3").question("determinants.affected")
    assert validate_answer(question, ["none"]) == (["none"], None)
    assert validate_answer(question, ["transport", "income"]) == (["transport", "income"], None)
    value, error = validate_answer(question, ["transport", "none"])
    assert value == [] and error == 'Select "None of these" on its own, or select only the ones that apply'
