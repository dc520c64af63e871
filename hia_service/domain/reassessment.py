"""Re-assessment triggers: after approval, the decision actually taken can differ from what was assessed.

Due regard is paid to the proposal as it stood and the date it was to be decided. When the decision is
recorded on another date, or differs from the recommendation the assessment was approved with (the proposal
changed), the assessment may no longer describe what was decided, so it should be looked at again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

OUTCOME_WORDS = {
    "proceed": "proceed",
    "proceed_with_mitigations": "proceed with mitigations",
    "pause": "pause for more evidence",
    "do_not_proceed": "not proceed",
}
DATE_MOVED_BY_DAYS = 1  # any move counts: the circumstances, and what was known, may have changed


def reassessment_reasons(approved: Mapping[str, Any], decided_on: date, outcome: str) -> list[str]:
    """Why the approved assessment should be looked at again, in plain words; empty if nothing moved."""
    reasons = []
    planned = _date(approved.get("proposal.decision_date"))
    if planned is not None and abs((decided_on - planned).days) >= DATE_MOVED_BY_DAYS:
        reasons.append(
            f"The decision was taken on {_long(decided_on)}, not on {_long(planned)} as assessed. Check the "
            "assessment still holds, for example the evidence, the engagement and the timing of actions."
        )
    recommended = approved.get("conclusion.recommendation")
    if recommended and outcome != recommended:
        reasons.append(
            f"The decision was to {OUTCOME_WORDS.get(outcome, outcome)}, but the assessment recommended "
            f"that the proposal {OUTCOME_WORDS.get(str(recommended), recommended)}. If the proposal changed, "
            "assess the changed proposal."
        )
    return reasons


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
