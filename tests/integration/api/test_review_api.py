"""Review actions and frozen versions over the API, for each role."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token_from
from tests.integration.api.conftest import Api, count_rows
from tests.integration.review.conftest import World, acting_as, create_assessment


def test_reviewer_starts_comments_returns_and_the_author_resubmits(api: Api, submitted: int) -> None:
    lock = api.get(f"/assessments/{submitted}", "reviewer").json["lock_version"]
    started = api.post(f"/assessments/{submitted}/review/start", "reviewer", json={"lock_version": lock})
    assert started.status_code == 200 and started.json["status"] == "in_review"
    comment = api.post(
        f"/assessments/{submitted}/review/comments",
        "reviewer",
        json={"section": "who", "body": "Name the wards."},
    )
    assert comment.status_code == 201 and comment.json["section"] == "who"
    returned = api.post(
        f"/assessments/{submitted}/review/return", "reviewer", json={"comment": "Add the evidence for age."}
    )
    assert returned.status_code == 200 and returned.json["status"] == "returned"
    assert api.post(f"/assessments/{submitted}/submit", "manager").json["number"] == 2
    versions = api.get(f"/assessments/{submitted}/versions", "manager").json
    assert [(v["number"], v["status"]) for v in versions] == [(1, "returned"), (2, "submitted")]
    first = api.get(f"/assessments/{submitted}/versions/1", "reviewer").json
    assert first["comments"][0]["body"] == "Name the wards."
    assert first["answers"]["proposal.decision_forum"] == "Trust board"


def test_reviewer_approves(api: Api, submitted: int) -> None:
    api.post(f"/assessments/{submitted}/review/start", "reviewer", json={})
    approved = api.post(f"/assessments/{submitted}/review/approve", "reviewer", json={})
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    assert api.get(f"/assessments/{submitted}", "manager").json["status"] == "approved"


CONDITIONS = "Approved on condition that the evening clinic is kept until the review in March."


def test_reviewer_approves_with_conditions_and_they_are_on_the_version(
    app: Flask, api: Api, submitted: int
) -> None:
    body = {"lock_version": None, "conditions": f"  {CONDITIONS}\r\n"}
    approved = api.post(f"/assessments/{submitted}/review/approve", "reviewer", json=body)
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "approved" and approved.json["approval_conditions"] == CONDITIONS
    read = api.get(f"/assessments/{submitted}/versions/1", "manager").json
    assert read["approval_conditions"] == CONDITIONS
    listed = api.get(f"/assessments/{submitted}/versions", "manager").json
    assert listed[0]["approval_conditions"] == CONDITIONS


def test_approving_without_conditions_gives_null(api: Api, submitted: int) -> None:
    approved = api.post(f"/assessments/{submitted}/review/approve", "reviewer", json={"conditions": None})
    assert approved.status_code == 200 and approved.json["approval_conditions"] is None


def test_conditions_too_long_are_refused_as_on_the_page_and_nothing_changes(
    app: Flask, api: Api, submitted: int
) -> None:
    from hia_service.services.review.decisions import CONDITIONS_MAX

    too_long = "x" * (CONDITIONS_MAX + 1)
    refused = api.post(f"/assessments/{submitted}/review/approve", "reviewer", json={"conditions": too_long})
    message = f"Conditions of approval must be {CONDITIONS_MAX} characters or fewer"
    assert refused.status_code == 400 and refused.content_type == "application/problem+json"
    assert refused.json["detail"] == message and refused.json["errors"] == {"conditions": [message]}
    assert api.get(f"/assessments/{submitted}", "manager").json["status"] == "submitted"
    assert count_rows(app, "ActionItem") == 0
    typed = api.post(f"/assessments/{submitted}/review/approve", "reviewer", json={"conditions": ["a"]})
    assert typed.status_code == 422 and "conditions" in typed.json["errors"]["json"]


def test_an_unfinished_version_is_refused_approval_through_the_api_and_the_web(
    app: Flask, api: Api, client: FlaskClient, sign_in: Any, world: World
) -> None:
    """A version frozen unfinished (as the API allowed before it applied the completeness gate) is never
    approved and signed, whichever door the reviewer uses."""
    from hia_service.data.transaction import commit
    from hia_service.domain.workflow import Event
    from hia_service.services.assessments import authoring

    submitted = create_assessment(app, world["manager"], "Frozen unfinished", submit=False)
    with acting_as(app, world["manager"]) as user:  # the submit of old, without the gate
        frozen = authoring.assessment_for(user, submitted)
        authoring._submit(user, frozen, Event.SUBMIT, "submitted_for_review")
        commit()
    api.post(f"/assessments/{submitted}/review/start", "reviewer", json={})
    refused = api.post(f"/assessments/{submitted}/review/approve", "reviewer", json={})
    assert refused.status_code == 409 and refused.json["detail"].startswith(
        "This version cannot be approved until every section is finished"
    )
    sign_in(world["reviewer"])
    page = client.get(f"/review/{submitted}").get_data(as_text=True)
    lock = re.search(r'name="lock_version" value="(\d+)"', page).group(1)
    form = {"csrf_token": csrf_token_from(page), "lock_version": lock}
    web = client.post(f"/review/{submitted}/approve", data=form)
    assert web.status_code == 409 and "cannot be approved until every section" in web.get_data(as_text=True)
    assert api.get(f"/assessments/{submitted}", "manager").json["status"] == "in_review"
    assert count_rows(app, "ActionItem") == 0


def test_stale_lock_version_on_review_is_409_and_changes_nothing(
    app: Flask, api: Api, submitted: int
) -> None:
    stale = api.post(f"/assessments/{submitted}/review/start", "reviewer", json={"lock_version": 999})
    assert stale.status_code == 409 and "after you opened it" in stale.json["detail"]
    assert stale.json["title"] == "Someone else changed this"
    assert api.get(f"/assessments/{submitted}", "reviewer").json["status"] == "submitted"


def test_approving_twice_is_409(api: Api, submitted: int) -> None:
    assert api.post(f"/assessments/{submitted}/review/approve", "reviewer", json={}).status_code == 200
    again = api.post(f"/assessments/{submitted}/review/approve", "reviewer", json={})
    assert again.status_code == 409 and "under review" in again.json["detail"]
    assert again.json["title"] == "This cannot be done at this stage"  # nobody else changed anything


def test_review_refused_to_other_roles_and_organisations(app: Flask, api: Api, submitted: int) -> None:
    for who in ("manager", "manager2", "trainer", "admin"):
        refused = api.post(f"/assessments/{submitted}/review/start", who, json={})
        assert refused.status_code == 403 and refused.content_type == "application/problem+json", who
    assert api.post(f"/assessments/{submitted}/review/start", "other_reviewer", json={}).status_code == 404
    assert api.get(f"/assessments/{submitted}/versions", "other_reviewer").status_code == 404
    assert api.get(f"/assessments/{submitted}/versions/1", "other_manager").status_code == 404
    assert count_rows(app, "AssessmentEvent") == 1  # only the submission


def test_a_reviewer_cannot_review_their_own_assessment(app: Flask, api: Api, world: World) -> None:
    own = create_assessment(app, world["reviewer"], "My own proposal")
    refused = api.post(f"/assessments/{own}/review/start", "reviewer", json={})
    assert refused.status_code == 403 and "another reviewer" in refused.json["detail"]


def test_review_bodies_are_validated(api: Api, submitted: int) -> None:
    api.post(f"/assessments/{submitted}/review/start", "reviewer", json={})
    empty = api.post(f"/assessments/{submitted}/review/return", "reviewer", json={"comment": ""})
    assert empty.status_code == 422 and "comment" in empty.json["errors"]["json"]
    section = api.post(
        f"/assessments/{submitted}/review/comments", "reviewer", json={"section": "nowhere", "body": "Hm"}
    )
    assert section.status_code == 400 and section.json["errors"] == {"section": [section.json["detail"]]}
    typed = api.post(f"/assessments/{submitted}/review/approve", "reviewer", json={"lock_version": "two"})
    assert typed.status_code == 422 and "lock_version" in typed.json["errors"]["json"]


def test_missing_version_is_404(api: Api, submitted: int) -> None:
    missing = api.get(f"/assessments/{submitted}/versions/7", "manager")
    assert missing.status_code == 404 and "Version 7" in missing.json["detail"]


def test_version_pdf_download_and_verification(app: Flask, api: Api, submitted: int) -> None:
    api.post(f"/assessments/{submitted}/review/approve", "reviewer", json={})
    pdf = api.get(f"/assessments/{submitted}/versions/1/pdf", "manager")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    from io import BytesIO

    checked = api.post(
        "/documents/verify",
        "reviewer",
        data={"file": (BytesIO(pdf.data), "record.pdf")},
        content_type="multipart/form-data",
    )
    assert checked.status_code == 200 and checked.json["genuine"] is True, checked.json
    tampered = api.post(
        "/documents/verify",
        "reviewer",
        data={"file": (BytesIO(pdf.data + b"%junk"), "record.pdf")},
        content_type="multipart/form-data",
    )
    assert tampered.status_code == 200 and tampered.json["genuine"] is False
    assert (
        api.post("/documents/verify", "reviewer", data={}, content_type="multipart/form-data").status_code
        == 422
    )
    assert api.get(f"/assessments/{submitted}/versions/1/pdf", "other_manager").status_code == 404
