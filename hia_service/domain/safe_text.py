"""Characters no text in the service may hold, and how text is cleaned of them.

PostgreSQL cannot store a NUL byte; XML (so Word files) allows no C0 control character but tab, line
feed and carriage return, and no lone surrogate half (which no encoding can write either). The API refuses
them (a program can be told); forms and stored text are cleaned (people paste them from other documents).
"""

from __future__ import annotations

import re
from typing import Any

UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What a vertical tab or form feed means where text is pasted from Word or a PDF: a line or page break.
_AS_LINE_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})


def has_unstorable(text: str) -> bool:
    return UNSTORABLE.search(text) is not None


def cleaned(text: str) -> str:
    """The text without characters it may not hold (vertical tabs and form feeds become line breaks)."""
    if not has_unstorable(text):
        return text
    return UNSTORABLE.sub("", text.translate(_AS_LINE_BREAKS))


def cleaned_everywhere(value: Any) -> Any:
    """Every string in a JSON-like value (dictionary keys too) cleaned; other values as they are."""
    if isinstance(value, str):
        return cleaned(value)
    if isinstance(value, dict):
        return {cleaned_everywhere(key): cleaned_everywhere(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(cleaned_everywhere(item) for item in value)
    return value


def any_unstorable(value: Any) -> bool:
    """True when any string in a JSON-like value (dictionary keys too) holds a character it may not."""
    if isinstance(value, str):
        return has_unstorable(value)
    if isinstance(value, dict):
        return any(any_unstorable(key) or any_unstorable(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(any_unstorable(item) for item in value)
    return False
