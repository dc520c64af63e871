""" "Save and come back later": what is typed is kept as far as it goes, nothing is required yet, and only an
answer that cannot be stored as its type is left out, with why."""

from __future__ import annotations

from hia_service.domain.framework import Framework, draft_answer, section_status, validate_answer


def test_blank_required_answers_are_kept_blank_without_an_error(framework: Framework) -> None:
    for question_id in ("proposal.title", "proposal.kind", "proposal.decision_date", "engagement.who"):
        question = framework.question(question_id)
        assert validate_answer(question, None)[1] is not None
        assert draft_answer(question, None)[1] is None


def test_text_over_its_limit_is_kept_and_still_refused_on_continue(framework: Framework) -> None:
    question = framework.question("proposal.lead")
    assert draft_answer(question, "x" * 500) == ("x" * 500, None)
    assert validate_answer(question, "x" * 500)[1]


def test_a_date_that_does_not_exist_is_left_out_with_why(framework: Framework) -> None:
    question = framework.question("proposal.decision_date")
    value, problem = draft_answer(question, {"day": "31", "month": "2", "year": "2027"})
    assert value is None and problem is not None and "real date" in problem


def test_rows_missing_a_required_cell_are_kept_and_the_section_is_in_progress(framework: Framework) -> None:
    question = framework.question("actions.plan")
    raw = [{"action": "Run a pop-up clinic", "owner": "", "due": {"day": "", "month": "", "year": ""}}, {}]
    value, problem = draft_answer(question, raw)
    assert problem is None
    assert len(value) == 1 and value[0]["action"] == "Run a pop-up clinic" and value[0]["owner"] is None
    assert section_status(framework.section("actions"), {"actions.plan": value}) == "in progress"


def test_a_row_with_an_impossible_date_keeps_its_other_cells(framework: Framework) -> None:
    question = framework.question("actions.plan")
    raw = [
        {"action": "Text reminders", "owner": "Sam Lead", "due": {"day": "30", "month": "2", "year": "2027"}}
    ]
    value, problem = draft_answer(question, raw)
    assert (
        value[0]["action"] == "Text reminders" and value[0]["owner"] == "Sam Lead" and value[0]["due"] is None
    )
    assert problem is not None and "action 1" in problem
