"""Security headers on every kind of response, and the CSP nonce that the page's inline script carries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.conftest import make_test_app

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
STRICT_DIRECTIVES = [
    "default-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
]
SCRIPT_SRC = re.compile(r"(?:^|; )script-src 'self' 'nonce-([A-Za-z0-9_-]{20,})'(?:;|$)")
INLINE_SCRIPT_NONCE = re.compile(r'<script nonce="([^"]+)">document\.body\.className')


def _directives(policy: str) -> list[str]:
    return [part.strip() for part in policy.split(";")]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/sign-in",
        "/home",
        "/healthz",
        "/no-such-page",
        "/nhsuk/nhsuk-frontend.min.css",
        "/static/init.js",
    ],
)
def test_every_response_carries_the_security_headers(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    response.close()  # static files are streamed from an open file
    for name, value in EXPECTED.items():
        assert response.headers[name] == value
    permissions = response.headers["Permissions-Policy"]
    assert {"camera=()", "microphone=()", "geolocation=()"} <= set(permissions.split(", "))
    policy = response.headers["Content-Security-Policy"]
    assert set(STRICT_DIRECTIVES) <= set(_directives(policy))
    assert SCRIPT_SRC.search(policy)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "Strict-Transport-Security" not in response.headers  # HIA_ENV=testing is plain HTTP


def test_the_inline_script_carries_this_responses_nonce(client: FlaskClient) -> None:
    nonces = []
    for _ in range(2):
        response = client.get("/sign-in")
        header = SCRIPT_SRC.search(response.headers["Content-Security-Policy"])
        inline = INLINE_SCRIPT_NONCE.search(response.get_data(as_text=True))
        assert header and inline
        assert inline.group(1) == header.group(1)
        nonces.append(header.group(1))
    assert nonces[0] != nonces[1]


def test_every_script_element_is_either_external_or_nonced(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts
    assert all(" src=" in tag or " nonce=" in tag for tag in scripts), scripts


def test_error_pages_carry_the_headers_too(client: FlaskClient) -> None:
    response = client.post("/sign-in", data={})  # no CSRF token: refused with an error page
    assert response.status_code == 400
    assert SCRIPT_SRC.search(response.headers["Content-Security-Policy"])
    assert response.headers["X-Frame-Options"] == "DENY"


def test_production_adds_strict_transport_security(tmp_path: Path) -> None:
    app = make_test_app(f"sqlite:///{tmp_path / 'p.sqlite3'}", tmp_path, HIA_ENV="production")
    response = app.test_client().get("/")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert SCRIPT_SRC.search(response.headers["Content-Security-Policy"])
