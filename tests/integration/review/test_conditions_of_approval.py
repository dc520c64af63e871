"""Conditions of approval (issue 22, item 5): a reviewer approving may say what must happen for the approval
to stand. Stored on the approved version, checked by the approval itself (so the page and the API say the
same), noted in the audit log, told to the author, and shown to the author on the assessment's page."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hia_service.domain.audit_chain import content_hash
from hia_service.services.errors import ServiceError
from hia_service.services.review import decisions as review
from tests.integration.review.conftest import Sink, form_token

CONDITIONS = (
    "Approved on condition that the evening clinic is kept until the review in March.\n"
    "Report the travel times of people over 75 to the board after six months."
)
TOO_LONG = "x" * (review.CONDITIONS_MAX + 1)
TOO_LONG_MESSAGE = f"Conditions of approval must be {review.CONDITIONS_MAX} characters or fewer"


def stored(app: Flask, assessment_id: int) -> dict[str, Any]:
    """The latest version's review fields and the approval's audit entry, as the database holds them."""
    from sqlalchemy import select

    from hia_service.data.assessments import get_assessment
    from hia_service.data.models import AuditEvent
    from hia_service.extensions import db

    with app.app_context():
        assessment = get_assessment(assessment_id)
        assert assessment is not None
        version = assessment.versions[-1]
        approvals = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.event_type == "assessment_approve", AuditEvent.subject_id == str(assessment_id)
            )
        ).all()
        return {
            "status": version.status,
            "conditions": version.approval_conditions,
            "reviewed_by_id": version.reviewed_by_id,
            "pdf_sha256": version.pdf_sha256,
            "lock_version": assessment.lock_version,
            "audit": [(a.details, a.after_hash) for a in approvals],
        }


# --- the service ------------------------------------------------------------------------------------------


def test_approving_with_conditions_stores_them_on_the_version_and_notes_them_in_the_audit_log(
    app: Flask, world: Any, make_assessment: Any, act: Any, snapshot: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.start_review, assessment_id, None)
    # Typed in a browser: each new line comes as \r\n, with space around the whole.
    typed = "  " + CONDITIONS.replace("\n", "\r\n") + "\r\n "
    act(world["reviewer"], review.approve, assessment_id, None, typed)
    after = stored(app, assessment_id)
    assert after["status"] == "approved" and after["conditions"] == CONDITIONS
    assert after["reviewed_by_id"] == world["reviewer"]["id"] and after["pdf_sha256"]
    # Nothing else an approval does is lost: the action plan is tracked and the events are written.
    state = snapshot(assessment_id)
    assert state["items"] == 3 and state["events"] == ["submit", "start_review", "approve"]
    ((details, after_hash),) = after["audit"]
    assert details["conditions_set"] is True and details["follow_up_items"] == 3
    assert "evening clinic" not in str(details)  # the words are fingerprinted, not copied into the log
    expected = {"status": "approved", "lock_version": after["lock_version"], "comment": None}
    assert after_hash == content_hash({**expected, "conditions": CONDITIONS})


@pytest.mark.parametrize("conditions", [None, "", "   \r\n  "])
def test_approving_without_conditions_stores_none(
    app: Flask, world: Any, make_assessment: Any, act: Any, conditions: str | None
) -> None:
    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.approve, assessment_id, None, conditions)
    after = stored(app, assessment_id)
    assert after["status"] == "approved" and after["conditions"] is None
    ((details, after_hash),) = after["audit"]
    assert details["conditions_set"] is False
    expected = {"status": "approved", "lock_version": after["lock_version"], "comment": None}
    assert after_hash == content_hash(expected)


def test_conditions_at_the_limit_are_kept_and_one_more_character_is_refused_with_nothing_written(
    app: Flask, world: Any, make_assessment: Any, act: Any, snapshot: Any
) -> None:
    refused_id = make_assessment(world["manager"])
    before = snapshot(refused_id)
    with pytest.raises(ServiceError) as refusal:
        act(world["reviewer"], review.approve, refused_id, None, TOO_LONG)
    assert (refusal.value.message, refusal.value.field, refusal.value.status) == (
        TOO_LONG_MESSAGE,
        "conditions",
        400,
    )
    assert snapshot(refused_id) == before
    assert stored(app, refused_id)["conditions"] is None
    kept_id = make_assessment(world["manager"], "Move the phlebotomy clinic")
    at_limit = "y" * review.CONDITIONS_MAX
    act(world["reviewer"], review.approve, kept_id, None, at_limit)
    assert stored(app, kept_id)["conditions"] == at_limit


def test_the_author_is_emailed_the_conditions(world: Any, make_assessment: Any, act: Any, smtp: Sink) -> None:
    assessment_id = make_assessment(world["manager"])
    smtp.messages.clear()
    act(world["reviewer"], review.approve, assessment_id, None, CONDITIONS)
    body = smtp.to(world["manager"]["email"])[0].get_content()
    assert f"Conditions of approval:\n\n{CONDITIONS}\n" in body


# --- the page ---------------------------------------------------------------------------------------------


def approve_form(client: FlaskClient, assessment_id: int, **data: str) -> Any:
    page = client.get(f"/review/{assessment_id}").get_data(as_text=True)
    lock = re.search(r'name="lock_version" value="(\d+)"', page)
    assert lock is not None
    form = {
        "csrf_token": form_token(client, f"/review/{assessment_id}"),
        "lock_version": lock.group(1),
        **data,
    }
    return client.post(f"/review/{assessment_id}/approve", data=form)


def test_the_approve_form_asks_for_optional_conditions_with_a_hint_and_the_limit(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    login(world["reviewer"])
    page = client.get(f"/review/{assessment_id}").get_data(as_text=True)
    form = " ".join(page[page.index("<h3>Approve it</h3>") :].split())
    assert (
        '<label class="nhsuk-label nhsuk-label--s" for="conditions" > Conditions of approval (optional)'
        in form
    )
    assert "Say what must happen for the approval to stand, for example" in form
    assert "Leave blank if there are none." in form
    assert f'data-maxlength="{review.CONDITIONS_MAX}"' in form
    assert f"You can enter up to {review.CONDITIONS_MAX} characters" in form
    assert 'name="conditions"' in form and form.index('name="conditions"') < form.index("Approve version 1")


def test_a_reviewer_approves_with_conditions_on_the_page_and_the_author_sees_them(
    app: Flask, client: FlaskClient, world: Any, make_assessment: Any, login: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    login(world["reviewer"])
    response = approve_form(client, assessment_id, conditions=CONDITIONS.replace("\n", "\r\n"))
    assert response.status_code == 302 and response.location.endswith(f"/review/{assessment_id}")
    assert stored(app, assessment_id)["conditions"] == CONDITIONS
    login(world["manager"])  # the author reads the assessment's page
    page = html_lib.unescape(client.get(f"/review/{assessment_id}").get_data(as_text=True))
    row = page[page.index('id="conditions-of-approval"') :]
    row = row[: row.index("</div>")]
    assert "Conditions of approval" in row
    for line in CONDITIONS.splitlines():
        assert f">{line}</p>" in row
    version = html_lib.unescape(client.get(f"/review/{assessment_id}/versions/1").get_data(as_text=True))
    assert "Conditions of approval" in version and CONDITIONS.splitlines()[0] in version


def test_an_approval_without_conditions_says_none_were_set(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    login(world["reviewer"])
    assert approve_form(client, assessment_id, conditions="").status_code == 302
    login(world["manager"])
    page = client.get(f"/review/{assessment_id}").get_data(as_text=True)
    row = page[page.index('id="conditions-of-approval"') :]
    assert "No conditions were set" in row[: row.index("</div>")]


def test_a_version_not_yet_approved_shows_no_conditions(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    login(world["manager"])
    page = client.get(f"/review/{assessment_id}").get_data(as_text=True)
    assert 'id="conditions-of-approval"' not in page and "No conditions were set" not in page


def test_conditions_too_long_on_the_page_are_refused_keeping_what_was_typed(
    app: Flask, client: FlaskClient, world: Any, make_assessment: Any, login: Any, snapshot: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    login(world["reviewer"])
    before = snapshot(assessment_id)
    response = approve_form(client, assessment_id, conditions=TOO_LONG)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and 'href="#conditions"' in page
    assert page.count(TOO_LONG_MESSAGE) == 2  # in the summary and beside the box
    assert f">{TOO_LONG}</textarea>" in page  # what they typed, to shorten
    assert snapshot(assessment_id) == before


def test_approving_without_the_form_token_is_refused_and_writes_nothing(
    client: FlaskClient, world: Any, make_assessment: Any, login: Any, lock_of: Any, snapshot: Any
) -> None:
    assessment_id = make_assessment(world["manager"])
    login(world["reviewer"])
    before = snapshot(assessment_id)
    response = client.post(
        f"/review/{assessment_id}/approve",
        data={"lock_version": lock_of(assessment_id), "conditions": CONDITIONS},
    )
    assert response.status_code == 400
    assert snapshot(assessment_id) == before
