"""Feedback on substance: a trainee's answers compared with the model answer group by group.

Compared by the structured answers, never by words: which groups are named as affected (an impact other
than neutral for a protected characteristic, an inclusion health or PLUS group, Core20 or a Core20PLUS5
clinical area), the direction of the impact, what it changes (access, experience, outcomes), whether the
evidence passes the quality checks a real assessment gets (domain.quality), and whether an action answering
the harm would earn mitigation credit under the real scoring rules (domain.scoring.actions). No check is
written twice here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from hia_service.domain.framework.conditions import is_answered, visible_answers
from hia_service.domain.framework.model import IMPACT_LABELS, Framework, Group, Section
from hia_service.domain.quality import QualityWarning
from hia_service.domain.scoring.actions import (
    DECISION_DATE,
    ActionCheck,
    check_actions,
    harm_names,
    parse_day,
    plan_rows,
)
from hia_service.domain.scoring.facts import pasted_evidence, said
from hia_service.domain.scoring.model import ScoringRules

CONCERNS = ("negative", "positive", "unknown")  # an impact that names a group as affected
# What else counts as the same direction: "not known yet" for a harm the model answer cannot yet size.
ALSO_ACCEPTED = {"unknown": ("negative",)}

WHY = {
    "named": "A group that is not named is not protected: nobody looks for a way round a harm nobody "
    "recorded.",
    "direction": "The direction decides the rating: a harm rated neutral or positive is a harm nobody will "
    "plan for.",
    "mechanism": "Saying whether the change affects access, experience or outcomes tells the decision-maker "
    "what has to be put right.",
    "evidence": "A reviewer or a court asks how you know. Evidence that fails the quality checks counts for "
    "little in a real assessment.",
    "actions": "In a real assessment only an action that names the harm, has a role as owner, is due in time "
    "and has a measure lowers the rating.",
}


@dataclass(frozen=True)
class Point:
    """One thing a good assessment of the scenario does, and whether the trainee did it."""

    id: str  # unique within a scenario, e.g. "inclusion.carers:direction"
    text: str  # what a good assessment does, in a sentence
    made: bool
    detail: str = ""  # what the trainee said, compared with the model answer
    why: str = ""  # why it matters


@dataclass(frozen=True)
class GroupFeedback:
    group_id: str
    label: str
    model_impact: str
    given_impact: str | None
    points: tuple[Point, ...]
    model_evidence: str  # the model answer's reason, so a miss says why the group matters here

    @property
    def made(self) -> tuple[Point, ...]:
        return tuple(p for p in self.points if p.made)

    @property
    def missed(self) -> tuple[Point, ...]:
        return tuple(p for p in self.points if not p.made)

    @property
    def named(self) -> bool:
        """Whether the trainee named the group as affected at all (if not, every other point is missed)."""
        return self.given_impact in CONCERNS


@dataclass(frozen=True)
class Marking:
    """The real record's checks, as they stood when the practice was handed in."""

    scoring: ScoringRules  # the scenario's scoring version; its framework is the scenario's framework
    warnings: tuple[QualityWarning, ...]  # domain.quality.quality_checks on the trainee's answers
    today: date  # the day the practice was handed in: actions must be due after it

    @property
    def framework(self) -> Framework:
        return self.scoring.framework


def group_feedback(
    section: Section, model: Mapping[str, Any], answers: Mapping[str, Any], marking: Marking
) -> tuple[GroupFeedback, ...]:
    """One entry for each group in `section` that the model answer names as affected."""
    answers = visible_answers(marking.framework, answers)
    model_groups = _model_action_groups(model, marking)
    found = []
    for group in section.groups:
        model_impact = model.get(f"{group.id}.impact")
        if model_impact not in CONCERNS:
            continue
        judge = _GroupJudge(group, model, answers, marking)
        points = judge.points(with_actions=group.id in model_groups)
        found.append(
            GroupFeedback(
                group.id,
                group.label,
                model_impact,
                answers.get(f"{group.id}.impact"),
                points,
                str(model.get(f"{group.id}.evidence") or ""),
            )
        )
    return tuple(found)


def also_named(model: Mapping[str, Any], answers: Mapping[str, Any], framework: Framework) -> tuple[str, ...]:
    """Groups the trainee named as affected that the model answer does not: worth a second look, not wrong."""
    answers = visible_answers(framework, answers)
    return tuple(
        group.label
        for _, group in framework.groups()
        if answers.get(f"{group.id}.impact") in CONCERNS and model.get(f"{group.id}.impact") not in CONCERNS
    )


def _model_action_groups(model: Mapping[str, Any], marking: Marking) -> frozenset[str]:
    """The harmed groups the model answer's action plan answers: the trainee is expected to answer them too.
    Read by the same column the scoring reads; the model's dates are not judged (they age)."""
    credit = marking.scoring.overall.mitigation.credit
    if credit is None:
        return frozenset()
    harmed = [g.id for _, g in marking.framework.groups() if model.get(f"{g.id}.impact") == "negative"]
    names = harm_names(marking.framework, credit, harmed)
    rows = plan_rows(model, marking.scoring.overall.mitigation.question)
    return frozenset(g for row in rows for g in _named_by(row, names, marking))


def _named_by(
    row: Mapping[str, Any], names: Mapping[str, tuple[str, ...]], marking: Marking
) -> tuple[str, ...]:
    credit = marking.scoring.overall.mitigation.credit
    assert credit is not None  # only called when the scoring gives credit
    return check_actions([row], names, credit, None, marking.today)[0].answers


class _GroupJudge:
    def __init__(
        self, group: Group, model: Mapping[str, Any], answers: Mapping[str, Any], marking: Marking
    ) -> None:
        self.group = group
        self.model = model
        self.answers = answers
        self.marking = marking
        self.phrase = group.in_sentence
        self.label = group.label
        self.given = answers.get(f"{group.id}.impact")
        self.wanted = model[f"{group.id}.impact"]

    def point(self, aspect: str, text: str, made: bool, detail: str = "") -> Point:
        return Point(f"{self.group.id}:{aspect}", text, made, detail, WHY[aspect])

    def points(self, *, with_actions: bool) -> tuple[Point, ...]:
        found = [self.named(), self.direction(), self.mechanism(), self.evidence()]
        if with_actions:
            found.append(self.actions())
        return tuple(p for p in found if p is not None)

    def named(self) -> Point:
        text = f"{self.label}: named as affected"
        if self.given in CONCERNS:
            return self.point("named", text, True)
        said = f"answered {_impact_word(self.given)}" if self.given else "left this group unanswered"
        return self.point("named", text, False, f"You {said}. The model answer names this group as affected.")

    def direction(self) -> Point:
        word = _impact_word(self.wanted)
        text = f"{self.label}: impact rated {word}"
        accepted = (self.wanted, *ALSO_ACCEPTED.get(self.wanted, ()))
        if self.given in accepted:
            return self.point("direction", text, True, f"You rated the impact {_impact_word(self.given)}.")
        given = f"rated it {_impact_word(self.given)}" if self.given else "gave no rating"
        return self.point("direction", text, False, f"You {given}; the model answer rates it {word}.")

    def mechanism(self) -> Point | None:
        question_id = f"{self.group.id}.mechanism"
        wanted = set(_listed(self.model.get(question_id)))
        if not wanted or not self.marking.framework.has_question(question_id):
            return None
        question = self.marking.framework.question(question_id)
        given = set(_listed(self.answers.get(question_id)))

        def words(values: set[str]) -> str:
            ordered = [o.label.split(":")[0].lower() for o in question.options if o.value in values]
            return _and(ordered) if ordered else "nothing"

        text = f"{self.label}: says what changes ({words(wanted)})"
        if wanted <= given:
            return self.point("mechanism", text, True, f"You said it changes {words(given)}.")
        if not given:
            said = f"You did not say what it changes; the model answer sees a change to {words(wanted)}."
        else:
            also = words(wanted - given)
            said = f"You said it changes {words(given)}; the model answer also sees a change to {also}."
        return self.point("mechanism", text, False, said)

    def evidence(self) -> Point:
        question_id = f"{self.group.id}.evidence"
        text = f"{self.label}: evidence that passes the quality checks"
        if not is_answered(self.answers.get(question_id)):
            return self.point("evidence", text, False, "You gave no evidence for this group.")
        raised = [w.message for w in self.marking.warnings if w.question_id == question_id]
        # The pasted-evidence check names its first group only, but speaks of every group sharing the text.
        credit = self.marking.scoring.overall.mitigation.credit
        found = pasted_evidence(self.answers, self.marking.framework, credit.harm_names if credit else None)
        pasted = next((keys for keys in found if question_id in keys), None)
        if pasted is not None and not any("word for word" in m for m in raised):
            raised.append(
                f"The same evidence is given for {len(pasted)} groups, word for word or with only the "
                "group's name changed. Say what the evidence shows for this group."
            )
        claims = self.marking.scoring.claims
        words = len(said(self.answers.get(question_id), claims).split()) if claims is not None else None
        if not raised and claims is not None and words is not None and words < claims.min_words.value:
            # A real record's checks judge the words of neutral and positive answers only: practice judges
            # every answer's, so a line such as "example answer" is not taken for evidence.
            raised.append(
                f"Say what the evidence shows for this group, and where it comes from, in at least "
                f"{claims.min_words.value:g} words."
            )
        if raised:
            return self.point("evidence", text, False, "The quality checks say: " + " ".join(raised))
        passes = "Your evidence passes the quality checks a real assessment gets."
        return self.point("evidence", text, True, passes)

    def actions(self) -> Point:
        text = f"{self.label}: an action with an owner, a due date and a measure"
        naming = [c for c in self._checks() if self.group.id in c.answers]
        credited = [c for c in naming if c.credited]
        if credited:
            first = credited[0]
            quoted = _short(first.action)
            detail = f"Your action {first.number} ('{quoted}') answers this harm and would earn credit."
            return self.point("actions", text, True, detail)
        if naming:
            first = naming[0]
            problems = _and(list(first.messages))
            detail = f"Your action {first.number} names this group, but {problems}, so it earns no credit."
            return self.point("actions", text, False, detail)
        return self.point("actions", text, False, f"No action in your plan names {self.phrase}.")

    def _checks(self) -> list[ActionCheck]:
        mitigation = self.marking.scoring.overall.mitigation
        assert mitigation.credit is not None  # only asked when the scoring gives credit
        names = harm_names(self.marking.framework, mitigation.credit, [self.group.id])
        rows = plan_rows(self.answers, mitigation.question)
        decision = parse_day(self.answers.get(DECISION_DATE))
        return check_actions(rows, names, mitigation.credit, decision, self.marking.today)


def _impact_word(value: Any) -> str:
    return IMPACT_LABELS.get(str(value), str(value)).lower()


def _listed(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)] if is_answered(value) else []


def _and(words: Sequence[str]) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
