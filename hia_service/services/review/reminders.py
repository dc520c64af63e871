"""Reminder emails about follow-up: what each person needs to do, overdue first."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from hia_service.domain.email_address import is_email_address
from hia_service.notifications.email import SmtpSettings, message, send
from hia_service.services.review.answers import long_date
from hia_service.services.review.followup import Reminder, already_reminded, note_reminder_sent, reminders_due

log = logging.getLogger("hia_service.notifications")
NOT_AN_ADDRESS = "not a valid email address"


@dataclass
class ReminderRun:
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already reminded today
    failed: list[tuple[str, str]] = field(default_factory=list)
    # Addresses stored before they were checked, which no email can go to: someone must correct them.
    unusable: list[str] = field(default_factory=list)


def reminder_text(reminder: Reminder, today: date, base_url: str | None) -> tuple[str, str]:
    """Subject and body of one reminder, in plain English."""
    overdue = [i for i in reminder.items if i.due and i.due < today]
    subject = (
        f"{len(overdue)} overdue health inequalities action{'s' if len(overdue) != 1 else ''}"
        if overdue
        else "Health inequalities actions due soon"
    )
    lines = [f"Dear {reminder.name},", "", "These follow-up actions from approved assessments need you:", ""]
    for item in reminder.items:
        state = "OVERDUE, was due" if item.due and item.due < today else "due"
        what = "Review of the assessment" if item.kind == "review" else item.action
        lines += [
            f"- {item.assessment.reference} {item.assessment.title}",
            f"  {what}",
            f"  {state} {long_date(item.due)}",
            "",
        ]
    if base_url:
        lines += [f"Mark an action as done at {base_url.rstrip('/')}/follow-up/", ""]
    lines += [
        "You get this email at most once a day, while you have actions overdue or due in the next 2 weeks."
    ]
    return subject, "\n".join(lines)


def send_due_reminders(
    today: date,
    settings: SmtpSettings | None,
    *,
    base_url: str | None,
    commit: Callable[[], None],
    dry_run: bool = False,
) -> ReminderRun:
    """Send each person their reminder; one failure does not stop the others. Commits after each email."""
    if settings is None and not dry_run:
        raise ValueError("Email is switched off: set HIA_SMTP_HOST")
    run = ReminderRun()
    for reminder in reminders_due(today):
        if not is_email_address(reminder.recipient):
            log.warning(NOT_AN_ADDRESS, extra={"fields": {"recipient": reminder.recipient}})
            run.unusable.append(reminder.recipient)
            continue
        if already_reminded(reminder.recipient, today):
            run.skipped.append(reminder.recipient)
            continue
        subject, body = reminder_text(reminder, today, base_url)
        if dry_run or settings is None:
            run.sent.append(reminder.recipient)
            continue
        try:
            send(settings, message(settings, reminder.recipient, subject, body))
        except (OSError, smtplib.SMTPException) as error:
            run.failed.append((reminder.recipient, str(error) or error.__class__.__name__))
            continue
        note_reminder_sent(reminder, today)
        commit()
        run.sent.append(reminder.recipient)
    return run
