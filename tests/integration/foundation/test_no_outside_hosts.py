"""Nothing is fetched from a host the settings do not name (issue 24, item 3): every script, stylesheet,
image and font a page or its CSS asks for comes from the service itself, except the NHS web font from
HIA_FONT_HOST; with HIA_FONT_HOST empty, nothing at all comes from elsewhere."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

FETCHED = re.compile(r"<(?:script|img|link|source|iframe|embed)\b[^>]*?\b(?:src|href)=\"([^\"]+)\"", re.I)
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")
PAGES = ["/", "/sign-in", "/home", "/assessments", "/assessments/new", "/no-such-page"]


def fetched_hosts(client: FlaskClient, paths: list[str]) -> dict[str, set[str]]:
    """Host -> the resources that pages (and the stylesheets and scripts they load) fetch from it."""
    seen: dict[str, set[str]] = {}
    queue, visited = [f"http://hia.test{p}" for p in paths], set()
    while queue:
        url = queue.pop()
        if url in visited:
            continue
        visited.add(url)
        parts = urlsplit(url)
        if parts.hostname != "hia.test":
            seen.setdefault(parts.hostname or "", set()).add(url)
            continue
        response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        body = response.get_data(as_text=True) if response.mimetype in ("text/html", "text/css") else ""
        response.close()
        found = (CSS_URL if response.mimetype == "text/css" else FETCHED).findall(body)
        for link in found:
            if not link.startswith("data:"):
                queue.append(urljoin(url, link.replace("&amp;", "&")))
    return seen


@pytest.fixture
def signed_in_client(client: FlaskClient, make_user: Any, sign_in: Any) -> FlaskClient:
    sign_in(make_user("manager"))
    return client


def test_pages_fetch_only_from_the_service_and_the_font_host(signed_in_client: FlaskClient) -> None:
    hosts = fetched_hosts(signed_in_client, PAGES)
    assert set(hosts) == {"assets.nhs.uk"}, hosts  # HIA_FONT_HOST's default: the design system's own
    assert all("/fonts/" in url for url in hosts["assets.nhs.uk"])


def test_with_no_font_host_nothing_comes_from_elsewhere(
    app: Flask, signed_in_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "HIA_FONT_HOST", None)
    assert fetched_hosts(signed_in_client, PAGES) == {}
    css = signed_in_client.get("/nhsuk/nhsuk-frontend.min.css")
    assert css.status_code == 200 and "@font-face" not in css.get_data(as_text=True)
    assert "Frutiger W01" in css.get_data(as_text=True)  # the font stack stays; browsers fall back to Arial
    policy = css.headers["Content-Security-Policy"]
    assert "font-src 'self';" in policy + ";" and "assets.nhs.uk" not in policy


def test_another_font_host_is_named_in_the_stylesheet_and_the_policy(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "HIA_FONT_HOST", "https://fonts.example.nhs.uk")
    response = client.get("/sign-in")
    assert "font-src 'self' https://fonts.example.nhs.uk" in response.headers["Content-Security-Policy"]
    assert set(fetched_hosts(client, ["/sign-in"])) == {"fonts.example.nhs.uk"}


def test_a_font_host_that_is_not_an_https_address_is_refused() -> None:
    from pydantic import ValidationError

    from hia_service.config import Settings

    for wrong in ("assets.nhs.uk", "http://assets.nhs.uk", "https://assets.nhs.uk/fonts"):
        with pytest.raises(ValidationError, match="HIA_FONT_HOST must be an https address"):
            Settings(font_host=wrong)
    assert Settings(font_host="").flask_config()["HIA_FONT_HOST"] is None
