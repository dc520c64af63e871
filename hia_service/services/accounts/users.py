"""Reading users, always within the viewer's own organisation."""

from __future__ import annotations

from hia_service.data import accounts
from hia_service.data.models import User


def organisation_users(viewer: User) -> list[User]:
    return accounts.list_users(viewer.organisation_id)


def organisation_user(viewer: User, user_id: int) -> User | None:
    person = accounts.get_user(user_id)
    if person is None or person.organisation_id != viewer.organisation_id:
        return None
    return person


def active_user(user_id: str) -> User | None:
    """The user a session cookie names, if they still exist and may sign in."""
    user = accounts.get_user(int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.is_active else None
