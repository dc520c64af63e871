"""Emails that go with an action (an assessment returned, approved or submitted): sent once the action has
been saved, never before and never if it is rolled back, and never at the action's cost. A mail server that
is down or refuses a message, or an email that cannot be made, is logged; the action stands."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app

from hia_service.data.transaction import after_commit
from hia_service.notifications.email import SmtpSettings, message, send_all, smtp_settings

log = logging.getLogger("hia_service.notifications")


@dataclass(frozen=True)
class Notice:
    """One plain-text email to one person."""

    to: str
    subject: str
    body: str


def send_after_commit(notices: Sequence[Notice]) -> None:
    """Email `notices` once the current transaction commits; nothing when email is switched off."""
    settings = smtp_settings(current_app.config)
    if settings is None or not notices:
        return
    # Built now, while the request is here; the callback then needs neither the database nor the app.
    emails = [email for email in (_built(settings, n) for n in notices) if email is not None]
    if emails:
        after_commit(lambda: deliver(settings, emails))


def _built(settings: SmtpSettings, notice: Notice) -> EmailMessage | None:
    """The email, or None (logged) when it cannot be made of what is stored: the action stands regardless."""
    try:
        return message(settings, notice.to, notice.subject, notice.body)
    except Exception as error:  # whatever the cause: an email never undoes or refuses the action it tells of
        fields = {"to": notice.to, "subject": notice.subject[:200], "reason": str(error)[:200]}
        log.warning("email not built", extra={"fields": fields})
        return None


def deliver(settings: SmtpSettings, emails: Sequence[EmailMessage]) -> None:
    """Send, logging (not raising) whatever goes wrong: by now the action is saved and must stand."""
    try:
        refused = dict(send_all(settings, emails))
    except (OSError, smtplib.SMTPException) as error:
        refused = {str(e["To"]): str(error) or error.__class__.__name__ for e in emails}
    for email in emails:
        reason = refused.get(str(email["To"]))
        if reason is not None:
            fields = {"to": str(email["To"]), "subject": str(email["Subject"]), "reason": reason[:200]}
            log.warning("email not sent", extra={"fields": fields})
