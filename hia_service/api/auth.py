"""Bearer-token authentication for the API, with the same roles as the web."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, request

from hia_service.auth.roles import Role
from hia_service.services.accounts.tokens import live_token_key, user_for_token
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


def token_required(*roles: Role) -> Callable[[F], F]:
    allowed = set(roles or Role)

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = _bearer_token()
            if token is None:
                raise SignInError("Send your API token in the header 'Authorization: Bearer <token>'")
            user = user_for_token(token)
            if user.role_enum not in allowed:
                raise PermissionDeniedError(f"Your role ({user.role_enum.label}) cannot use this endpoint")
            g.api_user = user
            return view(*args, **kwargs)

        wrapper.hia_access = {"roles": allowed, "api": True}  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
