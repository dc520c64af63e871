"""Addresses the service gives out whole (the Link header of paged lists) come from HIA_BASE_URL, never
from the Host header, which the client writes."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.integration.api.conftest import Api
from tests.integration.review.conftest import World, create_assessment


@pytest.fixture
def two_pages(app: Flask, world: World) -> None:
    for n in range(3):
        create_assessment(app, world["manager"], f"Clinic change {n}", submit=False)


def test_paging_links_never_use_the_host_the_client_sent(api: Api, two_pages: None) -> None:
    answer = api.get("/assessments?page_size=2", "manager", headers={"Host": "evil.example"})
    assert answer.status_code == 200
    assert "evil.example" not in answer.headers["Link"]
    assert "</api/v1/assessments?page_size=2&page=2>" in answer.headers["Link"]  # relative: no base set


def test_paging_links_use_the_configured_base_address(
    app: Flask, api: Api, two_pages: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "HIA_BASE_URL", "https://hia.rxa.nhs.uk/")
    answer = api.get("/assessments?page_size=2", "manager", headers={"Host": "evil.example"})
    assert (
        '<https://hia.rxa.nhs.uk/api/v1/assessments?page_size=2&page=2>; rel="next"' in answer.headers["Link"]
    )
