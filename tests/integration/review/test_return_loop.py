"""The return loop as each person sees it: the reviewer returns an assessment with reasons and comments, the
author reads them on the task list and beside the sections concerned, changes it and submits it again, and
the reviewer sees what changed since the return."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hia_service.services.assessments import authoring as assessments
from hia_service.services.review import decisions as review
from tests.integration.review.conftest import Sink, acting_as, form_token, free_port

# Approvals here queue the signing of their record (see tests/conftest.py signing_queued).
pytestmark = pytest.mark.usefixtures("signing_queued")

REASON = "The impact on disabled people is not assessed.\nSay how people who cannot travel will be seen."
ON_PC = "Disability is marked neutral with no evidence."
ON_ACTIONS = "Add an action for home visits."
GENERAL = "Check the decision date with the board secretary."


def comment(
    act: Any, reviewer: dict[str, Any], assessment_id: int, section: str, body: str, number: int
) -> None:
    act(reviewer, review.add_comment, assessment_id, section, body, number)


def returned_with_comments(
    world: Any, make_assessment: Any, act: Any, lock_of: Any, *more: tuple[str, str]
) -> int:
    """Submitted by the manager; commented on (two sections, in general, and `more` (section, comment)) and
    returned by the reviewer."""
    assessment_id = make_assessment(world["manager"])
    comment(act, world["reviewer"], assessment_id, "pc", ON_PC, 1)
    comment(act, world["reviewer"], assessment_id, "actions", ON_ACTIONS, 1)
    comment(act, world["reviewer"], assessment_id, "general", GENERAL, 1)
    for section, body in more:
        comment(act, world["reviewer"], assessment_id, section, body, 1)
    act(world["reviewer"], review.return_to_author, assessment_id, REASON, lock_of(assessment_id))
    return assessment_id


def banner(html: str, element_id: str) -> str:
    """The notification banner with this id, from its opening tag to the end of its content."""
    match = re.search(
        rf'<div[^>]*class="nhsuk-notification-banner"[^>]*id="{element_id}".*?</div>\s*</div>', html, re.S
    )
    if match is None:
        match = re.search(
            rf'id="{element_id}"[^>]*class="nhsuk-notification-banner".*?</div>\s*</div>', html, re.S
        )
    assert match, f"no banner #{element_id} on the page"
    return match.group(0)


def resubmit(app: Flask, author: dict[str, Any], assessment_id: int, changes: dict[str, Any]) -> None:
    from hia_service.data.transaction import commit

    with acting_as(app, author) as user:
        assert assessments.save_page(user, assessment_id, list(changes), changes, None).saved
        assessments.submit_for_review(user, assessment_id)
        commit()


def test_after_a_return_the_author_sees_the_decision_reason_and_comments_on_the_task_list(
    client: FlaskClient, world: Any, make_assessment: Any, act: Any, lock_of: Any, login: Any
) -> None:
    assessment_id = returned_with_comments(world, make_assessment, act, lock_of)
    login(world["manager"])
    html = client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    returned = banner(html, "returned")
    assert "Returned to you for changes" in returned
    assert f"{world['reviewer']['name']} returned version 1 to you at " in returned
    # The reason keeps its two lines, as the reviewer wrote them.
    assert "<p>The impact on disabled people is not assessed.</p>" in returned
    assert "<p>Say how people who cannot travel will be seen.</p>" in returned
    assert GENERAL in returned
    section_links = re.findall(r'href="(/assessments/\d+/[^"]+)">([^<]+)</a>', returned)
    assert section_links == [
        (f"/assessments/{assessment_id}/pc", "Protected characteristics"),
        (f"/assessments/{assessment_id}/actions", "Mitigations and action plan"),
    ]
    # Each comment sits after the link to its own section.
    assert (
        returned.index("Protected characteristics")
        < returned.index(ON_PC)
        < returned.index("Mitigations and action plan")
        < returned.index(ON_ACTIONS)
    )
    # The task list marks the sections commented on, and only those.
    assert html.count("1 comment from the reviewer") == 2
    assert html.index("Protected characteristics</a>") < html.index("1 comment from the reviewer")


def test_checking_the_answers_before_resubmitting_shows_the_reviewers_reasons_again(
    client: FlaskClient, world: Any, make_assessment: Any, act: Any, lock_of: Any, login: Any
) -> None:
    """The last page before it goes back to the reviewer reminds the author what was asked for."""
    assessment_id = returned_with_comments(world, make_assessment, act, lock_of)
    login(world["manager"])
    html = client.get(f"/assessments/{assessment_id}/check-answers").get_data(as_text=True)
    returned = banner(html, "returned")
    assert "Returned to you for changes" in returned and ON_PC in returned and ON_ACTIONS in returned
    assert "<p>The impact on disabled people is not assessed.</p>" in returned
    login(world["reviewer"])
    assert "Returned to you for changes" not in client.get(
        f"/assessments/{assessment_id}/check-answers"
    ).get_data(as_text=True)


def test_each_page_of_a_commented_section_shows_that_sections_comments_only(
    client: FlaskClient, world: Any, make_assessment: Any, act: Any, lock_of: Any, login: Any
) -> None:
    assessment_id = returned_with_comments(world, make_assessment, act, lock_of)
    login(world["manager"])
    for page_id in ("pc", "pc.disability"):  # the section's page, and an old page id sent to it
        html = client.get(f"/assessments/{assessment_id}/{page_id}", follow_redirects=True).get_data(
            as_text=True
        )
        shown = banner(html, "section-comments")
        assert "The reviewer&#39;s comments on this section" in shown and ON_PC in shown, page_id
        assert ON_ACTIONS not in html and GENERAL not in html
        assert f'href="/assessments/{assessment_id}#returned"' in shown
    actions_page = client.get(f"/assessments/{assessment_id}/actions").get_data(as_text=True)
    assert ON_ACTIONS in banner(actions_page, "section-comments") and ON_PC not in actions_page
    untouched = client.get(f"/assessments/{assessment_id}/engagement").get_data(as_text=True)
    assert untouched.count("section-comments") == 0 and "nhsuk-notification-banner" not in untouched


def test_only_the_author_sees_the_banner_and_only_while_it_is_returned_to_them(
    app: Flask, client: FlaskClient, world: Any, make_assessment: Any, act: Any, lock_of: Any, login: Any
) -> None:
    assessment_id = returned_with_comments(world, make_assessment, act, lock_of)
    login(world["reviewer2"])  # a reviewer reading the task list sees no "returned to you"
    assert "Returned to you for changes" not in client.get(f"/assessments/{assessment_id}").get_data(
        as_text=True
    )

    resubmit(app, world["manager"], assessment_id, {"pc.disability.evidence": "Home visits offered."})
    login(world["manager"])
    submitted = client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    assert "Returned to you for changes" not in submitted and ON_PC not in submitted
    assert "comment from the reviewer" not in submitted
    act(world["reviewer"], review.start_review, assessment_id, lock_of(assessment_id))
    in_review = client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    assert "Returned to you for changes" not in in_review and ON_PC not in in_review


def test_a_second_return_shows_only_the_comments_on_the_version_last_returned(
    app: Flask, client: FlaskClient, world: Any, make_assessment: Any, act: Any, lock_of: Any, login: Any
) -> None:
    assessment_id = returned_with_comments(world, make_assessment, act, lock_of)
    resubmit(app, world["manager"], assessment_id, {"pc.disability.evidence": "Home visits offered."})
    comment(act, world["reviewer2"], assessment_id, "engagement", "Who did you ask?", 2)
    act(world["reviewer2"], review.return_to_author, assessment_id, "Nearly there.", lock_of(assessment_id))
    login(world["manager"])
    html = client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    returned = banner(html, "returned")
    assert f"{world['reviewer2']['name']} returned version 2 to you" in returned
    assert "Nearly there." in returned and "Who did you ask?" in returned
    for earlier in (ON_PC, ON_ACTIONS, GENERAL, "The impact on disabled people"):
        assert earlier not in html
    assert "nhsuk-notification-banner" not in client.get(f"/assessments/{assessment_id}/pc").get_data(
        as_text=True
    )


# --- what the reviewer sees after the author submits again ---------------------------------------------


def table_rows(html: str, table_id: str) -> list[list[str]]:
    """The text of each cell of each body row of the table with this id."""
    match = re.search(rf'<table[^>]*id="{table_id}".*?<tbody[^>]*>(.*?)</tbody>', html, re.S)
    assert match, f"no table #{table_id} on the page"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", match.group(1), re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows]
    return [[" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in row] for row in cells]


def test_after_resubmission_the_reviewer_sees_what_changed_and_which_comments_it_touched(
    app: Flask, client: FlaskClient, world: Any, make_assessment: Any, act: Any, lock_of: Any, login: Any
) -> None:
    assessment_id = returned_with_comments(
        world, make_assessment, act, lock_of, ("engagement", "Who did you ask?")
    )
    with acting_as(app, world["manager"]) as user:
        plan = list(assessments.assessment_for(user, assessment_id).answers["actions.plan"])
    home_visits = {
        "action": "Offer home visits",
        "owner": "C Jones",
        "due": "2099-07-01",
        "measure": "Visits",
    }
    resubmit(
        app,
        world["manager"],
        assessment_id,
        {"pc.disability.evidence": "Home visits offered.", "actions.plan": [*plan, home_visits]},
    )
    login(world["reviewer2"])  # any reviewer, not only the one who returned it
    html = client.get(f"/review/{assessment_id}").get_data(as_text=True)
    assert "What changed since version 1 was returned</h2>" in html
    assert 'href="#since-return"' in html
    assert f"{world['reviewer']['name']} returned version 1 to the author at " in html
    assert "<p>Say how people who cannot travel will be seen.</p>" in html
    assert table_rows(html, "comments-since-return") == [
        ["The assessment as a whole", f"{GENERAL} {world['reviewer']['name']}", "Changed since your comment"],
        ["Protected characteristics", f"{ON_PC} {world['reviewer']['name']}", "Changed since your comment"],
        ["Engagement and co-production", f"Who did you ask? {world['reviewer']['name']}", "Not changed"],
        [
            "Mitigations and action plan",
            f"{ON_ACTIONS} {world['reviewer']['name']}",
            "Changed since your comment",
        ],
    ]
    assert "Comments on version 1: 1 on a section that has not changed" in html
    answers = table_rows(html, "answers-since-return")
    assert answers[0] == [
        "Protected characteristics Disability: what evidence supports this? Added",
        "Not answered",
        "Home visits offered.",
    ]
    assert answers[1] == [
        "Mitigations and action plan Action plan Changed",
        "No rows removed.",
        "1 row added: Action: Offer home visits Owner: C Jones Due date: 1 July 2099"
        " Measure of success: Visits 2 rows the same in both versions.",
    ]
    assert len(answers) == 2
    assert "2 answers changed since version 1 was returned" in html


def test_the_changes_since_the_return_are_for_reviewers_while_the_new_version_is_under_review(
    app: Flask, client: FlaskClient, world: Any, make_assessment: Any, act: Any, lock_of: Any, login: Any
) -> None:
    first_time = make_assessment(world["manager"], "Never returned")
    assessment_id = returned_with_comments(world, make_assessment, act, lock_of)
    resubmit(app, world["manager"], assessment_id, {"pc.disability.evidence": "Home visits offered."})
    login(world["reviewer"])
    assert "since-return" not in client.get(f"/review/{first_time}").get_data(as_text=True)
    act(world["reviewer"], review.start_review, assessment_id, lock_of(assessment_id))
    assert "What changed since version 1 was returned" in client.get(f"/review/{assessment_id}").get_data(
        as_text=True
    )
    login(world["manager"])  # the author reads the record, but the comments were not theirs to judge
    assert "since-return" not in client.get(f"/review/{assessment_id}").get_data(as_text=True)
    act(world["reviewer"], review.approve, assessment_id, lock_of(assessment_id))
    login(world["reviewer"])
    assert "since-return" not in client.get(f"/review/{assessment_id}").get_data(as_text=True)


# --- emails ---------------------------------------------------------------------------------------------


def reference_of(app: Flask, assessment_id: int) -> str:
    from hia_service.data.assessments import get_assessment

    with app.app_context():
        assessment = get_assessment(assessment_id)
        assert assessment is not None
        return f"{assessment.reference} {assessment.title}"


def subject(email: Any) -> str:
    # A long subject is folded onto the line after "Subject:"; mail programs drop the space that leaves.
    return str(email["Subject"]).strip()


def post_as_reviewer(client: FlaskClient, assessment_id: int, action: str, lock: int, **data: str) -> None:
    token = form_token(client, f"/review/{assessment_id}")
    response = client.post(
        f"/review/{assessment_id}/{action}", data={"csrf_token": token, "lock_version": lock, **data}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def test_submitting_emails_each_reviewer_of_the_organisation_but_not_the_author_or_anyone_else(
    app: Flask, world: Any, make_assessment: Any, smtp: Sink
) -> None:
    assessment_id = make_assessment(world["manager"])
    heading = reference_of(app, assessment_id)
    recipients = sorted(address for rcpt, _ in smtp.received() for address in rcpt)
    assert recipients == sorted([world["reviewer"]["email"], world["reviewer2"]["email"]])
    email = smtp.to(world["reviewer"]["email"])[0]
    assert subject(email) == f"Ready for review: {heading}"
    assert email["From"] == "hia@rxa.nhs.uk"
    body = email.get_content()
    assert f"Dear {world['reviewer']['name']}," in body
    assert f"{world['manager']['name']} has submitted a health inequalities impact assessment" in body
    assert heading in body and "Version 1" in body
    assert f"Review it at https://hia.rxa.nhs.uk/review/{assessment_id}" in body
    assert "governance reviewer at Trust RXA" in body


def test_a_reviewer_who_wrote_the_assessment_is_not_asked_to_review_it(
    world: Any, make_assessment: Any, smtp: Sink
) -> None:
    make_assessment(world["reviewer"])
    assert [rcpt for rcpt, _ in smtp.received()] == [[world["reviewer2"]["email"]]]


def test_returning_emails_the_author_the_reason_and_each_comment_by_section(
    app: Flask,
    client: FlaskClient,
    world: Any,
    make_assessment: Any,
    act: Any,
    lock_of: Any,
    login: Any,
    smtp: Sink,
) -> None:
    assessment_id = make_assessment(world["manager"])
    comment(act, world["reviewer"], assessment_id, "pc", ON_PC, 1)
    comment(act, world["reviewer"], assessment_id, "general", GENERAL, 1)
    smtp.messages.clear()  # the emails about the submission
    login(world["reviewer"])
    post_as_reviewer(client, assessment_id, "return", lock_of(assessment_id), comment=REASON)
    assert [rcpt for rcpt, _ in smtp.received()] == [[world["manager"]["email"]]]
    email = smtp.to(world["manager"]["email"])[0]
    assert subject(email) == f"Returned for changes: {reference_of(app, assessment_id)}"
    body = email.get_content()
    assert f"{world['reviewer']['name']} has returned your health inequalities impact assessment" in body
    assert f"Why it was returned:\n\n{REASON}\n" in body
    assert f"- The assessment as a whole:\n  {GENERAL}" in body
    assert f"- Protected characteristics:\n  {ON_PC}" in body
    assert f"submit it again at https://hia.rxa.nhs.uk/assessments/{assessment_id}" in body


def test_approving_emails_the_author_and_resubmitting_tells_the_reviewers_it_changed(
    app: Flask,
    client: FlaskClient,
    world: Any,
    make_assessment: Any,
    act: Any,
    lock_of: Any,
    login: Any,
    smtp: Sink,
) -> None:
    assessment_id = returned_with_comments(world, make_assessment, act, lock_of)
    smtp.messages.clear()
    resubmit(app, world["manager"], assessment_id, {"pc.disability.evidence": "Home visits offered."})
    again = smtp.to(world["reviewer2"]["email"])
    assert len(again) == 1 and len(smtp.messages) == 2
    assert subject(again[0]) == f"Changed and submitted again: {reference_of(app, assessment_id)}"
    assert "shows what changed since version 1" in again[0].get_content()
    smtp.messages.clear()
    login(world["reviewer2"])
    post_as_reviewer(client, assessment_id, "approve", lock_of(assessment_id))
    assert [rcpt for rcpt, _ in smtp.received()] == [[world["manager"]["email"]]]
    email = smtp.to(world["manager"]["email"])[0]
    assert subject(email) == f"Approved: {reference_of(app, assessment_id)}"
    body = email.get_content()
    assert f"{world['reviewer2']['name']} has approved your health inequalities impact assessment" in body
    assert "Version 2" in body and f"https://hia.rxa.nhs.uk/review/{assessment_id}" in body


def test_a_mail_server_that_is_down_is_logged_and_the_return_still_stands(
    app: Flask,
    client: FlaskClient,
    world: Any,
    make_assessment: Any,
    lock_of: Any,
    login: Any,
    snapshot: Any,
    monkeypatch: Any,
    caplog: Any,
) -> None:
    monkeypatch.setitem(app.config, "HIA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "HIA_SMTP_PORT", free_port())  # nothing listens there
    assessment_id = make_assessment(
        world["manager"]
    )  # the reviewers' emails fail too: submitted all the same
    assert snapshot(assessment_id)["status"] == "submitted"
    login(world["reviewer"])
    post_as_reviewer(client, assessment_id, "return", lock_of(assessment_id), comment=REASON)
    assert snapshot(assessment_id)["status"] == "returned"
    login(world["manager"])
    assert "Returned to you for changes" in client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    failures = [r for r in caplog.records if r.name == "hia_service.notifications"]
    assert [(r.getMessage(), r.fields["to"]) for r in failures] == [
        ("email not sent", world["reviewer"]["email"]),
        ("email not sent", world["reviewer2"]["email"]),
        ("email not sent", world["manager"]["email"]),
    ]
    assert failures[-1].fields["subject"].startswith("Returned for changes: ")


class Refusing(Sink):
    """A mail server that will not take mail for one address."""

    def __init__(self, refused: str) -> None:
        super().__init__()
        self.refused = refused

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address == self.refused:
            return "550 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_an_address_the_mail_server_refuses_is_logged_and_the_others_are_still_sent(
    app: Flask, world: Any, make_assessment: Any, monkeypatch: Any, caplog: Any
) -> None:
    from aiosmtpd.controller import Controller

    sink = Refusing(world["reviewer"]["email"])
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setitem(app.config, "HIA_SMTP_HOST", "127.0.0.1")
        monkeypatch.setitem(app.config, "HIA_SMTP_PORT", port)
        make_assessment(world["manager"])  # the refused address comes first: the other is sent after it
    finally:
        controller.stop()
    assert [rcpt for rcpt, _ in sink.received()] == [[world["reviewer2"]["email"]]]
    failures = [r for r in caplog.records if r.name == "hia_service.notifications"]
    assert [r.fields["to"] for r in failures] == [world["reviewer"]["email"]]
    assert "No such mailbox" in failures[0].fields["reason"]


def test_practice_assessments_send_no_email(app: Flask, world: Any, make_assessment: Any, smtp: Sink) -> None:
    from hia_service.data.assessments import get_assessment
    from hia_service.data.transaction import commit
    from hia_service.services.assessments import notices

    practice = make_assessment(world["manager"], "Practice: close a clinic", training=True)
    assert smtp.messages == []  # handed in for feedback, which tells no reviewer
    live = make_assessment(world["manager"], submit=False)
    with acting_as(app, world["reviewer"]) as reviewer:
        for assessment_id in (practice, live):
            assessment = get_assessment(assessment_id)
            assert assessment is not None
            version = (
                assessment.versions[-1]
                if assessment.versions
                else SimpleNamespace(number=1, approval_conditions=None)
            )
            notices.tell_reviewers_submitted(assessment, version, assessment.author)
            notices.tell_author_returned(assessment, version, reviewer, "Why", [])
            notices.tell_author_approved(assessment, version, reviewer)
        commit()
    subjects = sorted(subject(email).split(":")[0] for _, email in smtp.received())
    assert subjects == [
        "Approved",
        "Ready for review",
        "Ready for review",
        "Returned for changes",
    ]  # live only
    assert all("Practice" not in subject(email) for _, email in smtp.received())


def test_the_record_page_shows_the_return_reason_as_text_not_markup(
    client: FlaskClient, world: Any, make_assessment: Any, act: Any, lock_of: Any, login: Any
) -> None:
    """The read-only record (where the author and the reviewer land) shows why it was returned under its own
    heading; the reviewer's words are escaped, the page's own markup is not."""
    assessment_id = make_assessment(world["manager"])
    reason = "Add evidence for <b>disabled people</b> & carers."
    act(world["reviewer"], review.return_to_author, assessment_id, reason, lock_of(assessment_id))
    for person in ("reviewer", "manager"):
        login(world[person])
        html = client.get(f"/review/{assessment_id}").get_data(as_text=True)
        assert '<h2 class="nhsuk-heading-s">Returned to the author</h2>' in html, person
        assert "Add evidence for &lt;b&gt;disabled people&lt;/b&gt; &amp; carers." in html, person
        assert "&lt;h2" not in html and "&lt;p&gt;" not in html, person


# Each character str.splitlines() ends a line at, as a title stored before titles were one line may hold.
LINE_BREAKS = ["\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"]


def ready_to_submit_with_title(app: Flask, author: dict[str, Any], title: str) -> int:
    """A complete draft whose stored title is `title` as it is (written past the services, as old data)."""
    from hia_service.data.assessments import save_assessment
    from hia_service.data.transaction import commit
    from tests.integration.review.conftest import create_assessment, missing_required

    assessment_id = create_assessment(app, author, submit=False)
    with acting_as(app, author) as user:
        rest = missing_required(assessments.assessment_for(user, assessment_id))
        assert assessments.save_page(user, assessment_id, list(rest), rest, None).saved
        save_assessment(assessments.assessment_for(user, assessment_id), title=title)
        commit()
    return assessment_id


@pytest.mark.parametrize("line_break", LINE_BREAKS, ids=repr)
def test_a_title_stored_with_a_line_break_is_submitted_and_its_email_subject_is_one_line(
    app: Flask, client: FlaskClient, world: Any, login: Any, snapshot: Any, smtp: Sink, line_break: str
) -> None:
    title = f"Close the unit{line_break}Bcc: someone@example.com"
    assessment_id = ready_to_submit_with_title(app, world["manager"], title)
    login(world["manager"])
    url = f"/assessments/{assessment_id}/check-answers"
    response = client.post(url, data={"csrf_token": form_token(client, url)})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert snapshot(assessment_id)["status"] == "submitted"
    reference = reference_of(app, assessment_id).split()[0]
    received = smtp.received()
    assert sorted(address for rcpt, _ in received for address in rcpt) == sorted(
        [world["reviewer"]["email"], world["reviewer2"]["email"]]
    )
    for _, email in received:
        assert subject(email) == f"Ready for review: {reference} Close the unit Bcc: someone@example.com"
        assert email["Bcc"] is None


def test_an_email_that_cannot_be_made_is_logged_and_the_submission_stands(
    world: Any, make_assessment: Any, snapshot: Any, smtp: Sink, monkeypatch: Any, caplog: Any
) -> None:
    from hia_service.notifications import outbox

    made = outbox.message

    def failing_for_one(settings: Any, to: str, subject: str, body: str) -> Any:
        if to == world["reviewer"]["email"]:
            raise ValueError("this email cannot be made")
        return made(settings, to, subject, body)

    monkeypatch.setattr(outbox, "message", failing_for_one)
    assessment_id = make_assessment(world["manager"])
    assert snapshot(assessment_id)["status"] == "submitted"
    assert [rcpt for rcpt, _ in smtp.received()] == [[world["reviewer2"]["email"]]]
    failures = [r for r in caplog.records if r.name == "hia_service.notifications"]
    assert [(r.getMessage(), r.fields["to"]) for r in failures] == [
        ("email not built", world["reviewer"]["email"])
    ]
    assert "cannot be made" in failures[0].fields["reason"]
