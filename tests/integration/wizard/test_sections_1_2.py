"""Framework 1.2's workforce pack, health scrutiny and options considered, as the wizard shows them (issue 19,
item 8)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.integration.wizard.test_wizard import _signed_in_manager, _start


def _answer(app: Flask, assessment_id: int, **answers: Any) -> None:
    from hia_service.data.models import Assessment
    from hia_service.data.transaction import commit
    from hia_service.extensions import db

    with app.app_context():
        row = db.session.get(Assessment, assessment_id)
        assert row.framework_version == "1.3"  # the current one: every 1.2 question is in it
        row.answers = {**row.answers, **answers}
        commit()


def test_staff_affected_brings_the_workforce_pack(
    app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    _signed_in_manager(make_user, sign_in)
    assessment_id = _start(client, "Twelve-hour shifts for ward nurses")
    _answer(app, assessment_id, **{"proposal.kind": "workforce", "who.staff_affected": "yes"})
    first = client.get(f"/assessments/{assessment_id}/workforce").get_data(as_text=True)
    assert "Workforce Race Equality Standard (WRES)" in first
    assert "How will the change affect shift patterns and flexible working?" in first
    assert "Older and younger staff: what is the likely impact?" not in first  # the groups come next
    assert "page 1 of 2" in first
    groups = client.get(f"/assessments/{assessment_id}/workforce-2").get_data(as_text=True)
    assert "Older and younger staff: what is the likely impact?" in groups
    assert "protected only in employment" in groups and "page 2 of 2" in groups
    # A bookmark to an old one-group page goes to the group on the page that now holds it.
    married = client.get(f"/assessments/{assessment_id}/workforce.marriage_civil_partnership")
    assert married.status_code == 302
    assert married.headers["Location"].endswith("/workforce-2#workforce.marriage_civil_partnership")
    # Asked about staff, not patients.
    assert client.get(f"/assessments/{assessment_id}/pc.marriage_civil_partnership").status_code == 404
    link = f'href="/assessments/{assessment_id}/workforce"'
    assert link in client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    # No staff affected: the section is "not needed", listed without a link.
    _answer(app, assessment_id, **{"who.staff_affected": "no", "proposal.kind": "service_change"})
    tasks = client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    assert "Staff affected" in tasks and link not in tasks


def test_engagement_asks_about_scrutiny_and_the_conclusion_about_other_options(
    app: Flask, client: FlaskClient, make_user: Any, sign_in: Any
) -> None:
    _signed_in_manager(make_user, sign_in)
    assessment_id = _start(client)
    engagement = client.get(f"/assessments/{assessment_id}/engagement").get_data(as_text=True)
    assert "Would the proposal change a service substantially for the people who use it?" in engagement
    assert "health overview and scrutiny committee" in engagement
    assert "Duty to involve the public" in engagement  # the duties behind "Help with this question"
    conclusion = client.get(f"/assessments/{assessment_id}/conclusion").get_data(as_text=True)
    assert "What other options did you consider, and why did you not choose them?" in conclusion
    assert "Was an option that would have been less harmful rejected because of cost?" in conclusion
