"""Every page's URL fuzzed: each GET route in the URL map (routes added later are fuzzed automatically), its
path parameters filled with real ids, ids beyond a database integer and random text, and random query strings
(filters, dates, paging, search, next, return_to). A signed-in reviewer never gets a 500, and nothing is
changed by looking."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import example, given
from hypothesis import strategies as st

from hia_service import create_app
from tests.fuzz_counts import fuzz_settings, tried
from tests.integration.review import conftest as review_fixtures

login = review_fixtures.login
world = review_fixtures.world
make_assessment = review_fixtures.make_assessment


def _get_routes() -> list[str]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ())
        and not rule.rule.startswith(("/api/", "/nhsuk", "/assets", "/static"))
    )


ROUTES = _get_routes()
ids = st.sampled_from([1, 2, 3, 0, 2_147_483_647, 2_147_483_648, 99_999_999_999, 10**30]) | st.integers(0, 50)
texts = st.sampled_from(["directorate", "HIA-2026-0001", "proposal", "..", "%00", "a" * 500]) | st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="/?#"), min_size=1, max_size=12
)
QUERY_KEYS = [
    "q", "next", "from", "to", "show", "org", "again", "page", "status", "rating", "directorate",
    "decision_from-day", "decision_from-month", "decision_from-year", "decision_to-year", "return_to",
    "state", "code", "error",
]  # fmt: skip
query_values = st.sampled_from(
    ["", "1", "-1", "99999999999", "1e308", "NaN", "//evil.example", "https://evil.example/", "/home", "all"]
) | st.text(max_size=20)
queries = st.lists(st.tuples(st.sampled_from(QUERY_KEYS), query_values), max_size=4)


@st.composite
def urls(draw: st.DrawFn) -> str:
    rule = draw(st.sampled_from(ROUTES))

    def fill(match: re.Match[str]) -> str:
        converter = match.group(1)
        return str(draw(ids)) if converter == "int" else quote(draw(texts), safe="")

    path = re.sub(r"<(?:(\w+):)?\w+>", fill, rule)
    query = draw(queries)
    return f"{path}?{urlencode(query)}" if query else path


def test_fuzzed_urls_never_fail(
    app: Flask, client: FlaskClient, world: Any, login: Any, make_assessment: Any
) -> None:
    from sqlalchemy import func, select

    from hia_service.extensions import db

    make_assessment(world["manager"])
    login(world["reviewer"])

    def rows() -> dict[str, int]:
        with app.app_context():
            return {
                t.name: db.session.scalar(select(func.count()).select_from(t)) or 0
                for t in db.metadata.sorted_tables
                if t.name != "audit_events"  # signing in and downloads are audited: reading may add those
            }

    before = rows()

    @fuzz_settings(150)
    @given(url=urls())
    # Found by this test: an id past PostgreSQL's integer in a page's URL was a 500 (the database refused it).
    @example(url="/review/99999999999")
    @example(url="/verify/HIA-2026-0001/2147483648")
    # And the area map with no reference data loaded (tests run in random order) was a 500, not the 503.
    @example(url="/assessments/1/area/map.png")
    def visit(url: str) -> None:
        tried("page: GET with fuzzed path and query")
        response = client.get(url)
        assert response.status_code < 500 or _documented_503(response), (url, response.status_code)
        assert b"Traceback" not in response.get_data()

    visit()
    assert rows() == before


def _documented_503(response: Any) -> bool:
    """What the service promises while no reference data is loaded (the test database has none, unless an
    earlier test in this random order loaded it)."""
    return response.status_code == 503 and b"No reference data is loaded yet" in response.get_data()


def test_the_area_map_without_reference_data_is_a_503_with_the_reason(
    client: FlaskClient, world: Any, login: Any, make_assessment: Any, monkeypatch: Any
) -> None:
    from hia_service.geography import ReferenceDataNotLoadedError
    from hia_service.services.areas import engine as geography

    def not_loaded() -> Any:
        raise ReferenceDataNotLoadedError(
            "No reference data is loaded yet. An administrator needs to run it."
        )

    monkeypatch.setattr(geography, "engine", not_loaded)  # as on a server before `hia reference load`
    assessment = make_assessment(world["manager"])
    login(world["manager"])
    response = client.get(f"/assessments/{assessment}/area/map.png")
    assert response.status_code == 503
    assert b"No reference data is loaded yet" in response.get_data()
