"""Text that must be one line (a title, an email's subject) is folded onto one, whatever it holds."""

from __future__ import annotations

import time

import pytest

from hia_service.domain.safe_text import one_line
from hia_service.notifications.email import SmtpSettings, message

# Each ends a line for str.splitlines(), so for email headers, which refuse them.
LINE_BREAKS = ["\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e"]


@pytest.mark.parametrize("line_break", LINE_BREAKS, ids=repr)
def test_each_line_break_becomes_one_space(line_break: str) -> None:
    assert one_line(f"Close the unit{line_break}on Sundays") == "Close the unit on Sundays"


def test_runs_of_breaks_and_the_spaces_round_them_fold_to_one_space_and_the_ends_are_trimmed() -> None:
    assert one_line(" \r\n Close the unit \r\n\r\n\t on\x00 Sundays\u2028 ") == "Close the unit on Sundays"
    assert one_line("Two  spaces stay") == "Two  spaces stay"
    assert one_line("\n\u2029\r") == ""


def test_a_long_run_of_spaces_is_quick() -> None:
    started = time.perf_counter()
    assert one_line(" " * 1_000_000 + "x\n") == "x"
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize("line_break", LINE_BREAKS, ids=repr)
def test_an_email_subject_is_one_line_and_cannot_add_a_header(line_break: str) -> None:
    settings = SmtpSettings(host="127.0.0.1", port=25, sender="hia@rxa.nhs.uk")
    email = message(
        settings, "a@rxa.nhs.uk", f"Approved: HIA-2026-0001 Close{line_break}Bcc: x@y.nhs.uk", "Hi"
    )
    assert email["Subject"] == "Approved: HIA-2026-0001 Close Bcc: x@y.nhs.uk"
    assert email["Bcc"] is None


@pytest.mark.parametrize("invisible", ["\u200b", " \u200b\u2060 ", "\ufeff", "\u200d\u200c"], ids=repr)
def test_text_that_shows_nothing_is_no_text(invisible: str) -> None:
    """A zero-width space passes a check that only strips spaces: a proposal named with it is invisible."""
    assert one_line(invisible) == ""
    assert one_line(f"Close{invisible}the unit") == f"Close{invisible}the unit"  # inside text it stays
