"""Which actions in the action plan earn mitigation credit (scoring 1.3 on), and why the others do not.

A governance panel gives credit to an action only when it answers a harm the assessment recorded, has an
owner who is a role, is due after today and soon enough after the decision to protect the people affected,
and has a measure that will show whether it worked. Anything else is paperwork: it earns no credit, and
`paper_actions` names the test each one fails so the quality checks can warn about it.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from hia_service.domain.framework.conditions import visible_answers
from hia_service.domain.framework.model import Framework
from hia_service.domain.framework.validation import parse_date
from hia_service.domain.scoring.facts import normalise, render
from hia_service.domain.scoring.model import Credit, ScoringRules

DECISION_DATE = "proposal.decision_date"
MONITORING_INDICATORS = "monitoring.indicators"
SPLIT_BY = "(?:split by|broken down by|split|by|per|each|every)"  # what comes before "month" in "by month"
FAILURE_ORDER = (
    "no_harm",
    "vague",
    "no_owner",
    "owner",
    "no_due",
    "due_past",
    "due_late",
    "no_measure",
    "totals",
)


@dataclass(frozen=True)
class ActionCheck:
    """One row of the action plan, judged for credit."""

    number: int  # 1 for the first row, as people count
    action: str
    answers: tuple[str, ...]  # ids of the harmed groups it names
    failures: tuple[str, ...]  # keys of the tests it fails, e.g. ("owner", "due_past")
    messages: tuple[str, ...]  # the same in plain English, e.g. 'its owner "TBC" is not a role'

    @property
    def credited(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "action": self.action,
            "answers": list(self.answers),
            "failures": list(self.failures),
            "messages": list(self.messages),
            "credited": self.credited,
        }


def harm_names(framework: Framework, credit: Credit, group_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Words that name each group in an action's "which harm" column: its label, how it reads in a
    sentence, its id's last part ("low income") and the names the scoring rules add ("older", "disabled")."""
    wanted = set(group_ids)
    names: dict[str, tuple[str, ...]] = {}
    for _, group in framework.groups():
        if group.id in wanted:
            own = (group.label, group.in_sentence, group.id.rsplit(".", 1)[-1].replace("_", " "))
            names[group.id] = tuple(n for n in (*own, *credit.harm_names.get(group.id, ())) if normalise(n))
    return names


def named_groups(text: Any, names: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The groups whose names appear in `text` as whole words."""
    found = normalise(text) if isinstance(text, str) else ""
    padded = f" {found} "
    return tuple(g for g, words in names.items() if any(f" {normalise(w)} " in padded for w in words))


def only_watches(text: Any, vague_words: Iterable[str]) -> bool:
    """Whether an action says nothing but that someone will watch ("We will monitor the impact", "Keep under
    review"): nothing is left once the words that only promise to watch are taken out."""
    rest = normalise(text) if isinstance(text, str) else ""
    for phrase in sorted((normalise(w) for w in vague_words), key=len, reverse=True):
        if phrase:
            rest = re.sub(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", " ", rest)
    return not rest.split()


def counts_everyone(measure: str, credit: Credit, harmed: Mapping[str, tuple[str, ...]]) -> bool:
    """Whether a measure counts everyone at once ("Total appointments per month"), with nothing to show how
    the people harmed fare: no word that breaks it down and no group named (scoring 1.6 on)."""
    said = named_groups(measure, {"totals": tuple(credit.totals_words)})
    return bool(said) and not broken_down(measure, credit) and not named_groups(measure, harmed)


def broken_down(measure: str, credit: Credit) -> bool:
    """Whether a measure is split by something about people ("by deprivation decile", "split by age"). From
    1.8, a split by when or where ("by month", "per site") is not: it cannot show who is reached."""
    text = normalise(measure)
    for word in credit.not_who_words:
        said = normalise(word)
        if said:
            text = re.sub(rf"(?<![a-z0-9]){SPLIT_BY} {re.escape(said)}(?![a-z0-9])", " ", text)
    return bool(named_groups(text, {"breakdown": tuple(credit.breakdown_words)}))


def shows_who(measure: str, credit: Credit, names: Mapping[str, tuple[str, ...]]) -> bool:
    """A measure broken down ("by deprivation decile") or about a group ("checks for South Asian men")."""
    return broken_down(measure, credit) or bool(named_groups(measure, names))


def reach_measured(answers: Mapping[str, Any], framework: Framework, credit: Credit, plan: str) -> bool:
    """Whether any monitoring indicator or action measure will show who the proposal reaches (scoring 1.8
    on): one broken down, or about a group. A panel rates a targeted change low only when who it reaches is
    measured; totals, or no measure at all, cannot show it."""
    measures = [
        str(row.get(field) or "")
        for question, field in ((MONITORING_INDICATORS, "indicator"), (plan, "measure"))
        for row in plan_rows(answers, question)
    ]
    if not any(m.strip() for m in measures):
        return False
    names = measure_names(framework, credit.harm_names)
    return any(shows_who(m, credit, names) for m in measures if m.strip())


def measure_names(framework: Framework, more: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Words that make a measure about a group: its label, how it reads in a sentence and `more` (the
    rules' harm names), but not its id's bare words ("access", "outcomes"), which any total can contain."""
    return {g.id: (g.label, g.in_sentence, *more.get(g.id, ())) for _, g in framework.groups()}


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_day(raw: Any) -> date | None:
    iso, error = parse_date(raw, "Date")
    return date.fromisoformat(iso) if iso and not error else None


def check_actions(
    actions: Iterable[Mapping[str, Any]],
    harmed: Mapping[str, tuple[str, ...]],
    credit: Credit,
    decision: date | None,
    today: date,
) -> list[ActionCheck]:
    """Judge every action. `harmed` maps each group recorded as harmed to the words that name it."""
    latest = add_months(decision or today, int(credit.due_within.value))
    not_owners = {normalise(o) for o in credit.not_owners}
    not_measures = {normalise(m) for m in credit.not_measures}
    checks = []
    by_measure = {g: credit.measure_names[g] for g in harmed if g in credit.measure_names}
    for number, row in enumerate(actions, start=1):
        answers = named_groups(row.get(credit.harm_field), harmed)
        if by_measure:  # 1.11 on: a measure by deprivation answers the harm to deprived areas too
            named = {*answers, *named_groups(row.get("measure"), by_measure)}
            answers = tuple(g for g in harmed if g in named)
        owner = str(row.get("owner") or "").strip()
        due = parse_day(row.get("due"))
        failed: dict[str, dict[str, tuple[str, Any]]] = {}
        if not answers:
            failed["no_harm"] = {}
        if not normalise(owner):
            failed["no_owner"] = {}
        elif normalise(owner) in not_owners:
            failed["owner"] = {"owner": (owner, owner)}
        when: dict[str, tuple[str, Any]] = {"due": (_display(due), due.isoformat() if due else None)}
        when["due_within"] = (credit.due_within.display(), credit.due_within.value)
        if due is None:
            failed["no_due"] = {}
        elif due <= today:
            failed["due_past"] = when
        elif due > latest:
            failed["due_late"] = when
        if credit.vague_words and only_watches(row.get("action"), credit.vague_words):
            failed["vague"] = {}
        measure = normalise(row.get("measure") or "")
        if not measure or measure in not_owners or measure in not_measures:
            failed["no_measure"] = {}
        elif counts_everyone(measure, credit, harmed):
            failed["totals"] = {}
        keys = tuple(k for k in FAILURE_ORDER if k in failed)
        messages = tuple(render(credit.failures[k], failed[k])[0] for k in keys)
        checks.append(ActionCheck(number, str(row.get("action") or "").strip(), answers, keys, messages))
    return checks


def plan_rows(answers: Mapping[str, Any], question: str) -> list[Mapping[str, Any]]:
    return [a for a in answers.get(question) or [] if isinstance(a, Mapping)]


def harmed_groups(answers: Mapping[str, Any], framework: Framework) -> list[str]:
    return [g.id for _, g in framework.groups() if answers.get(f"{g.id}.impact") == "negative"]


def paper_actions(answers: Mapping[str, Any], rules: ScoringRules, today: date) -> list[ActionCheck]:
    """The actions that earn no mitigation credit under `rules`, each with the tests it fails.

    For the quality checks: warn about each one. Empty for scoring versions before 1.3, which give credit
    to any action with an owner and a due date.
    """
    mitigation = rules.overall.mitigation
    credit = mitigation.credit
    if credit is None:
        return []
    framework = rules.framework
    visible = visible_answers(framework, answers)
    harmed = harm_names(framework, credit, harmed_groups(visible, framework))
    rows = plan_rows(visible, mitigation.question)
    checks = check_actions(rows, harmed, credit, parse_day(visible.get(DECISION_DATE)), today)
    return [c for c in checks if not c.credited]


def _display(day: date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else "none"
