"""Follow-up: the approved action plan tracked to completion, review dates, and reminder emails."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from hia_service.cli.reminders import reminders_cli
from hia_service.services.review import decisions as review
from tests.integration.review.conftest import Sink, answers_for, form_token, free_port

# Approvals here queue the signing of their record (see tests/conftest.py signing_queued).
pytestmark = pytest.mark.usefixtures("signing_queued")


@pytest.fixture
def approved(world: Any, make_assessment: Any, act: Any, lock_of: Any) -> int:
    """Approved; action 1 owned by the author (overdue), action 2 by someone outside the service (not due),
    and a review date that has passed, owned by the author."""
    assessment_id = make_assessment(world["manager"])
    act(world["reviewer"], review.approve, assessment_id, lock_of(assessment_id))
    return assessment_id


def item_ids(app: Flask, assessment_id: int) -> dict[str, int]:
    from hia_service.data.models import ActionItem
    from hia_service.extensions import db

    with app.app_context():
        rows = db.session.scalars(select(ActionItem).where(ActionItem.assessment_id == assessment_id))
        return {f"{row.kind}{row.position or ''}": row.id for row in rows}


def test_approval_copies_the_action_plan_and_review_date_with_owners_found(
    app: Flask, world: Any, approved: int
) -> None:
    from hia_service.data.models import ActionItem
    from hia_service.extensions import db

    with app.app_context():
        rows = list(db.session.scalars(select(ActionItem).order_by(ActionItem.kind, ActionItem.position)))
        summary = [(r.kind, r.position, r.owner_id, r.due, r.status) for r in rows]
    assert summary == [
        ("action", 1, world["manager"]["id"], date(2020, 1, 15), "open"),
        ("action", 2, None, date(2099, 1, 1), "open"),  # "Someone Else" is not a user: kept as written
        ("review", 0, world["manager"]["id"], date(2021, 3, 1), "open"),
    ]


def test_the_author_sees_their_follow_up_with_overdue_highlighted(
    client: FlaskClient, world: Any, approved: int, login: Any
) -> None:
    login(world["manager"])
    html = client.get("/follow-up/").get_data(as_text=True)
    assert "<h1>Follow-up</h1>" in html
    assert "Keep a morning walk-in session" in html and "Write to every registered patient" in html
    assert "Review of the assessment" in html and "1 March 2021" in html
    assert html.count("nhsuk-tag--red") == 2  # the overdue action and the overdue review
    assert "2 actions or reviews are past the due date." in html
    overdue_only = client.get("/follow-up/?show=overdue").get_data(as_text=True)
    assert (
        "Keep a morning walk-in session" in overdue_only
        and "Write to every registered patient" not in overdue_only
    )


def test_who_sees_which_follow_up(client: FlaskClient, world: Any, approved: int, login: Any) -> None:
    login(world["reviewer2"])
    assert "Keep a morning walk-in session" in client.get("/follow-up/").get_data(as_text=True)
    login(world["manager2"])
    assert "Keep a morning walk-in session" not in client.get("/follow-up/").get_data(as_text=True)
    login(world["other_reviewer"])
    assert "Keep a morning walk-in session" not in client.get("/follow-up/").get_data(as_text=True)
    for person in ("trainer", "admin"):
        login(world[person])
        assert client.get("/follow-up/").status_code == 403


def test_the_author_marks_an_action_done_with_a_note(
    app: Flask, client: FlaskClient, world: Any, approved: int, login: Any
) -> None:
    action = item_ids(app, approved)["action1"]
    login(world["manager"])
    url = f"/follow-up/actions/{action}"
    page = client.get(url).get_data(as_text=True)
    assert "Mark as done" in page and "See the assessment" in page
    token = form_token(client, url)
    empty = client.post(url, data={"csrf_token": token, "lock_version": "1", "note": "  "})
    assert empty.status_code == 400 and 'href="#note"' in empty.get_data(as_text=True)
    done = client.post(url, data={"csrf_token": token, "lock_version": "1", "note": "Morning session kept."})
    assert done.status_code == 302 and done.location.endswith("/follow-up/")
    html = client.get(url).get_data(as_text=True)
    assert "Morning session kept." in html and "Mark as done" not in html
    again = client.post(url, data={"csrf_token": token, "lock_version": "2", "note": "Twice"})
    assert again.status_code == 409 and "already been marked as done" in again.get_data(as_text=True)
    record = client.get(f"/review/{approved}").get_data(as_text=True)
    assert "Action marked as done" in record  # in the audit trail on the record page


@pytest.mark.parametrize("garbled", ["abc", "", "1.5", "-1", "\u0661"])
def test_a_garbled_lock_version_is_an_invalid_form_not_someone_elses_change(
    app: Flask, client: FlaskClient, world: Any, approved: int, login: Any, garbled: str
) -> None:
    action = item_ids(app, approved)["action1"]
    login(world["manager"])
    url = f"/follow-up/actions/{action}"
    token = form_token(client, url)
    response = client.post(url, data={"csrf_token": token, "lock_version": garbled, "note": "Kept it."})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This form was not valid. Copy your note, reload the page and try again." in html
    assert "Someone else" not in html and ">Kept it.</textarea>" in html  # what they typed is still there
    missing = client.post(url, data={"csrf_token": token, "note": "Kept it."})
    assert missing.status_code == 400 and "This form was not valid" in missing.get_data(as_text=True)
    assert "Mark as done" in client.get(url).get_data(as_text=True)  # nothing saved
    stale = client.post(url, data={"csrf_token": token, "lock_version": "0", "note": "Kept it."})
    assert stale.status_code == 409 and "Someone else changed this action" in stale.get_data(as_text=True)


def test_an_owner_who_did_not_write_the_assessment_can_complete_their_action_only(
    app: Flask, client: FlaskClient, world: Any, make_assessment: Any, act: Any, lock_of: Any, login: Any
) -> None:
    answers = answers_for(world["manager"]["email"])
    answers["actions.plan"][1]["owner"] = world["manager2"]["email"].upper()  # matched ignoring case
    assessment_id = make_assessment(world["manager"], answers=answers)
    act(world["reviewer"], review.approve, assessment_id, lock_of(assessment_id))
    ids = item_ids(app, assessment_id)
    login(world["manager2"])
    listing = client.get("/follow-up/").get_data(as_text=True)
    assert "Write to every registered patient" in listing and "Keep a morning walk-in session" not in listing
    page = client.get(f"/follow-up/actions/{ids['action2']}").get_data(as_text=True)
    assert "Mark as done" in page and "See the assessment" not in page
    assert client.get(f"/review/{assessment_id}").status_code == 404
    assert client.get(f"/follow-up/actions/{ids['action1']}").status_code == 404
    token = form_token(client, f"/follow-up/actions/{ids['action2']}")
    done = client.post(
        f"/follow-up/actions/{ids['action2']}",
        data={"csrf_token": token, "lock_version": "1", "note": "Sent."},
    )
    assert done.status_code == 302


def test_a_reviewer_can_see_but_not_complete_someone_elses_action(
    app: Flask, client: FlaskClient, world: Any, approved: int, login: Any
) -> None:
    action = item_ids(app, approved)["action1"]
    login(world["reviewer"])
    page = client.get(f"/follow-up/actions/{action}").get_data(as_text=True)
    assert "Mark as done" not in page
    assert "The action's owner or the assessment's author can mark it" in page
    token = form_token(client, f"/follow-up/actions/{action}")
    response = client.post(
        f"/follow-up/actions/{action}", data={"csrf_token": token, "lock_version": "1", "note": "x"}
    )
    assert response.status_code == 403
    assert "Only the action&#39;s owner or the assessment&#39;s author" in response.get_data(as_text=True)
    login(world["other_reviewer"])
    assert client.get(f"/follow-up/actions/{action}").status_code == 404


def test_reminders_are_off_unless_a_mail_server_is_set(app: Flask, world: Any, approved: int) -> None:
    assert app.config["HIA_SMTP_HOST"] is None
    result = app.test_cli_runner().invoke(reminders_cli, ["send"])
    assert result.exit_code == 0 and "Email reminders are switched off" in result.output
    dry = app.test_cli_runner().invoke(reminders_cli, ["send", "--dry-run"])
    assert (
        dry.exit_code == 0
        and "Would email 1 people" in dry.output
        and world["manager"]["email"] in dry.output
    )


def test_reminders_are_emailed_once_a_day_to_whoever_should_act(
    app: Flask, world: Any, approved: int, smtp: Sink
) -> None:
    from hia_service.data.models import AuditEvent, ReminderLog
    from hia_service.extensions import db

    runner = app.test_cli_runner()
    first = runner.invoke(reminders_cli, ["send", "--today", "2098-12-25"])
    assert first.exit_code == 0, first.output
    assert "Emailed 1 people" in first.output
    assert len(smtp.messages) == 1
    envelope = smtp.messages[0]
    body = envelope.content.decode()
    assert envelope.mail_from == "hia@rxa.nhs.uk" and envelope.rcpt_tos == [world["manager"]["email"]]
    assert "Subject: 2 overdue health inequalities actions" in body
    assert "Keep a morning walk-in session" in body and "OVERDUE, was due 15 January 2020" in body
    assert "Review of the assessment" in body
    assert "Write to every registered patient" in body and "due 1 January 2099" in body  # due within 2 weeks
    assert "https://hia.rxa.nhs.uk/follow-up/" in body
    again = runner.invoke(reminders_cli, ["send", "--today", "2098-12-25"])
    assert again.exit_code == 0 and "Emailed 0 people; 1 already had today's reminder" in again.output
    assert len(smtp.messages) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(ReminderLog.id))) == 1
        kinds = list(db.session.scalars(select(AuditEvent.event_type)))
        assert kinds.count("reminder_sent") == 1


def test_a_mail_server_that_cannot_be_reached_is_reported(
    app: Flask, world: Any, approved: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "HIA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "HIA_SMTP_PORT", free_port())  # nothing listens there
    result = app.test_cli_runner().invoke(reminders_cli, ["send"])
    assert result.exit_code == 1
    assert f"Could not email {world['manager']['email']}" in result.output
    rerun = app.test_cli_runner().invoke(reminders_cli, ["send", "--dry-run"])
    assert "Would email 1 people; 0 already had" in rerun.output  # a failed email is not counted as sent


def test_a_malformed_address_already_stored_is_skipped_and_logged_not_a_crash(
    app: Flask, world: Any, approved: int, smtp: Sink, caplog: pytest.LogCaptureFixture
) -> None:
    """Addresses stored before they were checked (a trainer once could add 'name@'): that person is
    skipped and named in the log; everyone else still gets their email."""
    from hia_service.data.accounts import get_user
    from hia_service.data.models import ActionItem
    from hia_service.data.transaction import commit
    from hia_service.extensions import db

    with app.app_context():
        reviewer = get_user(world["reviewer"]["id"])
        reviewer.email = "reviewer@rxa.nhs.uk\nBcc: everyone@rxa.nhs.uk"
        first = select(ActionItem).where(ActionItem.kind == "action").order_by(ActionItem.position).limit(1)
        item = db.session.scalar(first)
        item.owner_id = reviewer.id  # the reviewer now owns an overdue action too
        commit()
    result = app.test_cli_runner().invoke(reminders_cli, ["send", "--today", "2098-12-25"])
    assert result.exit_code == 0, result.output
    assert "Emailed 1 people" in result.output
    assert (
        "Skipped 'reviewer@rxa.nhs.uk\\nBcc: everyone@rxa.nhs.uk': not a valid email address" in result.output
    )
    assert [m.rcpt_tos for m in smtp.messages] == [[world["manager"]["email"]]]
    assert "not a valid email address" in caplog.text


def test_a_bad_date_for_today_is_explained(app: Flask) -> None:
    result = app.test_cli_runner().invoke(reminders_cli, ["send", "--dry-run", "--today", "25/12/2098"])
    assert result.exit_code == 2 and "Give the date as YYYY-MM-DD" in result.output


def test_with_no_list_recorded_before_the_page_says_so_and_asks_for_no_upload(
    client: FlaskClient, world: Any, approved: int, login: Any
) -> None:
    """An upload here would always be refused (there is nothing to compare it with): the page says where
    the list goes instead, and offers no form."""
    login(world["manager"])
    html = client.get(f"/follow-up/assessments/{approved}/users").get_data(as_text=True)
    assert 'id="no-baseline"' in html and "add the list to the new version" in html
    assert 'name="users_file"' not in html and "Compare with before" not in html
