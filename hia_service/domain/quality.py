"""Checks that catch a tick-box assessment, shown to the author before submission and to reviewers.

Each warning says what to do in plain English and points at the question to fix. The checks read the key
questions named in framework/anchors.py, which the loader guarantees every framework version has.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from hia_service.domain import evidence_text
from hia_service.domain.data_completeness import data_gaps
from hia_service.domain.framework.anchors import PROTECTED_CHARACTERISTICS_SECTION
from hia_service.domain.framework.conditions import is_answered, section_visible, visible_answers
from hia_service.domain.framework.model import Framework, Group
from hia_service.domain.framework.validation import parse_date
from hia_service.domain.geography.area_profile import AreaProfile, ProfileLike, as_area_profile
from hia_service.domain.quality_messages import MESSAGES
from hia_service.domain.scoring.actions import (
    MONITORING_INDICATORS,
    counts_everyone,
    measure_names,
    named_groups,
    shows_who,
)
from hia_service.domain.scoring.facts import pasted_evidence
from hia_service.domain.scoring.model import Credit


@dataclass(frozen=True)
class QualityWarning:
    id: str
    message: str
    section_id: str
    question_id: str | None = None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> QualityWarning:
        """The warning as stored with a version (to_dict), for reading the checks it was frozen with."""
        return cls(str(raw["id"]), str(raw["message"]), str(raw["section_id"]), raw.get("question_id"))

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
SUPPORTS = ("will_support", "may_support")  # EHIA ratings that say the proposal helps an aim
DATA_GAP_WARN_SHARE = 0.05  # a patient list missing this share of a field is worth a warning
MOVES = ("closure", "relocation")  # proposal kinds where people go to another site
CURRENT_SITE, PROPOSED_SITE = "access.current_site", "access.proposed_site"  # framework 1.2 on


class _Checks:
    def __init__(
        self,
        answers: Mapping[str, Any],
        profile: AreaProfile | None,
        fw: Framework,
        today: date,
        group_names: Mapping[str, tuple[str, ...]] | None = None,
        not_assessed: Mapping[str, str] | None = None,
        credit: Credit | None = None,
    ):
        self.answers = visible_answers(fw, answers)
        self.profile = profile
        self.fw = fw
        self.today = today
        # Words the scoring rules accept as naming a group in an action ("young mothers" for age), so the
        # checks never say an action answers nothing that the rating has just credited.
        self.group_names = group_names or {}
        # The neutral or positive answers the rating counted as not assessed (scoring.not_assessed), so the
        # author is told which answers made the rating high and why.
        self.not_assessed = not_assessed or {}
        # The scoring's rules for action credit: what a measure that counts everyone at once looks like.
        self.credit = credit

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
        # Two concerns in one section count too: older and disabled people is the commonest double hit.
        if considered == "no" and len(concerns) >= 2:
            groups = _listed([phrase for _, phrase in concerns][:INTERSECTION_NAMED])
            yield self.warn("intersection.overlooked", INTERSECTION_QUESTION, groups=groups)
        if considered == "yes":
            rows = [r for r in self.answers.get(INTERSECTION_ROWS) or [] if isinstance(r, Mapping)]
            if not rows and self.fw.has_question(INTERSECTION_ROWS):
                yield self.warn("intersection.no_rows", INTERSECTION_ROWS)
            for n, row in enumerate(rows, start=1):
                if not all(is_answered(row.get(cell)) for cell in ("direction", "detail")):
                    yield self.warn(
                        f"intersection.{n}.row_unanswered",
                        INTERSECTION_ROWS,
                        "intersection.row_unanswered",
                        n=n,
                        quoted=_quoted(row.get("groups")),
                    )
                if len(_group_names(row.get("groups"), self._names_of_groups())) < 2:
                    yield self.warn(
                        f"intersection.{n}.single_group",
                        INTERSECTION_ROWS,
                        "intersection.single_group",
                        n=n,
                        quoted=_quoted(row.get("groups")),
                    )

    def _names_of_groups(self) -> list[str]:
        """Every name a group goes by: its label, how it reads in a sentence and the scoring's own words."""
        names = [name for _, g in self.fw.groups() for name in (g.label, g.in_sentence)]
        return names + [name for more in self.group_names.values() for name in more]

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
            yield from self._information_only()
            if not self.has("engagement.feedback"):
                yield self.warn("engagement.no_feedback", "engagement.feedback")
            if not self.has("engagement.changes"):
                yield self.warn("engagement.no_changes", "engagement.changes")
        elif not self.has("engagement.not_proportionate"):
            yield self.warn("engagement.not_justified", "engagement.not_proportionate")

    def _information_only(self) -> Iterator[QualityWarning]:
        """A letter, leaflet or notice is telling people, not involving them (the Gunning principles)."""
        how = self.answers.get("engagement.how")
        said = [self.answers.get(q) for q in ("engagement.how", "engagement.feedback", "engagement.changes")]
        if (
            self.fw.has_question("engagement.how")
            and evidence_text.only_informs(how)
            and not evidence_text.involves(said)
        ):
            yield self.warn("engagement.information_only", "engagement.how", text=_snippet(how))

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
            owner = row.get("owner")
            if not is_answered(owner):
                yield self.warn(
                    f"actions.{n}.no_owner", "actions.plan", "actions.no_owner", n=n, quoted=quoted
                )
            elif evidence_text.is_placeholder_owner(owner):
                yield self.warn(
                    f"actions.{n}.owner_placeholder",
                    "actions.plan",
                    "actions.owner_placeholder",
                    n=n,
                    quoted=quoted,
                    owner=str(owner).strip(),
                )
            due, _ = parse_date(row.get("due"), "")
            if due is None:
                yield self.warn(
                    f"actions.{n}.no_due_date", "actions.plan", "actions.no_due_date", n=n, quoted=quoted
                )
            elif date.fromisoformat(due) < self.today:
                yield self.warn(
                    f"actions.{n}.due_passed",
                    "actions.plan",
                    "actions.due_passed",
                    n=n,
                    quoted=quoted,
                    date=long_date(date.fromisoformat(due)),
                )

    def claims(self) -> Iterator[QualityWarning]:
        """A neutral or positive answer is a claim: it needs evidence, and evidence that says something."""
        for section in self.fw.sections:
            claimed = [g for g in section.groups if self.impact(g) in ("neutral", "positive")]
            bare = [g for g in claimed if not self.has(f"{g.id}.evidence")]
            answered = [g for g in section.groups if self.impact(g)]
            if section.id == PROTECTED_CHARACTERISTICS_SECTION:
                bare = [g for g in bare if self.impact(g) == "positive" or not self._pc_all_neutral_bare()]
            elif (
                len(answered) > 1
                and len(bare) == len(answered)
                and all(self.impact(g) == "neutral" for g in answered)
            ):
                yield self.warn(
                    f"{section.id}.all_neutral_no_evidence",
                    f"{answered[0].id}.evidence",
                    "section_all_neutral_no_evidence",
                    section=section.title,
                )
                bare = []
            for group in bare:
                yield self.warn(
                    f"{group.id}.claim_no_evidence",
                    f"{group.id}.evidence",
                    "claim_no_evidence",
                    group=group.in_sentence,
                    word=self.impact(group),
                )
            for group in section.groups:
                text = self.answers.get(f"{group.id}.evidence")
                if evidence_text.is_generic(text):
                    yield self.warn(
                        f"{group.id}.generic_evidence",
                        f"{group.id}.evidence",
                        "generic_evidence",
                        group=group.in_sentence,
                        text=_snippet(text),
                    )

    def claims_not_assessed(self) -> Iterator[QualityWarning]:
        """The answers the rating counts as not assessed although they have evidence: it says neither a figure
        nor where it comes from. (No evidence, or evidence that says nothing, has its own warning above.)"""
        for _, group in self.fw.groups():
            question_id = f"{group.id}.evidence"
            text = self.answers.get(question_id)
            answer = self.not_assessed.get(group.id)
            if answer and self.has(question_id) and not evidence_text.is_generic(text):
                yield self.warn(
                    f"{group.id}.claim_not_assessed",
                    question_id,
                    "claim_not_assessed",
                    group=group.in_sentence,
                    word=answer,
                    text=_snippet(text),
                )

    def _pc_all_neutral_bare(self) -> bool:
        groups = self.fw.section(PROTECTED_CHARACTERISTICS_SECTION).groups
        return bool(groups) and all(
            self.impact(g) == "neutral" and not self.has(f"{g.id}.evidence") for g in groups
        )

    def pasted_evidence(self) -> Iterator[QualityWarning]:
        names = {f"{g.id}.evidence": g.in_sentence for _, g in self.fw.groups()}
        for keys in pasted_evidence(self.answers, self.fw, self.group_names):
            first = keys[0]
            groups = _listed([names[k] for k in keys[:INTERSECTION_NAMED]] + _more(len(keys)))
            yield self.warn(
                f"{first.removesuffix('.evidence')}.evidence_pasted",
                first,
                "evidence_pasted",
                count=len(keys),
                groups=groups,
            )

    def recommendation(self) -> Iterator[QualityWarning]:
        """Harms recorded and "proceed" recommended with nothing in the plan that answers them."""
        recommended = str(self.answers.get("conclusion.recommendation") or "")
        if not recommended.startswith("proceed"):
            return
        rows = [r for r in self.answers.get("actions.plan") or [] if isinstance(r, Mapping)]
        harmed = [g for _, g in self.fw.groups() if self.impact(g) == "negative"]
        unanswered = [
            g
            for g in harmed
            if not any(
                _answers_harm(row, g, self.answers.get(f"{g.id}.mitigation"), self.group_names.get(g.id, ()))
                for row in rows
            )
        ]
        if unanswered:
            groups = _listed(
                [g.in_sentence for g in unanswered[:INTERSECTION_NAMED]] + _more(len(unanswered))
            )
            yield self.warn(
                "conclusion.proceed_despite_harm",
                "conclusion.recommendation",
                "proceed_despite_harm",
                groups=groups,
            )

    def kind(self) -> Iterator[QualityWarning]:
        """The title or summary says the service closes or moves, but the kind of proposal says otherwise:
        the distances and the rules for closures and moves would not be applied."""
        kind = self.answers.get("proposal.kind")
        # Closing on some days is a change of hours, moving a staff base a workforce change, and closing a
        # phone line for an online route a digital change: each right, with its own checks.
        if (
            not kind
            or kind in (*MOVES, "hours", "workforce", "digital")
            or not self.fw.has_question("proposal.kind")
        ):
            return
        words = [self.answers.get("proposal.title"), self.answers.get("proposal.summary")]
        label = self.fw.question("proposal.kind").option_label(kind)
        # Fewer sites is a closure for the people who used the ones that go (the rating reads it so, 1.9 on).
        if evidence_text.closes_or_moves(words) or evidence_text.reduces_sites(words):
            yield self.warn("proposal.kind_understated", "proposal.kind", kind=label)
        elif kind != "eligibility" and evidence_text.restricts_eligibility(words):
            yield self.warn("proposal.eligibility_understated", "proposal.kind", kind=label)

    def access_answer(self) -> Iterator[QualityWarning]:
        """Charges, parking, fees, interpreting or translation in the title or summary, with "no change to how
        patients use a service": cost and language decide who can use one."""
        if (
            self.answers.get("proposal.changes_access") != "no"
            or self.answers.get("proposal.kind") == "workforce"
        ):
            return
        words = [self.answers.get("proposal.title"), self.answers.get("proposal.summary")]
        said = evidence_text.costs_or_language(words)
        if said and self.fw.has_question("proposal.changes_access"):
            yield self.warn("proposal.access_understated", "proposal.changes_access", word=said.lower())

    def access_engagement(self) -> Iterator[QualityWarning]:
        """A closure, relocation, digital route or change of hours needs the people affected involved."""
        words = [self.answers.get("proposal.title"), self.answers.get("proposal.summary")]
        kind = self.answers.get("proposal.kind")
        # "Move to 12-hour shifts" moves staff, not patients: staff networks are the people to involve.
        staff_only = kind == "workforce" and self.answers.get("proposal.changes_access") == "no"
        if staff_only or not evidence_text.changes_access(kind, words):
            return
        done = self.answers.get("engagement.done")
        if done == "no":
            yield self.warn("engagement.access_not_engaged", "engagement.done", "access_not_engaged")
        elif done == "yes" and self.fw.has_question("engagement.who"):
            who = self.answers.get("engagement.who") or []
            if who and not set(who) & evidence_text.AFFECTED_PEOPLE:
                labels = [self.fw.question("engagement.who").option_label(v).lower() for v in who]
                yield self.warn(
                    "engagement.access_not_engaged_affected",
                    "engagement.who",
                    "access_not_engaged_affected",
                    who=_listed(labels),
                )

    def sites(self) -> Iterator[QualityWarning]:
        """A closure or a move without both postcodes cannot show who travels further."""
        if self.answers.get("proposal.kind") not in MOVES or not self._asked(CURRENT_SITE):
            return
        missing = [q for q in (CURRENT_SITE, PROPOSED_SITE) if not self.has(q)]
        if missing:
            yield self.warn("access.no_sites", missing[0])

    def offline_route(self) -> Iterator[QualityWarning]:
        if self._asked("digital.offline_route") and self.answers.get("digital.offline_route") == "no":
            yield self.warn("digital.no_offline_route", "digital.offline_route")

    def duty_ratings(self) -> Iterator[QualityWarning]:
        """Rating the proposal as supporting the reduction of inequalities in access (or outcomes) while
        recording harm to access (or outcomes) for groups: a panel asks how both can hold."""
        for aim, word in (("access", "access"), ("outcomes", "outcomes")):
            question = f"ehia.{aim}"
            rating = self.answers.get(question)
            if not self._asked(question) or rating not in SUPPORTS:
                continue
            harmed = [
                g
                for _, g in self.fw.groups()
                if self.impact(g) == "negative"
                and (aim in (self.answers.get(f"{g.id}.mechanism") or []) or g.id == f"core20.{aim}")
            ]
            if harmed:
                groups = _listed([g.in_sentence for g in harmed[:INTERSECTION_NAMED]] + _more(len(harmed)))
                label = self.fw.question(question).option_label(rating).lower()
                yield self.warn(
                    f"{question}.contradicts_harm",
                    question,
                    "duty_rating_contradicts_harm",
                    rating=label,
                    what=word,
                    groups=groups,
                )

    def workforce_data(self) -> Iterator[QualityWarning]:
        """A decision about staff needs the organisation's WRES, WDES and EDS 2022 data behind it."""
        about_staff = (
            self.answers.get("who.staff_affected") == "yes"
            or self.answers.get("proposal.kind") == "workforce"
        )
        if not about_staff:
            return
        texts = [text for value in self.answers.values() for text in evidence_text.strings_in(value)]
        if not evidence_text.mentions_workforce_data(texts):
            target = "evidence.sources" if self.fw.has_question("evidence.sources") else "who.staff_affected"
            yield self.warn("workforce.no_equality_data", target)

    def monitoring_reach(self) -> Iterator[QualityWarning]:
        """A proposal that says it helps some groups or narrows inequalities, measured only by totals
        ("Total health checks per month"): nothing will show who it reaches (targeting is real only when
        measured). A measure is a total as the scoring judges an action's: actions.counts_everyone."""
        if self.credit is None or not self._asked(MONITORING_INDICATORS):
            return
        helped = [g for _, g in self.fw.groups() if self.impact(g) == "positive"]
        narrows = [q for q in ("ehia.access", "ehia.outcomes") if self.answers.get(q) in SUPPORTS]
        if not helped and not narrows:
            return
        indicators = self._cells(MONITORING_INDICATORS, "indicator")
        names = measure_names(self.fw, self.group_names)
        totals = [m for m in indicators if counts_everyone(m, self.credit, names)]
        measures = indicators + self._cells("actions.plan", "measure")
        if totals and not any(shows_who(m, self.credit, names) for m in measures):
            claim = "rated the proposal as one that will support reducing health inequalities"
            if helped:
                named = [g.in_sentence for g in helped[:INTERSECTION_NAMED]] + _more(len(helped))
                claim = f"recorded a positive impact on {_listed(named)}"
            yield self.warn(
                "monitoring.totals_only", MONITORING_INDICATORS, claim=claim, indicator=_snippet(totals[0])
            )

    def _cells(self, question_id: str, field: str) -> list[str]:
        """One column of a table answer, as text."""
        rows = self.answers.get(question_id) or []
        return [str(row.get(field) or "") for row in rows if isinstance(row, Mapping)]

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
            self.claims,
            self.claims_not_assessed,
            self.pasted_evidence,
            self.intersection,
            self.data_completeness,
            self.engagement,
            self.kind,
            self.access_answer,
            self.access_engagement,
            self.sites,
            self.offline_route,
            self.duty_ratings,
            self.workforce_data,
            self.recommendation,
            self.decision_date,
            self.data_gaps,
            self.actions,
            self.monitoring_reach,
            self.review_date,
        )
        found = [warning for check in checks for warning in check()]
        # A section left out by screening (or a pack for another kind of proposal) has nothing to fix.
        found = [w for w in found if section_visible(self.fw.section(w.section_id), self.answers)]
        order = {q.id: n for n, q in enumerate(self.fw.questions())}
        return sorted(found, key=lambda w: order.get(w.question_id or "", -1))


def quality_checks(
    answers: Mapping[str, Any],
    profile: ProfileLike | None,
    framework: Framework,
    today: date,
    group_names: Mapping[str, tuple[str, ...]] | None = None,
    not_assessed: Mapping[str, str] | None = None,
    credit: Credit | None = None,
) -> list[QualityWarning]:
    """Every sign of a tick-box assessment, in the order of the questions to fix. From the scoring rules,
    each optional: `group_names`, more words that name each group in an action, by group id;
    `not_assessed`, the claims the rating counts as not assessed (scoring.not_assessed); `credit`, the
    action-credit rules, whose totals and breakdown words tell a measure that counts everyone at once."""
    checks = _Checks(answers, as_area_profile(profile), framework, today, group_names, not_assessed, credit)
    return checks.all()


# Words that each mark a group, so one phrase can name several: "older disabled people without a car".
GROUP_MARKERS = re.compile(
    r"\b(?:older|elderly|young(?:er)?|child(?:ren)?|disab\w*|deaf|blind|wheelchair|wom[ae]n|\bmen\b|pregnan\w*|"
    r"maternity|ethnic\w*|black|asian|gay|lesbian|bisexual|trans\w*|religio\w*|faith|carers?|rural|"
    r"coast(?:al)?|seaside|villages?|homeless\w*|migrants?|refugees?|asylum|travell?ers?|gypsy|roma|"
    r"low[- ]incomes?|poverty|poor|"
    r"without a car|no car|digital\w*|offline|(?:limited|little|no) english|interpret\w*|learning disab\w*|"
    r"autis\w*|mental|veterans?|prison\w*|deprived|core20|unemployed|lone parents?)\b",
    re.IGNORECASE,
)


def _group_names(text: Any, names: Iterable[str] = ()) -> list[str]:
    """'older people, disabled people and people in rural areas' -> three names; so is 'older disabled
    people in rural areas', which names its groups by the words that mark them, and 'older people on low
    incomes living on the coast', by the names the groups go by (`names`: the framework's and the scoring's).
    Names inside longer ones count once: 'people with learning disabilities' is one group, not two."""
    cleaned = str(text or "").replace(" and ", ",").replace("&", ",").replace("+", ",").replace(";", ",")
    parts = [part.strip() for part in cleaned.replace("/", ",").split(",") if part.strip()]
    plain = str(text or "").lower()
    spans = [m.span() for m in GROUP_MARKERS.finditer(plain)]
    # Only the names the text holds get a pattern: compiling one for every name made each check slow.
    for name in {n.strip().lower() for n in names if n.strip() and n.strip().lower() in plain}:
        spans += [m.span() for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", plain)]
    kept: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda span: span[0] - span[1]):  # the longest first
        if all(end <= other_start or start >= other_end for other_start, other_end in kept):
            kept.append((start, end))
    marked = list(dict.fromkeys(plain[start:end] for start, end in sorted(kept)))
    return parts if len(parts) >= len(marked) else marked


ACTION_LINK_FIELDS = ("group", "groups", "harm", "impact")  # a plan that names the harm each action answers
# Framework 1.2 on: "Which harm does it answer?", the groups in the person's own words ("older people").
ACTION_HARM_TEXT_FIELDS = ("answers",)
SHARED_WORDS_FOR_A_MATCH = 2


def _answers_harm(
    row: Mapping[str, Any], group: Group, mitigation: Any, more_names: tuple[str, ...] = ()
) -> bool:
    """Whether an action is for this group: linked to it, where the plan links actions to harms; otherwise
    naming the group in its "which harm" column, its action or its measure, or carrying out the mitigation
    written for it (two longer words in common)."""
    linked = [row.get(key) for key in ACTION_LINK_FIELDS if row.get(key)]
    if linked:
        return any(
            group.id == value or group.id in value for value in linked if isinstance(value, str | list)
        )
    harm = " ".join(str(row.get(key) or "") for key in ACTION_HARM_TEXT_FIELDS)
    if _names_group(harm, group) or named_groups(harm, {group.id: more_names}):
        return True
    words = " ".join(str(row.get(key) or "") for key in ("action", "measure"))
    if _names_in_full(words, group):
        return True
    shared = evidence_text.content_words(words) & evidence_text.content_words(mitigation)
    return len(shared) >= SHARED_WORDS_FOR_A_MATCH


def _names_in_full(text: str, group: Group) -> bool:
    names = {group.in_sentence.lower(), group.label.lower()}
    return any(re.search(rf"\b{re.escape(name)}\b", text.lower()) for name in names if name)


def _names_group(text: str, group: Group) -> bool:
    """Whether a "which harm" answer names the group: its id, its name in full, or every longer word of its
    name in any order ("digitally excluded people" for "People who are digitally excluded")."""
    if not text.strip():
        return False
    if group.id in text or _names_in_full(text, group):
        return True
    name_words = evidence_text.content_words(group.label)
    return bool(name_words) and name_words <= evidence_text.content_words(text)


def _more(count: int) -> list[str]:
    return [f"{count - INTERSECTION_NAMED} more"] if count > INTERSECTION_NAMED else []


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def long_date(day: date) -> str:
    """27 March 2026: the NHS style for dates."""
    return f"{day.day} {day:%B %Y}"


def _snippet(text: Any) -> str:
    text = " ".join(str(text or "").split())
    return f"{text[:60]}…" if len(text) > 60 else text


def _quoted(text: Any) -> str:
    snippet = _snippet(text)
    return f" ('{snippet}')" if snippet else ""
