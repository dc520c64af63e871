"""Emails about an assessment's review: to the organisation's reviewers when it is submitted, and to its
author when it is returned for changes or approved.

Here, below services.review, because submitting is an authoring use case; the review decisions call down.
Each email is sent after the action is saved (notifications.outbox); practice (training) assessments send
none, and nothing is sent when email is switched off (no HIA_SMTP_HOST).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app

from hia_service.auth.roles import Role
from hia_service.data import accounts
from hia_service.data.models import Assessment, AssessmentVersion, User
from hia_service.notifications.outbox import Notice, send_after_commit

SIGN_OFF = "This email was sent by the health inequalities impact assessment service. Do not reply to it."


@dataclass(frozen=True)
class SectionNote:
    """A reviewer's comment as the author reads it in an email: which section, and what it says."""

    section: str
    body: str


def tell_reviewers_submitted(assessment: Assessment, version: AssessmentVersion, author: User) -> None:
    """Every active reviewer of the organisation except the author (who may not review their own)."""
    if assessment.is_training:
        return
    reviewers = accounts.list_active_users_with_role(assessment.organisation_id, Role.REVIEWER.value)
    send_after_commit(
        [
            submitted_notice(assessment, version, author, r, _base_url())
            for r in reviewers
            if r.id != author.id
        ]
    )


def tell_author_returned(
    assessment: Assessment,
    version: AssessmentVersion,
    reviewer: User,
    reason: str,
    comments: Sequence[SectionNote],
) -> None:
    if assessment.is_training:
        return
    send_after_commit([returned_notice(assessment, version, reviewer, reason, comments, _base_url())])


def tell_author_approved(assessment: Assessment, version: AssessmentVersion, reviewer: User) -> None:
    if assessment.is_training:
        return
    send_after_commit([approved_notice(assessment, version, reviewer, _base_url())])


def submitted_notice(
    assessment: Assessment, version: AssessmentVersion, author: User, reviewer: User, base_url: str | None
) -> Notice:
    again = version.number > 1
    lines = [
        f"Dear {_name(reviewer)},",
        "",
        f"{_name(author)} has {'changed and submitted again' if again else 'submitted'} a health "
        "inequalities impact assessment for review:",
        "",
        *_heading(assessment, version),
    ]
    if again:
        lines += [
            "",
            "It was returned for changes. The review page shows what changed since version "
            f"{version.number - 1} and whether each comment's section has changed.",
        ]
    lines += _link(
        base_url, f"/review/{assessment.id}", "Review it at", "Sign in to the service to review it."
    )
    lines += ["", f"You get this email because you are a governance reviewer at {_organisation(assessment)}."]
    subject = "Changed and submitted again" if again else "Ready for review"
    return Notice(reviewer.email, _subject(subject, assessment), _body(lines))


def returned_notice(
    assessment: Assessment,
    version: AssessmentVersion,
    reviewer: User,
    reason: str,
    comments: Sequence[SectionNote],
    base_url: str | None,
) -> Notice:
    lines = [
        f"Dear {_name(assessment.author)},",
        "",
        f"{_name(reviewer)} has returned your health inequalities impact assessment to you for changes:",
        "",
        *_heading(assessment, version),
        "",
        "Why it was returned:",
        "",
        *reason.splitlines(),
    ]
    if comments:
        lines += ["", "The reviewer's comments:", ""]
        for note in comments:
            lines += [f"- {note.section}:", *(f"  {line}" for line in note.body.splitlines())]
    lines += _link(
        base_url,
        f"/assessments/{assessment.id}",
        "Make the changes and submit it again at",
        "Sign in to the service to make the changes and submit it again.",
    )
    return Notice(assessment.author.email, _subject("Returned for changes", assessment), _body(lines))


def approved_notice(
    assessment: Assessment, version: AssessmentVersion, reviewer: User, base_url: str | None
) -> Notice:
    lines = [
        f"Dear {_name(assessment.author)},",
        "",
        f"{_name(reviewer)} has approved your health inequalities impact assessment:",
        "",
        *_heading(assessment, version),
    ]
    if version.approval_conditions:
        lines += ["", "Conditions of approval:", "", *version.approval_conditions.splitlines()]
    lines += [
        "",
        "Its action plan and review date are now tracked until they are done. "
        "When the decision has been taken, record what was decided.",
    ]
    lines += _link(
        base_url,
        f"/review/{assessment.id}",
        "See the approved record at",
        "The approved record is in the service.",
    )
    return Notice(assessment.author.email, _subject("Approved", assessment), _body(lines))


def _heading(assessment: Assessment, version: AssessmentVersion) -> list[str]:
    return [f"{assessment.reference} {assessment.title}", f"Version {version.number}"]


def _link(base_url: str | None, path: str, words: str, otherwise: str) -> list[str]:
    # Without HIA_BASE_URL the service does not know its own address: words, rather than a wrong link.
    return ["", f"{words} {base_url.rstrip('/')}{path}" if base_url else otherwise]


def _subject(what: str, assessment: Assessment) -> str:
    return f"{what}: {assessment.reference} {assessment.title}"


def _body(lines: list[str]) -> str:
    return "\n".join([*lines, "", SIGN_OFF])


def _name(user: User) -> str:
    return user.name or user.email


def _organisation(assessment: Assessment) -> str:
    return assessment.organisation.name


def _base_url() -> str | None:
    base: str | None = current_app.config.get("HIA_BASE_URL")
    return base
