"""API tokens: stored as hashes only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from hia_service.data.models import ApiToken, User
from hia_service.extensions import db


def add_token(user: User, name: str, token_hash: str, prefix: str, expires_at: datetime) -> ApiToken:
    token = ApiToken(user_id=user.id, name=name, token_hash=token_hash, prefix=prefix, expires_at=expires_at)
    db.session.add(token)
    db.session.flush()
    return token


def find_token(token_hash: str) -> ApiToken | None:
    return db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))


def list_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def get_token(user: User, token_id: int) -> ApiToken | None:
    return db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.id == token_id))


def mark_token(token: ApiToken, **changes: datetime) -> None:
    for key, value in changes.items():
        setattr(token, key, value)
    db.session.flush()
