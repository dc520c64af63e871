"""Reading what people typed, for the quality checks: evidence that says nothing, the same text pasted for
several groups, owners that are not yet anyone, proposals that change access, workforce equality data.

Deliberately narrow: each test matches phrases a governance panel returns on sight ("we treat everyone the
same", owner "TBC"), so a warning is a fair question to ask and never a guess about good writing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from difflib import SequenceMatcher
from typing import Any

# Whole answers that say nothing: "n/a", "none", "no impact" and the like (compared after normalising).
EMPTY_EVIDENCE = frozenset(
    {
        "n/a",
        "na",
        "n a",
        "none",
        "nil",
        "no",
        "nothing",
        "not applicable",
        "no impact",
        "no impacts",
        "no impact expected",
        "no impact identified",
        "no known impact",
        "no evidence",
        "none known",
        "none identified",
        "not relevant",
        "neutral",
        "no change",
        "no difference",
        "same as above",
        "as above",
        "see above",
        "-",
        "tbc",
    }
)
# "We treat everyone the same" in its usual forms: equal treatment offered as if it were evidence.
SAME_TREATMENT = re.compile(
    r"\b(treat(?:s|ed|ing)?|see(?:s|n)?|offer(?:ed|s)?|provide[sd]?|appl(?:y|ies)|available)\b[^.]{0,40}?"
    r"\b(everyone|everybody|all(?: of)?(?: our| the)? (?:patients|people|service users|staff|users)|all)\b"
    r"[^.]{0,20}?\b(the same|equally|alike|in the same way)\b"
    r"|\b(everyone|everybody|all(?: our| the)? (?:patients|people|service users|staff|users))\b[^.]{0,30}?"
    r"\b(the same|equally|alike|in the same way)\b"
    r"|\b(same|equal) for (everyone|everybody|all)\b"
    r"|\bapplies to (everyone|everybody|all) equally\b",
    re.IGNORECASE,
)
# "We treat everyone the same" with a few words around it is still that; with data beside it, it is not.
GENERIC_OTHER_WORDS_UP_TO = 6
PASTED_MIN_CHARACTERS = 20  # "Activity data" twice is a coincidence; a pasted paragraph is not
PASTED_MIN_GROUPS = 3
# Share of words two answers have in common, in order (difflib's ratio), once each group's own name is out:
# a pasted sentence with a group's other wording swapped in ("older patients", "cyp asthma patients") keeps
# well above it; answers that open with the same source sentence and then say what it shows for the group
# fall well below it.
PASTED_SIMILARITY = 0.85
# Nearly the same needs a paragraph's worth of words: a one-line statement that a group's service is outside
# the change ("Children's asthma care is not part of this change"), written out for each clinical area, is not
# pasted evidence. Word for word, or the same but for the group's name, is pasted at any length.
PASTED_NEAR_MIN_WORDS = 12

# An owner that is no one yet.
NO_OWNER = frozenset(
    {
        "tbc",
        "tba",
        "tbd",
        "to be confirmed",
        "to be agreed",
        "to be decided",
        "unknown",
        "n/a",
        "na",
        "?",
        "-",
    }
)

# What in a proposal's kind or words says it changes people's access to a service. The kinds are those of
# proposal.kind that change how, where or when patients reach a service (closure to eligibility: 1.2 on).
ACCESS_KINDS = frozenset({"closure", "relocation", "hours", "eligibility", "service_change", "digital"})
# A move is told by where from or to, a few words on: "Move phlebotomy into the health centre", "The
# clinic moves from Park Lane". Bounded, so a long title cannot make the search slow.
_MOVE = r"mov(?:e[sd]?|ing) the|mov(?:e[sd]?|ing)(?:\s+[\w'-]+){0,6}?\s+(?:to|into|onto|from|out of)"
ACCESS_WORDS = re.compile(
    rf"\b(clos(?:e|es|ed|ing|ure)|relocat\w*|{_MOVE}|merg\w*|"
    r"decommission\w*|(?:opening|clinic|service) (?:hours|times)|online[- ]only|digital[- ]first|app[- ]only|"
    r"withdraw\w*|cease\w*|reduc\w* (?:the )?(?:service|clinic|sessions|beds))\b",
    re.IGNORECASE,
)
# A closure in so many words ("closing the gap" and "close to home" are not).
_CLOSES = (
    r"closure|closing(?! the gap)|clos(?:e|es|ed)(?! (?:to|working|partnership|links?|contact))|"
    r"decommission\w*|no longer (?:be )?(?:open|opens|run|runs|operate|operates)"
)
CLOSES_OR_MOVES = re.compile(rf"\b({_CLOSES}|relocat\w*|{_MOVE})\b", re.IGNORECASE)
# The service stops where it was, with no move named (scoring 1.10).
CLOSES = re.compile(rf"\b({_CLOSES})\b", re.IGNORECASE)
# A move in so many words: from or to somewhere (scoring 1.11).
MOVES = re.compile(rf"\b(relocat\w*|{_MOVE})\b", re.IGNORECASE)
# Fewer places to go (scoring 1.9): "assessment centres reduced from five to two", "fewer clinics",
# "consolidate onto one site". A cut in sites is a closure for the people who used the ones that go.
_SITES = r"(?:sites|centres|centers|clinics|locations|bases|branches|hubs|venues|surgeries|depots)"
REDUCES_SITES = re.compile(
    rf"\b(?:fewer {_SITES}|{_SITES}\b[^.]{{0,30}}?\b(?:reduced|cut|going down|down) (?:from \w+ )?to \w+|"
    rf"(?:reduc\w*|cut\w*) (?:the number of |the )?(?:\w+ )?{_SITES}|from \w+ {_SITES} to \w+|"
    r"(?:consolidat\w*|centrali[sz]\w*)\b[^.]{0,40}?\b(?:sites?|centres?|centers?|clinics?|hubs?|locations?|"
    r"one place|a single))\b",
    re.IGNORECASE,
)
# A closure for a short, stated time (scoring 1.9): "closed 8-22 March for retiling", "temporarily", "for two
# weeks while the roof is repaired". People lose the service for days or weeks, not for good.
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
TEMPORARY = re.compile(
    r"\b(?:temporar\w*|for (?:up to )?(?:a|one|two|three|four|five|six|\d+) (?:days?|weeks?)|"
    r"(?:while|during|for) (?:the )?[^.]{0,30}?(?:refurbish|repair|retil|renovat|rebuild|redecorat)\w*|"
    rf"\d{{1,2}}\s*(?:-|\u2013|to)\s*\d{{1,2}} {_MONTHS})\b",  # a hyphen or an en dash
    re.IGNORECASE,
)
# Who may use a service narrowed (scoring 1.9): documents asked for before registering, criteria tightened,
# a service no longer offered to some. Widening ("extend eligibility to") is none of these.
RESTRICTS_ELIGIBILITY = re.compile(
    r"\b(?:photo(?:graphic)? id|proof of (?:address|identity|id|residence)|identity documents?|"
    r"(?:restrict|tighten)\w*[^.]{0,30}?\b(?:eligib\w*|criteria|access|referrals?|thresholds?)|"
    r"(?:eligib\w*|criteria|thresholds?)\b[^.]{0,30}?\b(?:restrict\w*|tighten\w*|raised|narrow\w*)|"
    r"no longer (?:be )?(?:eligible|offered|funded|commissioned)|"
    r"(?:only|solely) (?:be )?(?:offered|available|funded|open) (?:to|for|when|if|where)|"
    r"discharg\w*[^.]{0,60}?\b(?:miss|missed|misses|did not attend|dna|not attending)|"
    r"(?:miss|missed|misses|did not attend|dna)\b[^.]{0,60}?\bdischarg\w*|"
    r"removed? from the (?:waiting )?list)\b",
    re.IGNORECASE,
)
# What a service costs people, or how they understand it: a change to either changes access for some.
# Staff parking is a workforce matter, and free parking takes no cost away from anyone.
COSTS_OR_LANGUAGE = re.compile(
    r"\b(charges|charging|fees?|(?<!staff )(?<!free )parking|interpret(?:ing|er|ers|ation)|"
    r"translat(?:ion|ions|ing|ed))\b",
    re.IGNORECASE,
)
AFFECTED_PEOPLE = frozenset({"patients", "carers", "communities", "vcse"})  # engagement.who values
# Telling people about a proposal: a letter, leaflet, text message, poster or notice on a website.
INFORMS = re.compile(
    r"\b(wrote|written to|writ(?:e|ing) to|letters?|leaflets?|flyers?|text(?:ed| messages?| message)|sms|"
    r"posters?|notices?|website|web ?page|newsletters?|e-?mail(?:s|ed)?|press release|social media|"
    r"informed|notified|told (?:patients|people|them|everyone|service users|residents)|"
    r"(?:tele)?phoned (?:patients|people|them|everyone))\b",
    re.IGNORECASE,
)
# Involving them: asking and listening, in a way where what they say can change the proposal. "Inviting
# comments" on a letter is not here: a panel reads it as information with a reply address.
INVOLVES = re.compile(
    r"\b(meetings?|met (?:with )?|workshops?|focus groups?|surveys?|surveyed|questionnaires?|interviews?|"
    r"interviewed|consultation|consulted|co-?design\w*|co-?produc\w*|"
    r"listening (?:events?|sessions?|exercise)|"
    r"engagement (?:events?|sessions?)|public (?:meetings?|events?)|patient (?:panels?|forums?|groups?|"
    r"participation groups?|reference groups?|representatives?)|citizens'? (?:panels?|juries|jury)|ppgs?|"
    r"healthwatch|drop-?in(?: sessions?)?|user groups?|experts? by experience|conversations? with|"
    r"spoke (?:to|with)|talked (?:to|with)|round ?tables?|visits? to (?:community|the)|visited)\b",
    re.IGNORECASE,
)

# Workforce equality data a panel expects for a decision about staff.
WORKFORCE_DATA = re.compile(
    r"\b(WRES|WDES|EDS(?: ?2022)?|workforce race equality|workforce disability equality|"
    r"equality delivery system)\b",
    re.IGNORECASE,
)


def normalised(text: Any) -> str:
    """Lower case, single spaces, no closing full stop: how two answers are compared."""
    return " ".join(str(text or "").lower().split()).strip(" .!")


def is_generic(text: Any) -> bool:
    """Evidence that says nothing about the group: "n/a", "no impact", "we treat all patients the same"."""
    plain = normalised(text)
    if not plain:
        return False
    if plain in EMPTY_EVIDENCE:
        return True
    found = SAME_TREATMENT.search(plain)
    if found is None:
        return False
    rest = plain[: found.start()] + " " + plain[found.end() :]
    return len(rest.split()) <= GENERIC_OTHER_WORDS_UP_TO


def pasted(texts: Mapping[str, Any], names: Mapping[str, Iterable[str]] | None = None) -> list[list[str]]:
    """Keys that share one long-enough answer, in groups of PASTED_MIN_GROUPS or more: word for word, or the
    same once each key's own `names` (the group's name, however the framework gives it) are taken out, or,
    in answers of PASTED_NEAR_MIN_WORDS or more, nearly all the words left are the same, in the same order
    ("... show older patients will not be affected" and "... show disabled patients will not be affected")."""
    names = names or {}
    # The first text's words (and their counts), and the keys sharing it.
    clusters: list[tuple[tuple[str, ...], Counter[str], list[str]]] = []
    for key, text in texts.items():
        words = without_names(text, names.get(key, ()))
        if len(" ".join(words)) < PASTED_MIN_CHARACTERS or is_generic(text):
            continue
        counts = Counter(words)
        matches = (keys for first, seen, keys in clusters if _nearly_same(first, seen, words, counts))
        same = next(matches, None)
        if same is None:
            clusters.append((words, counts, [key]))
        else:
            same.append(key)
    return [keys for _, _, keys in clusters if len(keys) >= PASTED_MIN_GROUPS]


WORD = re.compile(r"[a-z0-9]+")


def without_names(text: Any, names: Iterable[str]) -> tuple[str, ...]:
    """The words of a text, lower case and without punctuation, once the given names are taken out."""
    # Words joined by single spaces, padded: a name is taken out where it stands as whole words.
    plain = " " + " ".join(WORD.findall(normalised(text))) + " "
    wanted = {" ".join(WORD.findall(normalised(name))) for name in names}
    for name in sorted(wanted, key=len, reverse=True):  # "older people" before "older"
        padded = f" {name} "
        while name and padded in plain:  # a name twice running shares the space between
            plain = plain.replace(padded, " ")
    return tuple(plain.split())


def _nearly_same(
    first: tuple[str, ...], first_counts: Counter[str], other: tuple[str, ...], other_counts: Counter[str]
) -> bool:
    if first == other:
        return True
    both = len(first) + len(other)
    if min(len(first), len(other)) < PASTED_NEAR_MIN_WORDS:
        return False
    # The cheap upper bounds on the ratio first (lengths, then shared words): most pairs of answers differ in
    # one or the other, and building a SequenceMatcher for every pair made the checks slow.
    if 2 * min(len(first), len(other)) / both < PASTED_SIMILARITY:
        return False
    if 2 * sum((first_counts & other_counts).values()) / both < PASTED_SIMILARITY:
        return False
    return SequenceMatcher(None, first, other, autojunk=False).ratio() >= PASTED_SIMILARITY


def is_placeholder_owner(owner: Any) -> bool:
    return normalised(owner) in NO_OWNER


def changes_access(kind: Any, texts: Iterable[Any]) -> bool:
    """A closure, move, change of hours or of who can use a service, or a digital route: from the kind of
    proposal or its words."""
    return kind in ACCESS_KINDS or any(ACCESS_WORDS.search(str(t or "")) for t in texts)


def costs_or_language(texts: Iterable[Any]) -> str | None:
    """The first word about what using a service costs or how people understand it, as written."""
    for text in texts:
        found = COSTS_OR_LANGUAGE.search(str(text or ""))
        if found:
            return found.group(0)
    return None


def closes_or_moves(texts: Iterable[Any]) -> bool:
    return any(CLOSES_OR_MOVES.search(str(t or "")) for t in texts)


def closes(texts: Iterable[Any]) -> bool:
    return any(CLOSES.search(str(t or "")) for t in texts)


def moves(texts: Iterable[Any]) -> bool:
    return any(MOVES.search(str(t or "")) for t in texts)


def reduces_sites(texts: Iterable[Any]) -> bool:
    return any(REDUCES_SITES.search(str(t or "")) for t in texts)


# Words just before a narrowing that turn it round: "without showing proof of address", "will no longer be
# discharged after a missed appointment", "previously only offered to": each widens who can use a service.
WIDENS = re.compile(
    r"\b(?:without|no longer|not|nobody|no one|never|previously|formerly|instead of|rather than|removes?|"
    r"removing|drop(?:s|ping)?|end(?:s|ing)?|scrap(?:s|ping)?|no need)\b[^.;]{0,50}$",
    re.IGNORECASE,
)


def temporary(texts: Iterable[Any]) -> bool:
    return any(TEMPORARY.search(str(t or "")) for t in texts)


def restricts_eligibility(texts: Iterable[Any]) -> bool:
    """Whether a text narrows who can use a service, and no word just before says the opposite."""
    for text in texts:
        plain = str(text or "")
        for found in RESTRICTS_ELIGIBILITY.finditer(plain):
            if not WIDENS.search(plain[max(0, found.start() - 60) : found.start()]):
                return True
    return False


def only_informs(text: Any) -> bool:
    """Whether an account of engagement tells people (a letter, leaflet, notice) and names no way of
    involving them: "We wrote to every patient explaining the move and inviting comments"."""
    return bool(INFORMS.search(str(text or ""))) and not involves([text])


def involves(texts: Iterable[Any]) -> bool:
    """Whether any text names a way of involving people: a meeting, workshop, survey, Healthwatch..."""
    return any(INVOLVES.search(str(t or "")) for t in texts)


def mentions_workforce_data(texts: Iterable[Any]) -> bool:
    return any(WORKFORCE_DATA.search(str(t or "")) for t in texts)


def strings_in(value: Any) -> Iterable[str]:
    """Every piece of text in an answer, including the cells of a table."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)


def content_words(text: Any) -> set[str]:
    """The longer words of a text, for telling whether an action and a mitigation speak of the same thing."""
    return {word for word in re.findall(r"[a-z]{4,}", normalised(text)) if word not in COMMON_WORDS}


COMMON_WORDS = frozenset(
    {
        "will",
        "with",
        "that",
        "this",
        "from",
        "have",
        "they",
        "their",
        "them",
        "there",
        "which",
        "when",
        "where",
        "what",
        "into",
        "more",
        "than",
        "some",
        "been",
        "also",
        "each",
        "such",
        "other",
        "people",
        "patients",
        "service",
        "services",
        "make",
        "sure",
        "work",
        "team",
        "about",
        "after",
        "before",
    }
)


# The most deprived neighbourhoods a statement can name, and what share of everyone lives in them: the
# fifth (Core20, IMD deciles 1-2, quintile 1) or the tenth (decile 1).
_TO = r"\s*(?:-|\u2013|and|&|or|to)\s*"  # "deciles 1-2", "1\u20132", "1 and 2"
_FIFTH = (
    r"core ?20(?!\s*plus)|(?:the\s+)?most\s+deprived\s+(?:20\s*%|fifth|quintile|two\s+deciles)"
    rf"|imd\s+(?:deciles?\s+1{_TO}2|quintile\s+1)|deciles?\s+1{_TO}2"
)
_TENTH = r"(?:the\s+)?most\s+deprived\s+(?:10\s*%|tenth|decile)|imd\s+decile\s+1\b"
_MAKE_UP = (
    r"(?:accounts?\s+for|accounted\s+for|makes?\s+up|made\s+up|represents?|represented|are|were|is|was)"
)
_SHARE = r"(?P<share>\d{1,3}(?:\.\d+)?)\s*(?:%|per\s*cent)"
# Who lives there, not what people there are like: "36% of people in Core20 areas smoke" is no share.
_LIVE = r"(?:lives?|lived|living|resid\w*|comes?|came|coming|are|were|is|was|registered|from)"
# "82% of attendances come from Core20 postcodes"; "Core20 postcodes account for 82% of attendances".
STATED_DEPRIVED_SHARE = re.compile(
    rf"{_SHARE}\s+of\s+(?P<who>[^.;%]{{0,90}}?\b{_LIVE}\b[^.;%]{{0,30}}?)"
    rf"\b(?:(?P<fifth>{_FIFTH})|(?P<tenth>{_TENTH}))"
    rf"|(?:(?P<fifth2>{_FIFTH})|(?P<tenth2>{_TENTH}))\s+(?:[a-z]+\s+){{0,4}}?{_MAKE_UP}\s+"
    rf"(?:about\s+|around\s+|nearly\s+|almost\s+|over\s+){{0,1}}{_SHARE.replace('share', 'share2')}\s+of\b",
    re.IGNORECASE,
)
# Words every such statement holds (after "%" or "per cent"): text without them is not searched.
_DEPRIVED_WORDS = ("core", "deprived", "decile", "quintile")


def stated_deprived_share(texts: Iterable[Any], fifth: float = 0.2) -> float | None:
    """The highest share of people that a text says live in the most deprived neighbourhoods, as a multiple
    of the share of everyone who lives there (`fifth`: the nation's Core20 share; a tenth for decile 1):
    "82% of attendances come from Core20 postcodes" is 4.1 times 20%. None when no text says so."""
    found: list[float] = []
    for text in texts:
        plain = str(text or "")
        lower = plain.lower()
        # Most evidence names neither a share nor the most deprived areas: skip the long search for it.
        if not (("%" in lower or "cent" in lower) and any(word in lower for word in _DEPRIVED_WORDS)):
            continue
        for match in STATED_DEPRIVED_SHARE.finditer(plain):
            share = float(match["share"] or match["share2"]) / 100
            if share > 1:
                continue
            tenth = bool(match["tenth"] or match["tenth2"])
            found.append(round(share / (fifth / 2 if tenth else fifth), 9))
    return max(found, default=None)
