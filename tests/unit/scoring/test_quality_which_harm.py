"""The "proceed despite harm" check reads the action plan's "Which harm does it answer?" column (stored as
"answers" from framework 1.2): an action whose column names the harmed group answers that harm."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hia_service.domain.framework import Framework
from hia_service.domain.quality import quality_checks
from hia_service.domain.rules import RuleSet
from tests.unit.scoring.conftest import ACTION, profile, sound_answers

TODAY = date(2026, 1, 15)
WARNING = "conclusion.proceed_despite_harm"
DIGITAL = "inclusion.digital_exclusion"
# Neither the action nor its measure names the group, nor shares two longer words with the mitigation.
PHONE_LINE = {**ACTION, "action": "Keep a phone booking line", "measure": "Calls answered each week"}


@pytest.fixture(scope="module")
def fw(ruleset: RuleSet) -> Framework:
    return ruleset.framework("1.3")


def digitally_excluded_harmed(fw: Framework, action: dict[str, Any]) -> dict[str, Any]:
    """Negative impacts on people who are digitally excluded, going ahead, with one action in the plan."""
    return {
        **sound_answers(fw),
        "proposal.kind": "digital",
        f"{DIGITAL}.impact": "negative",
        f"{DIGITAL}.mechanism": ["access"],
        f"{DIGITAL}.evidence": "One in five of the clinic's patients has no internet at home",
        f"{DIGITAL}.mitigation": "Offer help at the front desk",
        "actions.plan": [action],
        "conclusion.recommendation": "proceed",
    }


def warnings(fw: Framework, answers: dict[str, Any]) -> dict[str, Any]:
    return {w.id: w for w in quality_checks(answers, profile(1.0), fw, TODAY)}


@pytest.mark.parametrize(
    "which_harm",
    [
        "digitally excluded people",
        "People who are digitally excluded",
        "Older people and digitally excluded people (no internet at home)",
        DIGITAL,
    ],
)
def test_an_action_whose_which_harm_column_names_the_group_answers_it(fw: Framework, which_harm: str) -> None:
    answers = digitally_excluded_harmed(fw, {**PHONE_LINE, "answers": which_harm})
    assert WARNING not in warnings(fw, answers)


def test_an_action_for_another_group_still_leaves_the_harm_unanswered(fw: Framework) -> None:
    answers = digitally_excluded_harmed(fw, {**PHONE_LINE, "answers": "older people"})
    warning = warnings(fw, answers)[WARNING]
    assert (
        "negative impacts on people who are digitally excluded but recommend going ahead" in warning.message
    )
    assert WARNING in warnings(fw, digitally_excluded_harmed(fw, PHONE_LINE))  # no column filled in


def test_a_blank_which_harm_column_falls_back_on_the_actions_words(fw: Framework) -> None:
    named = {**PHONE_LINE, "answers": "", "action": "A phone line for people who are digitally excluded"}
    assert WARNING not in warnings(fw, digitally_excluded_harmed(fw, named))
