import pytest
from argon2 import PasswordHasher

from hia_service.auth.passwords import DUMMY_HASH, hash_password, password_problem, verify_password
from hia_service.auth.roles import Role


def test_hashes_are_argon2id_and_verify() -> None:
    hashed = hash_password("a long enough passphrase")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "a long enough passphrase")
    assert not verify_password(hashed, "a long enough passphrasE")


def test_the_stand_in_hash_for_unknown_emails_has_the_hashers_parameters() -> None:
    # Otherwise checking an unknown email would take a different time from checking a known one.
    assert DUMMY_HASH.startswith("$argon2id$")
    assert not PasswordHasher().check_needs_rehash(DUMMY_HASH)


def test_missing_or_corrupt_hash_never_verifies() -> None:
    assert not verify_password(None, "anything at all")
    assert not verify_password("not-a-hash", "anything at all")


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "Password must be 12 characters or more"),
        ("aaaaaaaaaaaaaaaa", "Password must not repeat the same few characters"),
        ("jane.smith-password-1", "Password must not contain your email address"),
        ("x" * 257 + "abcdef", "Password must be 256 characters or fewer"),
    ],
)
def test_password_policy(password: str, problem: str) -> None:
    assert password_problem(password, "jane.smith@nhs.net") == problem


def test_good_password_passes_policy() -> None:
    assert password_problem("correct-horse-battery-staple", "jane.smith@nhs.net") is None


def test_role_parse_explains_unknown_roles() -> None:
    assert Role.parse(" Reviewer ") is Role.REVIEWER
    with pytest.raises(
        ValueError, match=r"Unknown role 'boss'\. Choose one of: manager, reviewer, trainer, admin"
    ):
        Role.parse("boss")


def test_hashes_made_at_another_cost_still_verify_and_need_rehashing() -> None:
    from hia_service.auth import passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("a long enough passphrase")
    before = (passwords._hasher.time_cost, passwords._hasher.memory_cost, passwords._hasher.parallelism)
    try:
        passwords.use_cost(2, 19 * 1024, 1)
        assert verify_password(cheap, "a long enough passphrase")
        assert passwords.needs_rehash(cheap)
        fresh = hash_password("a long enough passphrase")
        assert "m=19456,t=2,p=1" in fresh and not passwords.needs_rehash(fresh)
        # the stand-in for unknown emails follows the cost, so their timing still matches known ones
        assert "m=19456,t=2,p=1" in passwords._dummy_hash()
    finally:
        passwords.use_cost(*before)
