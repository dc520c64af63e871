"""A proposal that changes how patients reach a service needs the people affected involved: every such kind
of proposal counts (a closure, a move, new hours or eligibility, not only "service change" and "digital"),
and so do the usual ways of saying a service moves."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hia_service.domain import evidence_text
from hia_service.domain.framework import Framework
from hia_service.domain.quality import quality_checks
from hia_service.domain.rules import RuleSet
from tests.unit.scoring.conftest import profile, sound_answers

TODAY = date(2026, 1, 15)
NOT_ENGAGED = "engagement.access_not_engaged"
CHANGES_ACCESS = ("closure", "relocation", "hours", "eligibility", "service_change", "digital")
OTHER_KINDS = ("business_case", "policy", "procurement", "workforce", "estates")
NEUTRAL_TITLE = "Phlebotomy at Riverside Health Centre"  # says nothing about access on its own


@pytest.fixture(scope="module")
def fw(ruleset: RuleSet) -> Framework:
    return ruleset.framework("1.3")


def not_engaged(fw: Framework, kind: str, title: str = NEUTRAL_TITLE) -> dict[str, Any]:
    return {
        **sound_answers(fw),
        "proposal.kind": kind,
        "proposal.title": title,
        "proposal.summary": "Blood tests for adults referred by their GP",
        "engagement.done": "no",
        "engagement.not_proportionate": "We did not have time",
    }


def warning_ids(fw: Framework, answers: dict[str, Any]) -> set[str]:
    return {w.id for w in quality_checks(answers, profile(1.0), fw, TODAY)}


@pytest.mark.parametrize("kind", CHANGES_ACCESS)
def test_every_kind_that_changes_access_needs_those_affected_involved(fw: Framework, kind: str) -> None:
    assert NOT_ENGAGED in warning_ids(fw, not_engaged(fw, kind))


@pytest.mark.parametrize("kind", OTHER_KINDS)
def test_other_kinds_need_the_words_to_say_so(fw: Framework, kind: str) -> None:
    assert NOT_ENGAGED not in warning_ids(fw, not_engaged(fw, kind))
    closing = not_engaged(fw, kind, "Close the Seaview branch surgery")
    assert NOT_ENGAGED in warning_ids(fw, closing)


def test_every_kind_of_proposal_is_sorted_one_way_or_the_other(fw: Framework) -> None:
    offered = {o.value for o in fw.question("proposal.kind").options}
    assert offered == set(CHANGES_ACCESS) | set(OTHER_KINDS)
    assert set(CHANGES_ACCESS) == evidence_text.ACCESS_KINDS


@pytest.mark.parametrize(
    "title",
    [
        "Move phlebotomy into the health centre",
        "Phlebotomy moves from Park Lane to Riverside",
        "Moving the diabetes clinic",
        "The minor injuries unit moved out of the town centre",
        "Move the phlebotomy clinic to Riverside",
        "Relocate the clinic to the hospital site",
    ],
)
def test_the_ways_of_saying_a_service_moves(title: str) -> None:
    assert evidence_text.changes_access("policy", [title])


@pytest.mark.parametrize(
    "title",
    [
        "Update the lone working policy",
        "Remove fax machines from GP practices",
        "A new pathway for movement disorders from April",
    ],
)
def test_words_that_do_not_change_access(title: str) -> None:
    assert not evidence_text.changes_access("policy", [title])


@pytest.mark.parametrize(
    ("kind", "title", "warned"),
    [
        ("service_change", "The crisis suite closes and moves to Roseberry Park", True),
        ("estates", "Relocate the outpatient clinics to the new hub", True),
        ("service_change", "Decommission the homeless health outreach team", True),
        ("relocation", "Relocate the outpatient clinics to the new hub", False),  # the kind says so
        ("hours", "The walk-in centre will be closed on Sundays", False),  # a change of hours
        ("workforce", "Move the community team base to Accrington", False),  # staff, not patients
        ("service_change", "Closing the gap in diabetes outcomes", False),
        ("service_change", "Care closer to home for frail people", False),
        ("digital", "Close the self-referral phone line: online form only", False),  # digital's own checks
        (
            "procurement",
            "Re-procure wheelchair services with assessment centres reduced from five to two",
            True,
        ),
        ("service_change", "Fewer clinics, each open for longer", True),
        ("service_change", "Reduce waiting times in the fracture clinic", False),
        ("service_change", "Stop smoking service moves into community pharmacies", True),  # "moves"
        ("service_change", "End of life care co-ordination hub", False),
    ],
)
def test_a_closure_or_move_entered_as_another_kind_is_pointed_out(
    fw: Framework, kind: str, title: str, warned: bool
) -> None:
    answers = {**sound_answers(fw), "proposal.kind": kind, "proposal.title": title}
    found = {w.id: w for w in quality_checks(answers, profile(1.0), fw, date(2026, 12, 7))}
    assert ("proposal.kind_understated" in found) is warned
    if warned:
        assert 'Choose "Closing or reducing a service"' in found["proposal.kind_understated"].message


@pytest.mark.parametrize(
    ("title", "changes_access", "kind", "warned"),
    [
        ("Re-let the interpreting and translation contract at lower cost", "no", "procurement", True),
        ("New parking charges at Sunderland Royal Hospital", "no", "estates", True),
        ("New parking charges at Sunderland Royal Hospital", "yes", "estates", False),  # answered honestly
        ("Change the staff parking permits", "no", "workforce", False),  # staff, not patients
        ("Update the nurse in charge handover policy", "no", "policy", False),
        ("Resurface the staff parking at Riverside", "no", "estates", False),  # staff, not patients
        ("Free parking for patients having chemotherapy", "no", "estates", False),  # costs nobody more
    ],
)
def test_costs_or_language_with_no_change_to_access_are_pointed_out(
    fw: Framework, title: str, changes_access: str, kind: str, warned: bool
) -> None:
    answers = {**sound_answers(fw), "proposal.title": title, "proposal.kind": kind}
    answers["proposal.changes_access"] = changes_access
    found = {w.id for w in quality_checks(answers, profile(1.0), fw, date(2026, 12, 7))}
    assert ("proposal.access_understated" in found) is warned


@pytest.mark.parametrize(
    ("kind", "title", "warned"),
    [
        ("policy", "Ask for photo ID and proof of address before registering new patients", True),
        ("service_change", "Tighten the referral criteria for the weight management service", True),
        ("eligibility", "Tighten the referral criteria for the weight management service", False),  # says so
        ("policy", "Extend eligibility for the carers' health check to every adult carer", False),  # wider
        ("policy", "Update the lone working policy", False),
    ],
)
def test_narrower_eligibility_entered_as_another_kind_is_pointed_out(
    fw: Framework, kind: str, title: str, warned: bool
) -> None:
    answers = {**sound_answers(fw), "proposal.kind": kind, "proposal.title": title}
    found = {w.id: w for w in quality_checks(answers, profile(1.0), fw, date(2026, 12, 7))}
    assert ("proposal.eligibility_understated" in found) is warned
    if warned:
        assert 'Choose "Changing who can use a service' in found["proposal.eligibility_understated"].message
        assert "proposal.kind_understated" not in found
