from dataclasses import dataclass

import pytest

from hia_service.auth.permissions import Action, can


@dataclass
class Person:
    id: int
    organisation_id: int
    role: str


@dataclass
class Record:
    organisation_id: int
    author_id: int
    is_training: bool = False


AUTHOR = Person(1, 10, "manager")
OTHER_MANAGER = Person(2, 10, "manager")
REVIEWER = Person(3, 10, "reviewer")
TRAINER = Person(4, 10, "trainer")
ADMIN = Person(5, 10, "admin")
OUTSIDER_REVIEWER = Person(6, 99, "reviewer")
LIVE = Record(10, 1)
TRAINING = Record(10, 1, is_training=True)


@pytest.mark.parametrize(
    ("person", "action", "record", "allowed"),
    [
        (AUTHOR, Action.EDIT, LIVE, True),
        (AUTHOR, Action.REVIEW, LIVE, False),
        (OTHER_MANAGER, Action.VIEW, LIVE, False),
        (REVIEWER, Action.VIEW, LIVE, True),
        (REVIEWER, Action.REVIEW, LIVE, True),
        (REVIEWER, Action.EDIT, LIVE, False),
        (TRAINER, Action.VIEW, LIVE, False),
        (ADMIN, Action.VIEW, LIVE, False),
        (OUTSIDER_REVIEWER, Action.VIEW, LIVE, False),
        (REVIEWER, Action.VIEW, TRAINING, False),
        (TRAINER, Action.VIEW, TRAINING, True),
        (TRAINER, Action.EDIT, TRAINING, False),
        (AUTHOR, Action.EDIT, TRAINING, True),
    ],
)
def test_permission_matrix(person: Person, action: Action, record: Record, allowed: bool) -> None:
    assert can(person, action, record) is allowed
