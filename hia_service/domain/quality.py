"""Checks that catch a tick-box assessment, shown to the author before submission and to reviewers.

Each warning says what to do in plain English and points at the question to fix. The checks read the key
questions named in framework/anchors.py, which the loader guarantees every framework version has.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from hia_service.domain.data_completeness import data_gaps
from hia_service.domain.framework.anchors import PROTECTED_CHARACTERISTICS_SECTION
from hia_service.domain.framework.conditions import is_answered, section_visible, visible_answers
from hia_service.domain.framework.model import Framework, Group
from hia_service.domain.framework.validation import parse_date
from hia_service.domain.geography.area_profile import AreaProfile, ProfileLike, as_area_profile


@dataclass(frozen=True)
class QualityWarning:
    id: str
    message: str
    section_id: str
    question_id: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "id": self.id,
            "message": self.message,
            "section_id": self.section_id,
            "question_id": self.question_id,
        }


INTERSECTION_QUESTION = "intersection.considered"  # framework 1.1 on
INTERSECTION_ROWS = "intersection.impacts"
INTERSECTION_NAMED = 4  # groups named in the warning; more would not be read
DATA_GAP_WARN_SHARE = 0.05  # a patient list missing this share of a field is worth a warning

# What each check says, in one place so the wording can be reviewed together.
MESSAGES = {
    "geography.incomplete": (
        "Complete the geography step so the deprivation profile of the people affected can be used"
    ),
    "no_evidence": "Give the evidence for the {word} impact on {group}",
    "no_mitigation.negative": "Say how you will reduce the impact on {group}, or why no action is needed",
    "no_mitigation.unknown": "Say how you will find out the impact on {group}, or why that is not needed",
    "pc.all_neutral_no_evidence": (
        "Every protected characteristic is marked neutral with no evidence. Give the evidence for this, "
        "starting with the characteristics most likely to be affected"
    ),
    "engagement.missing": "Say whether you involved people affected by the proposal",
    "engagement.no_feedback": "Record what the people you involved told you",
    "engagement.no_changes": "Record what changed as a result of what people told you",
    "engagement.not_justified": "Explain why involving people affected was not proportionate",
    "decision_date.missing": (
        "Enter the decision date, so reviewers can see the assessment comes before the decision"
    ),
    "decision_date.passed": (
        "The decision date, {date}, has passed. Due regard must be paid before a decision is taken, not after"
    ),
    "gaps.missing": "Say whether there are gaps in the evidence",
    "gaps.unknown_impacts": (
        "You said there are no gaps in the evidence, but the impact on {count} is not known yet. "
        "Name those gaps and how you will close them"
    ),
    "gaps.none_named": "Name the gaps in the evidence and how you will close them",
    "gaps.no_plan": "Give a plan to close gap {n}{quoted}",
    "actions.none": (
        "You found negative impacts but the action plan is empty. Add the actions that will reduce them, "
        "each with an owner and a due date"
    ),
    "actions.no_owner": "Give an owner for action {n}{quoted}",
    "actions.no_due_date": "Give a due date for action {n}{quoted}",
    "no_mechanism": (
        "Say whether the {word} impact on {group} is on their access to services, their experience of "
        "care or their health outcomes"
    ),
    "intersection.missing": (
        "Say whether people who belong to more than one group, such as older disabled people in deprived "
        "rural areas, could be affected differently"
    ),
    "intersection.overlooked": (
        "You found negative or unknown impacts on {groups}. People who belong to more than one of these "
        "groups may be affected most: say how the proposal affects them together"
    ),
    "intersection.single_group": (
        "Combination {n}{quoted} names only one group. Name each group it combines, for example "
        "'older people, disabled people, people in rural areas'"
    ),
    "data_gap": (
        "{gap}. NHS England's statement on information on health inequalities asks for this to be reported: "
        "record it as a gap in the evidence, with a plan to close it"
    ),
    "review_date.missing": "Set a date to review this assessment",
    "review_date.before_decision": (
        "The review date must be after the decision date, when the effects of the change can be seen"
    ),
}


class _Checks:
    def __init__(self, answers: Mapping[str, Any], profile: AreaProfile | None, fw: Framework, today: date):
        self.answers = visible_answers(fw, answers)
        self.profile = profile
        self.fw = fw
        self.today = today

    def warn(self, check_id: str, question_id: str, message: str = "", **values: Any) -> QualityWarning:
        text = MESSAGES[message or check_id].format(**values)
        return QualityWarning(check_id, text, self.fw.section_of(question_id).id, question_id)

    def has(self, question_id: str) -> bool:
        return is_answered(self.answers.get(question_id))

    def date_of(self, question_id: str) -> date | None:
        value, error = parse_date(self.answers.get(question_id), "")
        return date.fromisoformat(value) if value and not error else None

    def impact(self, group: Group) -> str | None:
        return self.answers.get(f"{group.id}.impact")

    def geography(self) -> Iterator[QualityWarning]:
        if not self.has("who.geography") or self.profile is None:
            yield self.warn("geography.incomplete", "who.geography")

    def impacts(self) -> Iterator[QualityWarning]:
        for _, group in self.fw.groups():
            impact = self.impact(group)
            if impact not in ("negative", "unknown"):
                continue
            word = "negative" if impact == "negative" else "not known yet"
            if not self.has(f"{group.id}.evidence"):
                yield self.warn(
                    f"{group.id}.no_evidence",
                    f"{group.id}.evidence",
                    "no_evidence",
                    word=word,
                    group=group.in_sentence,
                )
            if not self.has(f"{group.id}.mitigation"):
                yield self.warn(
                    f"{group.id}.no_mitigation",
                    f"{group.id}.mitigation",
                    f"no_mitigation.{impact}",
                    group=group.in_sentence,
                )

    def specificity(self) -> Iterator[QualityWarning]:
        """Each positive or negative impact says what it changes: access, experience or outcomes."""
        for _, group in self.fw.groups():
            impact = self.impact(group)
            question_id = f"{group.id}.mechanism"
            asked = impact in ("positive", "negative") and self.fw.has_question(question_id)
            if asked and not self.has(question_id):
                yield self.warn(
                    f"{group.id}.no_mechanism",
                    question_id,
                    "no_mechanism",
                    word=impact,
                    group=group.in_sentence,
                )

    def intersection(self) -> Iterator[QualityWarning]:
        """People in more than one group: asked about, not waved away, each combination really combined."""
        if not self._asked(INTERSECTION_QUESTION):
            return
        considered = self.answers.get(INTERSECTION_QUESTION)
        if considered is None:
            yield self.warn("intersection.missing", INTERSECTION_QUESTION)
            return
        concerns = [
            (section.id, group.in_sentence)
            for section, group in self.fw.groups()
            if self.impact(group) in ("negative", "unknown") and not section.id.startswith("core20")
        ]
        sections = {section_id for section_id, _ in concerns}
        if considered == "no" and len(concerns) >= 2 and len(sections) >= 2:
            groups = _listed([phrase for _, phrase in concerns][:INTERSECTION_NAMED])
            yield self.warn("intersection.overlooked", INTERSECTION_QUESTION, groups=groups)
        if considered == "yes":
            for n, row in enumerate(self.answers.get(INTERSECTION_ROWS) or [], start=1):
                if isinstance(row, Mapping) and len(_group_names(row.get("groups"))) < 2:
                    yield self.warn(
                        f"intersection.{n}.single_group",
                        INTERSECTION_ROWS,
                        "intersection.single_group",
                        n=n,
                        quoted=_quoted(row.get("groups")),
                    )

    def data_completeness(self) -> Iterator[QualityWarning]:
        """A profiled patient list with many unmatched or unknown records is a gap to report and close."""
        if self.answers.get("evidence.gaps_exist") == "yes" and self.answers.get("evidence.gaps"):
            return  # named in the evidence section; the share is shown there and in the record
        for gap in data_gaps(self.profile):
            if gap.share >= DATA_GAP_WARN_SHARE:
                yield self.warn(f"data_gap.{gap.id}", "who.geography", "data_gap", gap=gap.sentence())

    def _asked(self, question_id: str) -> bool:
        if not self.fw.has_question(question_id):
            return False
        return section_visible(self.fw.section_of(question_id), self.answers)

    def all_neutral(self) -> Iterator[QualityWarning]:
        if not any(s.id == PROTECTED_CHARACTERISTICS_SECTION for s in self.fw.sections):
            return
        groups = self.fw.section(PROTECTED_CHARACTERISTICS_SECTION).groups
        all_neutral = bool(groups) and all(self.impact(g) == "neutral" for g in groups)
        if all_neutral and not any(self.has(f"{g.id}.evidence") for g in groups):
            yield self.warn("pc.all_neutral_no_evidence", f"{groups[0].id}.evidence")

    def engagement(self) -> Iterator[QualityWarning]:
        done = self.answers.get("engagement.done")
        if done is None:
            yield self.warn("engagement.missing", "engagement.done")
        elif done == "yes":
            if not self.has("engagement.feedback"):
                yield self.warn("engagement.no_feedback", "engagement.feedback")
            if not self.has("engagement.changes"):
                yield self.warn("engagement.no_changes", "engagement.changes")
        elif not self.has("engagement.not_proportionate"):
            yield self.warn("engagement.not_justified", "engagement.not_proportionate")

    def decision_date(self) -> Iterator[QualityWarning]:
        decided = self.date_of("proposal.decision_date")
        if decided is None:
            yield self.warn("decision_date.missing", "proposal.decision_date")
        elif self.today > decided:
            yield self.warn("decision_date.passed", "proposal.decision_date", date=long_date(decided))

    def data_gaps(self) -> Iterator[QualityWarning]:
        exists = self.answers.get("evidence.gaps_exist")
        unknown = sum(1 for _, g in self.fw.groups() if self.impact(g) == "unknown")
        if exists is None:
            yield self.warn("gaps.missing", "evidence.gaps_exist")
        elif exists == "no" and unknown:
            count = f"{unknown} {'group' if unknown == 1 else 'groups'}"
            yield self.warn("gaps.unknown_impacts", "evidence.gaps_exist", count=count)
        elif exists == "yes":
            yield from self._gap_rows(self.answers.get("evidence.gaps") or [])

    def _gap_rows(self, rows: list[Any]) -> Iterator[QualityWarning]:
        if not rows:
            yield self.warn("gaps.none_named", "evidence.gaps")
        for n, row in enumerate(rows, start=1):
            if isinstance(row, Mapping) and not is_answered(row.get("plan")):
                yield self.warn(
                    f"gaps.{n}.no_plan", "evidence.gaps", "gaps.no_plan", n=n, quoted=_quoted(row.get("gap"))
                )

    def actions(self) -> Iterator[QualityWarning]:
        rows = [r for r in self.answers.get("actions.plan") or [] if isinstance(r, Mapping)]
        if not rows and any(self.impact(g) == "negative" for _, g in self.fw.groups()):
            yield self.warn("actions.none", "actions.plan")
        for n, row in enumerate(rows, start=1):
            quoted = _quoted(row.get("action"))
            if not is_answered(row.get("owner")):
                yield self.warn(
                    f"actions.{n}.no_owner", "actions.plan", "actions.no_owner", n=n, quoted=quoted
                )
            if parse_date(row.get("due"), "")[0] is None:
                yield self.warn(
                    f"actions.{n}.no_due_date", "actions.plan", "actions.no_due_date", n=n, quoted=quoted
                )

    def review_date(self) -> Iterator[QualityWarning]:
        review, decided = self.date_of("monitoring.review_date"), self.date_of("proposal.decision_date")
        if review is None:
            yield self.warn("review_date.missing", "monitoring.review_date")
        elif decided is not None and review <= decided:
            yield self.warn("review_date.before_decision", "monitoring.review_date")

    def all(self) -> list[QualityWarning]:
        checks = (
            self.geography,
            self.impacts,
            self.specificity,
            self.all_neutral,
            self.intersection,
            self.data_completeness,
            self.engagement,
            self.decision_date,
            self.data_gaps,
            self.actions,
            self.review_date,
        )
        found = [warning for check in checks for warning in check()]
        # A section left out by screening (or a pack for another kind of proposal) has nothing to fix.
        found = [w for w in found if section_visible(self.fw.section(w.section_id), self.answers)]
        order = {q.id: n for n, q in enumerate(self.fw.questions())}
        return sorted(found, key=lambda w: order.get(w.question_id or "", -1))


def quality_checks(
    answers: Mapping[str, Any], profile: ProfileLike | None, framework: Framework, today: date
) -> list[QualityWarning]:
    """Every sign of a tick-box assessment, in the order of the questions to fix."""
    return _Checks(answers, as_area_profile(profile), framework, today).all()


def _group_names(text: Any) -> list[str]:
    """'older people, disabled people and people in rural areas' -> three names."""
    cleaned = str(text or "").replace(" and ", ",").replace("&", ",").replace("+", ",").replace(";", ",")
    return [part.strip() for part in cleaned.replace("/", ",").split(",") if part.strip()]


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def long_date(day: date) -> str:
    """27 March 2026: the NHS style for dates."""
    return f"{day.day} {day:%B %Y}"


def _quoted(text: Any) -> str:
    text = " ".join(str(text or "").split())
    if not text:
        return ""
    return f" ('{text[:60]}…')" if len(text) > 60 else f" ('{text}')"
