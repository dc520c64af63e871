"""score(): answers + geography profile + scoring rules -> a Rating with its reasons."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from hia_service.domain.framework.model import IMPACT_LABELS
from hia_service.domain.framework.validation import parse_date
from hia_service.domain.geography.area_profile import ProfileLike, as_area_profile
from hia_service.domain.scoring.actions import (
    DECISION_DATE,
    check_actions,
    harm_names,
    named_groups,
    parse_day,
    plan_rows,
    reach_measured,
)
from hia_service.domain.scoring.conditions import all_hold
from hia_service.domain.scoring.facts import (
    PROPOSAL_WORDS,
    Facts,
    build_facts,
    described_in_proposal,
    dimension_values,
    join_words,
    pasted_groups,
    render,
    scored_answers,
    unevidenced_share,
    unproven_benefits,
    unsupported_claims,
    with_claims,
)
from hia_service.domain.scoring.model import (
    LEVELS,
    MITIGATED,
    ClaimRules,
    Credit,
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
    today: date | None = None,
    harmed_elsewhere: Mapping[str, tuple[str, ...]] | None = None,
) -> Rating:
    """Rate the risk that a proposal widens health inequalities.

    `ruleset` is one ScoringRules version, or the RuleSet bundle from load_rules() (then `version`, or the
    current version, is used). `profile` is the area's AreaProfile (or its JSON form), or None if that
    step is not done. `today` (default: today) decides which actions are due in time (scoring 1.3 on).
    `harmed_elsewhere`: the groups decisions already taken for the same neighbourhoods harm, by group id, with
    their references (the service's cumulative view; scoring 1.9's `harmed_again` reads it).
    """
    rules: ScoringRules = ruleset if isinstance(ruleset, ScoringRules) else ruleset.scoring(version)
    facts = _claim_facts(answers, profile, rules)
    if harmed_elsewhere:
        facts = replace(facts, elsewhere={g: tuple(refs) for g, refs in harmed_elsewhere.items()})
    if rules.claims is not None:
        claims, framework = rules.claims, rules.framework
        likely = likely_affected(claims, facts)
        numbers = {**facts.numbers, "unevidenced_share": unevidenced_share(facts, claims, framework)}
        named, described = named_in_proposal(facts.answers, rules), described_in_proposal(facts.answers)
        reach = _reach_measured(facts.answers, rules)
        facts = with_claims(
            replace(
                facts, numbers=numbers, likely=likely, named=named, described=described, reach_measured=reach
            ),
            unsupported_claims(facts, likely, claims, framework),
            unproven_benefits(facts, claims, framework),
        )
    dimensions = tuple(_rate_dimension(d, facts, rules) for d in rules.dimensions)
    dimensions = _narrowing_capped(dimensions, facts, rules.overall.mitigation)
    before = highest([d.rating for d in dimensions])
    overall, reasons = _overall(before, dimensions, facts, rules, today or date.today())
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


def _claim_facts(answers: Mapping[str, Any], profile: ProfileLike | None, rules: ScoringRules) -> Facts:
    """The facts the claims are read from: with the groups whose evidence is pasted, where it backs none."""
    facts = build_facts(scored_answers(rules.framework, answers), as_area_profile(profile), rules.framework)
    if rules.claims is None or not rules.claims.pasted_not_evidence:
        return facts
    credit = rules.overall.mitigation.credit
    names = credit.harm_names if credit is not None else None
    at_least = rules.claims.pasted_not_evidence
    return replace(facts, pasted=pasted_groups(facts.answers, rules.framework, names, at_least))


def not_assessed(
    answers: Mapping[str, Any], profile: ProfileLike | None, rules: ScoringRules
) -> dict[str, str]:
    """The neutral or positive answers that `rules` count as not assessed: group id -> the answer given.

    For the quality checks, so a warning names exactly the claims the rating treated as unknown. Empty for
    scoring versions before 1.3.
    """
    if rules.claims is None:
        return {}
    facts = _claim_facts(answers, profile, rules)
    return unsupported_claims(facts, likely_affected(rules.claims, facts), rules.claims, rules.framework)


def named_in_proposal(answers: Mapping[str, Any], rules: ScoringRules) -> frozenset[str]:
    """The groups the proposal's title or summary names (by the words the action plan's credit knows them
    by): a service for homeless people, or Traveller liaison nurses, is a service aimed at that group."""
    credit = rules.overall.mitigation.credit
    if credit is None:
        return frozenset()
    text = " ".join(str(answers.get(q) or "") for q in PROPOSAL_WORDS)
    return frozenset(named_groups(text, credit.harm_names))


def _reach_measured(answers: Mapping[str, Any], rules: ScoringRules) -> bool:
    credit = rules.overall.mitigation.credit
    if credit is None:
        return True  # before 1.6 nothing tells a total from a breakdown: no rule asks
    return reach_measured(answers, rules.framework, credit, rules.overall.mitigation.question)


def likely_affected(claims: ClaimRules, facts: Facts) -> frozenset[str]:
    """The groups the kind of proposal, its answers or its area mark as likely to be affected."""
    marked = (entry.groups for entry in claims.likely_affected if all_hold(entry.when, facts, ()))
    return frozenset(g for groups in marked for g in groups)


def _claim_reasons(dimension: Any, facts: Facts, rules: ScoringRules, rating: str) -> list[Reason]:
    """One sentence per answer given ("Neutral for older people is not backed by evidence ...")."""
    claims, claimed = rules.claims, facts.claimed or {}
    if claims is None:
        return []
    # Said once, by the first dimension covering the group (the evidence dimension covers them all again).
    earlier = {g for d in rules.dimensions[: rules.dimensions.index(dimension)] for g in d.group_ids}
    reasons = []
    for answer in ("neutral", "positive"):
        ids = [g for g in dimension.group_ids if claimed.get(g) == answer and g not in earlier]
        if ids:
            names = [claims.names.get(g, facts.phrases[g]) for g in ids]
            values = {"answer": (IMPACT_LABELS[answer], answer), "groups": (join_words(names), ids)}
            reasons.append(Reason(f"{dimension.id}.not_assessed", rating, *render(claims.reason, values)))
    unproven = [g for g in dimension.group_ids if g in facts.unproven and g not in earlier]
    if unproven and claims.benefit_reason:
        names = [claims.names.get(g, facts.phrases[g]) for g in unproven]
        values = {"answer": (IMPACT_LABELS["positive"], "positive"), "groups": (join_words(names), unproven)}
        text = render(claims.benefit_reason, values)
        reasons.append(Reason(f"{dimension.id}.benefit_not_shown", rating, *text))
    return reasons


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
        claimed = _claim_reasons(dimension, facts, rules, dimension.default_rating)
        return DimensionRating(
            dimension.id, dimension.label, dimension.default_rating, (reason, *claimed), dimension.mitigable
        )
    reasons = [Reason(r.id, r.rating, *render(r.reason, values), narrows=r.narrows) for r in fired]
    # Most serious first; rules of equal rating keep the order they are written in.
    reasons.sort(key=lambda r: -level_index(r.rating))
    rating = reasons[0].rating
    reasons += _claim_reasons(dimension, facts, rules, rating)
    return DimensionRating(dimension.id, dimension.label, rating, tuple(reasons), dimension.mitigable)


def _overall(
    before: str, dimensions: tuple[DimensionRating, ...], facts: Facts, rules: ScoringRules, today: date
) -> tuple[str, tuple[Reason, ...]]:
    top = [d.label for d in dimensions if d.rating == before]
    summary = {"rating": (before, before), "dimensions": (join_words(top), top)}
    reasons = [Reason("overall.highest", before, *render(rules.overall.reason, summary))]
    mitigation = rules.overall.mitigation
    if mitigation.credit is not None:
        # 1.3 on: paper actions are named whatever the rating, so nobody mistakes them for mitigation.
        after, more = _earned_mitigation(before, dimensions, facts, rules, mitigation.credit, today)
        return after, (*reasons, *more)
    if before == LEVELS[0]:
        return before, tuple(reasons)
    after, mitigation_reason = _apply_mitigation(before, dimensions, facts, mitigation)
    reasons.append(mitigation_reason)
    return after, tuple(reasons)


def _earned_mitigation(
    before: str,
    dimensions: tuple[DimensionRating, ...],
    facts: Facts,
    rules: ScoringRules,
    credit: Credit,
    today: date,
) -> tuple[str, list[Reason]]:
    """Lower the rating (one level at most) for the harms that credited actions answer; a harm no credited
    action answers keeps the rating it gives on its own."""
    mitigation = rules.overall.mitigation
    rows = plan_rows(facts.answers, mitigation.question)
    values: dict[str, tuple[str, Any]] = {
        "before": (before, before),
        "action_count": (str(len(rows)), len(rows)),
    }
    harmed = [g for g, impact in facts.impacts.items() if impact == "negative"]
    names = harm_names(rules.framework, credit, harmed)
    checks = check_actions(rows, names, credit, parse_day(facts.answers.get(DECISION_DATE)), today)
    reasons = []
    for check in checks:
        if not check.credited:
            paper = {
                "number": (str(check.number), check.number),
                "action": (_short(check.action), check.action),
                "failures": (join_words(list(check.messages)), list(check.failures)),
            }
            reasons.append(Reason("overall.mitigation.paper", before, *render(mitigation.paper, paper)))
    if before == LEVELS[0]:
        return before, reasons
    held = [d for d in dimensions if not d.mitigable and level_index(d.rating) > 0]
    if not rows:
        text = render(mitigation.no_actions, values)
        held_reason = _held_anyway(before, held, facts, rules, harmed, values)
        return before, [*held_reason, Reason("overall.mitigation.no_actions", before, *text)]
    mitigated = [g for g in harmed if any(g in c.answers for c in checks if c.credited)]
    if not mitigated:
        text = render(mitigation.no_harm_answered, values)
        held_reason = _held_anyway(before, held, facts, rules, harmed, values)
        return before, [*held_reason, Reason("overall.mitigation.no_harm_answered", before, *text), *reasons]
    # What the harms left without a credited action, and the rules on answers alone, rate on their own.
    rest_facts = replace(facts, impacts={**facts.impacts, **{g: MITIGATED for g in mitigated}})
    rest_rated = [_rate_dimension(d, rest_facts, rules) for d in rules.dimensions if d.mitigable]
    rest = [d.rating for d in rest_rated]
    lowered = LEVELS[max(level_index(before) - mitigation.steps_down, level_index(mitigation.floor))]
    after = highest([lowered, *rest, *(d.rating for d in held)])
    unmitigated = [g for g in harmed if g not in mitigated]
    values["after"] = (after, after)
    values["mitigated_groups"] = (join_words([facts.phrases[g] for g in mitigated]), mitigated)
    values["mitigated_count"] = (str(len(mitigated)), len(mitigated))
    values["unmitigated_groups"] = (join_words([facts.phrases[g] for g in unmitigated]), unmitigated)
    values["unmitigated_count"] = (str(len(unmitigated)), len(unmitigated))
    found: list[Reason] = []
    if after != before:
        found.append(Reason("overall.mitigation.applied", after, *render(mitigation.applied, values)))
    else:
        blockers = [d.label for d in held if d.rating == before]
        if not blockers and not unmitigated:
            # Every harm is answered, yet a dimension stays at the rating on what was answered or measured
            # (an uncertain EHIA rating, no route without the internet): that holds it, not the floor.
            blockers = [d.label for d in rest_rated if d.rating == before]
        if not blockers and unmitigated:
            blockers = _holding_anyway(before, facts, rules, harmed)
        if blockers:
            values["held_by"] = (join_words(blockers), blockers)
            found.append(Reason("overall.mitigation.held", before, *render(mitigation.held, values)))
        elif not unmitigated or highest(rest) != before:
            found.append(Reason("overall.mitigation.at_floor", before, *render(mitigation.at_floor, values)))
    if unmitigated:
        found.append(Reason("overall.mitigation.unmitigated", after, *render(mitigation.unmitigated, values)))
    return after, [*found, *reasons]


def _holding_anyway(before: str, facts: Facts, rules: ScoringRules, harmed: list[str]) -> list[str]:
    """The parts that would keep `before` even with a credited action for every harm: rated on answers or
    figures alone (no route without the internet), so the explanation says so rather than promise actions."""
    every = replace(facts, impacts={**facts.impacts, **dict.fromkeys(harmed, MITIGATED)})
    rated = [_rate_dimension(d, every, rules) for d in rules.dimensions if d.mitigable]
    return [d.label for d in rated if d.rating == before]


def _held_anyway(
    before: str,
    held: list[DimensionRating],
    facts: Facts,
    rules: ScoringRules,
    harmed: list[str],
    values: dict[str, tuple[str, Any]],
) -> list[Reason]:
    """A "held" reason when actions could not lower the rating whatever they answered, else nothing."""
    if not harmed or before == LEVELS[0]:
        return []
    blockers = [d.label for d in held if d.rating == before] or _holding_anyway(before, facts, rules, harmed)
    if not blockers:
        return []
    held_values = {**values, "after": (before, before), "held_by": (join_words(blockers), blockers)}
    return [Reason("overall.mitigation.held", before, *render(rules.overall.mitigation.held, held_values))]


def _narrowing_capped(
    dimensions: tuple[DimensionRating, ...], facts: Facts, mitigation: Mitigation
) -> tuple[DimensionRating, ...]:
    """A change likely to narrow inequalities that harms one group (1.7 on) is at most medium before the
    action plan: a panel rates the limited harm, not a closure, and honesty about it must not cost high.
    The parts the plan cannot lower (evidence, a route without the internet) are left as they are."""
    cap = mitigation.narrowing_cap
    harmed = [g for g, impact in facts.impacts.items() if impact == "negative"]
    narrows = any(r.narrows for d in dimensions for r in d.reasons)
    if cap is None or not narrows or not 0 < len(harmed) <= mitigation.narrowing_most_harms:
        return dimensions
    if any(r.rule_id in mitigation.narrowing_uncapped_by for d in dimensions for r in d.reasons):
        return dimensions  # 1.8: taken from one high-need group to pay for another is not a limited harm
    named = join_words([facts.phrases[g] for g in harmed])
    values = {"rating": (cap, cap), "negative_groups": (named, harmed)}
    note = Reason("overall.narrowing_capped", cap, *render(mitigation.narrowing_capped, values))
    return tuple(
        replace(d, rating=cap, reasons=(*d.reasons, note))
        if d.mitigable and level_index(d.rating) > level_index(cap)
        else d
        for d in dimensions
    )


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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
