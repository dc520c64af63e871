"""The return loop as each person sees it: the reviewer returns an assessment with reasons and comments, the
author reads them on the task list and beside the sections concerned, changes it and submits it again, and
the reviewer sees what changed since the return."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from hia_service.services.assessments import authoring as assessments
from hia_service.services.review import decisions as review
from tests.integration.review.conftest import acting_as

REASON = "The impact on disabled people is not assessed.\nSay how people who cannot travel will be seen."
ON_PC = "Disability is marked neutral with no evidence."
ON_ACTIONS = "Add an action for home visits."
GENERAL = "Check the decision date with the board secretary."


def comment(
    act: Any, reviewer: dict[str, Any], assessment_id: int, section: str, body: str, number: int
) -> None:
    act(reviewer, review.add_comment, assessment_id, section, body, number)


def returned_with_comments(world: Any, make_assessment: Any, act: Any, lock_of: Any) -> int:
    """Submitted by the manager; commented on (two sections and in general) and returned by the reviewer."""
    assessment_id = make_assessment(world["manager"])
    comment(act, world["reviewer"], assessment_id, "pc", ON_PC, 1)
    comment(act, world["reviewer"], assessment_id, "actions", ON_ACTIONS, 1)
    comment(act, world["reviewer"], assessment_id, "general", GENERAL, 1)
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
        (f"/assessments/{assessment_id}/pc.age", "Protected characteristics"),
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


def test_each_page_of_a_commented_section_shows_that_sections_comments_only(
    client: FlaskClient, world: Any, make_assessment: Any, act: Any, lock_of: Any, login: Any
) -> None:
    assessment_id = returned_with_comments(world, make_assessment, act, lock_of)
    login(world["manager"])
    for page_id in ("pc.age", "pc.disability", "pc.sex"):  # every page of the section
        html = client.get(f"/assessments/{assessment_id}/{page_id}").get_data(as_text=True)
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
    assert "nhsuk-notification-banner" not in client.get(f"/assessments/{assessment_id}/pc.age").get_data(
        as_text=True
    )
