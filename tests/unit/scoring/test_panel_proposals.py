"""Realistic proposals rated as a governance panel would rate them (scoring 1.3 on framework 1.2, and
scoring 1.4 on framework 1.3).

The cases and the reasoning behind each expected rating are in panel_proposals.yaml; this turns each case
into a full set of answers, screens it, scores it, and checks the rating before and after the action plan,
the screening result and the reasons that must be given.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from hia_service.domain.framework import Framework
from hia_service.domain.framework.screening import screen, with_screening
from hia_service.domain.rules import RuleSet
from hia_service.domain.scoring import ScoringRules, score
from tests.unit.scoring.conftest import profile

HERE = Path(__file__).parent
# Issue 19's proposals and the first four reviews' (scoring 1.3 to 1.8), then the fifth to ninth reviews'
# (scoring 1.9), the tenth to thirteenth (1.10) and the fourteenth to sixteenth (1.11), each in a file of its
# own, written the same way.
FIRST = yaml.safe_load((HERE / "panel_proposals.yaml").read_text(encoding="utf-8"))
REVIEWS = [
    case
    for name in (
        "panel_review_5.yaml",
        "panel_review_6.yaml",
        "panel_review_7.yaml",
        "panel_review_8.yaml",
        "panel_review_9.yaml",
        "panel_review_10.yaml",
        "panel_review_11.yaml",
        "panel_review_12.yaml",
        "panel_review_13.yaml",
        "panel_review_14.yaml",
        "panel_review_15.yaml",
        "panel_review_16.yaml",
    )
    for case in yaml.safe_load((HERE / name).read_text(encoding="utf-8"))
]
CASES = FIRST + REVIEWS
OWN_EVIDENCE = yaml.safe_load((HERE / "panel_evidence.yaml").read_text(encoding="utf-8"))
TODAY = date(2026, 12, 5)
DECISION = "2027-02-01"
GENERIC = "We treat all patients the same and no impact is expected."
EHIA = ("discrimination", "opportunity", "relations", "access", "outcomes")


def specific(index: int, label: str) -> str:
    """Evidence of a group's own, with its own figures: from scoring 1.9, the same text given for every
    group backs none of them (a case that means to paste says `paste`)."""
    return (
        f"2026 practice list: {11 + 2 * index}% of patients are {label.lower()}; survey of {40 + 7 * index}."
    )


# Scoring 1.4 keeps 1.3's rules for framework 1.3 (which only adds the people responsible): the panel's
# ratings, gaming included, must hold under both.
@pytest.fixture(
    scope="module",
    params=[
        ("1.3", "1.2"),
        ("1.4", "1.3"),
        ("1.5", "1.3"),
        ("1.6", "1.3"),
        ("1.7", "1.3"),
        ("1.8", "1.3"),
        ("1.9", "1.3"),
        ("1.10", "1.3"),
        ("1.11", "1.3"),
    ],
    ids=lambda v: f"scoring-{v[0]}",
)
def versions(request: pytest.FixtureRequest) -> tuple[str, str]:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def rules(ruleset: RuleSet, versions: tuple[str, str]) -> ScoringRules:
    return ruleset.scoring(versions[0])


@pytest.fixture(scope="module")
def framework(ruleset: RuleSet, versions: tuple[str, str]) -> Framework:
    return ruleset.framework(versions[1])


def case_profile(case: dict[str, Any]) -> dict[str, Any]:
    given = case["profile"]
    result = profile(given["relative"])
    if "area_type" in given:
        result["area"] = {"type": given["area_type"], "codes": ["E54000000"]}
    # Access and rurality (issue 19 item 4): the share living in rural neighbourhoods, and in barriers-domain
    # deciles 1-2 (the 20% of neighbourhoods furthest from services).
    if "rural" in given:
        result["rurality"] = {"classification": "RUC21", "classes": [], "rural_share": given["rural"]}
    if "barriers" in given:
        result["barriers"] = {
            "domain": "barriers_to_housing_and_services",
            "label": "Barriers to housing and services",
            "share_deciles_1_2": given["barriers"],
        }
    return result


def case_answers(case: dict[str, Any], framework: Framework) -> dict[str, Any]:
    """A complete record of the case, as the wizard would store it (before screening)."""
    proposal = case["proposal"]
    answers: dict[str, Any] = {
        "proposal.title": case["id"],
        "proposal.kind": proposal["kind"],
        "proposal.changes_access": proposal["changes_access"],
        "proposal.scope": proposal["scope"],
        "proposal.decision_date": DECISION,
        "who.staff_affected": proposal["staff_affected"],
        "screening.relevance": case.get("relevance", "yes"),
        "engagement.done": case["engagement"],
        "evidence.gaps_exist": "no",
        "monitoring.review_date": "2027-12-01",
        "conclusion.recommendation": "proceed_with_mitigations" if case.get("actions") else "proceed",
    }
    if case["engagement"] == "yes":
        answers["engagement.feedback"] = "People told us travel and booking matter most."
        answers["engagement.changes"] = "We changed the plan in response."
    else:
        answers["engagement.not_proportionate"] = "Patients will be told by letter."
    kind = case.get("evidence", "specific")
    evidence = {"specific": "", "generic": GENERIC, "none": ""}[kind]
    impacts = case.get("impacts", {})
    for index, (_, group) in enumerate(framework.groups()):
        answers[f"{group.id}.impact"] = impacts.get(group.id, "neutral")
        own = specific(index, group.label) if kind == "specific" else evidence
        if "own_evidence" in case and group.id in OWN_EVIDENCE:
            own = OWN_EVIDENCE[group.id].format(svc=case["own_evidence"]["svc"])
        if "paste" in case:  # one text given for every group, as the case means it to be
            own = " ".join(case["paste"].split())
        text = case.get("evidence_for", {}).get(group.id, own)
        if text:
            answers[f"{group.id}.evidence"] = text
    for aim in EHIA:
        answers[f"ehia.{aim}"] = case.get("ehia", {}).get(aim, "may_support")
    answers["actions.plan"] = [
        {"action": a["action"], "answers": a.get("answers", ""), "owner": a["owner"],
         "due": a.get("due", "2027-06-01"), "measure": a.get("measure", "")}
        for a in case.get("actions", [])
    ]  # fmt: skip
    answers.update(case.get("answers", {}))  # anything else the case records, e.g. the workforce data asked
    return answers


def fired(rating: Any) -> set[str]:
    return {r.rule_id for d in rating.dimensions for r in d.reasons} | {r.rule_id for r in rating.reasons}


def test_there_are_at_least_twenty_proposals() -> None:
    assert len(CASES) >= 20
    assert len({c["id"] for c in CASES}) == len(CASES)


def rate(case: dict[str, Any], rules: ScoringRules, framework: Framework) -> Any:
    area = case_profile(case)
    return score(with_screening(framework, case_answers(case, framework), area), area, rules, today=TODAY)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_each_proposal_rates_as_recorded(
    case: dict[str, Any], rules: ScoringRules, framework: Framework
) -> None:
    """The panel's rating, or for a known disagreement (`rules_differ`) the rules' own, so it cannot drift."""
    area = case_profile(case)
    answers = with_screening(framework, case_answers(case, framework), area)
    expected = {**case["expect"], **differs(case, rules)}
    if not applies(case, rules):
        # A gap a later version closes: the earlier versions' rating, so it stays visible.
        rating = score(answers, area, rules, today=TODAY)
        earlier = case["earlier"]
        earlier = earlier.get(rules.version, earlier) if "inherent" not in earlier else earlier
        assert (rating.inherent, rating.residual) == (earlier["inherent"], earlier["residual"])
        return
    if "screening" in expected:
        result = screen(framework, answers, area)
        assert result is not None and result.depth == expected["screening"], result
    rating = score(answers, area, rules, today=TODAY)
    summary = [(r.rule_id, r.text) for r in rating.reasons]
    assert (rating.inherent, rating.residual) == (expected["inherent"], expected["residual"]), summary
    missing = set(expected["reasons"]) - fired(rating)
    assert not missing, (missing, sorted(fired(rating)))
    data = rating.to_dict()
    assert (data["inherent"], data["residual"]) == (expected["inherent"], expected["residual"])


def test_the_rules_agree_with_the_panel_on_nine_in_ten(rules: ScoringRules, framework: Framework) -> None:
    """Issue 19's bar: agreement on both the rating before and after mitigation for at least 9 in 10 (of the
    cases the version was written for). The later reviews went looking for disagreement, and each one still
    left is recorded with the case (`rules_differ`), so none can grow unseen."""
    cases = [c for c in FIRST if applies(c, rules)]
    agree = [
        (r.inherent, r.residual) == (c["expect"]["inherent"], c["expect"]["residual"])
        for c in cases
        for r in [rate(c, rules, framework)]
    ]
    assert sum(agree) / len(agree) >= 0.9, [c["id"] for c, ok in zip(cases, agree, strict=True) if not ok]


def test_the_current_rules_agree_with_the_panel_on_every_case(ruleset: RuleSet) -> None:
    """Scoring 1.5 on: no known disagreement beyond those recorded in `rules_differ`."""
    rules = ruleset.scoring(ruleset.current_scoring_version)
    framework = rules.framework
    for case in CASES:
        expected = {**case["expect"], **differs(case, rules)}
        rating = rate(case, rules, framework)
        assert (rating.inherent, rating.residual) == (expected["inherent"], expected["residual"]), case["id"]


def differs(case: dict[str, Any], rules: ScoringRules) -> dict[str, Any]:
    """The rules' own rating where they knowingly differ from the panel (`until`: the last version to)."""
    differ = dict(case.get("rules_differ", {}))
    until = differ.pop("until", None)
    if until and version_key(rules.version) > version_key(until):
        return {}
    return differ


def version_key(version: str) -> tuple[int, ...]:
    return tuple(map(int, version.split(".")))


def applies(case: dict[str, Any], rules: ScoringRules) -> bool:
    """Whether the case's expectation is for this version (`since`: the first version that meets it)."""
    since = case.get("since")
    return since is None or tuple(map(int, rules.version.split("."))) >= tuple(map(int, since.split(".")))
