"""GET /api/v1/assessments with thousands of rows: filtered, counted and paged by the database."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask

from tests.integration.api.conftest import Api
from tests.integration.review.conftest import World, add_many_assessments

QUEUE = {"submitted", "in_review", "returned", "approved", "decision_recorded"}


@pytest.fixture
def many(app: Flask, world: World) -> list[dict[str, Any]]:
    return add_many_assessments(app, world, 3000)


def _visible_to_reviewer(rows: list[dict[str, Any]], world: World, *, training: bool = False) -> list[int]:
    reviewer = world["reviewer"]["id"]
    home = [r for r in rows if r["author_id"] != world["other_manager"]["id"]]
    seen = [
        r
        for r in home
        if r["is_training"] is training
        and (r["author_id"] == reviewer or (not training and r["status"] in QUEUE))
    ]
    return [r["id"] for r in sorted(seen, key=lambda r: (r["updated_at"], r["id"]), reverse=True)]


def test_walking_every_page_lists_each_visible_assessment_once_in_order(
    api: Api, world: World, many: list[dict[str, Any]]
) -> None:
    expected = _visible_to_reviewer(many, world)
    first = api.get("/assessments?page_size=100", as_="reviewer")
    meta = json.loads(first.headers["X-Pagination"])
    assert meta["total"] == len(expected) > 2000 and meta["total_pages"] == -(-len(expected) // 100)
    seen = [a["id"] for a in first.json]
    for page in range(2, meta["total_pages"] + 1):
        response = api.get(f"/assessments?page_size=100&page={page}", as_="reviewer")
        assert response.status_code == 200 and json.loads(response.headers["X-Pagination"])["page"] == page
        seen += [a["id"] for a in response.json]
    assert seen == expected  # nothing missed, nothing twice, rows changed at the same instant kept in order
    assert 'rel="last"' in first.headers["Link"] and 'rel="prev"' not in first.headers["Link"]


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        ("status=returned", lambda r: r["status"] == "returned"),
        ("search=SUNDAY", lambda r: "Sunday" in r["title"]),
        (
            "search=hia-2026-02&status=draft",
            lambda r: r["reference"].startswith("HIA-2026-02") and r["status"] == "draft",
        ),
    ],
)
def test_filters_run_before_paging(
    api: Api, world: World, many: list[dict[str, Any]], query: str, keep: Any
) -> None:
    by_id = {r["id"]: r for r in many}
    expected = [i for i in _visible_to_reviewer(many, world) if keep(by_id[i])]
    response = api.get(f"/assessments?{query}&page=2&page_size=7", as_="reviewer")
    assert response.status_code == 200, response.json
    assert json.loads(response.headers["X-Pagination"])["total"] == len(expected) > 7
    assert [a["id"] for a in response.json] == expected[7:14]


def test_training_lists_only_your_own_practice(api: Api, world: World, many: list[dict[str, Any]]) -> None:
    expected = _visible_to_reviewer(many, world, training=True)
    response = api.get("/assessments?training=true&page_size=100", as_="reviewer")
    assert [a["id"] for a in response.json] == expected[:100] and len(expected) > 0
    assert json.loads(response.headers["X-Pagination"])["total"] == len(expected)


def test_a_manager_sees_only_their_own(api: Api, world: World, many: list[dict[str, Any]]) -> None:
    mine = [r for r in many if r["author_id"] == world["manager"]["id"] and not r["is_training"]]
    response = api.get("/assessments?page_size=1", as_="manager")
    assert json.loads(response.headers["X-Pagination"])["total"] == len(mine)


def test_a_page_past_the_last_is_a_clear_problem(api: Api, world: World, many: list[dict[str, Any]]) -> None:
    pages = -(-len(_visible_to_reviewer(many, world)) // 100)
    response = api.get(f"/assessments?page_size=100&page={pages + 1}", as_="reviewer")
    assert response.status_code == 400 and response.content_type == "application/problem+json"
    assert response.json["detail"] == f"There is no page {pages + 1}: the last page is {pages}."
    assert response.json["errors"] == {"page": [response.json["detail"]]}


@pytest.mark.parametrize("query", ["page=0", "page=-3", "page=x", "page_size=101", "page_size=0"])
def test_page_numbers_and_sizes_out_of_range_are_refused(api: Api, query: str) -> None:
    response = api.get(f"/assessments?{query}", as_="reviewer")
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    assert set(response.json["errors"]["query"]) <= {"page", "page_size"}


def test_an_empty_list_has_a_first_page(api: Api) -> None:
    response = api.get("/assessments?status=approved", as_="manager2")
    assert response.status_code == 200 and response.json == []
    assert json.loads(response.headers["X-Pagination"])["total"] == 0


def test_the_paging_is_documented(app: Flask) -> None:
    with app.app_context():
        spec = app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    operation = spec["paths"]["/api/v1/assessments"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"page", "page_size", "status", "search", "training"} <= names
    assert {"X-Pagination", "Link"} <= set(operation["responses"]["200"]["headers"])
    assert "400" in operation["responses"]
