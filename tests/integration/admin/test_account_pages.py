"""An organisation's administrator deactivates, reactivates, resets the password of and changes the role of
its people's accounts on the users pages: each change takes effect at once (sessions, sign-in, API tokens,
what the person may open), is audited, needs the form's CSRF token, and never reaches another organisation's
account or the administrator's own."""

from __future__ import annotations

import html as markup
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import TEST_PASSWORD, csrf_token_from
from tests.integration.admin.conftest import (
    api_status,
    audit_entries,
    organisation_id,
    post_form,
    sign_in_client,
    stored_user,
)
from tests.integration.review.conftest import World

SignedIn = Callable[[dict[str, Any]], FlaskClient]
BAD_CREDENTIALS = "Enter a correct email address and password"


def _text(response: Any) -> str:
    """The page as a person reads it (apostrophes and all)."""
    return markup.unescape(response.get_data(as_text=True))


def _h1(response: Any) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", _text(response), re.S)
    assert found, "no h1"
    return " ".join(found.group(1).split())


def _deactivate(admin: FlaskClient, user_id: int) -> Any:
    return post_form(admin, f"/admin/users/{user_id}/deactivate")


# --- deactivating and reactivating ---------------------------------------------------------------------


def test_deactivating_ends_the_session_refuses_sign_in_and_revokes_tokens(
    app: Flask, world: World, signed_in: SignedIn, token_for: Callable[[dict[str, Any]], str]
) -> None:
    manager = world["manager"]
    theirs = signed_in(manager)
    token = token_for(manager)
    assert theirs.get("/home").status_code == 200 and api_status(theirs, token) == 200
    admin = signed_in(world["admin"])

    page = admin.get(f"/admin/users/{manager['id']}")
    assert 'href="/admin/users/{}/deactivate"'.format(manager["id"]) in _text(page)
    confirm = admin.get(f"/admin/users/{manager['id']}/deactivate")
    assert confirm.status_code == 200
    assert _h1(confirm) == f"Are you sure you want to deactivate {manager['name']}'s account?"
    done = _deactivate(admin, manager["id"])
    assert done.status_code == 302 and done.location == f"/admin/users/{manager['id']}"
    shown = _text(admin.get(done.location))
    assert f"{manager['name']}'s account has been deactivated" in shown
    assert "Reactivate account" in shown and "Deactivated" in shown

    ended = theirs.get("/home")  # the session they had open is over at once
    assert ended.status_code == 302 and "/sign-in" in ended.location
    assert api_status(app.test_client(), token) == 401  # and so is their token
    _, again = sign_in_client(app, manager["email"])  # with their right password: told why, to ask
    assert again.status_code == 401 and "Your account has been deactivated" in _text(again)
    _, guess = sign_in_client(app, manager["email"], "a wrong password here")  # a guess learns nothing
    assert guess.status_code == 401 and BAD_CREDENTIALS in _text(guess)
    assert "deactivated" not in _text(guess)
    assert stored_user(app, manager["id"])["is_active"] is False
    ((_, actor, org, details),) = audit_entries(app, manager["id"], "user_deactivated")
    assert (actor, org, details) == (world["admin"]["id"], organisation_id(app, "RXA"), {"tokens_revoked": 1})


def test_reactivating_lets_them_sign_in_again_but_old_sessions_and_tokens_stay_ended(
    app: Flask, world: World, signed_in: SignedIn, token_for: Callable[[dict[str, Any]], str]
) -> None:
    manager = world["manager"]
    theirs = signed_in(manager)
    token = token_for(manager)
    admin = signed_in(world["admin"])
    _deactivate(admin, manager["id"])

    done = post_form(admin, f"/admin/users/{manager['id']}/reactivate", page=f"/admin/users/{manager['id']}")
    assert done.status_code == 302
    assert f"{manager['name']}'s account has been reactivated" in _text(admin.get(done.location))
    assert theirs.get("/home").status_code == 302  # the session from before stays ended
    assert api_status(app.test_client(), token) == 401  # so does the token: they make a new one
    client, answer = sign_in_client(app, manager["email"])
    assert answer.status_code == 302 and client.get("/home").status_code == 200
    events = [entry[0] for entry in audit_entries(app, manager["id"]) if entry[0].startswith("user_")]
    assert events == ["user_deactivated", "user_reactivated"]


def test_the_deactivate_button_asks_first_and_going_back_changes_nothing(
    app: Flask, world: World, signed_in: SignedIn
) -> None:
    manager = world["manager"]
    admin = signed_in(world["admin"])
    html = _text(admin.get(f"/admin/users/{manager['id']}/deactivate"))
    assert "Yes, deactivate account" in html and f'href="/admin/users/{manager["id"]}">No, go back' in html
    assert stored_user(app, manager["id"])["is_active"] is True
    assert audit_entries(app, manager["id"], "user_deactivated") == []


# --- resetting a password ------------------------------------------------------------------------------


def test_a_reset_password_is_shown_once_works_and_the_old_one_does_not(
    app: Flask, world: World, signed_in: SignedIn, token_for: Callable[[dict[str, Any]], str]
) -> None:
    manager = world["manager"]
    theirs = signed_in(manager)
    token = token_for(manager)  # made by whoever knew the old password, perhaps
    assert api_status(theirs, token) == 200
    admin = signed_in(world["admin"])
    confirm = admin.get(f"/admin/users/{manager['id']}/reset-password")
    assert _h1(confirm) == f"Are you sure you want to reset {manager['name']}'s password?"
    assert "their API tokens stop working" in _text(confirm)

    shown = post_form(admin, f"/admin/users/{manager['id']}/reset-password")
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    html = _text(shown)
    found = re.search(r'id="new-password">([^<]+)<', html)
    assert found and "You will not see this password again" in html
    password = found.group(1)
    assert re.fullmatch(r"([A-Za-z0-9]{5}-){3}[A-Za-z0-9]{5}", password)
    assert "has been signed out and their API tokens have been revoked" in html

    assert theirs.get("/home").status_code == 302  # signed out everywhere
    assert api_status(app.test_client(), token) == 401  # and the token made before no longer works
    _, old = sign_in_client(app, manager["email"], TEST_PASSWORD)
    assert old.status_code == 401
    client, new = sign_in_client(app, manager["email"], password)
    assert new.status_code == 302  # and they choose their own before anything else (test_own_password.py)
    assert client.get("/home").headers["Location"].endswith("/account/password")
    ((_, actor, _, details),) = audit_entries(app, manager["id"], "user_password_reset")
    assert actor == world["admin"]["id"] and details == {
        "password": "made by the service",
        "must_change": True,
        "tokens_revoked": 1,
    }
    assert password not in str(audit_entries(app, manager["id"]))


def test_two_resets_give_two_different_passwords(app: Flask, world: World, signed_in: SignedIn) -> None:
    admin = signed_in(world["admin"])
    url = f"/admin/users/{world['manager']['id']}/reset-password"
    shown = [_text(post_form(admin, url)) for _ in range(2)]
    passwords = {re.findall(r'id="new-password">([^<]+)<', html)[0] for html in shown}
    assert len(passwords) == 2


# --- changing a role -----------------------------------------------------------------------------------


def test_a_role_change_takes_effect_on_the_next_page(app: Flask, world: World, signed_in: SignedIn) -> None:
    manager = world["manager"]
    theirs = signed_in(manager)
    assert theirs.get("/review/").status_code == 403  # a manager has no review queue
    admin = signed_in(world["admin"])
    form = admin.get(f"/admin/users/{manager['id']}/role")
    assert _h1(form) == f"What role should {manager['name']} have?"

    done = post_form(admin, f"/admin/users/{manager['id']}/role", {"role": "reviewer"})
    assert done.status_code == 302 and done.location == f"/admin/users/{manager['id']}"
    assert "role has been changed to governance reviewer" in _text(admin.get(done.location))
    assert theirs.get("/review/").status_code == 200  # the same session, now a reviewer's
    assert stored_user(app, manager["id"])["role"] == "reviewer"
    ((_, actor, _, details),) = audit_entries(app, manager["id"], "user_role_changed")
    assert actor == world["admin"]["id"]
    assert details == {"before": "manager", "after": "reviewer", "tokens_revoked": 0}


def test_a_role_change_reaches_the_api_at_once(
    app: Flask, world: World, signed_in: SignedIn, token_for: Callable[[dict[str, Any]], str]
) -> None:
    """This process remembers each token's check for a few seconds, role and all: a role change forgets it."""
    manager = world["manager"]
    token = token_for(manager)
    client = app.test_client()

    def start_review() -> int:
        headers = {"Authorization": f"Bearer {token}"}
        url = "/api/v1/assessments/999999/review/start"
        return client.post(url, json={"lock_version": 1}, headers=headers).status_code

    assert start_review() == 403  # a manager may not review
    admin = signed_in(world["admin"])
    post_form(admin, f"/admin/users/{manager['id']}/role", {"role": "reviewer"})
    assert start_review() == 404  # a reviewer may: there is no such assessment


@pytest.mark.parametrize(
    ("role", "message"),
    [("", "Select a role"), ("boss", "Unknown role 'boss'. Choose one of: manager, reviewer")],
)
def test_a_missing_or_unknown_role_is_refused_with_the_reason(
    app: Flask, world: World, signed_in: SignedIn, role: str, message: str
) -> None:
    admin = signed_in(world["admin"])
    refused = post_form(admin, f"/admin/users/{world['manager']['id']}/role", {"role": role})
    html = _text(refused)
    assert refused.status_code == 400 and "There is a problem" in html and message in html
    assert "<title>Error: " in html
    assert stored_user(app, world["manager"]["id"])["role"] == "manager"


# --- the rules -----------------------------------------------------------------------------------------


def test_an_administrator_cannot_change_their_own_account(
    app: Flask, world: World, signed_in: SignedIn
) -> None:
    me = world["admin"]
    admin = signed_in(me)
    page = _text(admin.get(f"/admin/users/{me['id']}"))
    assert (
        "This is your own account. To deactivate it, reset its password or change its role, ask another"
        in page
    )
    assert "Deactivate account" not in page and "Reset password" not in page and ">Change<" not in page
    deactivate = post_form(admin, f"/admin/users/{me['id']}/deactivate", page=f"/admin/users/{me['id']}")
    assert deactivate.status_code == 403
    assert "You cannot deactivate your own account" in _text(deactivate)
    demote = post_form(
        admin, f"/admin/users/{me['id']}/role", {"role": "manager"}, page=f"/admin/users/{me['id']}"
    )
    assert demote.status_code == 403
    reset = post_form(admin, f"/admin/users/{me['id']}/reset-password", page=f"/admin/users/{me['id']}")
    assert reset.status_code == 403
    assert admin.get(f"/admin/users/{me['id']}/deactivate").status_code == 403
    assert stored_user(app, me["id"])["is_active"] is True and stored_user(app, me["id"])["role"] == "admin"
    assert admin.get("/admin/users").status_code == 200  # still signed in, still an administrator
    assert audit_entries(app, me["id"], "user_deactivated") == []


def test_demoting_the_other_admin_leaves_one_who_cannot_then_demote_themselves(
    app: Flask, world: World, signed_in: SignedIn
) -> None:
    """An organisation can never lose its last administrator through these pages."""
    admin = signed_in(world["admin"])
    assert (
        post_form(admin, f"/admin/users/{world['admin2']['id']}/role", {"role": "manager"}).status_code == 302
    )
    other = signed_in(world["admin2"])
    assert other.get("/admin/users").status_code == 403  # no longer an administrator
    page = _text(admin.get(f"/admin/users/{world['admin']['id']}"))
    assert "This is your own account" in page and ">Change<" not in page


def test_another_organisations_admin_finds_nothing_and_changes_nothing(
    app: Flask, world: World, signed_in: SignedIn
) -> None:
    manager = world["manager"]
    before = stored_user(app, manager["id"])
    outsider = signed_in(world["other_admin"])
    token = csrf_token_from(_text(outsider.get("/admin/users")))
    base = f"/admin/users/{manager['id']}"
    for url in (base, f"{base}/deactivate", f"{base}/reset-password", f"{base}/role"):
        assert outsider.get(url).status_code == 404, url
    for url, data in (
        (f"{base}/deactivate", {}),
        (f"{base}/reactivate", {}),
        (f"{base}/reset-password", {}),
        (f"{base}/role", {"role": "admin"}),
    ):
        assert outsider.post(url, data={**data, "csrf_token": token}).status_code == 404, url
    assert stored_user(app, manager["id"]) == before
    assert audit_entries(app, manager["id"]) == []
    assert manager["email"] not in _text(outsider.get("/admin/users"))


@pytest.mark.parametrize("action", ["deactivate", "reactivate", "reset-password", "role"])
def test_every_change_needs_the_forms_csrf_token(
    app: Flask, world: World, signed_in: SignedIn, action: str
) -> None:
    manager = world["manager"]
    before = stored_user(app, manager["id"])
    admin = signed_in(world["admin"])
    refused = admin.post(f"/admin/users/{manager['id']}/{action}", data={"role": "admin"})
    assert refused.status_code == 400
    assert "This page had expired, so what you sent was not saved" in _text(refused)
    forged = admin.post(
        f"/admin/users/{manager['id']}/{action}", data={"role": "admin", "csrf_token": "forged"}
    )
    assert forged.status_code == 400
    assert stored_user(app, manager["id"]) == before
    assert audit_entries(app, manager["id"]) == []


@pytest.mark.parametrize("role", ["manager", "reviewer"])
def test_only_administrators_manage_accounts(
    app: Flask, world: World, signed_in: SignedIn, role: str
) -> None:
    someone = signed_in(world[role])
    token = csrf_token_from(_text(someone.get("/home")))
    target = world["admin2"]["id"]
    assert someone.get(f"/admin/users/{target}/deactivate").status_code == 403
    assert someone.post(f"/admin/users/{target}/deactivate", data={"csrf_token": token}).status_code == 403
    assert stored_user(app, target)["is_active"] is True


def test_the_users_list_shows_each_accounts_status(app: Flask, world: World, signed_in: SignedIn) -> None:
    admin = signed_in(world["admin"])
    _deactivate(admin, world["manager"]["id"])
    html = _text(admin.get("/admin/users"))
    row = re.search(rf"{re.escape(world['manager']['email'])}.*?</tr>", html, re.S)
    assert row and "Deactivated" in row.group(0)
    row = re.search(rf"{re.escape(world['reviewer']['email'])}.*?</tr>", html, re.S)
    assert row and "Active" in row.group(0)
