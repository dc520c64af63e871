"""Building ScoringRules from a schema-valid YAML document, checked against its framework."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hia_service.domain.framework.model import IMPACT_VALUES, Framework
from hia_service.domain.framework.source import DocPath, Problem, SourceDoc
from hia_service.domain.scoring.facts import DESCRIPTIONS, DIMENSION_FIELDS, placeholders
from hia_service.domain.scoring.model import (
    COMPARISONS,
    AnswerIn,
    AnswerMentions,
    AnyOf,
    ClaimRules,
    Credit,
    Described,
    Dimension,
    HarmedAgain,
    ImpactCount,
    LikelyAffected,
    Mitigation,
    Not,
    OverallRules,
    ProfileCompare,
    ProfileMissing,
    ReachMeasured,
    Rule,
    ScoringRules,
    Threshold,
)

MITIGATION_TEXTS = ("applied", "incomplete", "no_actions", "held", "at_floor")
OVERALL_FIELDS = {
    "reason": {"rating", "dimensions"},
    "applied": {"before", "after", "action_count"},
    "incomplete": {"action_count", "incomplete_count", "before"},
    "no_actions": {"before"},
    "held": {"before", "after", "held_by"},
    "at_floor": {"before", "after"},
    "no_harm_answered": {"before", "action_count"},
    "unmitigated": {"before", "after", "unmitigated_groups", "unmitigated_count"},
    "paper": {"number", "action", "failures"},
    "narrowing_capped": {"rating", "negative_groups"},
}
# 1.3 on: "applied" may also name the harms the actions answer.
CREDIT_FIELDS = {"applied": {"mitigated_groups", "mitigated_count"}}
FAILURE_FIELDS = {"owner", "due", "due_within"}
CLAIM_FIELDS = {"answer", "groups"}


def impossible(threshold: Threshold) -> str | None:
    """Why a threshold's value cannot be what its unit measures: a rule on it would never, or always, hold."""
    value, unit = threshold.value, threshold.unit
    if unit == "share" and not 0 <= value <= 1:
        return f"a share is written between 0 and 1 (0.4 is 40%), not {value:g}"
    if unit in ("count", "months") and (value < 0 or not value.is_integer()):
        what = "months" if unit == "months" else "answers"
        return f"a number of {what} is a whole number, 0 or more, not {value:g}"
    if unit in ("ratio", "score") and value < 0:
        return f"a {unit} cannot be negative ({value:g})"
    return None


class _Builder:
    def __init__(self, doc: SourceDoc, framework: Framework) -> None:
        self.doc = doc
        self.framework = framework
        self.problems: list[Problem] = []
        data = doc.data
        self.raw_claims = data.get("claims")
        self.thresholds = {
            name: Threshold(name, float(t["value"]), t["unit"], t["about"])
            for name, t in data["thresholds"].items()
        }
        for name, threshold in self.thresholds.items():
            problem = impossible(threshold)
            if problem:
                self.fail(("thresholds", name, "value"), problem)

    def fail(self, path: DocPath, message: str) -> None:
        self.problems.append(self.doc.problem(path, message))

    def rules(self) -> ScoringRules:
        data = self.doc.data
        dimensions = tuple(self.dimension(d, ("dimensions", i)) for i, d in enumerate(data["dimensions"]))
        self._unique([d.id for d in dimensions], "dimension", lambda i: ("dimensions", i, "id"))
        rule_paths = [
            ("dimensions", i, "rules", j, "id") for i, d in enumerate(dimensions) for j in range(len(d.rules))
        ]
        self._unique([r.id for d in dimensions for r in d.rules], "rule", lambda n: rule_paths[n])
        overall = self.overall(data["overall"])
        rule_ids = {r.id for d in dimensions for r in d.rules}
        for i, rule_id in enumerate(overall.mitigation.narrowing_uncapped_by):
            if rule_id not in rule_ids:
                path = ("overall", "mitigation", "narrowing_uncapped_by", i)
                self.fail(path, f"'{rule_id}' is not a rule in these scoring rules")
        return ScoringRules(
            version=str(data["version"]),
            title=data["title"],
            framework=self.framework,
            thresholds=tuple(self.thresholds.values()),
            dimensions=dimensions,
            overall=overall,
            claims=self.claims(data["claims"]) if "claims" in data else None,
        )

    def claims(self, raw: dict[str, Any]) -> ClaimRules:
        group_ids = {g.id for _, g in self.framework.groups()}
        likely = []
        for i, entry in enumerate(raw["likely_affected"]):
            path = ("claims", "likely_affected", i)
            when = tuple(self.condition(c, (*path, "when", j)) for j, c in enumerate(entry["when"]))
            for j, group_id in enumerate(entry["groups"]):
                if group_id not in group_ids:
                    message = f"'{group_id}' is not a group in framework {self.framework.version}"
                    self.fail((*path, "groups", j), message)
            likely.append(LikelyAffected(entry["about"], when, tuple(entry["groups"])))
        for group_id in raw.get("names", {}):
            if group_id not in group_ids:
                message = f"'{group_id}' is not a group in framework {self.framework.version}"
                self.fail(("claims", "names", group_id), message)
        self.template(raw["reason"], ("claims", "reason"), CLAIM_FIELDS)
        return ClaimRules(
            min_words=self.threshold(raw["min_words"], ("claims", "min_words")),
            likely_affected=tuple(likely),
            generic_phrases=tuple(raw["generic_phrases"]),
            source_words=tuple(raw["source_words"]),
            names=dict(raw.get("names", {})),
            reason=raw["reason"],
            benefit_needs_evidence=bool(raw.get("benefit_needs_evidence", False)),
            benefit_reason=self._benefit_reason(raw),
            pasted_not_evidence=int(raw.get("pasted_not_evidence", 0)),
            min_words_with_figure=self._optional_threshold(raw, "min_words_with_figure"),
        )

    def _optional_threshold(self, raw: dict[str, Any], key: str) -> Threshold | None:
        return self.threshold(raw[key], ("claims", key)) if key in raw else None

    def _benefit_reason(self, raw: dict[str, Any]) -> str:
        text = str(raw.get("benefit_reason", ""))
        if text:
            self.template(text, ("claims", "benefit_reason"), CLAIM_FIELDS)
        elif raw.get("benefit_needs_evidence"):
            self.fail(("claims",), "benefit_needs_evidence needs a benefit_reason to say so in the rating")
        return text

    def dimension(self, raw: dict[str, Any], path: DocPath) -> Dimension:
        group_ids: list[str] = []
        for i, section_id in enumerate(raw["sections"]):
            section = next((s for s in self.framework.sections if s.id == section_id), None)
            if section is None:
                message = f"'{section_id}' is not a section in framework {self.framework.version}"
                self.fail((*path, "sections", i), message)
                continue
            # A section without groups (the EHIA ratings) is rated by `answer` rules alone.
            group_ids += [g.id for g in section.groups]
        self.template(raw["default"]["reason"], (*path, "default", "reason"), DIMENSION_FIELDS)
        rules = tuple(self.rule(r, (*path, "rules", i)) for i, r in enumerate(raw["rules"]))
        return Dimension(
            id=raw["id"],
            label=raw["label"],
            group_ids=tuple(group_ids),
            default_rating=raw["default"]["rating"],
            default_reason=raw["default"]["reason"],
            rules=rules,
            mitigable=raw.get("mitigable", True),
            section_ids=tuple(raw["sections"]),
        )

    def rule(self, raw: dict[str, Any], path: DocPath) -> Rule:
        self.template(raw["reason"], (*path, "reason"), DIMENSION_FIELDS | set(self.thresholds))
        when = tuple(self.condition(c, (*path, "when", i)) for i, c in enumerate(raw["when"]))
        return Rule(raw["id"], raw["rating"], raw["reason"], when, bool(raw.get("narrows", False)))

    def condition(self, raw: dict[str, Any], path: DocPath) -> Any:
        ((kind, body),) = raw.items()
        path = (*path, kind)
        if kind == "impacts":
            states = (body["are"],) if isinstance(body["are"], str) else tuple(body["are"])
            found = [(op, ref) for op, ref in body.items() if op in COMPARISONS] or [("at_least", 1)]
            comparisons = tuple((op, self.threshold(ref, (*path, op))) for op, ref in found)
            if body.get("among") and self.raw_claims is None:
                self.fail((*path, "among"), "'among' needs the 'claims' section (it says which groups count)")
            only = tuple(str(g) for g in body["only"]) if "only" in body else None
            group_ids = {g.id for _, g in self.framework.groups()}
            for i, group_id in enumerate(only or ()):
                if group_id not in group_ids:
                    message = f"'{group_id}' is not a group in framework {self.framework.version}"
                    self.fail((*path, "only", i), message)
            return ImpactCount(states, comparisons, body.get("among"), only)
        if kind == "profile":
            comparison, ref = next((op, ref) for op, ref in body.items() if op in COMPARISONS)
            return ProfileCompare(body["field"], comparison, self.threshold(ref, (*path, comparison)))
        if kind == "profile_missing":
            return ProfileMissing(bool(body))
        if kind == "answer":
            return self.answer(body, path)
        if kind == "described":
            if body not in DESCRIPTIONS:
                known = ", ".join(DESCRIPTIONS)
                self.fail(path, f"'{body}' is not something a proposal can be described as (one of: {known})")
            return Described(str(body))
        if kind == "answer_mentions":
            question = str(body["question"])
            if not self.framework.has_question(question):
                message = f"'{question}' is not a question in framework {self.framework.version}"
                self.fail((*path, "question"), message)
            return AnswerMentions(question, tuple(str(w) for w in body["words"]))
        if kind == "reach_measured":
            if (self.doc.data["overall"].get("mitigation") or {}).get("credit") is None:
                self.fail(path, "reach_measured needs the action plan's credit (its words for a breakdown)")
            return ReachMeasured(bool(body))
        if kind == "harmed_again":
            return HarmedAgain(bool(body))
        if kind == "any":
            return AnyOf(tuple(self.condition(c, (*path, i)) for i, c in enumerate(body)))
        return Not(self.condition(body, path))

    def answer(self, body: dict[str, Any], path: DocPath) -> AnswerIn:
        question_id, values = body["question"], tuple(str(v) for v in body["in"])
        if not self.framework.has_question(question_id):
            self.fail(
                (*path, "question"),
                f"'{question_id}' is not a question in framework {self.framework.version}",
            )
            return AnswerIn(question_id, values)
        question = self.framework.question(question_id)
        allowed = IMPACT_VALUES if question.type == "impact" else tuple(o.value for o in question.options)
        for value in values if allowed else ():
            if value not in allowed:
                self.fail((*path, "in"), f"'{value}' is not an answer to '{question_id}'")
        return AnswerIn(question_id, values)

    def threshold(self, ref: str | float, path: DocPath) -> Threshold:
        if isinstance(ref, int | float):
            return Threshold("", float(ref))
        if ref not in self.thresholds:
            self.fail(path, f"threshold '{ref}' is not defined under 'thresholds'")
            return Threshold(ref, 0.0)
        return self.thresholds[ref]

    def template(self, text: str, path: DocPath, allowed: set[str] | frozenset[str]) -> None:
        try:
            names = placeholders(text)
        except ValueError:
            self.fail(path, "the text has a { or } that does not pair up")
            return
        for name in names:
            if name not in allowed:
                self.fail(path, f"unknown value '{{{name}}}' in the text")

    def overall(self, raw: dict[str, Any]) -> OverallRules:
        self.template(raw["reason"], ("overall", "reason"), OVERALL_FIELDS["reason"])
        mit = raw["mitigation"]
        credit_raw = mit.get("credit")
        for key in MITIGATION_TEXTS:
            extra = CREDIT_FIELDS.get(key, set()) if credit_raw else set()
            self.template(mit[key], ("overall", "mitigation", key), OVERALL_FIELDS[key] | extra)
        question = mit["question"]
        if not self.framework.has_question(question) or self.framework.question(question).type != "actions":
            message = f"'{question}' is not an action plan question in framework {self.framework.version}"
            self.fail(("overall", "mitigation", "question"), message)
        credit = self.credit(mit, question) if credit_raw else None
        extra_keys = ("no_harm_answered", "unmitigated", "paper", "narrowing_capped")
        extra_texts = {k: mit.get(k, "") for k in extra_keys}
        if "narrowing_cap" in mit and not extra_texts["narrowing_capped"]:
            message = "narrowing_cap needs a 'narrowing_capped' text to say why the rating was capped"
            self.fail(("overall", "mitigation", "narrowing_cap"), message)
        for key, text in extra_texts.items():
            if text:
                self.template(text, ("overall", "mitigation", key), OVERALL_FIELDS[key])
        mitigation = Mitigation(
            question,
            mit["steps_down"],
            mit["floor"],
            **{k: mit[k] for k in MITIGATION_TEXTS},
            credit=credit,
            **extra_texts,
            narrowing_cap=mit.get("narrowing_cap"),
            narrowing_most_harms=int(mit.get("narrowing_most_harms", 0)),
            narrowing_uncapped_by=tuple(mit.get("narrowing_uncapped_by", ())),
        )
        return OverallRules(raw["reason"], mitigation)

    def credit(self, mit: dict[str, Any], question: str) -> Credit:
        raw = mit["credit"]
        path = ("overall", "mitigation", "credit")
        if self.framework.has_question(question):
            fields = {f.id for f in self.framework.question(question).fields}
            if raw["harm_field"] not in fields:
                self.fail((*path, "harm_field"), f"'{raw['harm_field']}' is not a column of '{question}'")
        group_ids = {g.id for _, g in self.framework.groups()}
        for key in ("harm_names", "measure_names"):
            for group_id in raw.get(key, {}):
                if group_id not in group_ids:
                    message = f"'{group_id}' is not a group in framework {self.framework.version}"
                    self.fail((*path, key, group_id), message)
        for key, text in mit["failures"].items():
            self.template(text, ("overall", "mitigation", "failures", key), FAILURE_FIELDS)
        if raw.get("vague_words") and "vague" not in mit["failures"]:
            self.fail((*path, "vague_words"), "vague_words needs a 'vague' text under failures")
        if raw.get("not_who_words") and not raw.get("breakdown_words"):
            self.fail((*path, "not_who_words"), "not_who_words needs breakdown_words (the words they follow)")
        if raw.get("totals_words") and "totals" not in mit["failures"]:
            self.fail((*path, "totals_words"), "totals_words needs a 'totals' text under failures")
        return Credit(
            harm_field=raw["harm_field"],
            due_within=self.threshold(raw["due_within"], (*path, "due_within")),
            not_owners=tuple(raw["not_owners"]),
            failures=dict(mit["failures"]),
            harm_names={g: tuple(words) for g, words in raw.get("harm_names", {}).items()},
            not_measures=tuple(raw.get("not_measures", ())),
            vague_words=tuple(raw.get("vague_words", ())),
            totals_words=tuple(raw.get("totals_words", ())),
            breakdown_words=tuple(raw.get("breakdown_words", ())),
            not_who_words=tuple(raw.get("not_who_words", ())),
            measure_names={g: tuple(words) for g, words in raw.get("measure_names", {}).items()},
        )

    def _unique(self, values: list[str], what: str, path_of: Any) -> None:
        seen: set[str] = set()
        for n, value in enumerate(values):
            if value in seen:
                self.fail(path_of(n), f"{what} id '{value}' is used more than once")
            seen.add(value)


def build_scoring(
    doc: SourceDoc, frameworks: Mapping[str, Framework]
) -> tuple[ScoringRules | None, list[Problem]]:
    """Scoring rules from a schema-valid document; checked against the framework version it names."""
    wanted = str(doc.data["framework_version"])
    if wanted not in frameworks:
        return None, [
            doc.problem(
                ("framework_version",),
                f"framework version {wanted} is missing from framework/ or has problems",
            )
        ]
    builder = _Builder(doc, frameworks[wanted])
    rules = builder.rules()
    return (None if builder.problems else rules), builder.problems
