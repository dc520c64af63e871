"""The Rating value itself: serialisable, explained, and honest about what is missing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from hia_service.domain.framework import Framework
from hia_service.domain.rules import RuleSet, load_rules
from hia_service.domain.scoring import LEVELS, ScoringRules, score
from tests.unit.scoring.conftest import ACTION, RULES_DIR, profile, sound_answers


def test_rating_to_dict_is_json_and_complete(rules: ScoringRules, framework: Framework) -> None:
    answers = {**sound_answers(framework, core20__access="negative"), "actions.plan": [ACTION]}
    rating = score(answers, profile(2.05, share=0.41), rules)
    data = json.loads(json.dumps(rating.to_dict()))
    assert data["overall"] == "medium"
    assert data["before_mitigation"] == "high"
    assert data["mitigation_applied"] is True
    assert data["label"] == "Medium risk of widening inequalities"
    assert (data["rules_version"], data["framework_version"]) == ("1.0", "1.0")
    assert [d["id"] for d in data["dimensions"]] == [
        "deprivation",
        "protected_characteristics",
        "inclusion_health",
        "clinical_areas",
        "evidence",
    ]
    first = data["dimensions"][0]["reasons"][0]
    assert first["rule"] == "deprivation.negative_concentrated"
    assert first["values"] == {
        "negative_groups": ["core20.access"],
        "core20_share": 0.41,
        "nation_core20_share": 0.2,
        "relative_core20": 2.05,
        "core20_relative_high": 1.5,
        "nation": "England",
    }


def test_score_takes_the_bundle_and_a_version(ruleset: RuleSet, framework: Framework) -> None:
    answers = sound_answers(framework)
    assert score(answers, profile(1.0), ruleset).rules_version == ruleset.current_scoring_version == "1.11"
    assert score(answers, profile(1.0), ruleset, version="1.0").rules_version == "1.0"
    assert score(answers, profile(1.0), ruleset, version="1.0").overall == "low"


def test_nothing_answered_and_no_geography(rules: ScoringRules) -> None:
    rating = score({}, None, rules)
    assert rating.overall == "medium"
    for dimension in ("deprivation", "protected_characteristics", "inclusion_health", "clinical_areas"):
        assert rating.dimension(dimension).rating == "medium"
    deprivation = {r.rule_id for r in rating.dimension("deprivation").reasons}
    assert deprivation == {"deprivation.unanswered", "deprivation.no_profile"}
    assert rating.dimension("evidence").rating == "low"


def test_reasons_are_most_serious_first(rules: ScoringRules, framework: Framework) -> None:
    answers = sound_answers(framework, core20__access="positive", core20__outcomes="negative")
    reasons = score(answers, profile(1.8), rules).dimension("deprivation").reasons
    assert [r.rating for r in reasons] == sorted((r.rating for r in reasons), key=LEVELS.index, reverse=True)
    assert reasons[-1].narrows


def test_stray_and_hidden_answers_do_not_count(rules: ScoringRules, framework: Framework) -> None:
    answers = {**sound_answers(framework), "pc.age.impact": "sideways", "made.up.impact": "negative"}
    rating = score(answers, profile(1.0), rules)
    assert rating.dimension("protected_characteristics").reasons[0].rule_id == "pc.unanswered"
    assert "age" in rating.dimension("protected_characteristics").reasons[0].text


def test_profile_with_missing_numbers_does_not_fire_comparisons(
    rules: ScoringRules, framework: Framework
) -> None:
    answers = sound_answers(framework, core20__access="negative")
    rating = score(answers, {"core20_share": None, "relative_core20": float("nan")}, rules)
    fired = {r.rule_id for r in rating.dimension("deprivation").reasons}
    assert fired == {"deprivation.negative"}
    assert rating.dimension("deprivation").rating == "medium"


def test_reasons_name_the_nation_the_profile_compares_with(rules: ScoringRules, framework: Framework) -> None:
    answers = sound_answers(framework, core20__access="negative")
    welsh = {
        "core20_share": 0.33,
        "relative_core20": 1.65,
        "baseline": {"nation": {"name": "Wales", "core20_share": 0.2}},
    }
    text = score(answers, welsh, rules).dimension("deprivation").reasons[0].text
    assert "33% of the people affected live in Core20 areas against 20% in Wales (relative 1.65" in text
    # The key in the contract, "england", is read too.
    legacy = {"core20_share": 0.3, "baseline": {"england": {"core20_share": 0.2}}}
    text = score(answers, legacy, rules).dimension("deprivation").reasons[0].text
    assert (
        "30% of the people affected live in Core20 areas against 20% in England (relative 1.50 ≥ 1.5)" in text
    )


def test_floor_set_by_the_rules_is_explained(tmp_path: Path, framework: Framework) -> None:
    rules_dir = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules_dir)
    scoring = rules_dir / "scoring" / "1.0.yaml"
    scoring.write_text(scoring.read_text().replace("floor: low", "floor: medium"))
    answers = {**sound_answers(framework, pc__age="negative"), "actions.plan": [ACTION]}
    rating = score(answers, profile(1.0), load_rules(rules_dir).scoring("1.0"))
    assert rating.overall == "medium"
    assert rating.reasons[-1].rule_id == "overall.mitigation.at_floor"
    assert rating.reasons[-1].text.startswith("The action plan cannot lower the rating below medium")
