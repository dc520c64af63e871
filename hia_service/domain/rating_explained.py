"""The rating in plain English: which facts led to it, under which rule, and what would change it.

Built only from what the scoring returned (Rating.to_dict(): each reason's rule id, rating, text and the
figures it quoted) and, to name actions, the answers. It says nothing the scoring did not decide, so it
stays true for any scoring version; where it cannot be specific it says what the scoring's own words say.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hia_service.domain.framework.validation import parse_date

LEVELS = ("low", "medium", "high")
NAMED_ACTIONS = 3  # more would not be read


@dataclass(frozen=True)
class Fact:
    part: str  # the part of the assessment (dimension) it rated
    text: str  # the scoring's own reason
    rule: str  # the rule's id, so a reviewer can find it in rules/scoring/<version>.yaml


@dataclass(frozen=True)
class Explanation:
    rating: str
    headline: str
    facts: tuple[Fact, ...]
    change: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rating": self.rating,
            "headline": self.headline,
            "facts": [{"part": f.part, "text": f.text, "rule": f.rule} for f in self.facts],
            "change": list(self.change),
        }


def explain(rating: Mapping[str, Any] | None, answers: Mapping[str, Any] | None = None) -> Explanation | None:
    """What led to `rating` and what would change it; None when there is no rating with parts yet."""
    if not rating or not rating.get("dimensions") or rating.get("overall") not in LEVELS:
        return None
    overall = str(rating["overall"])
    before = str(rating.get("before_mitigation") or overall)
    facts = _facts(rating["dimensions"], before)
    headline = f"Rated {overall}" + (f" ({before} before the action plan)." if before != overall else ".")
    return Explanation(overall, headline, facts, tuple(_change(rating, overall, before, answers or {})))


def _facts(dimensions: Sequence[Mapping[str, Any]], top: str) -> tuple[Fact, ...]:
    """The reasons of the parts rated at the top level: the facts that set the rating."""
    found = []
    for dimension in dimensions:
        if dimension.get("rating") != top:
            continue
        for reason in dimension.get("reasons") or ():
            # A part screening left out says so on its own; it did not lead to the rating.
            skipped = (
                str(reason.get("rule", "")).endswith(".skipped") if isinstance(reason, Mapping) else True
            )
            # A reason above the part's rating is one a cap lowered (1.7: narrowing): still a fact behind it.
            at_least = isinstance(reason, Mapping) and _level(reason.get("rating")) >= _level(top)
            if at_least and not skipped:
                found.append(
                    Fact(str(dimension.get("label")), str(reason.get("text")), str(reason.get("rule")))
                )
    return tuple(found)


def _level(rating: Any) -> int:
    return LEVELS.index(rating) if rating in LEVELS else -1


def _change(rating: Mapping[str, Any], overall: str, before: str, answers: Mapping[str, Any]) -> list[str]:
    if overall == LEVELS[0]:
        return ["It is already the lowest rating."]
    lower = LEVELS[LEVELS.index(overall) - 1]
    mitigation = next(
        (r for r in rating.get("reasons") or () if str(r.get("rule", "")).startswith("overall.mitigation.")),
        None,
    )
    rule = str(mitigation.get("rule")) if mitigation else ""
    if rule == "overall.mitigation.applied":  # lowered as far as the rules go in one step
        return [f"It would be {before} without the action plan: it was lowered because of the plan."]
    held = [str(d.get("label")) for d in rating["dimensions"] if _holds(d, overall)]
    if rule == "overall.mitigation.held":  # the scoring names the parts that hold it
        held_by = ((mitigation or {}).get("values") or {}).get("held_by")
        if isinstance(held_by, list) and held_by:
            held = [str(part) for part in held_by]
    if rule == "overall.mitigation.at_floor" and not held:
        return [
            "Actions cannot lower it further: a harm that has been recorded stays at least a "
            f"{overall} risk, however well it is mitigated."
        ]
    if held or rule == "overall.mitigation.held":
        parts = _listed(list(dict.fromkeys(held or [f.part for f in _facts(rating["dimensions"], overall)])))
        return [
            f"Actions in the plan cannot lower it: it would be {lower} only if what is said above about "
            f"{parts or 'these parts'} changed, for example with evidence or a different answer."
        ]
    if rule == "overall.mitigation.incomplete":
        named = _actions_missing_owner_or_date(answers)
        count = ((mitigation or {}).get("values") or {}).get("incomplete_count")
        if named and count == len(named):
            return [f"This would be {lower} if {_listed(named)} had an owner and a due date."]
    if rule in ("overall.mitigation.no_actions", "overall.mitigation.no_harm_answered"):
        harmed = any(str(k).endswith(".impact") and v == "negative" for k, v in answers.items())
        if not harmed:  # actions answer recorded harms; nothing here is one
            return [f"It would be {lower} only if the facts above changed, for example with evidence."]
        if lower == LEVELS[0]:  # mitigation never takes a recorded harm below medium
            return [
                "Actions cannot lower it: a harm that has been recorded stays at least a medium risk, "
                "however well it is mitigated."
            ]
        return [
            f"This would be {lower} if the action plan had actions for these harms, each with a role as "
            "owner, a due date and a measure that shows how the people harmed fare."
        ]
    if mitigation:  # a rule this explanation does not know by name: the scoring's own words
        text = mitigation.get("text")
        return [f"{text} Putting that right would make it {lower}, unless another part holds it."]
    return [f"It would be {lower} if the facts above changed."]


def _holds(dimension: Mapping[str, Any], overall: str) -> bool:
    """A part rated at the overall level that actions cannot lower (the scoring marks it not mitigable)."""
    return dimension.get("rating") == overall and dimension.get("mitigable") is False


def _actions_missing_owner_or_date(answers: Mapping[str, Any]) -> list[str]:
    rows = [r for r in answers.get("actions.plan") or [] if isinstance(r, Mapping)]
    named = []
    for n, row in enumerate(rows, start=1):
        due, error = parse_date(row.get("due"), "")
        if not str(row.get("owner") or "").strip() or due is None or error:
            words = " ".join(str(row.get("action") or "").split())
            named.append(f"action {n} ('{words[:50]}…')" if len(words) > 50 else f"action {n} ('{words}')")
    return named


def _listed(words: list[str]) -> str:
    if len(words) > NAMED_ACTIONS:
        words = [*words[:NAMED_ACTIONS], f"{len(words) - NAMED_ACTIONS} more"]
    if not words:
        return ""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
