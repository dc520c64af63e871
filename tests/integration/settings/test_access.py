"""Only an organisation's admins reach its settings: every settings route against every role, signed out,
and an admin of another organisation (who sees their own settings, never another organisation's entries)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token_from

ROUTES = [
    ("GET", "/settings/"),
    ("GET", "/settings/population"),
    ("POST", "/settings/population"),
    ("GET", "/settings/details"),
    ("POST", "/settings/details"),
    ("GET", "/settings/api-tokens"),
    ("POST", "/settings/api-tokens"),
    ("GET", "/settings/logo"),
    ("POST", "/settings/logo"),
    ("POST", "/settings/logo/remove"),
    ("GET", "/settings/logo/image"),
    ("GET", "/settings/certificate"),
    ("POST", "/settings/certificate"),
    ("GET", "/settings/lists/directorate"),
    ("POST", "/settings/lists/directorate"),
    ("GET", "/settings/lists/directorate/{choice}"),
    ("POST", "/settings/lists/directorate/{choice}"),
    ("GET", "/settings/framework"),
    ("POST", "/settings/framework"),
]
ROLES = ["manager", "reviewer", "trainer"]


def _choice(app: Flask, org: str) -> int:
    from hia_service.data import accounts
    from hia_service.data.organisation_settings import add_choice
    from hia_service.data.transaction import commit

    with app.app_context():
        organisation = accounts.get_organisation_by_code(org)
        choice = add_choice(organisation.id, "directorate", "Planned care")
        commit()
        return choice.id


def _call(client: FlaskClient, method: str, url: str) -> Any:
    """GET, or POST with a valid CSRF token (taken from the sign-in page), so only the role decides."""
    if method == "GET":
        return client.get(url)
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token})


@pytest.mark.parametrize(("method", "route"), ROUTES)
@pytest.mark.parametrize("role", ROLES)
def test_other_roles_are_forbidden(
    app: Flask, client: FlaskClient, make_user: Any, sign_in: Any, role: str, method: str, route: str
) -> None:
    make_user("admin", org="RXA")
    choice = _choice(app, "RXA")
    sign_in(make_user(role, org="RXA"))
    assert _call(client, method, route.format(choice=choice)).status_code == 403


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_signed_out_people_are_sent_to_sign_in(
    app: Flask, client: FlaskClient, make_user: Any, method: str, route: str
) -> None:
    make_user("admin", org="RXA")
    response = _call(client, method, route.format(choice=_choice(app, "RXA")))
    assert response.status_code in (302, 401)
    if response.status_code == 302:
        assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize(
    ("method", "route"), [r for r in ROUTES if r[0] == "GET" and "logo/image" not in r[1]]
)
def test_admins_reach_every_page(
    app: Flask, client: FlaskClient, make_user: Any, sign_in: Any, method: str, route: str
) -> None:
    admin = make_user("admin", org="RXA")
    choice = _choice(app, "RXA")
    sign_in(admin)
    response = _call(client, method, route.format(choice=choice))
    assert response.status_code == 200, route
    assert "<h1>" in response.get_data(as_text=True)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_another_organisations_admin_does_not_find_our_entries(
    app: Flask, client: FlaskClient, make_user: Any, sign_in: Any, method: str
) -> None:
    make_user("admin", org="RXA")
    ours = _choice(app, "RXA")
    sign_in(make_user("admin", org="RXB"))
    assert _call(client, method, f"/settings/lists/directorate/{ours}").status_code == 404
    page = client.get("/settings/lists/directorate").get_data(as_text=True)
    assert "Planned care" not in page


def test_admins_post_without_a_csrf_token_is_refused(
    client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    sign_in(make_user("admin", org="RXA"))
    assert client.post("/settings/details", data={"name": "Changed"}).status_code == 400


def test_settings_link_is_shown_to_admins_only(client: FlaskClient, make_user: Any, sign_in: Any) -> None:
    sign_in(make_user("admin", org="RXA"))
    assert 'href="/settings/"' in client.get("/admin/users").get_data(as_text=True)


def test_settings_link_is_not_shown_to_managers(client: FlaskClient, make_user: Any, sign_in: Any) -> None:
    sign_in(make_user("manager", org="RXA"))
    assert 'href="/settings/"' not in client.get("/home").get_data(as_text=True)
