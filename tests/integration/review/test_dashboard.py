"""The governance dashboard and the register export."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hia_service.services.review import dashboard
from hia_service.services.review import decisions as review
from tests.integration.review.conftest import PROFILE, acting_as, answers_for

# Approvals here queue the signing of their record (see tests/conftest.py signing_queued).
pytestmark = pytest.mark.usefixtures("signing_queued")


@pytest.fixture
def portfolio_ids(world: Any, make_assessment: Any, act: Any, lock_of: Any) -> dict[str, int]:
    """Five live assessments in RXA, plus ones that must not be counted (training, another organisation)."""
    author = world["manager"]
    email = author["email"]
    less_deprived = {**PROFILE, "baseline": {**PROFILE["baseline"], "organisation": {"core20_share": 0.7}}}
    ids = {
        "draft": make_assessment(author, "A draft", submit=False, profile=None),
        "submitted": make_assessment(author, "Submitted, poorer area"),
        "estates": make_assessment(
            author,
            '=HYPERLINK("http://evil")',
            answers=answers_for(email, **{"proposal.directorate": "Estates", "proposal.kind": "estates"}),
            profile=less_deprived,
        ),
        "decided_late": make_assessment(author, "Decided before it was assessed"),
        "decided_well": make_assessment(author, "Decided after assessment"),
    }
    for key in ("decided_late", "decided_well"):
        act(world["reviewer"], review.approve, ids[key], lock_of(ids[key]))
    for key, day in (("decided_late", date.today() - timedelta(days=10)), ("decided_well", date.today())):
        entry = review.DecisionInput(day.isoformat(), "Trust board", "proceed", "Go ahead.")
        act(world["reviewer"], review.record_decision, ids[key], entry, lock_of(ids[key]))
    make_assessment(author, "Training", training=True)
    make_assessment(world["other_manager"], "Other trust")
    return ids


def test_the_portfolio_in_figures(app: Flask, world: Any, portfolio_ids: dict[str, int]) -> None:
    with acting_as(app, world["reviewer"]) as user:
        figures = dashboard.portfolio(user)
    assert figures.total == 5
    by_status = {c.key: c.count for c in figures.by_status}
    assert by_status == {
        "draft": 1,
        "submitted": 2,
        "in_review": 0,
        "returned": 0,
        "approved": 0,
        "decision_recorded": 2,
    }
    assert sum(c.count for c in figures.by_rating) == 5 and figures.by_rating[-1].label in (
        "Not given yet",
        "High",
    )
    assert [(c.label, c.count) for c in figures.by_directorate] == [("Community services", 4), ("Estates", 1)]
    assert [(c.label, c.count) for c in figures.by_kind] == [("Service change", 4), ("Estates", 1)]
    assert (figures.decisions, figures.decisions_assessed_first, figures.share_assessed_first) == (2, 1, 0.5)
    assert [a.id for a in figures.assessed_after_decision] == [portfolio_ids["decided_late"]]
    # Four have a profile; the Estates one is less deprived than its organisation's population.
    assert (figures.with_profile, figures.more_deprived) == (4, 3)
    # Each approved assessment has an overdue action and an overdue review date.
    assert len(figures.overdue_actions) == 2 and len(figures.overdue_reviews) == 2
    assert figures.waiting == []


def test_waiting_more_than_two_weeks_for_review(
    app: Flask, world: Any, portfolio_ids: dict[str, int]
) -> None:
    with acting_as(app, world["reviewer"]) as user:
        figures = dashboard.portfolio(user, today=date.today() + timedelta(days=20))
    assert sorted(a.id for a in figures.waiting) == sorted(
        [portfolio_ids["submitted"], portfolio_ids["estates"]]
    )


def test_the_dashboard_page_has_headlines_charts_and_tables(
    client: FlaskClient, world: Any, portfolio_ids: dict[str, int], login: Any
) -> None:
    login(world["reviewer"])
    response = client.get("/dashboard/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "5 assessments in Trust RXA" in html
    assert "50% (1 of 2 decisions recorded)" in html
    assert "75% (3 of 4 with a deprivation profile)" in html
    for name in ("status", "rating", "directorate", "kind"):
        assert f'src="/dashboard/charts/{name}.png"' in html
    assert 'alt="Bar chart of assessments by status. The figures are in the table below."' in html
    assert "Assessments by kind of proposal</caption>" in html
    assert "<h2>Assessed after the decision</h2>" in html and "Decided before it was assessed" in html
    assert "Other trust" not in html and "Training" not in html


def test_charts_are_png_images_and_unknown_ones_are_not_found(
    client: FlaskClient, world: Any, portfolio_ids: dict[str, int], login: Any
) -> None:
    login(world["reviewer"])
    chart = client.get("/dashboard/charts/status.png")
    assert chart.status_code == 200 and chart.mimetype == "image/png"
    assert chart.data[:8] == b"\x89PNG\r\n\x1a\n" and len(chart.data) > 2000
    assert client.get("/dashboard/charts/secrets.png").status_code == 404


def test_the_register_downloads_as_csv_safe_for_spreadsheets_and_is_audited(
    app: Flask, client: FlaskClient, world: Any, portfolio_ids: dict[str, int], login: Any
) -> None:
    from hia_service.data.models import AuditEvent
    from hia_service.extensions import db

    login(world["reviewer"])
    response = client.get("/dashboard/register.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="hia-register-RXA-')
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 5
    by_title = {row["Title"]: row for row in rows}
    assert '\'=HYPERLINK("http://evil")' in by_title  # a formula is shown as text, never run
    late = by_title["Decided before it was assessed"]
    assert late["Status"] == "Decision recorded" and late["Assessed after the decision"] == "Yes"
    assert late["Decided by"] == "Trust board" and late["Decision matched the recommendation"] == "No"
    assert (
        late["Open actions"] == "2" and late["Overdue actions"] == "1" and late["Review date"] == "2021-03-01"
    )
    assert (
        by_title["Submitted, poorer area"]["Affected population more deprived than the organisation's"]
        == "Yes"
    )
    assert (
        by_title['\'=HYPERLINK("http://evil")']["Affected population more deprived than the organisation's"]
        == "No"
    )
    assert by_title["A draft"]["Affected population more deprived than the organisation's"] == ""
    with app.app_context():
        export = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "register_exported"))
        assert export.actor_id == world["reviewer"]["id"] and export.details == {"format": "csv", "rows": 5}
        assert export.after_hash and len(export.after_hash) == 64


@pytest.mark.parametrize("person", ["manager", "trainer", "admin"])
def test_only_reviewers_see_the_dashboard(client: FlaskClient, world: Any, login: Any, person: str) -> None:
    login(world[person])
    for url in ("/dashboard/", "/dashboard/charts/status.png", "/dashboard/register.csv"):
        assert client.get(url).status_code == 403, url
