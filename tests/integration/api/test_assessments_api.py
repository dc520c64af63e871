"""Assessments over the API: the same rules as the web, problem+json for every refusal, nothing written
on bad input."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from flask import Flask

from tests.integration.api.conftest import Api, count_rows, expire_tokens
from tests.integration.review.conftest import World, answers_for, create_assessment


def test_start_and_read_an_assessment(api: Api) -> None:
    made = api.post("/assessments", "manager", json={"title": "Move the diabetes clinic"})
    assert made.status_code == 201, made.json
    assert made.json["reference"].startswith("HIA-") and made.json["status"] == "draft"
    read = api.get(f"/assessments/{made.json['id']}", "manager")
    assert read.status_code == 200
    assert read.json["answers"]["proposal.title"] == "Move the diabetes clinic"
    assert read.json["lock_version"] == made.json["lock_version"]


def test_a_title_sent_with_line_breaks_is_kept_on_one_line(api: Api) -> None:
    made = api.post("/assessments", "manager", json={"title": "Move the clinic\r\nBcc: x@y.nhs.uk"})
    assert made.status_code == 201, made.json
    assert made.json["title"] == "Move the clinic Bcc: x@y.nhs.uk"
    body = {"answers": {"proposal.title": "Move the\u2028clinic\x85to Riverside"}}
    saved = api.put(
        f"/assessments/{made.json['id']}/answers/proposal",
        "manager",
        json={**body, "lock_version": made.json["lock_version"]},
    )
    assert saved.status_code == 200, saved.json
    assert saved.json["values"] == {"proposal.title": "Move the clinic to Riverside"}
    read = api.get(f"/assessments/{made.json['id']}", "manager").json
    assert (read["title"], read["answers"]["proposal.title"]) == ("Move the clinic to Riverside",) * 2


def test_practice_is_not_started_through_the_api(app: Flask, api: Api) -> None:
    """A practice assessment is of a scenario, started in a training session, where its feedback is: one
    started here would have none (a 404 after handing it in). So the API says where practice starts."""
    before = count_rows(app, "Assessment")
    refused = api.post("/assessments", "manager", json={"title": "Practice run", "training": True})
    assert refused.status_code == 422 and refused.content_type == "application/problem+json"
    assert "started from a scenario of a training session" in refused.json["errors"]["json"]["training"][0]
    trainer = api.post("/assessments", "trainer", json={"title": "Practice run"})
    assert trainer.status_code == 403 and trainer.content_type == "application/problem+json"
    assert count_rows(app, "Assessment") == before
    assert api.post("/assessments", "manager", json={"title": "Real", "training": False}).status_code == 201


def test_list_filters_and_pages(app: Flask, api: Api, world: World) -> None:
    for n in range(3):
        create_assessment(app, world["manager"], f"Clinic change {n}", submit=n == 0)
    create_assessment(app, world["manager2"], "Someone else's draft", submit=False)
    page = api.get("/assessments?page=1&page_size=2", "manager")
    assert page.status_code == 200 and len(page.json) == 2
    assert json.loads(page.headers["X-Pagination"])["total"] == 3
    drafts = api.get("/assessments?status=draft", "manager").json
    assert sorted(a["title"] for a in drafts) == ["Clinic change 1", "Clinic change 2"]
    assert [a["title"] for a in api.get("/assessments?search=change+0", "manager").json] == [
        "Clinic change 0"
    ]
    # A reviewer sees what reached review in the organisation, not other people's drafts.
    assert [a["title"] for a in api.get("/assessments", "reviewer").json] == ["Clinic change 0"]
    assert api.get("/assessments", "other_reviewer").json == []


def test_list_pages_carry_rfc_8288_links(app: Flask, api: Api, world: World) -> None:
    for n in range(5):
        create_assessment(app, world["manager"], f"Clinic change {n}", submit=False)
    first = api.get("/assessments?page_size=2&search=clinic", "manager")
    links = _links(first.headers["Link"])
    assert set(links) == {"next", "first", "last"}  # no "prev" on the first page
    assert links["next"].endswith("/api/v1/assessments?page_size=2&search=clinic&page=2")
    assert links["last"].endswith("page=3")
    middle = api.get(links["next"].split("/api/v1", 1)[1], "manager")
    assert set(_links(middle.headers["Link"])) == {"next", "prev", "first", "last"}
    assert _links(middle.headers["Link"])["prev"].endswith("page=1")
    last = api.get(links["last"].split("/api/v1", 1)[1], "manager")
    assert [a["title"] for a in last.json] == ["Clinic change 0"] and "next" not in _links(
        last.headers["Link"]
    )
    followed = {a["title"] for a in first.json + middle.json + last.json}
    assert followed == {f"Clinic change {n}" for n in range(5)}
    assert "Link" not in api.get("/assessments?search=nothing+matches", "manager").headers
    spec = api.get("/openapi.json", "manager").json
    assert "Link" in spec["paths"]["/api/v1/assessments"]["get"]["responses"]["200"]["headers"]


def _links(header: str) -> dict[str, str]:
    """{rel: url} from an RFC 8288 Link header."""
    found = re.findall(r'<([^>]+)>;\s*rel="([^"]+)"', header)
    return {rel: url for url, rel in found}


def test_list_rejects_bad_filters(api: Api) -> None:
    bad = api.get("/assessments?status=finished&page_size=1000", "manager")
    assert bad.status_code == 422 and bad.content_type == "application/problem+json"
    assert "status" in bad.json["errors"]["query"]


def test_answers_saved_section_by_section(api: Api, draft: int) -> None:
    lock = api.get(f"/assessments/{draft}", "manager").json["lock_version"]
    saved = api.put(
        f"/assessments/{draft}/answers/proposal",
        "manager",
        json={"answers": {"proposal.decision_forum": "Finance committee"}, "lock_version": lock},
    )
    assert saved.status_code == 200, saved.json
    assert saved.json["values"] == {"proposal.decision_forum": "Finance committee"}
    assert saved.json["lock_version"] > lock
    answers = api.get(f"/assessments/{draft}", "manager").json["answers"]
    assert answers["proposal.decision_forum"] == "Finance committee"
    assert answers["proposal.kind"] == "service_change"  # questions not sent are left alone


def test_stale_lock_version_gives_409_with_the_conflicting_answers(api: Api, draft: int) -> None:
    lock = api.get(f"/assessments/{draft}", "manager").json["lock_version"]
    first = {"answers": {"proposal.decision_forum": "Trust board meeting"}, "lock_version": lock}
    assert api.put(f"/assessments/{draft}/answers/proposal", "manager", json=first).status_code == 200
    second = {"answers": {"proposal.decision_forum": "Executive team"}, "lock_version": lock}
    clash = api.put(f"/assessments/{draft}/answers/proposal", "manager", json=second)
    assert clash.status_code == 409 and clash.content_type == "application/problem+json"
    assert clash.json["conflicts"] == {
        "proposal.decision_forum": {"theirs": "Trust board meeting", "yours": "Executive team"}
    }
    assert api.get(f"/assessments/{draft}", "manager").json["answers"]["proposal.decision_forum"] == (
        "Trust board meeting"
    )


def test_invalid_answers_give_422_per_question_and_save_nothing(app: Flask, api: Api, draft: int) -> None:
    before = api.get(f"/assessments/{draft}", "manager").json
    audit_before = count_rows(app, "AuditEvent")
    body = {
        "answers": {"proposal.decision_date": "31 February", "proposal.kind": "not-a-kind"},
        "lock_version": before["lock_version"],
    }
    bad = api.put(f"/assessments/{draft}/answers/proposal", "manager", json=body)
    assert bad.status_code == 422
    assert set(bad.json["errors"]["json"]["answers"]) == {"proposal.decision_date", "proposal.kind"}
    wrong_section = {"answers": {"pc.age.impact": "negative"}, "lock_version": before["lock_version"]}
    misplaced = api.put(f"/assessments/{draft}/answers/proposal", "manager", json=wrong_section)
    assert misplaced.status_code == 422 and "pc.age.impact" in misplaced.json["errors"]["json"]["answers"]
    assert api.get(f"/assessments/{draft}", "manager").json["answers"] == before["answers"]
    assert count_rows(app, "AuditEvent") == audit_before + 3  # only the three api_call entries


def test_malformed_bodies_are_refused_with_problem_details(api: Api, draft: int) -> None:
    url = f"/assessments/{draft}/answers/proposal"
    cases = {
        "not json": dict(data="{not json", content_type="application/json"),
        "wrong types": dict(json={"answers": ["a"], "lock_version": "1"}),
        "unknown field": dict(json={"answers": {}, "lock_version": 1, "sneaky": True}),
        "missing fields": dict(json={}),
        "not an object": dict(json=[1, 2]),
    }
    for name, kwargs in cases.items():
        response = api.put(url, "manager", **kwargs)
        assert response.status_code in (400, 422), name
        assert response.content_type == "application/problem+json", name
        assert response.json["errors"], name
    types = api.put(url, "manager", json={"answers": ["a"], "lock_version": "1"}).json["errors"]["json"]
    assert set(types) == {"answers", "lock_version"}
    unknown = api.put(url, "manager", json={"answers": {}, "lock_version": 1, "sneaky": True})
    assert unknown.status_code == 422 and "sneaky" in unknown.json["errors"]["json"]


def test_huge_body_gives_413(app: Flask, api: Api, draft: int) -> None:
    huge = "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = api.put(
        f"/assessments/{draft}/answers/proposal",
        "manager",
        data=json.dumps({"answers": {"proposal.summary": huge}, "lock_version": 1}),
        content_type="application/json",
    )
    assert response.status_code == 413 and response.content_type == "application/problem+json"


def test_unknown_section_is_404(api: Api, draft: int) -> None:
    missing = api.put(
        f"/assessments/{draft}/answers/nowhere", "manager", json={"answers": {}, "lock_version": 1}
    )
    assert missing.status_code == 404 and "proposal" in missing.json["detail"]


def test_other_people_and_organisations_get_404_and_nothing_changes(app: Flask, api: Api, draft: int) -> None:
    body = {"answers": {"proposal.decision_forum": "Hijacked"}, "lock_version": 1}
    for who in ("manager2", "other_manager", "other_reviewer", "trainer"):
        assert api.get(f"/assessments/{draft}", who).status_code == 404, who
        assert api.put(f"/assessments/{draft}/answers/proposal", who, json=body).status_code == 404, who
        assert api.post(f"/assessments/{draft}/submit", who).status_code == 404, who
    answers = api.get(f"/assessments/{draft}", "manager").json["answers"]
    assert answers["proposal.decision_forum"] == "Trust board"
    assert count_rows(app, "AssessmentVersion") == 0


def test_submit_applies_the_webs_completeness_gate(app: Flask, api: Api) -> None:
    made = api.post("/assessments", "manager", json={"title": "Nothing answered"}).json
    refused = api.post(f"/assessments/{made['id']}/submit", "manager")
    assert refused.status_code == 409 and refused.content_type == "application/problem+json"
    assert refused.json["title"] == "The assessment is not finished"
    assert refused.json["detail"].startswith("Complete every section before you submit: About the proposal")
    assert api.get(f"/assessments/{made['id']}", "manager").json["status"] == "draft"
    assert count_rows(app, "AssessmentVersion") == 0


def test_submit_freezes_a_version_and_cannot_repeat(app: Flask, api: Api, draft: int) -> None:
    unfinished = api.post(f"/assessments/{draft}/submit", "manager")
    assert unfinished.status_code == 409 and "Complete every section" in unfinished.json["detail"]
    _finish_through_the_api(app, api, draft)
    submitted = api.post(f"/assessments/{draft}/submit", "manager")
    assert submitted.status_code == 201, submitted.json
    assert submitted.json["number"] == 1 and len(submitted.json["content_hash"]) == 64
    again = api.post(f"/assessments/{draft}/submit", "manager")
    assert again.status_code == 409 and again.content_type == "application/problem+json"
    edit = {"answers": {"proposal.decision_forum": "Too late"}, "lock_version": 99}
    assert api.put(f"/assessments/{draft}/answers/proposal", "manager", json=edit).status_code == 409


@pytest.mark.parametrize("sends_sites", [True, False], ids=["sites-sent-blank", "sites-never-sent"])
def test_distance_left_blank_does_not_stop_submitting(
    app: Flask, api: Api, world: World, sends_sites: bool
) -> None:
    """An online-first change closes or moves no site, so "Distance to the service" asks for nothing:
    blank or never sent, it does not stop the submit, as on the web. Sections with required questions do."""
    online = {"proposal.kind": "digital", "proposal.changes_access": "yes"}
    answers = answers_for(world["manager"]["email"], **online)
    made = create_assessment(app, world["manager"], "Book blood tests online", answers=answers, submit=False)
    refused = api.post(f"/assessments/{made}/submit", "manager")
    assert refused.status_code == 409 and "Digital change" in refused.json["detail"]
    assert "Distance to the service" not in refused.json["detail"]
    _finish_through_the_api(app, api, made)
    if sends_sites:
        lock = api.get(f"/assessments/{made}", "manager").json["lock_version"]
        blank = {"answers": {"access.current_site": None, "access.proposed_site": ""}, "lock_version": lock}
        saved = api.put(f"/assessments/{made}/answers/access", "manager", json=blank)
        assert saved.status_code == 200, saved.json
    submitted = api.post(f"/assessments/{made}/submit", "manager")
    assert submitted.status_code == 201, submitted.json


def test_missing_unknown_revoked_and_expired_tokens_get_401(app: Flask, api: Api, world: World) -> None:
    assert api.get("/assessments").status_code == 401
    bogus = api.get("/assessments", headers={"Authorization": "Bearer hia_nonsense"})
    assert bogus.status_code == 401 and bogus.json["detail"] == "The API token is not recognised"
    token = api.token_of("manager")
    from hia_service.data.transaction import commit
    from hia_service.services.accounts.tokens import revoke_token, user_tokens
    from tests.integration.review.conftest import acting_as

    with acting_as(app, world["manager"]) as user:
        revoke_token(user, user_tokens(user)[0].id)
        commit()
    revoked = api.get("/assessments", headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 401 and "revoked" in revoked.json["detail"]
    api.token_of("manager2")
    expire_tokens(app)
    expired = api.get("/assessments", "manager2")
    assert expired.status_code == 401 and "expired" in expired.json["detail"]
    before = count_rows(app, "Assessment")
    assert api.post("/assessments", "manager2", json={"title": "Should not exist"}).status_code == 401
    assert count_rows(app, "Assessment") == before


def _finish_through_the_api(app: Flask, api: Api, assessment_id: int) -> None:
    """Answer each section's unanswered required questions with PUT answers/{section}, as a client would."""
    from hia_service.services import rules
    from tests.integration.review.conftest import missing_required

    with app.app_context():
        from hia_service.data.assessments import get_assessment

        assessment = get_assessment(assessment_id)
        framework = rules.framework(assessment.framework_version)
        rest = missing_required(assessment)
        by_section: dict[str, dict[str, object]] = {}
        for question_id, value in rest.items():
            by_section.setdefault(framework.section_of(question_id).id, {})[question_id] = value
    for section_id, answers in by_section.items():
        lock = api.get(f"/assessments/{assessment_id}", "manager").json["lock_version"]
        body = {"answers": answers, "lock_version": lock}
        saved = api.put(f"/assessments/{assessment_id}/answers/{section_id}", "manager", json=body)
        assert saved.status_code == 200, saved.json


def test_a_review_date_before_the_decision_is_refused_as_the_page_refuses_it(api: Api, draft: int) -> None:
    """The cross-page date check runs for the API's saves too, so a record the pages would refuse cannot be
    stored, submitted and approved through the API."""
    before = api.get(f"/assessments/{draft}", "manager").json
    decided = before["answers"]["proposal.decision_date"]
    day_before = (date.fromisoformat(decided) - timedelta(days=1)).isoformat()
    early = {"answers": {"monitoring.review_date": day_before}, "lock_version": before["lock_version"]}
    refused = api.put(f"/assessments/{draft}/answers/monitoring", "manager", json=early)
    assert refused.status_code == 422, refused.json
    (message,) = refused.json["errors"]["json"]["answers"]["monitoring.review_date"]
    assert message.startswith("Review date must be after the decision date")
    after = api.get(f"/assessments/{draft}", "manager").json
    assert after["answers"] == before["answers"] and after["lock_version"] == before["lock_version"]
