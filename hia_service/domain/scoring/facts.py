"""What scoring rules can see: the impact answers and the numbers from the geography profile.

Also turns those facts into the words and figures quoted in reasons, e.g. "41%" and "2.05".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from string import Formatter
from typing import Any

from hia_service.domain import evidence_text
from hia_service.domain.framework.conditions import is_answered, section_visible, visible_answers
from hia_service.domain.framework.model import IMPACT_VALUES, Framework
from hia_service.domain.geography.access import TRAVEL_ANSWER_KEY, TravelChange
from hia_service.domain.geography.area_profile import AreaProfile
from hia_service.domain.scoring.model import IMPACT_STATES, NOT_ASSESSED, ClaimRules, Threshold

NOT_KNOWN = "not known"
# Core20 is the most deprived fifth of neighbourhoods: the share used when no profile gives the nation's.
ENGLAND_CORE20_SHARE = 0.2
SKIPPED = "skipped"  # the group's section was not asked (a short assessment, or no assessment needed)
# Names a dimension rule's reason may quote, besides threshold names.
GROUP_FIELDS = tuple(f"{state}_{kind}" for state in IMPACT_STATES for kind in ("groups", "count"))
PROFILE_DISPLAY = {
    "core20_share": "share",
    "nation_core20_share": "share",
    "organisation_core20_share": "share",
    "relative_core20": "ratio",
    "relative_core20_served": "ratio",  # against the population the organisation serves
    "mean_imd_score": "score",
    "concentration_index": "index",
    "population": "people",
    # access and rurality (scoring 1.3): closures and moves
    "rural_share": "share",
    "barriers_deciles_1_2_share": "share",
    "travel_further_share": "share",
    "travel_further_deprived_share": "share",
    # the answers themselves (scoring 1.5): the share of groups answered neutral or positive with no evidence
    "unevidenced_share": "share",
    # what the evidence says of the service's users (scoring 1.10): their share in the most deprived areas
    # as a multiple of everyone's ("82% of attendances come from Core20 postcodes")
    "users_relative_core20": "ratio",
}
DIMENSION_FIELDS = frozenset(
    (*GROUP_FIELDS, *PROFILE_DISPLAY, "nation", "harmed_again_groups", "harmed_again_references")
)

PROPOSAL_WORDS = ("proposal.title", "proposal.summary")
# What a `described` condition can ask of the proposal's own words (scoring 1.7 on). The quality checks
# read the same words, so a rating and the check that explains it never disagree.
DESCRIPTIONS: Mapping[str, Any] = {
    "closes_or_moves": evidence_text.closes_or_moves,
    "costs_or_language": lambda texts: evidence_text.costs_or_language(texts) is not None,
    # 1.9 on
    "reduces_sites": evidence_text.reduces_sites,
    "restricts_eligibility": evidence_text.restricts_eligibility,
    "temporary": evidence_text.temporary,
    # 1.10 on
    "closes": evidence_text.closes,
    # 1.11 on
    "moves": evidence_text.moves,
}


def described_in_proposal(answers: Mapping[str, Any]) -> frozenset[str]:
    """What the title or summary says the proposal does: a closure or move, a charge, interpreting, fewer
    sites, narrower eligibility, for a short stated time."""
    words = [answers.get(q) for q in PROPOSAL_WORDS]
    return frozenset(name for name, says in DESCRIPTIONS.items() if says(words))


@dataclass(frozen=True)
class Facts:
    answers: Mapping[str, Any]
    profile_present: bool
    nation: str
    numbers: Mapping[str, float | None]
    impacts: Mapping[str, str]  # group id -> positive / neutral / negative / unknown / unanswered / skipped
    phrases: Mapping[str, str]  # group id -> how it reads in a sentence
    hidden_sections: frozenset[str] = frozenset()  # left out by screening or for another kind of proposal
    # Scoring 1.3 on: groups whose neutral or positive answer is not backed by evidence though the proposal
    # is likely to affect them. Their impact above is "unknown"; `claimed` keeps what was answered.
    not_assessed: frozenset[str] = frozenset()
    claimed: Mapping[str, str] | None = None
    # Scoring 1.5 on: groups answered positive without evidence (and not likely affected): neutral above.
    unproven: frozenset[str] = frozenset()
    # Scoring 1.6 on, for rules that count only some groups: those the claims mark as likely to be
    # affected, and those the proposal's title or summary names (a service for them).
    likely: frozenset[str] = frozenset()
    named: frozenset[str] = frozenset()
    # Scoring 1.7 on: what the title or summary says the proposal does (DESCRIPTIONS' names).
    described: frozenset[str] = frozenset()
    # Scoring 1.8 on: whether a monitoring indicator or action measure shows who the proposal reaches.
    reach_measured: bool = True
    # Scoring 1.9 on: groups whose evidence is one text given for many groups (claims.pasted_not_evidence or
    # more), which backs no claim: a panel reads one sentence given for every group as no assessment at all.
    pasted: frozenset[str] = frozenset()
    # Scoring 1.9 on: groups that decisions already taken for the same neighbourhoods harm, with their
    # references (the service's cumulative view passes them; none when the engine is used alone).
    elsewhere: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def build_facts(answers: Mapping[str, Any], profile: AreaProfile | None, framework: Framework) -> Facts:
    impacts, phrases = {}, {}
    for section, group in framework.groups():
        value = answers.get(f"{group.id}.impact")
        impacts[group.id] = value if value in IMPACT_VALUES else "unanswered"
        if not section_visible(section, answers):
            impacts[group.id] = SKIPPED
        phrases[group.id] = group.in_sentence
    present = profile is not None
    numbers = {**(profile_numbers(profile) if profile is not None else {}), **travel_numbers(answers)}
    numbers["users_relative_core20"] = users_relative_core20(framework, answers, numbers)
    hidden = frozenset(s.id for s in framework.sections if not section_visible(s, answers))
    return Facts(answers, present, nation_name(profile), numbers, impacts, phrases, hidden)


def scored_answers(framework: Framework, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers scoring sees: those to questions still asked, and who travels further while both site
    postcodes it was worked out from are among them (it is kept with the answers, under no question)."""
    visible = visible_answers(framework, answers)
    sites = ("access.current_site", "access.proposed_site")
    if TRAVEL_ANSWER_KEY in answers and all(visible.get(q) for q in sites):
        visible[TRAVEL_ANSWER_KEY] = answers[TRAVEL_ANSWER_KEY]
    return visible


def profile_numbers(profile: AreaProfile) -> dict[str, float | None]:
    """The comparable numbers in a geography profile (None where missing)."""
    nation, organisation = profile.baseline.nation, profile.baseline.organisation
    numbers = {
        "core20_share": profile.core20_share,
        "nation_core20_share": nation.core20_share if nation else None,
        "organisation_core20_share": organisation.core20_share if organisation else None,
        "relative_core20": profile.relative_core20,
        "mean_imd_score": profile.mean_imd_score,
        "concentration_index": profile.concentration_index,
        "population": profile.population,
    }
    share, england = numbers["core20_share"], numbers["nation_core20_share"]
    if numbers["relative_core20"] is None and share is not None and england:
        numbers["relative_core20"] = _number(share / england)
    served = numbers["organisation_core20_share"]
    # None without the organisation's population, so rules on it never hold and ratings stay as nationally.
    numbers["relative_core20_served"] = _number(share / served) if share is not None and served else None
    # Shares of the people affected: living in rural neighbourhoods (2021 rural-urban classification), and in
    # the 20% of neighbourhoods furthest from services (barriers domain deciles 1-2). None on profiles
    # stored before they were recorded, so rules on them never hold there.
    numbers["rural_share"] = profile.rurality.rural_share if profile.rurality else None
    numbers["barriers_deciles_1_2_share"] = profile.barriers.share_deciles_1_2 if profile.barriers else None
    return numbers


def travel_numbers(answers: Mapping[str, Any]) -> dict[str, float | None]:
    """Who travels further when a service closes or moves (worked out from the site postcodes and the area,
    kept with the answers): the share of everyone, and of the people in the most deprived fifth of
    neighbourhoods, who will be more than 1 km further away. None without the site postcodes."""
    change = TravelChange.from_json(answers.get(TRAVEL_ANSWER_KEY))
    if change is None:
        return {"travel_further_share": None, "travel_further_deprived_share": None}
    return {
        "travel_further_share": change.overall.share_further_1km,
        "travel_further_deprived_share": change.deprived_further_share,
    }


def users_relative_core20(
    framework: Framework, answers: Mapping[str, Any], numbers: Mapping[str, float | None]
) -> float | None:
    """What the evidence says of the service's users, as a multiple of the nation's share in Core20 areas: a
    panel weighs a cut by who uses the service, and users are rarely an average sample of the area. Read
    from the groups' evidence and the evidence section, never from actions (a target is not a fact)."""
    keys = [f"{group.id}.evidence" for _, group in framework.groups()]
    texts = [answers.get(key) for key in (*keys, "evidence.sources", "proposal.summary")]
    return evidence_text.stated_deprived_share(
        texts, numbers.get("nation_core20_share") or ENGLAND_CORE20_SHARE
    )


def nation_name(profile: AreaProfile | None) -> str:
    """Which nation the profile is compared with, for reasons: 'England' unless the profile says otherwise."""
    return profile.nation_name if profile is not None else "England"


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:  # NaN
        return None
    # Float noise must not decide a boundary: 0.3 / 0.2 is 1.4999999999999998, and that is 1.5.
    return round(float(value), 9)


def harmed_again_groups(facts: Facts, group_ids: tuple[str, ...]) -> list[str]:
    """The groups harmed here (a negative impact) that a decision already taken harms too."""
    return [g for g in group_ids if facts.impacts.get(g) == "negative" and g in facts.elsewhere]


def groups_in(
    facts: Facts, group_ids: tuple[str, ...], states: tuple[str, ...], among: str | None = None
) -> list[str]:
    not_assessed = NOT_ASSESSED in states
    only = facts.likely if among == "likely" else facts.named if among == "named" else None
    return [
        g
        for g in group_ids
        if (only is None or g in only)
        and (facts.impacts.get(g, "unanswered") in states or (not_assessed and g in facts.not_assessed))
    ]


# --- claims that need evidence (scoring 1.3 on) ------------------------------------------------------


def normalise(text: str) -> str:
    """Lower case, words only: "N/A." and "n a" compare equal, and so do curly and straight quotes."""
    return " ".join(re.sub(r"[^a-z0-9%]+", " ", str(text).lower()).split())


def mentions(answer: Any, words: Iterable[str]) -> bool:
    """Whether an answer's text names any of `words` as whole words, ignoring case and punctuation."""
    text = normalise(answer) if isinstance(answer, str) else ""
    return any(_contains(text, word) for word in words)


def _contains(haystack: str, phrase: str) -> bool:
    needle = normalise(phrase)
    return bool(needle) and re.search(rf"(?<![a-z0-9]){re.escape(needle)}(?![a-z0-9])", haystack) is not None


def pasted_evidence(
    answers: Mapping[str, Any], framework: Framework, group_names: Mapping[str, tuple[str, ...]] | None = None
) -> list[list[str]]:
    """The evidence questions ("pc.age.evidence") sharing one text, word for word or with only each group's
    own name changed: its label, how it reads in a sentence, its id's words and `group_names` (the
    scoring's). The quality check that warns of it and the rating (1.9 on) read the same groups."""
    texts, names = {}, {}
    for _, group in framework.groups():
        question_id = f"{group.id}.evidence"
        if is_answered(answers.get(question_id)):
            texts[question_id] = answers.get(question_id)
            own = (group.label, group.in_sentence, group.id.rsplit(".", 1)[-1].replace("_", " "))
            names[question_id] = (*own, *(group_names or {}).get(group.id, ()))
    return evidence_text.pasted(texts, names)


def pasted_groups(
    answers: Mapping[str, Any],
    framework: Framework,
    group_names: Mapping[str, tuple[str, ...]] | None,
    at_least: int,
) -> frozenset[str]:
    """The groups whose evidence is one text given for at least `at_least` groups (pasted_evidence)."""
    found = pasted_evidence(answers, framework, group_names)
    keys = (key for shared in found if len(shared) >= at_least for key in shared)
    return frozenset(key.removesuffix(".evidence") for key in keys)


def backed(facts: Facts, group_id: str, claims: ClaimRules) -> bool:
    """Whether a group's evidence backs its claim: evidenced, and (1.9 on) not the text pasted for others."""
    return group_id not in facts.pasted and evidenced(facts.answers.get(f"{group_id}.evidence"), claims)


def evidenced(text: Any, claims: ClaimRules) -> bool:
    """Whether evidence text backs a claim: enough words once phrases that say nothing are taken out, and a
    source (a figure, or a word such as data, survey or "told us")."""
    rest = said(text, claims)
    words, figure = len(rest.split()), any(ch.isdigit() for ch in rest)
    short = claims.min_words_with_figure
    if figure and short is not None and words >= short.value:
        return True
    if words < claims.min_words.value:
        return False
    return figure or any(_contains(rest, word) for word in claims.source_words)


def said(text: Any, claims: ClaimRules) -> str:
    """What evidence text says once the phrases that say nothing ("no impact expected") are taken out."""
    if not isinstance(text, str):
        return ""
    rest = normalise(text)
    # Longest first, so "no impact expected" goes before "no impact" can leave "expected" behind.
    for phrase in sorted(claims.generic_phrases, key=len, reverse=True):
        needle = normalise(phrase)
        if needle:
            rest = re.sub(rf"(?<![a-z0-9]){re.escape(needle)}(?![a-z0-9])", " ", rest)
    return " ".join(rest.split())


def unsupported_claims(
    facts: Facts, likely: Iterable[str], claims: ClaimRules, framework: Framework
) -> dict[str, str]:
    """Likely-affected groups answered neutral or positive without evidence: group id -> the answer."""
    wanted = set(likely)
    found: dict[str, str] = {}
    for _, group in framework.groups():
        impact = facts.impacts.get(group.id)
        claim = group.id in wanted and impact in ("neutral", "positive")
        if claim and not backed(facts, group.id, claims):
            found[group.id] = str(impact)
    return found


def unproven_benefits(facts: Facts, claims: ClaimRules, framework: Framework) -> frozenset[str]:
    """Groups answered positive without evidence, where the rules count a benefit only when it is shown."""
    if not claims.benefit_needs_evidence:
        return frozenset()
    return frozenset(
        group.id
        for _, group in framework.groups()
        if facts.impacts.get(group.id) == "positive" and not backed(facts, group.id, claims)
    )


def unevidenced_share(facts: Facts, claims: ClaimRules, framework: Framework) -> float | None:
    """Of the groups whose impact was answered, the share answered neutral or positive with no evidence:
    1 is "neutral everywhere with nothing behind it". None when no group's impact was answered."""
    answered = [g.id for _, g in framework.groups() if facts.impacts.get(g.id) in IMPACT_VALUES]
    if not answered:
        return None
    bare = [
        g for g in answered if facts.impacts[g] in ("neutral", "positive") and not backed(facts, g, claims)
    ]
    return _number(len(bare) / len(answered))


def with_claims(
    facts: Facts, unsupported: Mapping[str, str], unproven: frozenset[str] = frozenset()
) -> Facts:
    """The facts with unsupported claims counted as not assessed (rated like "not known yet"), and benefits
    not shown counted as neutral."""
    unproven = unproven - set(unsupported)
    impacts = {**facts.impacts, **{g: "neutral" for g in unproven}, **{g: "unknown" for g in unsupported}}
    return replace(
        facts,
        impacts=impacts,
        not_assessed=frozenset(unsupported),
        claimed=dict(unsupported),
        unproven=unproven,
    )


def dimension_values(
    facts: Facts, group_ids: tuple[str, ...], thresholds: tuple[Threshold, ...]
) -> dict[str, Any]:
    """Every value a dimension's reasons may quote, as (display text, raw value) pairs."""
    values: dict[str, Any] = {}
    for state in IMPACT_STATES:
        ids = groups_in(facts, group_ids, (state,))
        values[f"{state}_groups"] = (join_words([facts.phrases[g] for g in ids]), ids)
        values[f"{state}_count"] = (str(len(ids)), len(ids))
    for name, kind in PROFILE_DISPLAY.items():
        raw = facts.numbers.get(name)
        values[name] = (format_number(raw, kind), raw)
    values["nation"] = (facts.nation, facts.nation)
    again = harmed_again_groups(facts, group_ids)
    references = sorted({ref for g in again for ref in facts.elsewhere[g]})
    values["harmed_again_groups"] = (join_words([facts.phrases[g] for g in again]), again)
    values["harmed_again_references"] = (join_words(references), references)
    for threshold in thresholds:
        values[threshold.name] = (threshold.display(), threshold.value)
    return values


def format_number(value: float | None, kind: str) -> str:
    if value is None:
        return NOT_KNOWN
    if kind == "share":
        return f"{value * 100:.0f}%"
    if kind == "ratio":
        return f"{value:.2f}"
    if kind == "score":
        return f"{value:.1f}"
    if kind == "index":
        return f"{value:.3f}"
    return f"{value:,.0f}"


def join_words(words: list[str]) -> str:
    """['a', 'b', 'c'] -> 'a, b and c'."""
    if not words:
        return "none"
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def placeholders(template: str) -> list[str]:
    """Names in a reason template; raises ValueError on unbalanced braces."""
    return [name for _, name, _, _ in Formatter().parse(template) if name is not None]


def render(template: str, values: Mapping[str, tuple[str, Any]]) -> tuple[str, tuple[tuple[str, Any], ...]]:
    """Fill a reason template. Returns the text and the raw values it quoted."""
    names = placeholders(template)
    text = template.format_map({n: values.get(n, (NOT_KNOWN, None))[0] for n in names})
    quoted = tuple((n, values.get(n, (NOT_KNOWN, None))[1]) for n in dict.fromkeys(names))
    return " ".join(text.split()), quoted
