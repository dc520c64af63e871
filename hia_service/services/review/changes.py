"""What changed after a return: the answers that differ between the version returned and the one submitted
after it, and for each comment on the returned version whether its section has changed since.

Pure: frameworks, answers and comments in, plain values out; no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from hia_service.domain.framework import Framework
from hia_service.services.review.answers import Difference, compare

CHANGED = "Changed since your comment"
NOT_CHANGED = "Not changed"


class Commented(Protocol):
    """A comment as far as this module cares: which section it is on, or the assessment as a whole."""

    @property
    def section_id(self) -> str: ...

    @property
    def general(self) -> bool: ...


C = TypeVar("C", bound=Commented)


@dataclass(frozen=True)
class CommentSince(Generic[C]):
    comment: C
    changed: bool

    @property
    def label(self) -> str:
        return CHANGED if self.changed else NOT_CHANGED


@dataclass(frozen=True)
class ChangesSince(Generic[C]):
    differences: tuple[Difference, ...]
    comments: tuple[CommentSince[C], ...]

    @property
    def changed_sections(self) -> frozenset[str]:
        return frozenset(d.section_id for d in self.differences)

    @property
    def not_addressed(self) -> int:
        """How many comments are on sections that have not changed at all."""
        return sum(1 for c in self.comments if not c.changed)


def changes_since(
    returned: tuple[Framework, Mapping[str, Any]],
    resubmitted: tuple[Framework, Mapping[str, Any]],
    comments: Sequence[C],
) -> ChangesSince[C]:
    """The answer-level differences, each labelled from its own version's framework, and each comment marked
    changed when any answer in its section differs. A comment on the assessment as a whole counts as
    changed when any answer does, since it may concern any of them."""
    differences = tuple(compare(returned, resubmitted))
    sections = {d.section_id for d in differences}
    marked = tuple(
        CommentSince(c, bool(differences) if c.general else c.section_id in sections) for c in comments
    )
    return ChangesSince(differences, marked)
