"""A proposal that changes access but closes or moves nothing: "Distance to the service" says to leave its
postcodes blank, so saving it blank completes it, and it never stops the assessment being submitted."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token_from
from tests.integration.review.conftest import acting_as, answers_for, create_assessment, missing_required

DISTANCE = "Distance to the service"
ONLINE_FIRST = {"proposal.kind": "digital", "proposal.changes_access": "yes"}


def unfinished_online_change(app: Flask, author: dict[str, Any]) -> int:
    """Every required question answered; "Distance to the service" not yet opened."""
    from hia_service.data.transaction import commit
    from hia_service.services.assessments import authoring

    answers = answers_for(author["email"], **ONLINE_FIRST)
    assessment_id = create_assessment(app, author, "Book blood tests online", answers=answers, submit=False)
    with acting_as(app, author) as user:
        rest = missing_required(authoring.assessment_for(user, assessment_id))
        assert authoring.save_page(user, assessment_id, list(rest), rest, None).saved
        commit()
    return assessment_id


def task_status(html: str, title: str) -> str:
    found = re.search(rf">{re.escape(title)}</a>.*?nhsuk-task-list__status[^>]*>(.*?)</div>", html, re.DOTALL)
    assert found, f"{title} is not on the task list"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def _page_form(client: FlaskClient, url: str) -> dict[str, str]:
    html = client.get(url).get_data(as_text=True)
    lock = re.search(r'name="lock_version" value="(\d+)"', html).group(1)
    return {"csrf_token": csrf_token_from(html), "lock_version": lock}


def test_distance_saved_blank_is_completed_and_the_assessment_can_be_submitted(
    app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    manager = make_user("manager")
    sign_in(manager)
    assessment_id = unfinished_online_change(app, manager)
    tasks = f"/assessments/{assessment_id}"
    assert task_status(client.get(tasks).get_data(as_text=True), DISTANCE) == "Not started"

    access = f"/assessments/{assessment_id}/access"
    blank = {"access.current_site": "", "access.proposed_site": ""}
    saved = client.post(access, data={**_page_form(client, access), **blank})  # "Save and continue"
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    page = client.get(tasks).get_data(as_text=True)
    assert task_status(page, DISTANCE) == "Completed"
    assert "Not started" not in page and "In progress" not in page

    check = client.get(f"/assessments/{assessment_id}/check-answers").get_data(as_text=True)
    assert "Some sections are not finished" not in check
    submitted = client.post(
        f"/assessments/{assessment_id}/check-answers", data={"csrf_token": csrf_token_from(check)}
    )
    assert submitted.status_code == 302, submitted.get_data(as_text=True)[:2000]
    assert f"/assessments/{assessment_id}/submitted/1" in submitted.headers["Location"]


def test_a_section_with_a_required_question_left_blank_still_stops_submission(
    app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    from hia_service.data.transaction import commit
    from hia_service.services.assessments import authoring

    manager = make_user("manager")
    sign_in(manager)
    assessment_id = unfinished_online_change(app, manager)
    with acting_as(app, manager) as user:  # the review date is required: saved blank as a draft
        draft = authoring.save_page(
            user,
            assessment_id,
            ["monitoring.review_date"],
            {"monitoring.review_date": None},
            None,
            draft=True,
        )
        assert draft.saved
        commit()
    tasks = client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    assert task_status(tasks, "Monitoring") == "In progress"
    check = client.get(f"/assessments/{assessment_id}/check-answers").get_data(as_text=True)
    refused = client.post(
        f"/assessments/{assessment_id}/check-answers", data={"csrf_token": csrf_token_from(check)}
    )
    assert refused.status_code == 400
    listed = re.search(r"Complete every section before you submit: ([^<]*)", refused.get_data(as_text=True))
    assert listed and listed.group(1).strip() == "Monitoring"
