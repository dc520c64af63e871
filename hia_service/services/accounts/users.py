"""Reading users, always within the viewer's own organisation."""

from __future__ import annotations

import hmac

from hia_service.data import accounts
from hia_service.data.models import User


def organisation_users(viewer: User) -> list[User]:
    return accounts.list_users(viewer.organisation_id)


def organisation_user(viewer: User, user_id: int) -> User | None:
    person = accounts.get_user(user_id)
    if person is None or person.organisation_id != viewer.organisation_id:
        return None
    return person


def active_user(user_id: str, session_key: object) -> User | None:
    """The user a session cookie names, if they still exist, may sign in, and have not signed out since
    (the session's key is still theirs)."""
    user = accounts.get_user(int(user_id)) if user_id.isascii() and user_id.isdigit() else None
    if user is None or not user.is_active or not user.session_key or not isinstance(session_key, str):
        return None
    return user if hmac.compare_digest(user.session_key, session_key) else None
