"""A section that asks for nothing ("Distance to the service" when nothing closes or moves): completed once
saved, even blank, and never holding up submission; a section with required questions still does."""

from __future__ import annotations

from typing import Any

import pytest

from hia_service.domain.framework import Framework, holds_up_submission, section_status
from hia_service.domain.rules import RuleSet
from hia_service.services.assessments.wizard import incomplete_tasks

SITES = ("access.current_site", "access.proposed_site")
# An online-first change: it changes access, but no site closes or moves.
DIGITAL = {"proposal.kind": "digital", "proposal.changes_access": "yes", "screening.depth": "full"}


@pytest.fixture(scope="module")
def fw(ruleset: RuleSet) -> Framework:
    return ruleset.framework("1.3")


def test_distance_left_blank_is_completed_once_saved(fw: Framework) -> None:
    access = fw.section("access")
    assert section_status(access, DIGITAL) == "not started"
    saved_blank: dict[str, Any] = {**DIGITAL, **dict.fromkeys(SITES)}  # "Save and continue" stores None
    assert section_status(access, saved_blank) == "completed"
    assert section_status(access, {**saved_blank, "access.current_site": "  "}) == "completed"
    assert section_status(access, {**DIGITAL, "access.current_site": "FY3 8NR"}) == "completed"


def test_a_section_that_asks_for_nothing_never_holds_up_submission(fw: Framework) -> None:
    access = fw.section("access")
    assert not holds_up_submission(access, DIGITAL)  # not started, and nothing in it is required
    assert not holds_up_submission(access, {**DIGITAL, **dict.fromkeys(SITES)})
    # An answer that is not valid still does: it has to be put right.
    too_long = {**DIGITAL, "access.current_site": "FY3 8NR FY3 8NR"}
    assert section_status(access, too_long) == "in progress"
    assert holds_up_submission(access, too_long)


def test_a_section_left_out_never_holds_up_submission(fw: Framework) -> None:
    staying = {**DIGITAL, "proposal.changes_access": "no"}
    assert section_status(fw.section("access"), staying) == "not needed"
    assert not holds_up_submission(fw.section("access"), staying)


def test_a_section_with_required_questions_still_holds_up_submission(fw: Framework) -> None:
    who = fw.section("who")
    assert section_status(who, {}) == "not started" and holds_up_submission(who, {})
    # Saved blank ("Save and come back later" keeps blanks as None): still not started, still needed.
    saved_blank = dict.fromkeys(("who.service_users", "who.staff_affected"))
    assert section_status(who, saved_blank) == "not started"
    assert holds_up_submission(who, saved_blank)
    partly = {"who.staff_affected": "no"}
    assert section_status(who, partly) == "in progress" and holds_up_submission(who, partly)


def test_an_empty_action_plan_saved_is_completed_but_a_half_filled_row_is_not(fw: Framework) -> None:
    actions = fw.section("actions")
    answers = {**DIGITAL, "actions.plan": []}
    assert section_status(actions, answers) == "completed" and not holds_up_submission(actions, answers)
    half = {**DIGITAL, "actions.plan": [{"action": "Phone booking line", "owner": None, "due": None}]}
    assert section_status(actions, half) == "in progress" and holds_up_submission(actions, half)


def test_incomplete_tasks_leave_out_distance_but_not_sections_with_required_questions(
    fw: Framework,
) -> None:
    titles = [t.section.title for t in incomplete_tasks(fw, DIGITAL)]
    assert "Distance to the service" not in titles
    assert "About the proposal" in titles and "Digital change" in titles
