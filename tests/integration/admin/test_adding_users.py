"""An organisation's administrator adds a person to their own organisation on the users pages: the person
can sign in at once with the password shown (once, never cached), the addition is audited with the
administrator as its actor, and the rules are `hia users create`'s: a bad or taken email address, a blank
name or an unknown role is refused, field by field, and nothing is added. A taken address gets the same
answer whichever organisation has it, never naming it."""

from __future__ import annotations

import html as markup
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token_from
from tests.integration.admin.conftest import (
    audit_entries,
    organisation_id,
    post_form,
    sign_in_client,
    stored_user,
)
from tests.integration.review.conftest import World

SignedIn = Callable[[dict[str, Any]], FlaskClient]
NEW = "/admin/users/new"
WRONG_FORMAT = "Enter an email address in the correct format, like name@nhs.net"
IN_YOUR_LIST = "Someone in your list of users already has this email address"
CANNOT_USE = (
    "You cannot use this email address for a new account. Check it is typed correctly. If it is, ask the "
    "service's operator for help"
)


def _text(response: Any) -> str:
    return markup.unescape(response.get_data(as_text=True))


def _user_id(app: Flask, email: str) -> int | None:
    from hia_service.data.accounts import get_user_by_email

    with app.app_context():
        user = get_user_by_email(email)
        return user.id if user else None


def _count_users(app: Flask) -> int:
    from sqlalchemy import func, select

    from hia_service.data.models import User
    from hia_service.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User)) or 0


def _add(admin: FlaskClient, **fields: str) -> Any:
    data = {"email": "new.person@rxa.nhs.uk", "name": "Nia Newcomer", "role": "manager", **fields}
    return post_form(admin, NEW, data)


def _field_error(html: str, field: str) -> str | None:
    """The error message shown beside the field, if any."""
    found = re.search(rf'id="{field}-error"[^>]*>\s*<span[^>]*>Error: </span>(.*?)</span>', html, re.S)
    return " ".join(found.group(1).split()) if found else None


def test_an_administrator_adds_a_manager_who_signs_in_with_the_password_shown(
    app: Flask, world: World, signed_in: SignedIn
) -> None:
    admin = signed_in(world["admin"])
    listing = _text(admin.get("/admin/users"))
    assert f'href="{NEW}"' in listing and "Add a user" in listing
    form = _text(admin.get(NEW))
    assert "<h1>Add a user</h1>" in form and "Trust RXA" in form
    for role in ("Manager", "Governance reviewer", "Administrator"):
        assert role in form
    assert "Writes assessments and sends them for review" in form  # each role's hint, as on the role page

    shown = _add(admin, email="  Nia.Newcomer@RXA.nhs.uk ")
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    html = _text(shown)
    assert "User added" in html and "You will not see this password again" in html
    assert "nia.newcomer@rxa.nhs.uk" in html and "Nia Newcomer" in html and "Manager" in html
    found = re.search(r'id="new-password">([^<]+)<', html)
    assert found and re.fullmatch(r"([A-Za-z0-9]{5}-){3}[A-Za-z0-9]{5}", found.group(1))
    password = found.group(1)

    new_id = _user_id(app, "nia.newcomer@rxa.nhs.uk")
    assert new_id is not None
    stored = stored_user(app, new_id)
    assert (stored["organisation"], stored["role"], stored["is_active"]) == ("RXA", "manager", True)
    assert stored["password_hash"] and password not in stored["password_hash"]
    client, answer = sign_in_client(app, "nia.newcomer@rxa.nhs.uk", password)
    assert answer.status_code == 302  # then they choose their own password (test_own_password.py)
    assert client.get("/home").headers["Location"].endswith("/account/password")
    chosen = {
        "current_password": password,
        "new_password": "their own password",
        "confirm_password": "their own password",
    }
    assert post_form(client, "/account/password", chosen).status_code == 302
    assert client.get("/admin/users").status_code == 403  # a manager, not an administrator

    ((_, actor, org, details),) = audit_entries(app, new_id, "user_created")
    assert (actor, org) == (world["admin"]["id"], organisation_id(app, "RXA"))
    assert details == {"role": "manager", "password": "made by the service"}
    assert password not in str(audit_entries(app, new_id))
    assert "Nia Newcomer" in _text(admin.get("/admin/users"))


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "not-an-address"}, "email", WRONG_FORMAT),
        ({"email": "a@b"}, "email", WRONG_FORMAT),
        # a control character is not quietly taken out, making an account for an address nobody typed
        ({"email": "new.per\x00son@rxa.nhs.uk"}, "email", WRONG_FORMAT),
        ({"email": "  "}, "email", "Enter their email address"),
        ({"name": "   "}, "name", "Enter their full name"),
        ({"name": "x" * 201}, "name", "Full name must be 200 characters or fewer"),
        ({"role": ""}, "role", "Select a role"),
        ({"role": "boss"}, "role", "Unknown role 'boss'. Choose one of: manager, reviewer"),
    ],
)
def test_a_bad_field_is_refused_beside_it_and_nothing_is_added(
    app: Flask, world: World, signed_in: SignedIn, fields: dict[str, str], field: str, message: str
) -> None:
    admin = signed_in(world["admin"])
    before = _count_users(app)
    refused = _add(admin, **fields)
    html = _text(refused)
    assert refused.status_code == 400 and "There is a problem" in html and "<title>Error: " in html
    assert f'href="#{field}"' in html  # the summary links to the field
    shown = _field_error(html, field)
    assert shown and message in shown, html
    assert "new-password" not in html
    assert _count_users(app) == before


def test_every_problem_is_shown_at_once_and_nothing_typed_is_lost(
    app: Flask, world: World, signed_in: SignedIn
) -> None:
    admin = signed_in(world["admin"])
    refused = _add(admin, email="nia@", name="", role="reviewer")
    html = _text(refused)
    assert refused.status_code == 400
    assert 'href="#email"' in html and 'href="#name"' in html and 'href="#role"' not in html
    assert 'value="nia@"' in html  # what they typed stays
    assert re.search(r'<input[^>]*value="reviewer"[^>]*checked', html)
    refused = _add(admin, email="nia@rxa.nhs.uk", name="Nia Newcomer", role="")
    html = _text(refused)
    assert 'value="nia@rxa.nhs.uk"' in html and 'value="Nia Newcomer"' in html
    assert 'href="#role"' in html and 'href="#email"' not in html
    assert _user_id(app, "nia@rxa.nhs.uk") is None


@pytest.mark.parametrize(("whose", "message"), [("manager", IN_YOUR_LIST), ("other_manager", CANNOT_USE)])
def test_a_taken_address_never_says_it_has_an_account_in_another_organisation(
    app: Flask, world: World, signed_in: SignedIn, whose: str, message: str
) -> None:
    """One of the administrator's own users is named as such (they see that list anyway); another
    organisation's address only "cannot be used": nothing says it has an account, or where."""
    existing = world[whose]
    before = stored_user(app, existing["id"])
    count = _count_users(app)
    admin = signed_in(world["admin"])
    refused = _add(admin, email=existing["email"].upper(), name="Someone Else", role="admin")
    html = _text(refused)
    assert refused.status_code == 409 and _field_error(html, "email") == message
    assert "Trust RYB" not in html and existing["name"] not in html  # nor whose it is, nor where
    assert "already an account" not in html and "move it" not in html
    assert 'value="Someone Else"' in html
    assert _count_users(app) == count and stored_user(app, existing["id"]) == before


@pytest.mark.parametrize("role", ["manager", "reviewer"])
def test_only_administrators_add_people(app: Flask, world: World, signed_in: SignedIn, role: str) -> None:
    someone = signed_in(world[role])
    token = csrf_token_from(_text(someone.get("/home")))
    count = _count_users(app)
    assert someone.get(NEW).status_code == 403
    data = {"email": "sneaky@rxa.nhs.uk", "name": "Sneaky", "role": "admin", "csrf_token": token}
    assert someone.post(NEW, data=data).status_code == 403
    assert _count_users(app) == count


def test_adding_needs_the_forms_csrf_token(app: Flask, world: World, signed_in: SignedIn) -> None:
    admin = signed_in(world["admin"])
    count = _count_users(app)
    data = {"email": "nia@rxa.nhs.uk", "name": "Nia", "role": "manager"}
    refused = admin.post(NEW, data=data)
    assert refused.status_code == 400
    assert "This page had expired, so what you sent was not saved" in _text(refused)
    assert admin.post(NEW, data={**data, "csrf_token": "forged"}).status_code == 400
    assert _count_users(app) == count


def test_a_person_is_added_to_the_administrators_own_organisation(
    app: Flask, world: World, signed_in: SignedIn
) -> None:
    """Another organisation's administrator adds to theirs; nothing in the form can choose another."""
    outsider = signed_in(world["other_admin"])
    shown = post_form(
        outsider,
        NEW,
        {"email": "ryb.person@ryb.nhs.uk", "name": "R Person", "role": "reviewer", "org": "RXA"},
    )
    assert shown.status_code == 200
    new_id = _user_id(app, "ryb.person@ryb.nhs.uk")
    assert new_id is not None and stored_user(app, new_id)["organisation"] == "RYB"
    admin = signed_in(world["admin"])
    assert "ryb.person@ryb.nhs.uk" not in _text(admin.get("/admin/users"))
