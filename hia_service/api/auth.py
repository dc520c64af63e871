"""Bearer-token authentication for the API, with the same roles as the web."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, request

from hia_service.auth.roles import Role
from hia_service.services.accounts.tokens import user_for_token
from hia_service.services.errors import PermissionDeniedError, SignInError

F = TypeVar("F", bound=Callable[..., Any])


def token_required(*roles: Role) -> Callable[[F], F]:
    allowed = set(roles or Role)

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise SignInError("Send your API token in the header 'Authorization: Bearer <token>'")
            user = user_for_token(token)
            if user.role_enum not in allowed:
                raise PermissionDeniedError(f"Your role ({user.role_enum.label}) cannot use this endpoint")
            g.api_user = user
            return view(*args, **kwargs)

        wrapper.hia_access = {"roles": allowed, "api": True}  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
