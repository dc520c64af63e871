"""Route guards. Every route carries exactly one of these (an architecture test checks it)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from hia_service.auth.roles import Role

F = TypeVar("F", bound=Callable[..., Any])


def requires_role(*roles: Role) -> Callable[[F], F]:
    """Allow signed-in users whose role is one of `roles`; others get 403."""

    def decorate(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if current_user.role_enum not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapper.hia_access = {"roles": set(roles)}  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def signed_in(view: F) -> F:
    """Any signed-in user, whatever their role."""
    wrapped = login_required(view)
    wrapped.hia_access = {"roles": set(Role)}
    return wrapped


def public(view: F) -> F:
    """Open to everyone, signed in or not (start page, sign-in, health check)."""
    view.hia_access = {"roles": None}  # type: ignore[attr-defined]
    return view
