"""Sending one plain-text email through the configured SMTP server."""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

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
    email = EmailMessage()
    email["From"] = settings.sender
    email["To"] = to
    email["Subject"] = subject
    email.set_content(body)
    return email


def send(settings: SmtpSettings, email: EmailMessage) -> None:
    """Send or raise OSError / smtplib.SMTPException."""
    with smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS) as server:
        if settings.starttls:
            server.starttls()
        if settings.username:
            server.login(settings.username, settings.password or "")
        server.send_message(email)
