"""Page 1: the executive summary a board cover sheet needs, in the order a board member reads it."""

from collections.abc import Iterator, Mapping
from typing import Any

from .answers import answer_text, find_question, questions, who
from .blocks import Block, Callout, CoverFacts, Heading, PageBreak, Para, RatingTag, Table
from .snapshot import generated_at, snapshot_profile
from .wording import (
    STATUS_LABELS,
    core20_headline,
    document_label,
    long_date,
    rating_label,
    rating_summary,
    signoff_line,
)

# Where the cover sheet finds its facts when the snapshot has no explicit "cover" dictionary: the
# framework's question ids (rules/framework), first answered one wins.
COVER_QUESTIONS: dict[str, tuple[str, ...]] = {
    "summary": ("proposal.summary", "proposal.description"),
    "forum": ("proposal.decision_forum",),
    "decision_maker": ("proposal.decision_maker",),
    "sro": ("proposal.sro",),
    "decision_date": ("proposal.decision_date",),
    "recommendation": ("conclusion.recommendation", "proposal.recommendation"),
    "rationale": ("conclusion.rationale",),
}
# Framework 1.1 on: the screening answer that records "no assessment needed", and its reasons.
NOT_REQUIRED = ("screening.depth", "not_required")
NOT_REQUIRED_REASONS = "not_required.reasons"
# Answers to "<group>.impact" questions with these values are the key impacts, in this order.
KEY_IMPACT_VALUES = ("negative", "mixed", "unknown", "positive")
POSITIVE_LABEL = "Positive"


def summary_blocks(snapshot: Mapping[str, Any]) -> list[Block]:
    cover = cover_facts(snapshot)
    blocks: list[Block] = [Heading(snapshot["title"], level=0)]
    if cover["summary"]:
        blocks.append(Para(cover["summary"], style="lead"))
    blocks.append(CoverFacts(_fact_rows(snapshot, cover), snapshot["verify_url"]))
    recommendation = " ".join(part for part in (cover["recommendation"], cover["rationale"]) if part)
    blocks.append(Callout("Recommendation", recommendation or "No recommendation has been recorded."))
    rating = snapshot.get("rating")
    if rating:
        blocks.append(RatingTag(rating["overall"], rating_label(rating), rating_summary(rating)))
    else:
        blocks.append(Para("The assessment has not been rated yet.", style="unanswered"))
    profile = snapshot_profile(snapshot)
    if profile is not None:
        blocks.append(Callout("Who is affected", core20_headline(profile), kind="headline"))
    return [*blocks, *_impact_blocks(snapshot), PageBreak()]


def cover_facts(snapshot: Mapping[str, Any]) -> dict[str, str]:
    """Summary, forum, decision date, recommendation and its reasons as display text ('' if unanswered)."""
    explicit = snapshot.get("cover") or {}
    facts = {}
    for key, question_ids in COVER_QUESTIONS.items():
        if explicit.get(key):
            value = explicit[key]
            facts[key] = long_date(value) if key == "decision_date" else str(value)
            continue
        answered = next((q for q in question_ids if snapshot["answers"].get(q) not in (None, "")), None)
        facts[key] = (
            answer_text(find_question(snapshot, answered), snapshot["answers"][answered]) if answered else ""
        )
    if snapshot["answers"].get(NOT_REQUIRED[0]) == NOT_REQUIRED[1] and not explicit.get("recommendation"):
        # Screening recorded that no assessment is needed: that is the recommendation, with its reasons.
        facts["recommendation"] = "Screening found that an impact assessment is not required."
        facts["rationale"] = str(snapshot["answers"].get(NOT_REQUIRED_REASONS) or "")
    if facts["recommendation"] and not facts["recommendation"].endswith("."):
        facts["recommendation"] += "."
    return facts


def key_impacts(snapshot: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(who, impact, what we will do) rows: negative first, then mixed, not known, positive."""
    if snapshot.get("key_impacts"):
        return [
            (i["who"], i["impact"], i.get("mitigation") or "None recorded") for i in snapshot["key_impacts"]
        ]
    rows = sorted(_impact_answers(snapshot), key=lambda row: KEY_IMPACT_VALUES.index(row[0]))
    return [(group, impact, mitigation) for _, group, impact, mitigation in rows]


def _impact_answers(snapshot: Mapping[str, Any]) -> Iterator[tuple[str, str, str, str]]:
    answers = snapshot["answers"]
    for _, question in questions(snapshot):
        qid = question["id"]
        if not qid.endswith(".impact") or answers.get(qid) not in KEY_IMPACT_VALUES:
            continue
        mitigation = answers.get(qid.removesuffix(".impact") + ".mitigation") or "None recorded"
        yield answers[qid], who(question), answer_text(question, answers[qid]), str(mitigation)


# The people the record names (framework 1.3 on): shown when the framework asks for them, so a record made
# under an earlier framework reads as it always did.
PEOPLE_ROWS = (
    ("Senior responsible owner", "sro", "proposal.sro"),
    ("Decision-maker", "decision_maker", "proposal.decision_maker"),
)


def _fact_rows(snapshot: Mapping[str, Any], cover: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    people = tuple(
        (label, cover[key] or "Not given")
        for label, key, question_id in PEOPLE_ROWS
        if find_question(snapshot, question_id).get("label")
    )
    author = author_line(snapshot)
    return (
        ("Reference", document_label(snapshot)),
        ("Status", STATUS_LABELS[snapshot["status"]]),
        *((("Prepared by", author),) if author else ()),
        *people,
        # The record is signed at approval, before the decision: it says who will decide and when, and
        # that the decision itself is recorded afterwards (on the assessment's record page).
        ("Decision to be made by", cover["forum"] or "Not given"),
        ("Planned date of decision", cover["decision_date"] or "Not given"),
        ("Decision", "To be recorded after the decision"),
        ("Sign-off", signoff_line(snapshot["signoff"], snapshot["status"])),
        *_conditions_row(snapshot.get("review")),
        ("Document produced", long_date(generated_at(snapshot))),
    )


CONDITIONS_ON_COVER = 280  # characters: the cover sheet stays one page; the rest is with the decision


def _conditions_row(review: Mapping[str, Any] | None) -> tuple[tuple[str, str], ...]:
    """An approval given on conditions says so on the cover, so nobody reading only page 1 takes it as
    unconditional. Records made before conditions could be set say nothing here."""
    if not review or review.get("decision") != "approved" or "conditions" not in review:
        return ()
    text = " ".join(str(review["conditions"] or "").split())
    if not text:
        return (("Conditions of approval", "None"),)
    if len(text) > CONDITIONS_ON_COVER:
        text = text[: CONDITIONS_ON_COVER - 1].rstrip() + '… (in full under "The reviewer\'s decision")'
    return (("Conditions of approval", text),)


def author_line(snapshot: Mapping[str, Any]) -> str:
    """'Sam Patel, Service manager': who wrote the assessment, with the job title they gave ('' if not
    known)."""
    author = snapshot.get("author") or {}
    parts = [str(author.get(key) or "").strip() for key in ("name", "job_title")]
    return ", ".join(part for part in parts if part)


def _impact_blocks(snapshot: Mapping[str, Any]) -> list[Block]:
    """The impacts that need the board's attention as a table; positive ones in a sentence, to keep the
    cover sheet to one page."""
    rows = key_impacts(snapshot)
    concerns = tuple(row for row in rows if row[1] != POSITIVE_LABEL)
    positives = [who for who, impact, _ in rows if impact == POSITIVE_LABEL]
    blocks: list[Block] = [Heading("Key impacts and what we will do about them", level=2)]
    if concerns:
        blocks.append(Table(("Who", "Impact", "What we will do"), concerns, widths=(0.24, 0.14, 0.62)))
    else:
        blocks.append(Para("No negative or unknown impacts were recorded."))
    if positives:
        blocks.append(Para(f"Positive impacts for: {', '.join(positives)}."))
    return blocks
