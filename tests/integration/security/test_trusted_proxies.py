"""Behind a load balancer: the client's address and scheme come from X-Forwarded-* only when
HIA_TRUSTED_PROXIES says how many proxies stand in front, and then only from the hops those proxies wrote."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import TEST_PASSWORD, csrf_token_from
from tests.integration.security.mock_oidc import CLIENT_ID, CLIENT_SECRET, running_provider
from tests.integration.security.test_asvs import _events

BALANCER = "10.0.0.2"  # every request reaches the app from the load balancer's address
WRONG = "wrong-password-123"


def _balanced(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = BALANCER
    return client


def _sign_in(client: FlaskClient, email: str, password: str, forwarded_for: str | None = None) -> Any:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    token = csrf_token_from(client.get("/sign-in", headers=headers).get_data(as_text=True))
    data = {"email": email, "password": password, "csrf_token": token}
    return client.post("/sign-in", data=data, headers=headers)


def _limited(another_app: Any, database_url: str, tmp_path: Path, proxies: int) -> Flask:
    return another_app(database_url, tmp_path, HIA_SIGN_IN_RATE_LIMIT="3/minute", HIA_TRUSTED_PROXIES=proxies)


def test_behind_one_proxy_each_client_has_its_own_sign_in_allowance(
    app: Flask, database_url: str, tmp_path: Path, make_user: Any, another_app: Any
) -> None:
    user = make_user("manager")
    limited = _limited(another_app, database_url, tmp_path, 1)
    guesser = _balanced(limited)
    for _ in range(3):
        assert _sign_in(guesser, user["email"], WRONG, "203.0.113.5").status_code == 401
    refused = _sign_in(guesser, user["email"], TEST_PASSWORD, "203.0.113.5")
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    # Someone else behind the same balancer is not refused because of the guesser.
    colleague = _balanced(limited)
    assert _sign_in(colleague, user["email"], TEST_PASSWORD, "198.51.100.7").status_code == 302
    # The audit log names each client, not the balancer.
    sign_ins = [(kind, details.get("address")) for kind, details in _events(app) if "sign" in kind]
    assert sign_ins == [("sign_in_failed", "203.0.113.5")] * 3 + [("signed_in", "198.51.100.7")]


def test_without_trusted_proxies_a_forwarded_address_is_ignored(
    app: Flask, database_url: str, tmp_path: Path, make_user: Any, another_app: Any
) -> None:
    user = make_user("manager")
    limited = _limited(another_app, database_url, tmp_path, 0)
    client = limited.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.50"
    for n in range(3):  # a new made-up address each time does not buy new tries
        assert _sign_in(client, user["email"], WRONG, f"203.0.113.{n + 10}").status_code == 401
    assert _sign_in(client, user["email"], TEST_PASSWORD, "203.0.113.99").status_code == 429


def test_an_address_the_client_prepends_does_not_escape_the_limit(
    app: Flask, database_url: str, tmp_path: Path, make_user: Any, another_app: Any
) -> None:
    user = make_user("manager")
    limited = _limited(another_app, database_url, tmp_path, 1)
    client = _balanced(limited)
    # The client sends X-Forwarded-For: 6.6.6.n; the balancer appends the address it really came from.
    for n in range(3):
        assert _sign_in(client, user["email"], WRONG, f"6.6.6.{n}, 203.0.113.20").status_code == 401
    assert _sign_in(client, user["email"], TEST_PASSWORD, "6.6.6.99, 203.0.113.20").status_code == 429
    # Two proxies trusted: the second from the right is believed, and still not the client's invention.
    user = make_user("manager")  # a fresh account, so the sign-ins above do not slow this one down
    two = _limited(another_app, database_url, tmp_path, 2)
    behind_cdn = _balanced(two)
    for n in range(3):
        forwarded = f"6.6.6.{n}, 203.0.113.21, 10.0.0.9"  # client's claim, real client, the CDN
        assert _sign_in(behind_cdn, user["email"], WRONG, forwarded).status_code == 401
    forwarded = "6.6.6.99, 203.0.113.21, 10.0.0.9"
    assert _sign_in(behind_cdn, user["email"], TEST_PASSWORD, forwarded).status_code == 429
    colleague = _balanced(two)  # through the same CDN, from another address: not counted with the guesser
    assert _sign_in(colleague, user["email"], TEST_PASSWORD, "198.51.100.8, 10.0.0.9").status_code == 302


def _callback_address(app: Flask, headers: dict[str, str]) -> str:
    """The redirect_uri the app gives the OpenID provider: built from the request's scheme and host."""
    start = _balanced(app).get("/sign-in/organisation-account", headers=headers)
    assert start.status_code == 302
    return parse_qs(urlsplit(start.location).query)["redirect_uri"][0]


def test_the_scheme_comes_from_a_trusted_proxy_and_the_host_is_never_forwarded(
    app: Flask, database_url: str, tmp_path: Path, another_app: Any
) -> None:
    forwarded = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-For": "1.2.3.4",
    }
    with running_provider() as provider:
        oidc = {
            "HIA_OIDC_ISSUER": provider.issuer,
            "HIA_OIDC_DISCOVERY_URL": f"{provider.issuer}/.well-known/openid-configuration",
            "HIA_OIDC_CLIENT_ID": CLIENT_ID,
            "HIA_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        }
        behind = another_app(database_url, tmp_path, HIA_TRUSTED_PROXIES=1, **oidc)
        direct = another_app(database_url, tmp_path, **oidc)
        callback = "hia.test/sign-in/organisation-account/callback"
        # TLS ends at the balancer: the provider must send people back over https, to our own host.
        assert _callback_address(behind, forwarded) == f"https://{callback}"
        assert _callback_address(behind, {}) == f"http://{callback}"
        # With no trusted proxy, a client cannot make the app believe it came over https.
        assert _callback_address(direct, forwarded) == f"http://{callback}"


def test_with_a_base_address_the_callback_ignores_the_host_and_scheme_sent(
    app: Flask, database_url: str, tmp_path: Path, another_app: Any
) -> None:
    with running_provider() as provider:
        oidc = {
            "HIA_OIDC_ISSUER": provider.issuer,
            "HIA_OIDC_DISCOVERY_URL": f"{provider.issuer}/.well-known/openid-configuration",
            "HIA_OIDC_CLIENT_ID": CLIENT_ID,
            "HIA_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        }
        based = another_app(database_url, tmp_path, HIA_BASE_URL="https://hia.rxa.nhs.uk", **oidc)
        forged = {"Host": "evil.example", "X-Forwarded-Proto": "http", "X-Forwarded-Host": "evil.example"}
        expected = "https://hia.rxa.nhs.uk/sign-in/organisation-account/callback"
        assert _callback_address(based, forged) == expected
