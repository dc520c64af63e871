"""API tokens: stored as hashes only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select, update

from hia_service.data.models import ApiToken, OrganisationSettings, User
from hia_service.extensions import db


def add_token(user: User, name: str, token_hash: str, prefix: str, expires_at: datetime) -> ApiToken:
    token = ApiToken(user_id=user.id, name=name, token_hash=token_hash, prefix=prefix, expires_at=expires_at)
    db.session.add(token)
    db.session.flush()
    return token


@dataclass(frozen=True)
class TokenHolder:
    """What checking a token needs to know about it and the person it belongs to."""

    token_id: int
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    user_id: int
    organisation_id: int
    role: str
    is_active: bool
    created_at: datetime
    max_days: int | None  # the organisation's limit on a token's life, if it set one


def _holders() -> Select[*tuple[Any, ...]]:
    return (
        select(
            ApiToken.id,
            ApiToken.expires_at,
            ApiToken.revoked_at,
            ApiToken.last_used_at,
            User.id,
            User.organisation_id,
            User.role,
            User.is_active,
            ApiToken.created_at,
            OrganisationSettings.api_token_max_days,
        )
        .join(User, User.id == ApiToken.user_id)
        .outerjoin(OrganisationSettings, OrganisationSettings.organisation_id == User.organisation_id)
    )


def find_token_holder(token_hash: str) -> TokenHolder | None:
    """The token with that hash, its holder and their organisation's limit on a token's life, in one
    query of plain values (every API call's first check of a token makes it)."""
    row = db.session.execute(_holders().where(ApiToken.token_hash == token_hash)).one_or_none()
    return TokenHolder(*tuple(row)) if row is not None else None


def live_token_holders(now: datetime, most: int) -> dict[str, TokenHolder]:
    """Every token that may still let its holder in (not revoked, not expired, the person active), by hash,
    as find_token_holder finds each: the `most` most recently used if there are more."""
    query = (
        _holders()
        .add_columns(ApiToken.token_hash)
        .where(ApiToken.revoked_at.is_(None), ApiToken.expires_at > now, User.is_active.is_(True))
        .order_by(ApiToken.last_used_at.desc().nulls_last(), ApiToken.id.desc())
        .limit(most)
    )
    return {row[-1]: TokenHolder(*tuple(row)[:-1]) for row in db.session.execute(query)}


def list_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def get_token(user: User, token_id: int) -> ApiToken | None:
    return db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.id == token_id))


def mark_token(token: ApiToken, **changes: datetime) -> None:
    for key, value in changes.items():
        setattr(token, key, value)
    db.session.flush()


def record_last_used(times: Mapping[int, datetime]) -> None:
    """Each token's last-used time, by token id; a later time already stored is kept."""
    for token_id, at in sorted(times.items()):
        db.session.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id, or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < at))
            .values(last_used_at=at)
            .execution_options(synchronize_session=False)
        )
