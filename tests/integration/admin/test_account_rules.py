"""The account-changing services themselves (services/accounts/administration.py and moves.py), as both
doors call them: who may change which account, the passwords the service makes, and the last
administrator kept even when two administrators demote each other at the same moment."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from flask import Flask

from hia_service.auth.passwords import password_problem
from hia_service.data.transaction import commit, rollback
from hia_service.services.accounts import administration
from hia_service.services.accounts.administration import (
    Change,
    ChangeRefused,
    CommandLine,
    OwnAccountRefused,
)
from hia_service.services.accounts.moves import move_account
from hia_service.services.errors import NotFoundError, PermissionDeniedError
from tests.integration.admin.conftest import audit_entries, stored_user
from tests.integration.review.conftest import World, acting_as

OPERATOR = CommandLine("alice.ops")


def test_new_passwords_are_long_random_and_accepted_by_the_password_rules() -> None:
    made = {administration.new_password("a@nhs.net") for _ in range(200)}
    assert len(made) == 200
    for password in made:
        assert re.fullmatch(r"[a-km-zA-HJ-NP-Z2-9]{5}(-[a-km-zA-HJ-NP-Z2-9]{5}){3}", password)
        assert password_problem(password, "a@nhs.net") is None


def test_a_non_admin_cannot_change_accounts_and_an_admin_only_their_own_organisations(
    app: Flask, world: World
) -> None:
    with acting_as(app, world["reviewer"]) as reviewer, pytest.raises(PermissionDeniedError):
        administration.deactivate_account(reviewer, world["manager"]["id"])
    with acting_as(app, world["other_admin"]) as outsider:
        for change in (
            lambda: administration.deactivate_account(outsider, world["manager"]["id"]),
            lambda: administration.reactivate_account(outsider, world["manager"]["id"]),
            lambda: administration.reset_password(outsider, world["manager"]["id"]),
            lambda: administration.change_role(outsider, world["manager"]["id"], "admin"),
            lambda: administration.account_page(outsider, world["manager"]["id"]),
        ):
            with pytest.raises(NotFoundError):
                change()
        with pytest.raises(NotFoundError):
            administration.deactivate_account(outsider, 987654)
        rollback()
    assert stored_user(app, world["manager"]["id"])["is_active"] is True


def test_an_admins_own_account_page_says_why_each_change_is_not_open(app: Flask, world: World) -> None:
    with acting_as(app, world["admin"]) as admin:
        own = administration.account_page(admin, admin.id)
        assert own.own and not own.can("deactivate") and not own.can("change_role")
        refusal = own.refusal(Change.RESET_PASSWORD)
        assert isinstance(refusal, OwnAccountRefused) and refusal.status == 403
        other = administration.account_page(admin, world["admin2"]["id"])
        assert other.can("deactivate") and other.can("change_role") and other.can("reset_password")
        assert not other.can("reactivate")


def test_the_command_line_keeps_each_organisations_last_admin_too(app: Flask, world: World) -> None:
    with acting_as(app, world["other_admin"]):
        with pytest.raises(ChangeRefused, match="only administrator of Trust RYB"):
            administration.deactivate_account(OPERATOR, world["other_admin"]["id"])
        with pytest.raises(ChangeRefused, match="so you cannot make them a manager"):
            administration.change_role(OPERATOR, world["other_admin"]["id"], "manager")
        with pytest.raises(ChangeRefused, match="so you cannot move them to Trust RXA"):
            move_account(OPERATOR, world["other_admin"]["id"], "RXA")
        # a deactivated administrator does not count, and reactivating one never leaves anyone out
        assert administration.change_role(OPERATOR, world["other_manager"]["id"], "admin")
        assert administration.deactivate_account(OPERATOR, world["other_admin"]["id"])
        with pytest.raises(ChangeRefused, match="only administrator"):
            administration.change_role(OPERATOR, world["other_manager"]["id"], "reviewer")
        rollback()


def test_a_moved_account_stays_closed(app: Flask, world: World) -> None:
    with acting_as(app, world["manager"]):
        moved = move_account(OPERATOR, world["manager"]["id"], "RYB")
        commit()
        old_id, new_id = moved.old.id, moved.new.id
    with acting_as(app, world["admin"]) as admin:
        page = administration.account_page(admin, old_id)
        assert page.account.state.value == "moved" and page.account.email == world["manager"]["email"]
        assert not any(page.can(change) for change in Change)
        for change in (
            lambda: administration.reactivate_account(admin, old_id),
            lambda: administration.reset_password(admin, old_id),
            lambda: administration.change_role(admin, old_id, "admin"),
        ):
            with pytest.raises(ChangeRefused):
                change()
        with pytest.raises(NotFoundError):  # the new account is another organisation's
            administration.account_page(admin, new_id)
        rollback()
    with acting_as(app, world["manager"]), pytest.raises(ChangeRefused):
        administration.reactivate_account(OPERATOR, old_id)


def test_a_moved_person_keeps_their_organisation_account_sign_in(app: Flask, world: World) -> None:
    from hia_service.data import accounts

    issuer = "https://login.microsoftonline.com/tenant/v2.0"
    with acting_as(app, world["manager"]) as user:
        accounts.add_identity(user, issuer, "subject-1")
        moved = move_account(OPERATOR, user.id, "RYB")
        commit()
        found = accounts.get_user_by_identity(issuer, "subject-1")
        assert found is not None and found.id == moved.new.id and found.organisation.code == "RYB"
    details = [e[3] for e in audit_entries(app, world["manager"]["id"], "user_moved")]
    assert details[0]["organisation_accounts"] == 1


@pytest.mark.commits  # two administrators, each in a thread, session and connection of their own
def test_two_admins_demoting_each_other_at_once_leave_one(app: Flask, world: World) -> None:
    first, second = world["admin"], world["admin2"]
    barrier = threading.Barrier(2, timeout=30)
    outcomes: list[str] = []

    def demote(actor: dict[str, Any], other: dict[str, Any]) -> None:
        with acting_as(app, actor) as user:
            administration.account_page(user, other["id"])  # each has read the other's page
            barrier.wait()
            try:
                administration.change_role(user, other["id"], "manager")
                commit()
                outcomes.append("changed")
            except ChangeRefused as refused:
                rollback()
                outcomes.append(refused.message)

    threads = [threading.Thread(target=demote, args=pair) for pair in ((first, second), (second, first))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes.count("changed") == 1, outcomes
    assert any("is the only administrator of Trust RXA" in outcome for outcome in outcomes)
    roles = {stored_user(app, person["id"])["role"] for person in (first, second)}
    assert roles == {"admin", "manager"}


def test_a_deactivated_person_cannot_sign_in_with_their_organisation_account_either(
    app: Flask, world: World
) -> None:
    from hia_service.data import accounts
    from hia_service.services.accounts.identity import ClaimPolicy, sign_in_with_identity
    from hia_service.services.errors import SignInError

    issuer = "https://login.microsoftonline.com/tenant/v2.0"
    claims = {"sub": "subject-2", "email": world["manager"]["email"], "email_verified": True}
    with acting_as(app, world["manager"]) as user:
        accounts.add_identity(user, issuer, "subject-2")
        assert sign_in_with_identity(claims, ClaimPolicy(issuer)).id == user.id
        administration.deactivate_account(OPERATOR, user.id)
        with pytest.raises(SignInError):
            sign_in_with_identity(claims, ClaimPolicy(issuer))
        rollback()


def test_the_operator_is_the_terminals_login_or_else_the_account_running_the_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import getpass
    import os

    monkeypatch.setattr(os, "getlogin", lambda: "alice.ops")
    assert CommandLine.current() == CommandLine("alice.ops")

    def no_terminal() -> str:
        raise OSError("no controlling terminal")

    monkeypatch.setattr(os, "getlogin", no_terminal)
    monkeypatch.setattr(getpass, "getuser", lambda: "hia-cron")
    assert CommandLine.current() == CommandLine("hia-cron")
