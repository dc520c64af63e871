"""API tokens: stored as hashes only."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from hia_service.data.models import ApiToken, User
from hia_service.extensions import db


def add_token(user: User, name: str, token_hash: str, prefix: str, expires_at: datetime) -> ApiToken:
    token = ApiToken(user_id=user.id, name=name, token_hash=token_hash, prefix=prefix, expires_at=expires_at)
    db.session.add(token)
    db.session.flush()
    return token


def find_token(token_hash: str) -> ApiToken | None:
    """The token with its user, in one query."""
    query = select(ApiToken).options(joinedload(ApiToken.user)).where(ApiToken.token_hash == token_hash)
    return db.session.scalar(query)


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
