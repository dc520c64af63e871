"""Questions the engine itself relies on, by id.

Governance teams may reword, add, reorder and remove questions freely, except these: the quality checks
and scoring read them. The loader refuses a framework that lacks them, so a rename cannot silently switch
a check off.
"""

from __future__ import annotations

KEY_QUESTIONS: dict[str, str] = {
    "proposal.title": "text",
    "proposal.decision_date": "date",
    "who.geography": "geography",
    "engagement.done": "choice",
    "engagement.feedback": "long_text",
    "engagement.changes": "long_text",
    "engagement.not_proportionate": "long_text",
    "evidence.gaps_exist": "choice",
    "evidence.gaps": "table",
    "actions.plan": "actions",
    "monitoring.review_date": "date",
    "conclusion.recommendation": "choice",
}
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "actions.plan": ("action", "owner", "due", "measure"),
    "evidence.gaps": ("gap", "plan"),
}
KEY_OPTIONS: dict[str, tuple[str, ...]] = {
    "engagement.done": ("yes", "no"),
    "evidence.gaps_exist": ("yes", "no"),
}
# The section holding the nine protected characteristics (the all-neutral check reads it).
PROTECTED_CHARACTERISTICS_SECTION = "pc"
# Every group section uses these answer keys: "<group id>.impact", ".evidence", ".mitigation".
GROUP_KEYS = ("impact", "evidence", "mitigation")
