"""Framework 1.2 screening: proportionate to people, not only place (issue 19, item 3), and each group asked
once (item 6's merge of the EHIA and inclusion health lists)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from hia_service.domain.framework import Framework
from hia_service.domain.framework.conditions import section_visible
from hia_service.domain.framework.screening import screen, with_screening
from hia_service.domain.rules import RuleSet


@pytest.fixture(scope="module")
def fw(ruleset: RuleSet) -> Framework:
    return ruleset.framework("1.2")


def area(share: float, area_type: str = "lsoa_codes") -> dict[str, Any]:
    baseline = {"nation": {"name": "England", "core20_share": 0.2}}
    return {"core20_share": share, "baseline": baseline, "area": {"type": area_type}}


QUIET = {"proposal.changes_access": "no", "proposal.scope": "local", "who.staff_affected": "no"}

# (what changes from a quiet local back-office proposal, area, depth)
CASES = [
    ({"proposal.kind": "policy"}, area(0.05), "short"),
    ({"proposal.kind": "policy", "screening.relevance": "no"}, area(0.05), "not_required"),
    # A change to access is full whatever the Core20 share: most income-deprived people live outside Core20.
    ({"proposal.kind": "procurement", "proposal.changes_access": "yes"}, area(0.02), "full"),
    ({"proposal.kind": "closure"}, area(0.02), "full"),
    ({"proposal.kind": "relocation"}, area(0.02), "full"),
    ({"proposal.kind": "hours"}, area(0.02), "full"),
    ({"proposal.kind": "eligibility"}, area(0.02), "full"),
    ({"proposal.kind": "digital", "screening.relevance": "no"}, area(0.02), "full"),
    # Decisions for a whole organisation or ICB reach every group it serves.
    ({"proposal.kind": "policy", "proposal.scope": "organisation"}, area(0.05), "full"),
    ({"proposal.kind": "policy", "proposal.scope": "system"}, area(0.05), "full"),
    ({"proposal.kind": "policy"}, area(0.05, area_type="icb"), "full"),
    # Staff.
    ({"proposal.kind": "workforce"}, area(0.05), "full"),
    ({"proposal.kind": "estates", "who.staff_affected": "yes"}, area(0.05), "full"),
    # Place still counts.
    ({"proposal.kind": "estates"}, area(0.21), "full"),
]


@pytest.mark.parametrize(("change", "profile", "depth"), CASES)
def test_screening_depth(fw: Framework, change: dict[str, Any], profile: Any, depth: str) -> None:
    answers = {**QUIET, "screening.relevance": "yes", **change}
    result = screen(fw, answers, profile)
    assert result is not None
    assert result.depth == depth, result.reasons
    assert result.reasons  # every result says why


def test_reasons_are_recorded_for_each_trigger(fw: Framework) -> None:
    answers = {"proposal.kind": "procurement", "proposal.changes_access": "yes", "proposal.scope": "system",
               "who.staff_affected": "no", "screening.relevance": "yes"}  # fmt: skip
    result = screen(fw, answers, area(0.03, area_type="icb"))
    assert result is not None and result.depth == "full"
    text = " ".join(result.reasons)
    assert "changes how, where or when patients can use a service" in text
    assert "whole organisation or integrated care board" in text
    assert "The area is a whole integrated care board" in text


def test_the_short_route_says_nothing_touched_people(fw: Framework) -> None:
    result = screen(fw, {**QUIET, "proposal.kind": "estates", "screening.relevance": "yes"}, area(0.1))
    assert result is not None and result.depth == "short"
    assert result.reasons[0].startswith("No plausible effect on patients' access or on staff")


def test_inclusion_and_ehia_groups_are_kept_for_an_icb_wide_decision(fw: Framework) -> None:
    answers = {**QUIET, "proposal.kind": "policy", "proposal.scope": "system", "screening.relevance": "yes"}
    answers = with_screening(fw, answers, area(0.05, area_type="icb"))
    for section_id in ("inclusion", "ehia_groups", "clinical"):
        assert section_visible(fw.section(section_id), answers), section_id


def _key(label: str) -> str:
    words = (
        label.lower().replace("people experiencing ", "").replace("people with ", "").replace("people ", "")
    )
    return words.replace("on a low income", "low income").replace("on low incomes", "low income").strip()


def test_each_group_is_asked_once(fw: Framework, ruleset: RuleSet) -> None:
    groups = [g for s in fw.sections if s.id in ("ehia_groups", "inclusion") for g in s.groups]
    counts = Counter(_key(g.label) for g in groups)
    assert [k for k, n in counts.items() if n > 1] == []
    ids = {g.id for g in groups}
    # The EHIA groups 1.1 asked twice are asked once, in the inclusion health section.
    for gone, kept in [
        ("ehia_groups.carers", "inclusion.carers"),
        ("ehia_groups.homeless", "inclusion.homelessness"),
        ("ehia_groups.looked_after", "inclusion.looked_after"),
        ("ehia_groups.low_income", "inclusion.low_income"),
        ("ehia_groups.remote_rural_island", "inclusion.rural_coastal"),
        ("ehia_groups.criminal_justice", "inclusion.justice"),
        ("ehia_groups.addictions", "inclusion.drugs_alcohol"),
        ("ehia_groups.refugees_asylum_slavery", "inclusion.migrants"),
    ]:
        assert gone not in ids and kept in ids
        assert ruleset.framework("1.1").has_question(f"{gone}.impact")  # 1.1 is unchanged
