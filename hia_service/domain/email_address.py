"""Whether text is an email address the service can write to: one mailbox, in the plain form every mail
server accepts (name@organisation.nhs.uk). Quoted names, comments, address lists and addresses at bare IP
addresses are refused, since nobody in the NHS has one and each has been a way to break a mail header."""

from __future__ import annotations

import re

WRONG_FORMAT = "Enter an email address in the correct format, like name@nhs.net"
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_TOP_LEVEL = re.compile(r"[A-Za-z]{2,63}")


def is_email_address(text: str) -> bool:
    if len(text) > 254 or text.count("@") != 1:
        return False
    local, domain = text.split("@")
    labels = domain.split(".")
    return (
        len(local) <= 64
        and _LOCAL.fullmatch(local) is not None
        and len(labels) >= 2
        and all(_LABEL.fullmatch(label) for label in labels)
        and _TOP_LEVEL.fullmatch(labels[-1]) is not None
    )
