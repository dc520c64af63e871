"""The record names people properly (issue 20, item 7): the author's job title, the senior responsible
owner, the decision-maker and the forum, on the cover and in the sign-off, as the approved, signed PDF prints
them."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.integration.documents_wiring.conftest import version_of
from tests.integration.documents_wiring.test_approval_signing import text_of
from tests.integration.review.conftest import answers_for

PEOPLE = {
    "proposal.author_job_title": "Service manager, urgent care",
    "proposal.sro": "Dr Amir Khan, Medical Director",
    "proposal.decision_maker": "Jane Smith, Chief Executive",
    "proposal.decision_forum": "Trust board",
}


def test_the_signed_record_names_the_people_responsible(
    app: Flask, world: Any, make_assessment: Any, act: Any
) -> None:
    from hia_service.services.review import decisions as review

    author = world["manager"]
    assessment_id = make_assessment(author, answers={**answers_for(author["email"]), **PEOPLE})
    act(world["reviewer"], review.start_review, assessment_id, None)
    act(world["reviewer"], review.approve, assessment_id, None)
    text = " ".join(text_of(version_of(app, assessment_id)["pdf"]).split())
    cover, rest = text.split("Page 1 of", 1)
    assert f"Prepared by {author['name']}, Service manager, urgent care" in cover
    # Labels wrap in the cover's narrow first column, so each is looked for apart from its value.
    assert "Senior responsible" in cover and "Dr Amir Khan, Medical Director" in cover
    assert "Decision-maker Jane Smith, Chief Executive" in cover
    assert "Trust board" in cover and "To be recorded after the decision" in cover
    # The sign-off table gives the author's job title beside their name.
    signoff = rest[rest.rindex("Sign-off") :]
    assert "Job title" in signoff and "Service manager, urgent care" in signoff
