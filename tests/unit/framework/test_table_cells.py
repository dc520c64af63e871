"""Every problem in a table's boxes at once (`cell_errors`), by the row's place on the page and the column,
so the wizard can show each beside its own box; `validate_answer` still gives the first as the answer's."""

from __future__ import annotations

from hia_service.domain.framework import Framework, draft_answer, validate_answer
from hia_service.domain.framework.validation import cell_errors

GOOD = {"action": "Run an evening clinic", "owner": "Sam Patel", "due": "2026-06-01"}
BLANK = {"action": "", "owner": "", "due": {"day": "", "month": "", "year": ""}}


def test_every_problem_in_every_row_by_row_and_column(framework: Framework) -> None:
    plan = framework.question("actions.plan")
    raw = [
        GOOD,
        {**GOOD, "due": {"day": "31", "month": "2", "year": "2027"}},
        {"action": "Home visits", "owner": " ", "due": ""},
    ]
    assert cell_errors(plan, raw) == {
        (1, "due"): "Due date for action 2 must be a real date",
        (2, "owner"): "Enter the owner for action 3",
        (2, "due"): "Enter the due date for action 3",
    }
    assert validate_answer(plan, raw)[1] == "Due date for action 2 must be a real date"
    assert cell_errors(plan, raw, draft=True) == {(1, "due"): "Due date for action 2 must be a real date"}
    assert draft_answer(plan, raw)[1] == "Due date for action 2 must be a real date"


def test_a_row_is_named_by_its_place_on_the_page_even_after_an_empty_one(framework: Framework) -> None:
    plan = framework.question("actions.plan")
    raw = [GOOD, BLANK, {**GOOD, "owner": ""}]
    assert cell_errors(plan, raw) == {(2, "owner"): "Enter the owner for action 3"}
    assert validate_answer(plan, raw)[1] == "Enter the owner for action 3"


def test_no_cell_errors_for_good_rows_or_for_an_answer_that_is_not_rows(framework: Framework) -> None:
    plan = framework.question("actions.plan")
    assert cell_errors(plan, [GOOD, BLANK]) == {}
    assert cell_errors(plan, "not rows") == {}
    assert validate_answer(plan, "not rows")[1] == "Action plan must be a list of rows"
    assert cell_errors(framework.question("proposal.title"), "Move the clinic") == {}
