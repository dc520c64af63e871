"""The review queue with thousands of assessments: counted, filtered and paged by the database, every row
reachable, none repeated, and the page links keep the filters."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from tests.integration.review.conftest import World, acting_as, add_many_assessments

COUNT = 3000
QUEUE = {"submitted", "in_review", "returned", "approved", "decision_recorded"}


@pytest.fixture
def many(app: Flask, world: World) -> list[dict[str, Any]]:
    return add_many_assessments(app, world, COUNT)


def _in_queue(rows: list[dict[str, Any]], world: World) -> list[dict[str, Any]]:
    home = [r for r in rows if r["author_id"] != world["other_manager"]["id"] and not r["is_training"]]
    return [r for r in home if r["status"] in QUEUE]


def _newest_first(rows: list[dict[str, Any]]) -> list[int]:
    return [r["id"] for r in sorted(rows, key=lambda r: (r["updated_at"], r["id"]), reverse=True)]


def test_every_page_together_is_the_whole_queue_in_order(
    app: Flask, world: World, many: list[dict[str, Any]]
) -> None:
    from hia_service.services.review.record import QUEUE_PAGE_SIZE, QueueFilters, review_queue

    expected = _in_queue(many, world)
    seen: list[int] = []
    with acting_as(app, world["reviewer"]) as user:
        first = review_queue(user, QueueFilters())
        for page in range(1, first.pages + 1):
            queue = review_queue(user, QueueFilters(), page)
            assert queue.page == page and queue.total == len(expected)
            assert len(queue.rows) == min(QUEUE_PAGE_SIZE, len(expected) - (page - 1) * QUEUE_PAGE_SIZE)
            seen += [row.assessment.id for row in queue.rows]
    assert len(expected) > 2000 and first.pages == -(-len(expected) // QUEUE_PAGE_SIZE)
    assert seen == _newest_first(expected)  # nothing missed, nothing twice, ties always in the same order


@pytest.mark.parametrize(
    ("filters", "keep"),
    [
        ({"statuses": ("approved",)}, lambda r: r["status"] == "approved"),
        ({"ratings": ("high", "low")}, lambda r: r["rating"] in {"high", "low"}),
        ({"directorate": "Estates"}, lambda r: r["directorate"] == "Estates"),
        ({"search": "sunday"}, lambda r: "Sunday" in r["title"]),
        ({"search": "HIA-2026-0012"}, lambda r: r["reference"].startswith("HIA-2026-0012")),
    ],
)
def test_filters_are_counted_and_paged_by_the_database(
    app: Flask, world: World, many: list[dict[str, Any]], filters: dict[str, Any], keep: Any
) -> None:
    from hia_service.services.review.record import QueueFilters, review_queue

    expected = [r for r in _in_queue(many, world) if keep(r)]
    with acting_as(app, world["reviewer"]) as user:
        queue = review_queue(user, QueueFilters(**filters), 2)
    assert queue.total == len(expected) > 0
    assert queue.page == min(2, -(-len(expected) // 50))  # one page of matches: page 2 is the last page
    start = (queue.page - 1) * 50
    assert [row.assessment.id for row in queue.rows] == _newest_first(expected)[start : start + 50]


def test_a_page_past_the_end_shows_the_last_page(
    app: Flask, world: World, many: list[dict[str, Any]]
) -> None:
    from hia_service.services.review.record import QueueFilters, review_queue

    with acting_as(app, world["reviewer"]) as user:
        past, last, nought = (review_queue(user, QueueFilters(), page) for page in (10_000, 10**6, 0))
        real_last = review_queue(user, QueueFilters(), past.pages)
    assert past.page == last.page == past.pages > 1 and nought.page == 1
    assert [r.assessment.id for r in past.rows] == [r.assessment.id for r in real_last.rows]


def test_the_queue_page_links_to_its_neighbours_keeping_the_filters(
    login: Any, world: World, many: list[dict[str, Any]]
) -> None:
    approved = [r for r in _in_queue(many, world) if r["status"] == "approved"]
    pages = -(-len(approved) // 50)
    client = login(world["reviewer"])
    page = client.get("/review/?status=approved&q=bulk&page=2").get_data(as_text=True)
    assert f"{len(approved)} assessments" in page and f"Page 2 of {pages}" in page
    links = dict(
        re.findall(r'href="(/review/\?[^"]*page=\d+)" rel="(prev|next)"', page.replace("&amp;", "&"))
    )
    assert links == {
        "/review/?status=approved&q=bulk&page=1": "prev",
        "/review/?status=approved&q=bulk&page=3": "next",
    }
    assert len(re.findall(r'href="/review/\d+"', page)) == 50  # each row links its record


@pytest.mark.parametrize("page", ["999", "abc", "-1", "0", "1e3"])
def test_a_page_that_does_not_exist_still_shows_a_page(
    login: Any, world: World, many: list[dict[str, Any]], page: str
) -> None:
    response = login(world["reviewer"]).get(f"/review/?page={page}")
    body = response.get_data(as_text=True)
    pages = -(-len(_in_queue(many, world)) // 50)
    assert response.status_code == 200
    assert f"Page {pages if page == '999' else 1} of {pages}" in body
