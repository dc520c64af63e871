"""The rules (framework and scoring) loaded at start-up, and what the rest of the service asks of them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from hia_service.domain.framework import (
    Framework,
    Question,
    date_order_errors,
    draft_answer,
    validate_answer,
)
from hia_service.domain.framework.screening import ScreeningResult, screen, with_screening
from hia_service.domain.geography.area_profile import AreaProfile
from hia_service.domain.quality import quality_checks
from hia_service.domain.rating_explained import explain
from hia_service.domain.rules import RuleSet, load_rules
from hia_service.domain.scoring.engine import not_assessed, score
from hia_service.domain.training import load_scenarios

DEFAULT_RELEASE = "IoD2025"
EXTENSION_KEY = "hia_rules"


@dataclass(frozen=True)
class Versions:
    framework: str
    scoring: str


SCENARIOS_KEY = "hia_training_scenarios"


def init_rules(app: Flask) -> None:
    """Load and check every rules file once, the training scenarios too; an invalid file stops the service
    starting (RulesError), rather than every training page failing later."""
    rules_dir = Path(app.config["HIA_RULES_DIR"])
    rules = load_rules(rules_dir)
    found = load_scenarios(rules_dir, dict(rules.frameworks))
    app.extensions[EXTENSION_KEY] = rules
    app.extensions[SCENARIOS_KEY] = {s.id: s for s in found}


def ruleset() -> RuleSet:
    """The rules, loaded at start-up; an app built for a command-line tool (create_app(web=False)) reads
    them the first time a command asks, so commands that never need them do not pay for reading them."""
    rules: RuleSet | None = current_app.extensions.get(EXTENSION_KEY)
    if rules is None:
        init_rules(current_app)
        rules = current_app.extensions[EXTENSION_KEY]
    return rules


def current_versions() -> Versions:
    rules = ruleset()
    return Versions(rules.current_framework_version, rules.current_scoring_version)


def framework(version: str | None = None) -> Framework:
    return ruleset().framework(version)


def screened(framework_version: str, answers: dict[str, Any], profile: AreaProfile | None) -> dict[str, Any]:
    """The answers with the screening result (full, short, not required) worked out again and stored, so
    a change of proposal kind or area moves the assessment between full and short at once."""
    return with_screening(framework(framework_version), answers, profile)


def screening(
    framework_version: str, answers: dict[str, Any], profile: AreaProfile | None
) -> ScreeningResult | None:
    return screen(framework(framework_version), answers, profile)


def validate(question: Question, raw: Any) -> tuple[Any, str | None]:
    return validate_answer(question, raw)


def validate_draft(question: Question, raw: Any) -> tuple[Any, str | None]:
    """For "save and come back later": nothing is required yet; (value, why it cannot be kept)."""
    return draft_answer(question, raw)


def order_errors(framework_version: str, answers: dict[str, Any], saving: list[str]) -> dict[str, str]:
    """Dates on this page that would sit the wrong way round with another page's (review before decision)."""
    questions = {q.id: q for q in framework(framework_version).questions()}
    return date_order_errors(questions, answers, saving)


def rate(
    answers: dict[str, Any],
    profile: AreaProfile | None,
    framework_version: str,
    scoring_version: str,
    *,
    today: date | None = None,
    harmed_elsewhere: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[str, Any]:
    """The rating with its reasons and the quality warnings, as plain JSON-ready values. `harmed_elsewhere`:
    the groups decisions already taken for the same neighbourhoods harm, with their references."""
    rules = ruleset()
    scoring = rules.scoring(scoring_version)
    rating = score(answers, profile, scoring, today=today, harmed_elsewhere=harmed_elsewhere)
    credit = scoring.overall.mitigation.credit
    names = credit.harm_names if credit is not None else None
    # The checks name the claims the rating counts as not assessed, so a high rating never comes unexplained.
    unsupported = not_assessed(answers, profile, scoring)
    fw = rules.framework(framework_version)
    warnings = quality_checks(answers, profile, fw, today or date.today(), names, unsupported, credit)
    rated = rating.to_dict()
    explanation = explain(rated, answers)
    return {
        "overall": rating.overall,
        "rating": rated,
        "quality": [w.to_dict() for w in warnings],
        # Not frozen with a version: worked out again from its rating and answers wherever it is shown.
        "explanation": explanation.to_dict() if explanation else None,
    }
