"""Bearer-token authentication for the API, with the same roles as the web."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, request

from hia_service.auth.roles import Role
from hia_service.services.accounts.tokens import ApiCaller, User, caller_for_token, live_token_key, user_of
from hia_service.services.errors import PermissionDeniedError, SignInError

F = TypeVar("F", bound=Callable[..., Any])


def _bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def caller_rate_limit_key() -> str | None:
    """The rate-limit key of the live token calling, looked up once a request (the limiter asks for each
    limit); None for everyone else, who are counted by address."""
    if "rate_limit_caller" not in g:
        token = _bearer_token()
        g.rate_limit_caller = live_token_key(token) if token else None
    return g.rate_limit_caller


def token_required(*roles: Role, reads_only: bool = False) -> Callable[[F], F]:
    """Only callers whose token belongs to one of `roles` (any role if none are named).

    `reads_only`: the view changes nothing and hands out no document, so its audit entry may be written a
    moment later with others (services/accounts/api_calls.py) rather than committed with the call; refusals
    of it too. Downloads and every call that changes something are audited with the call, as ever."""
    allowed = set(roles or Role)

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            g.api_reads_only = reads_only
            token = _bearer_token()
            if token is None:
                raise SignInError("Send your API token in the header 'Authorization: Bearer <token>'")
            caller = caller_for_token(token)
            if caller.role not in allowed:
                raise PermissionDeniedError(f"Your role ({caller.role.label}) cannot use this endpoint")
            g.api_caller = caller
            return view(*args, **kwargs)

        wrapper.hia_access = {"roles": allowed, "api": True}  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def api_caller() -> ApiCaller:
    """Who the call's token speaks for (set by token_required)."""
    caller: ApiCaller = g.api_caller
    return caller


def api_user() -> User:
    """The person the call acts as, loaded from the database once per call: for views that pass them to a
    service. Views that need only the caller's organisation or role use api_caller(), which costs nothing."""
    if "api_user" not in g:
        g.api_user = user_of(api_caller())
    user: User = g.api_user
    return user
