"""Characters no text in the service may hold, and how text is cleaned of them.

PostgreSQL cannot store a NUL byte; XML (so Word files) allows no C0 control character but tab, line
feed and carriage return, and no lone surrogate half (which no encoding can write either). The API refuses
them (a program can be told); forms and stored text are cleaned (people paste them from other documents).

Some text must be one line whatever was typed or stored: a title, an email's subject.
"""

from __future__ import annotations

import re
from typing import Any

UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What a vertical tab or form feed means where text is pasted from Word or a PDF: a line or page break.
_AS_LINE_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})
# Every control character (C0 with tab and every line break, DEL, C1 with U+0085 "next line") and the Unicode
# line and paragraph separators: what str.splitlines() and email headers take for the end of a line, and more.
_LINE_ENDS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def has_unstorable(text: str) -> bool:
    return UNSTORABLE.search(text) is not None


def cleaned(text: str) -> str:
    """The text without characters it may not hold (vertical tabs and form feeds become line breaks)."""
    if not has_unstorable(text):
        return text
    return UNSTORABLE.sub("", text.translate(_AS_LINE_BREAKS))


def one_line(text: str) -> str:
    """The text on one line: each run of line breaks and other control characters (with the spaces around
    them) becomes a single space, and the ends are trimmed. "Close the unit\r\non Sundays" is "Close the unit
    on Sundays"."""
    # Split, not one pattern with the spaces round the breaks in it: that would backtrack over long runs of
    # spaces, and this runs on whatever a client sends before its length is checked.
    joined = " ".join(part.strip() for part in _LINE_ENDS.split(text) if part.strip())
    return joined if has_visible(joined) else ""


# Zero-width and other invisible format characters (and the byte-order mark): text made only of these, and
# spaces, shows as nothing, so a required name of them is no name at all.
_INVISIBLE = re.compile(
    r"[\s\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    r"\u3164\ufeff\uffa0]*"
)


def has_visible(text: str) -> bool:
    """Whether the text shows anything: not only spaces and zero-width characters."""
    return _INVISIBLE.fullmatch(text) is None


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
