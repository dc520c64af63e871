"""Scoring 1.3: claims need evidence, and mitigation credit is earned (issue 19, items 1 and 2).

Properties (hypothesis): answering everything neutral without evidence never rates lower than answering
honestly with specific mitigations; the action plan lowers a rating by one level at most, and paperwork
never lowers it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from hia_service.domain.framework import Framework
from hia_service.domain.framework.conditions import visible_answers
from hia_service.domain.framework.screening import with_screening
from hia_service.domain.rules import RuleSet
from hia_service.domain.scoring import ScoringRules, not_assessed, paper_actions, score
from hia_service.domain.scoring.engine import likely_affected
from hia_service.domain.scoring.facts import build_facts, evidenced
from hia_service.domain.scoring.model import level_index
from tests.unit.scoring.conftest import profile
from tests.unit.scoring.test_panel_proposals import specific

TODAY = date(2026, 12, 5)
SPECIFIC = "Our 2026 audit of 1,200 attendances split by this group shows how they use the service today."
GOOD_ACTION = {"owner": "Service manager", "due": "2027-05-01", "measure": "Attendances split by the group"}
KINDS = ("closure", "relocation", "hours", "eligibility", "service_change", "business_case", "policy",
         "procurement", "workforce", "digital", "estates")  # fmt: skip
PROPOSALS = st.fixed_dictionaries(
    {
        "proposal.kind": st.sampled_from(KINDS),
        "proposal.changes_access": st.sampled_from(["yes", "no"]),
        "proposal.scope": st.sampled_from(["local", "organisation", "system"]),
        "who.staff_affected": st.sampled_from(["yes", "no"]),
        "engagement.done": st.sampled_from(["yes", "no"]),
        "ehia.access": st.sampled_from(["will_support", "may_support", "uncertain"]),
        "ehia.outcomes": st.sampled_from(["will_support", "may_support", "uncertain"]),
    }
)
RELATIVE = st.sampled_from([0.3, 0.6, 1.0, 1.2, 1.6, 2.5, 5.0])
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# Scoring 1.5 tightens 1.3 (issue 14's review): every property here must hold for both.
@pytest.fixture(
    scope="module",
    params=[
        ("1.3", "1.2"),
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


def base(framework: Framework, proposal: dict[str, Any], evidence: str) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "proposal.decision_date": "2027-02-01",
        "screening.relevance": "yes",
        **proposal,
    }
    for index, (_, group) in enumerate(framework.groups()):
        answers[f"{group.id}.impact"] = "neutral"
        if evidence:
            # SPECIFIC stands for every group's own evidence: one text pasted for all backs none (1.9 on).
            own = specific(index, group.label) if evidence == SPECIFIC else evidence
            answers[f"{group.id}.evidence"] = own
    return answers


def likely(
    framework: Framework, rules: ScoringRules, answers: dict[str, Any], area: dict[str, Any]
) -> list[str]:
    from hia_service.domain.geography.area_profile import as_area_profile

    facts = build_facts(visible_answers(framework, answers), as_area_profile(area), framework)
    assert rules.claims is not None
    shown = {g for g, impact in facts.impacts.items() if impact != "skipped"}
    return sorted(likely_affected(rules.claims, facts) & shown)


# --- what counts as evidence ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "n/a",
        "We treat everyone the same.",
        "We treat all patients the same and no impact is expected.",
        "No impact expected for this group.",
        "Older people may find it harder.",  # a claim, with no source
        "The service is open to all and everyone is treated equally, so there is no impact.",
    ],
)
def test_words_that_say_nothing_are_not_evidence(rules: ScoringRules, text: str) -> None:
    assert rules.claims is not None
    assert not evidenced(text, rules.claims)


@pytest.mark.parametrize(
    "text",
    [
        SPECIFIC,
        "The patient survey in May found older patients already travel to the main site for most visits.",
        "Engagement with the carers' forum told us evening clinics would help; 41 carers responded.",
        "We treat everyone the same, but data on 900 referrals shows no difference by disability or age.",
    ],
)
def test_specific_evidence_with_a_source_counts(rules: ScoringRules, text: str) -> None:
    assert rules.claims is not None
    assert evidenced(text, rules.claims)


def test_an_unsupported_neutral_says_so_in_plain_english(rules: ScoringRules, framework: Framework) -> None:
    answers = base(framework, {"proposal.kind": "closure", "proposal.changes_access": "yes"}, "")
    answers = with_screening(framework, answers, profile(1.0))
    rating = score(answers, profile(1.0), rules, today=TODAY)
    texts = [r.text for r in rating.dimension("protected_characteristics").reasons]
    expected = "Neutral for older and younger people and disabled people is not backed by evidence"
    # 1.9 says what evidence needs between the two ("of its own (a source, ...)").
    assert any(t.startswith(expected) and t.endswith(", so it counts as not assessed.") for t in texts), texts
    # Groups nobody marked as likely affected keep their neutral answer.
    assert not any("sexual orientation" in t for t in texts)


def test_not_assessed_names_the_claims_the_rating_treated_as_unknown(
    rules: ScoringRules, framework: Framework
) -> None:
    answers = base(framework, {"proposal.kind": "digital", "proposal.changes_access": "no"}, "")
    answers["pc.age.evidence"] = SPECIFIC
    answers["pc.disability.impact"] = "positive"
    answers = with_screening(framework, answers, profile(1.0))
    assert not_assessed(answers, profile(1.0), rules) == {
        "pc.disability": "positive",
        "inclusion.digital_exclusion": "neutral",
        "inclusion.communication": "neutral",
        "inclusion.low_income": "neutral",
        "ehia_groups.literacy": "neutral",
    }


def test_a_group_not_likely_affected_needs_no_evidence_for_neutral(
    rules: ScoringRules, framework: Framework
) -> None:
    answers = base(framework, {"proposal.kind": "estates", "proposal.changes_access": "no"}, "")
    answers = with_screening(framework, answers, profile(0.5))
    rating = score(answers, profile(0.5), rules, today=TODAY)
    assert not [r for d in rating.dimensions for r in d.reasons if r.rule_id.endswith("not_assessed")]


@given(proposal=PROPOSALS, relative=RELATIVE, data=st.data())
@SETTINGS
def test_silence_never_rates_better_than_honesty(
    rules: ScoringRules, framework: Framework, proposal: dict[str, Any], relative: float, data: Any
) -> None:
    area = profile(relative)
    silent = with_screening(framework, base(framework, proposal, ""), area)
    groups = likely(framework, rules, silent, area)
    harmed = data.draw(st.lists(st.sampled_from(groups), unique=True) if groups else st.just([]))
    honest = base(framework, proposal, SPECIFIC)
    phrases = {g.id: g.label for _, g in framework.groups()}
    for group_id in harmed:
        honest[f"{group_id}.impact"] = "negative"
    honest["actions.plan"] = [
        {"action": f"Reduce the harm to {phrases[g]}", "answers": phrases[g], **GOOD_ACTION} for g in harmed
    ]
    honest = with_screening(framework, honest, area)
    quiet, frank = score(silent, area, rules, today=TODAY), score(honest, area, rules, today=TODAY)
    event(f"harmed {min(len(harmed), 3)}, honest {frank.inherent}->{frank.residual}, silent {quiet.residual}")
    assert level_index(quiet.residual) >= level_index(frank.residual), (harmed, quiet.reasons, frank.reasons)


# --- mitigation credit ------------------------------------------------------------------------------------

OWNERS = st.sampled_from(["Practice manager", "Head of nursing", "TBC", "tbd", "", "someone", "N/A"])
DUES = st.sampled_from(["2027-05-01", "2020-03-01", "2026-12-05", "2029-01-01", None])
MEASURES = st.sampled_from(["Attendances by age and disability", "", "n/a"])
HARMABLE = ("pc.age", "pc.disability", "inclusion.low_income", "inclusion.carers", "core20.access", "pc.race")


def _qualifies(row: dict[str, Any], harmed_labels: list[str]) -> bool:
    return (
        row["answers"] in harmed_labels
        and row["owner"] in ("Practice manager", "Head of nursing")
        and row["due"] == "2027-05-01"
        and row["measure"] == "Attendances by age and disability"
    )


@given(
    proposal=PROPOSALS,
    relative=RELATIVE,
    harmed=st.lists(st.sampled_from(HARMABLE), unique=True, min_size=1),
    data=st.data(),
)
@SETTINGS
def test_credit_is_one_level_at_most_and_paper_earns_none(
    rules: ScoringRules,
    framework: Framework,
    proposal: dict[str, Any],
    relative: float,
    harmed: list[str],
    data: Any,
) -> None:
    area = profile(relative)
    answers = base(framework, proposal, SPECIFIC)
    labels = {g.id: g.label for _, g in framework.groups()}
    for group_id in harmed:
        answers[f"{group_id}.impact"] = "negative"
    harm_text = st.sampled_from([*(labels[g] for g in harmed), "", "everyone", "the estate"])
    rows = data.draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "action": st.just("Do something"),
                    "answers": harm_text,
                    "owner": OWNERS,
                    "due": DUES,
                    "measure": MEASURES,
                }
            ),
            max_size=4,
        )
    )
    answers["actions.plan"] = rows
    answers = with_screening(framework, answers, area)
    rating = score(answers, area, rules, today=TODAY)
    without = score({**answers, "actions.plan": []}, area, rules, today=TODAY)
    assert rating.inherent == without.inherent == without.residual
    assert level_index(rating.inherent) - level_index(rating.residual) in (0, 1)
    credited = [r for r in rows if _qualifies(r, [labels[g] for g in harmed])]
    if not credited:
        assert rating.residual == rating.inherent
    # A harm no credited action answers keeps the rating it gives on its own. With every harm answered there
    # is none left to compare: `alone` would record no harm at all, and silence can rate higher by design
    # (uncertain duty ratings with no harm to explain them are high; the honest, mitigated answer is not).
    answered = {g for g in harmed if any(r["answers"] == labels[g] for r in credited)}
    alone = {**answers, "actions.plan": [], **{f"{g}.impact": "neutral" for g in answered}}
    if answered != set(harmed):
        assert level_index(rating.residual) >= level_index(score(alone, area, rules, today=TODAY).inherent)
    papers = paper_actions(answers, rules, TODAY)
    assert len(papers) == len(rows) - len(credited)
    assert all(p.messages for p in papers)


def test_each_failed_test_is_named(rules: ScoringRules, framework: Framework) -> None:
    answers = base(framework, {"proposal.kind": "closure", "proposal.changes_access": "yes"}, SPECIFIC)
    answers["pc.age.impact"] = "negative"
    answers["actions.plan"] = [
        {"action": "Tell patients by letter", "owner": "TBC", "due": "2020-03-01", "measure": ""},
        {"action": "Shuttle bus", "answers": "older people", "owner": "Practice manager", "due": "2029-01-01",
         "measure": "Journeys by age"},
        {"action": "Home visits", "answers": "older people", **GOOD_ACTION},
    ]  # fmt: skip
    answers = with_screening(framework, answers, profile(1.0))
    papers = paper_actions(answers, rules, TODAY)
    assert [(p.number, p.failures) for p in papers] == [
        (1, ("no_harm", "owner", "due_past", "no_measure")),
        (2, ("due_late",)),
    ]
    assert papers[0].messages[1] == "its owner “TBC” is not a role"
    assert papers[1].messages == ("its due date, 1 January 2029, is more than 12 months after the decision",)
    rating = score(answers, profile(1.0), rules, today=TODAY)
    paper_reasons = [r.text for r in rating.reasons if r.rule_id == "overall.mitigation.paper"]
    assert paper_reasons[0].startswith(
        "Action 1 (“Tell patients by letter”) earns no credit: it does not name"
    )


def test_old_versions_judge_actions_as_before(ruleset: RuleSet) -> None:
    # Scoring 1.2 gives credit to any action with an owner and a date, and paper_actions has nothing to say.
    rules = ruleset.scoring("1.2")
    framework = ruleset.framework("1.1")
    answers: dict[str, Any] = {"proposal.kind": "service_change", "screening.depth": "full"}
    for _, group in framework.groups():
        answers[f"{group.id}.impact"] = "neutral"
    answers["pc.age.impact"] = "negative"
    answers["actions.plan"] = [{"action": "Letter", "owner": "TBC", "due": "2020-01-01"}]
    rating = score(answers, profile(1.0), rules, today=TODAY)
    assert (rating.inherent, rating.residual) == ("medium", "low")
    assert paper_actions(answers, rules, TODAY) == []
