"""The lock version a form carries: the version of the record the page was opened at."""

from __future__ import annotations

# A form whose lock version is missing or not a number was cut short or changed on its way: saying that
# someone else changed the record would be false.
FORM_NOT_VALID = "This form was not valid. Copy your note, reload the page and try again."


def opened_at(raw: str | None) -> int | None:
    """The version the page was opened at, or None when the form did not carry one the page writes (a
    whole number, 0 or more)."""
    text = (raw or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None
