"""People change their own password; a password someone else chose (an administrator adding them or
resetting it, or `hia users reset-password --temporary`) must be changed at the next sign-in before any
other page opens, so nobody goes on knowing another person's password."""

from __future__ import annotations

import html as markup
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hia_service.cli import main
from tests.conftest import TEST_PASSWORD, csrf_token_from
from tests.integration.admin.conftest import audit_entries, post_form, sign_in_client, stored_user
from tests.integration.review.conftest import World

SignedIn = Callable[[dict[str, Any]], FlaskClient]
PAGE = "/account/password"
CHOSEN = "correct horse battery staple"


def _text(response: Any) -> str:
    return markup.unescape(response.get_data(as_text=True))


def _change(client: FlaskClient, current: str, new: str, confirm: str | None = None) -> Any:
    data = {
        "current_password": current,
        "new_password": new,
        "confirm_password": new if confirm is None else confirm,
    }
    return post_form(client, PAGE, data)


def _error(html: str, field: str) -> str | None:
    found = re.search(rf'id="{field}-error"[^>]*>\s*<span[^>]*>Error: </span>(.*?)</span>', html, re.S)
    return " ".join(found.group(1).split()) if found else None


def _must_change(app: Flask, user_id: int) -> bool:
    from hia_service.data.accounts import get_user

    with app.app_context():
        user = get_user(user_id)
        assert user is not None
        return user.password_must_change


def _added_by_admin(app: Flask, world: World, signed_in: SignedIn) -> tuple[str, str]:
    admin = signed_in(world["admin"])
    data = {"email": "temp.person@rxa.nhs.uk", "name": "Tem Porary", "role": "manager"}
    shown = _text(post_form(admin, "/admin/users/new", data))
    password = re.search(r'id="new-password">([^<]+)<', shown)
    assert password, shown
    assert "are then asked to choose their own" in shown
    return data["email"], password.group(1)


def test_someone_added_by_an_administrator_must_choose_their_own_password_first(
    app: Flask, world: World, signed_in: SignedIn
) -> None:
    email, given = _added_by_admin(app, world, signed_in)
    client, answer = sign_in_client(app, email, given)
    assert answer.status_code == 302
    for path in ("/home", "/assessments/new", "/account/api-tokens", "/follow-up/"):
        page = client.get(path)
        assert page.status_code == 302 and page.headers["Location"].endswith(PAGE), path
    html = _text(client.get(PAGE))
    assert "<h1>Choose a new password</h1>" in html and "Password you were given" in html
    assert "API tokens</a>" not in html  # the account bar offers nothing that would only bounce back

    wrong = _change(client, "not the password", CHOSEN)
    assert wrong.status_code == 400
    assert _error(_text(wrong), "current_password") == "Your current password is not correct"
    same = _change(client, given, given)
    assert _error(_text(same), "new_password") == "Your new password must be different from your current one"
    short = _change(client, given, "short")
    assert _error(_text(short), "new_password") == "Password must be 12 characters or more"
    unmatched = _change(client, given, CHOSEN, CHOSEN + "!")
    assert (
        _error(_text(unmatched), "confirm_password")
        == "The passwords do not match. Enter your new password again"
    )
    user_id = _user_id(app, email)
    assert _must_change(app, user_id)

    done = _change(client, given, CHOSEN)
    assert done.status_code == 302 and done.headers["Location"].endswith("/home")
    assert client.get("/home").status_code == 200  # still signed in, every page open
    assert not _must_change(app, user_id)
    assert sign_in_client(app, email, given)[1].status_code == 401
    again, answer = sign_in_client(app, email, CHOSEN)
    assert answer.status_code == 302 and again.get("/home").status_code == 200
    events = [(event, details) for event, _, _, details in audit_entries(app, user_id)]
    assert ("password_change_failed", {"reason": "wrong password"}) in events
    assert ("password_changed", {"replaced": "a temporary password"}) in events
    assert given not in str(events) and CHOSEN not in str(events)


def _user_id(app: Flask, email: str) -> int:
    from hia_service.data.accounts import get_user_by_email

    with app.app_context():
        user = get_user_by_email(email)
        assert user is not None
        return user.id


def test_signing_out_still_works_while_a_new_password_is_due(
    app: Flask, world: World, signed_in: SignedIn
) -> None:
    email, given = _added_by_admin(app, world, signed_in)
    client, _ = sign_in_client(app, email, given)
    token = csrf_token_from(client.get(PAGE).get_data(as_text=True))
    out = client.post("/sign-out", data={"csrf_token": token})
    assert out.status_code == 302 and "/sign-in" in out.headers["Location"]
    assert client.get("/home").status_code == 302 and "/sign-in" in client.get("/home").headers["Location"]


def test_a_password_reset_by_an_administrator_is_temporary(
    app: Flask, world: World, signed_in: SignedIn
) -> None:
    manager = world["manager"]
    admin = signed_in(world["admin"])
    shown = _text(post_form(admin, f"/admin/users/{manager['id']}/reset-password"))
    password = re.search(r'id="new-password">([^<]+)<', shown)
    assert password
    assert "Temporary: they choose their own when they next sign in" in _text(
        admin.get(f"/admin/users/{manager['id']}")
    )
    client, _ = sign_in_client(app, manager["email"], password.group(1))
    assert client.get("/home").headers["Location"].endswith(PAGE)
    ((_, _, _, details),) = audit_entries(app, manager["id"], "user_password_reset")
    assert details == {"password": "made by the service", "must_change": True, "tokens_revoked": 0}
    assert _change(client, password.group(1), CHOSEN).status_code == 302
    assert "Temporary" not in _text(admin.get(f"/admin/users/{manager['id']}"))


@pytest.mark.parametrize(("flags", "temporary"), [((), False), (("--temporary",), True)])
def test_the_command_line_makes_a_reset_temporary_only_when_asked(
    app: Flask, world: World, flags: tuple[str, ...], temporary: bool
) -> None:
    manager = world["manager"]
    result = app.test_cli_runner().invoke(
        main, ["users", "reset-password", manager["email"], *flags], input="an operator's choice\n"
    )
    assert result.exit_code == 0, result.output
    assert ("choose their own password" in result.output) is temporary
    assert _must_change(app, manager["id"]) is temporary
    client, answer = sign_in_client(app, manager["email"], "an operator's choice")
    assert answer.status_code == 302
    assert client.get("/home").status_code == (302 if temporary else 200)


def test_changing_your_own_password_signs_out_your_other_sessions_only(
    app: Flask, world: World, signed_in: SignedIn
) -> None:
    manager = world["manager"]
    here, elsewhere = signed_in(manager), signed_in(manager)
    page = _text(here.get(PAGE))
    assert "<h1>Change your password</h1>" in page and "Current password" in page
    assert f'href="{PAGE}"' in _text(here.get("/home"))  # offered in the account bar
    before = stored_user(app, manager["id"])["password_hash"]
    assert _change(here, TEST_PASSWORD, CHOSEN).status_code == 302
    assert here.get("/home").status_code == 200
    assert elsewhere.get("/home").status_code == 302
    assert stored_user(app, manager["id"])["password_hash"] != before
    ((_, actor, _, details),) = audit_entries(app, manager["id"], "password_changed")
    assert actor == manager["id"] and details == {}


def test_a_wrong_current_password_changes_nothing(app: Flask, world: World, signed_in: SignedIn) -> None:
    manager = world["manager"]
    client = signed_in(manager)
    before = stored_user(app, manager["id"])
    answer = _change(client, "a guess at it", CHOSEN)
    assert answer.status_code == 400
    html = _text(answer)
    assert "There is a problem" in html and 'href="#current_password"' in html
    assert stored_user(app, manager["id"]) == before
    assert client.get("/home").status_code == 200


def test_someone_who_signs_in_with_their_organisation_account_has_no_password_to_change(
    app: Flask, world: World, signed_in: SignedIn
) -> None:
    from hia_service.data.accounts import get_user
    from hia_service.data.transaction import commit

    manager = world["manager"]
    client = signed_in(manager)
    with app.app_context():
        user = get_user(manager["id"])
        assert user is not None
        user.password_hash = None
        commit()
    html = _text(client.get(PAGE))
    assert "you do not have a password for this service to change" in html
    assert 'name="new_password"' not in html
    assert f'href="{PAGE}"' not in _text(client.get("/home"))


def test_an_account_that_signs_in_only_through_its_organisation_gets_no_password_from_a_reset(
    app: Flask, world: World, signed_in: SignedIn
) -> None:
    """A password here would get round the organisation's own sign-in checks (multi-factor sign-in, leavers'
    accounts closed centrally)."""
    from hia_service.data.accounts import get_user
    from hia_service.data.transaction import commit

    manager = world["manager"]
    with app.app_context():
        user = get_user(manager["id"])
        assert user is not None
        user.password_hash = None
        commit()
    admin = signed_in(world["admin"])
    page = _text(admin.get(f"/admin/users/{manager['id']}"))
    assert "signs in with their organisation account only, so they have no password here to reset" in page
    assert f'href="/admin/users/{manager["id"]}/reset-password"' not in page
    refused = post_form(
        admin, f"/admin/users/{manager['id']}/reset-password", page=f"/admin/users/{manager['id']}"
    )
    assert refused.status_code == 409
    assert stored_user(app, manager["id"])["password_hash"] is None
    assert audit_entries(app, manager["id"], "user_password_reset") == []


def test_signed_in_pages_are_not_kept_in_the_browsers_cache(
    app: Flask, world: World, signed_in: SignedIn
) -> None:
    client = signed_in(world["manager"])
    for path in ("/home", "/assessments/", PAGE):
        assert client.get(path).headers.get("Cache-Control") == "no-store", path
    assert "no-store" not in (app.test_client().get("/sign-in").headers.get("Cache-Control") or "")
