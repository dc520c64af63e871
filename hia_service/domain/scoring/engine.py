"""score(): answers + geography profile + scoring rules -> a Rating with its reasons."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hia_service.domain.framework.conditions import visible_answers
from hia_service.domain.framework.validation import parse_date
from hia_service.domain.geography.area_profile import ProfileLike, as_area_profile
from hia_service.domain.scoring.conditions import all_hold
from hia_service.domain.scoring.facts import (
    Facts,
    build_facts,
    dimension_values,
    join_words,
    render,
)
from hia_service.domain.scoring.model import (
    LEVELS,
    DimensionRating,
    Mitigation,
    Rating,
    Reason,
    ScoringRules,
    highest,
    level_index,
)

SKIPPED_REASON = "Not asked: screening found that this part of the assessment is not needed."


def score(
    answers: Mapping[str, Any],
    profile: ProfileLike | None,
    ruleset: Any,
    version: str | None = None,
) -> Rating:
    """Rate the risk that a proposal widens health inequalities.

    `ruleset` is one ScoringRules version, or the RuleSet bundle from load_rules() (then `version`, or the
    current version, is used). `profile` is the area's AreaProfile (or its JSON form), or None if that
    step is not done.
    """
    rules: ScoringRules = ruleset if isinstance(ruleset, ScoringRules) else ruleset.scoring(version)
    facts = build_facts(visible_answers(rules.framework, answers), as_area_profile(profile), rules.framework)
    dimensions = tuple(_rate_dimension(d, facts, rules) for d in rules.dimensions)
    before = highest([d.rating for d in dimensions])
    overall, reasons = _overall(before, dimensions, facts, rules)
    return Rating(
        overall=overall,
        dimensions=dimensions,
        reasons=reasons,
        narrowing=tuple(r for d in dimensions for r in d.reasons if r.narrows),
        rules_version=rules.version,
        framework_version=rules.framework_version,
        before_mitigation=before,
        mitigation_applied=level_index(overall) < level_index(before),
    )


def _rate_dimension(dimension: Any, facts: Facts, rules: ScoringRules) -> DimensionRating:
    values = dimension_values(facts, dimension.group_ids, rules.thresholds)
    if dimension.section_ids and all(s in facts.hidden_sections for s in dimension.section_ids):
        reason = Reason(f"{dimension.id}.skipped", dimension.default_rating, SKIPPED_REASON, ())
        return DimensionRating(
            dimension.id, dimension.label, dimension.default_rating, (reason,), dimension.mitigable
        )
    fired = [r for r in dimension.rules if all_hold(r.when, facts, dimension.group_ids)]
    if not fired:
        text, quoted = render(dimension.default_reason, values)
        reason = Reason(f"{dimension.id}.default", dimension.default_rating, text, quoted)
        return DimensionRating(
            dimension.id, dimension.label, dimension.default_rating, (reason,), dimension.mitigable
        )
    reasons = [Reason(r.id, r.rating, *render(r.reason, values), narrows=r.narrows) for r in fired]
    # Most serious first; rules of equal rating keep the order they are written in.
    reasons.sort(key=lambda r: -level_index(r.rating))
    rating = reasons[0].rating
    return DimensionRating(dimension.id, dimension.label, rating, tuple(reasons), dimension.mitigable)


def _overall(
    before: str, dimensions: tuple[DimensionRating, ...], facts: Facts, rules: ScoringRules
) -> tuple[str, tuple[Reason, ...]]:
    top = [d.label for d in dimensions if d.rating == before]
    summary = {"rating": (before, before), "dimensions": (join_words(top), top)}
    reasons = [Reason("overall.highest", before, *render(rules.overall.reason, summary))]
    if before == LEVELS[0]:
        return before, tuple(reasons)
    after, mitigation_reason = _apply_mitigation(before, dimensions, facts, rules.overall.mitigation)
    reasons.append(mitigation_reason)
    return after, tuple(reasons)


def _apply_mitigation(
    before: str, dimensions: tuple[DimensionRating, ...], facts: Facts, mitigation: Mitigation
) -> tuple[str, Reason]:
    """Lower the rating only when every action has an owner and a real due date."""
    actions = [a for a in facts.answers.get(mitigation.question) or [] if isinstance(a, Mapping)]
    incomplete = [a for a in actions if not _has_owner_and_date(a)]
    values: dict[str, tuple[str, Any]] = {
        "before": (before, before),
        "action_count": (str(len(actions)), len(actions)),
        "incomplete_count": (str(len(incomplete)), len(incomplete)),
    }
    if not actions:
        return before, Reason("overall.mitigation.no_actions", before, *render(mitigation.no_actions, values))
    if incomplete:
        return before, Reason("overall.mitigation.incomplete", before, *render(mitigation.incomplete, values))
    held = [d for d in dimensions if not d.mitigable and level_index(d.rating) > 0]
    lowered = LEVELS[max(level_index(before) - mitigation.steps_down, level_index(mitigation.floor))]
    after = highest([lowered, *(d.rating for d in held)])
    values["after"] = (after, after)
    if after == before:
        blockers = [d.label for d in held if d.rating == before]
        if not blockers:  # the floor, not a dimension, stops it
            return before, Reason("overall.mitigation.at_floor", before, *render(mitigation.at_floor, values))
        values["held_by"] = (join_words(blockers), blockers)
        return before, Reason("overall.mitigation.held", before, *render(mitigation.held, values))
    return after, Reason("overall.mitigation.applied", after, *render(mitigation.applied, values))


def _has_owner_and_date(action: Mapping[str, Any]) -> bool:
    owner = str(action.get("owner") or "").strip()
    due, error = parse_date(action.get("due"), "Due date")
    return bool(owner) and due is not None and error is None
