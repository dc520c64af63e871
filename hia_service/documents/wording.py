"""Plain-English wording for figures, dates, ratings and status, shared by the PDF and the Word copy."""

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from hia_service.domain.geography.area_profile import AreaProfile, Place, ProfileLike, as_area_profile

STATUS_LABELS = {
    "approved": "Approved",
    "submitted": "Submitted for review",
    "in_review": "In review",
    "returned": "Returned to author",
    "draft": "Draft",
    # A trainee's practice of a training scenario: not a record, and never reviewed, approved or signed.
    "practice": "Practice assessment (training)",
}
RATING_LABELS = {"high": "High", "medium": "Medium", "low": "Low"}
# The scoring engine's own wording (hia_service.domain.scoring.model.LEVEL_LABELS), used when the
# snapshot's rating carries no label of its own.
RATING_LONG_LABELS = {
    "low": "Low risk of widening inequalities",
    "medium": "Medium risk of widening inequalities",
    "high": "High risk of widening inequalities",
}
DRAFT_MARK = "DRAFT — NOT APPROVED"
TRAINING_MARK = "TRAINING — NOT FOR DECISION"
_WHOLE_MULTIPLES = {"2.0": "twice", "3.0": "three times", "4.0": "four times", "5.0": "five times"}


def long_date(value: str | date | datetime | None) -> str:
    """'2026-11-20' -> '20 November 2026' (the NHS style: no leading zero, month in full)."""
    if value is None or value == "":
        return "Not given"
    if isinstance(value, str):
        typed = value
        try:
            value = datetime.fromisoformat(typed)
        except ValueError:
            return typed  # shown as typed rather than lost
    return f"{value.day} {value:%B %Y}"


def long_datetime(value: datetime) -> str:
    """'20 November 2026 at 10:04 UTC'."""
    return f"{long_date(value)} at {value:%H:%M} {value.tzname() or ''}".rstrip()


def percent(share: float | None) -> str:
    return "Not known" if share is None else f"{share * 100:.0f}%"


def whole_number(value: float | None) -> str:
    return "Not known" if value is None else f"{value:,.0f}"


def document_label(snapshot: Mapping[str, Any]) -> str:
    """How people cite the document: 'HIA-2026-0042 v3'."""
    return f"{snapshot['reference']} v{snapshot['version']}"


def copy_notice(snapshot: Mapping[str, Any]) -> str:
    return f"Copy for board packs — the signed PDF {document_label(snapshot)} is the record"


def marks(*, training: bool, approved: bool) -> tuple[str, ...]:
    """The warnings shown on every page: a training document is marked as training alone (it is never a
    draft of a record, nor ever approved); anything else not approved, as a draft."""
    return (TRAINING_MARK,) if training else () if approved else (DRAFT_MARK,)


def national_baseline(profile: AreaProfile) -> tuple[str, Place]:
    """(nation name, its figures). Each nation's index ranks only its own areas, so the comparison is always
    within it."""
    return profile.nation_name, profile.baseline.nation or Place()


def core20_headline(given: ProfileLike) -> str:
    """'About 4 in 10 of the people affected (41%) live in the most deprived fifth of neighbourhoods in
    England: 2.1 times the England share (20%)', or with the organisation's population: '... against 29% of
    the people we serve and 20% in England'. NHS content style: proportions in words, the figure beside."""
    profile = as_area_profile(given)
    share = profile.core20_share if profile is not None else None
    if profile is None or share is None:
        return "We could not work out how many of the people affected live in the most deprived areas."
    nation, figures = national_baseline(profile)
    national = figures.core20_share
    served = profile.baseline.organisation.core20_share if profile.baseline.organisation else None
    sentence = (
        f"{in_ten(share)} of the people affected ({percent(share)}) live in the most deprived fifth of "
        f"neighbourhoods in {nation}"
    )
    if served is not None and national is not None:
        # With the organisation's own population set up, compare with it first, then the nation.
        return (
            f"{sentence}, against {percent(served)} of the people we serve and {percent(national)} in "
            f"{nation}"
        )
    if not national:
        return sentence
    return f"{sentence}: {compared_with_nation(share / national, national, nation)}"


def in_ten(share: float) -> str:
    """0.41 -> 'About 4 in 10'; 0.3 -> '3 in 10'; 0.03 -> 'Fewer than 1 in 20'; 1.0 -> 'All'."""
    if share >= 0.995:
        return "All"
    if share < 0.05:
        return "None" if share == 0 else "Fewer than 1 in 20"
    tenths = max(1, round(share * 10))
    if tenths == 10:
        return "Almost all"
    return f"{tenths} in 10" if abs(share * 10 - tenths) < 0.05 else f"About {tenths} in 10"


def compared_with_nation(ratio: float, national: float | None, nation: str = "England") -> str:
    """'1.9 times the England share (20%)': the multiple as it is, never rounded up to 'twice'."""
    of = f"the {nation} share" + (f" ({percent(national)})" if national is not None else "")
    if 0.95 <= ratio < 1.05:
        return f"about the same as {of}"
    if ratio < 0.95:
        return f"less than {of}"
    multiple = f"{ratio:.1f}"
    return f"{_WHOLE_MULTIPLES.get(multiple, f'{multiple} times')} {of}"


def rating_label(rating: Mapping[str, Any]) -> str:
    return str(rating.get("label") or RATING_LONG_LABELS.get(rating["overall"], rating["overall"]))


def reason_text(reason: str | Mapping[str, Any]) -> str:
    """Scoring reasons arrive as dicts with 'text' (Reason.to_dict) or as plain strings."""
    return reason if isinstance(reason, str) else str(reason.get("text", ""))


def rating_summary(rating: Mapping[str, Any]) -> str:
    """The one-line reason for the overall rating, and what the action plan changed."""
    summary = rating.get("summary")
    if not summary:
        reasons = rating.get("reasons") or ()
        at_overall: list[str | Mapping[str, Any]] = [
            r for r in reasons if isinstance(r, Mapping) and r.get("rating") == rating["overall"]
        ]
        summary = reason_text((at_overall or list(reasons) or [""])[0])
    before = rating.get("before_mitigation")
    if rating.get("mitigation_applied") and before and before != rating["overall"]:
        summary = f"{summary} Rated {before} before the action plan was taken into account.".strip()
    return summary


def signoff_line(signoff: Sequence[Mapping[str, Any]], status: str) -> str:
    """One sentence for the cover sheet saying who has signed the assessment off."""
    approver = next((s for s in signoff if s.get("role", "").lower() == "approver" and s.get("date")), None)
    if status == "approved" and approver:
        title = f", {approver['job_title']}" if approver.get("job_title") else ""
        return f"Approved by {approver.get('name', 'the approver')}{title}, on {long_date(approver['date'])}."
    if status == "practice":
        return "Not for sign-off: a practice assessment, made in training, is never approved."
    return f"Not approved. Current status: {STATUS_LABELS.get(status, status).lower()}."
