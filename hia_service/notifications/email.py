"""Sending one plain-text email through the configured SMTP server."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from hia_service.domain.safe_text import one_line

TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    starttls: bool = False
    username: str | None = None
    password: str | None = None


def smtp_settings(config: Mapping[str, Any]) -> SmtpSettings | None:
    """The mail server from Flask config, or None when email is switched off (no HIA_SMTP_HOST)."""
    host = config.get("HIA_SMTP_HOST")
    if not host:
        return None
    return SmtpSettings(
        host=host,
        port=int(config.get("HIA_SMTP_PORT") or 25),
        sender=config.get("HIA_SMTP_FROM") or "hia-reminders@localhost",
        starttls=bool(config.get("HIA_SMTP_STARTTLS")),
        username=config.get("HIA_SMTP_USERNAME"),
        password=config.get("HIA_SMTP_PASSWORD"),
    )


def message(settings: SmtpSettings, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text email. The subject is made one line, whatever it was built from (a title stored with a
    line break): a header cannot hold one, and must never be able to start another header."""
    email = EmailMessage()
    email["From"] = settings.sender
    email["To"] = to
    email["Subject"] = one_line(subject)
    email.set_content(body)
    return email


def send(settings: SmtpSettings, email: EmailMessage) -> None:
    """Send or raise OSError / smtplib.SMTPException."""
    with _connected(settings) as server:
        server.send_message(email)


def send_all(settings: SmtpSettings, emails: Sequence[EmailMessage]) -> list[tuple[str, str]]:
    """Send several over one connection, so a server that does not answer costs one timeout, not one each.

    Returns (recipient, reason) for each email the server refused; raises OSError / smtplib.SMTPException
    when the server cannot be reached or drops the connection (the rest are then not sent)."""
    refused = []
    with _connected(settings) as server:
        for email in emails:
            try:
                server.send_message(email)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as error:
                refused.append((str(email["To"]), str(error) or error.__class__.__name__))
    return refused


@contextmanager
def _connected(settings: SmtpSettings) -> Iterator[smtplib.SMTP]:
    with smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS) as server:
        if settings.starttls:
            server.starttls()
        if settings.username:
            server.login(settings.username, settings.password or "")
        yield server
