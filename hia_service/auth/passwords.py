"""Password hashing (argon2id) and the minimum password policy. Pure: no Flask."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
_hasher = PasswordHasher()
# Verifying against this keeps the time for an unknown email the same as for a known one. It is written out
# (a throwaway password hashed with the hasher's parameters) because hashing it on import slowed every start.
DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$oF/vZX31DUy3M1yDF2YwVw$r4yMVvQmEC3V/9JXYdH5dJEVQqvhLabA0gKtfJWzCf4"
)


def use_cost(time_cost: int, memory_kib: int, parallelism: int) -> None:
    """Hash new passwords at this argon2id cost (HIA_PASSWORD_HASH_*; set when the app is built). Hashes
    carry their own parameters, so those made at another cost still verify; needs_rehash finds them."""
    global _hasher
    if (_hasher.time_cost, _hasher.memory_cost, _hasher.parallelism) != (time_cost, memory_kib, parallelism):
        _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
        _dummy_hash.cache_clear()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def needs_rehash(password_hash: str) -> bool:
    """Made at another cost than the one set now (checked after a successful sign-in, to re-hash it)."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    """DUMMY_HASH, or a fresh one should a new argon2 release change the parameters (so times still match)."""
    if _hasher.check_needs_rehash(DUMMY_HASH):
        return _hasher.hash("not-a-real-password-used-for-timing")
    return DUMMY_HASH


def password_problem(password: str, email: str = "") -> str | None:
    """Why a new password is not acceptable, in plain English, or None when it is."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > 256:
        return "Password must be 256 characters or fewer"
    if len(set(password)) < 5:
        return "Password must not repeat the same few characters"
    if email and email.split("@")[0].lower() in password.lower():
        return "Password must not contain your email address"
    return None
