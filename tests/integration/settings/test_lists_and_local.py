"""Directorates, decision forums and sites kept by admins, offered in the wizard and the review filter; local
guidance and local groups added as numbered local versions that assessments record and keep."""

from __future__ import annotations

import io
from typing import Any

import pdfplumber
from flask import Flask
from flask.testing import FlaskClient

from tests.integration.review import conftest as review_fixtures
from tests.integration.settings.conftest import post_form
from tests.integration.wizard.test_wizard import PROPOSAL, _form, _start

login = review_fixtures.login
world = review_fixtures.world


def _add(client: FlaskClient, kind: str, name: str) -> Any:
    return post_form(client, f"/settings/lists/{kind}", {"name": name})


def _entry_id(app: Flask, name: str) -> int:
    from hia_service.data.models import OrganisationChoice
    from hia_service.extensions import db

    with app.app_context():
        found = db.session.query(OrganisationChoice).filter_by(name=name).one().id
        db.session.remove()
    return found


def test_admin_adds_renames_and_retires_entries(
    app: Flask, client: FlaskClient, world: Any, login: Any
) -> None:
    login(world["admin"])
    assert _add(client, "directorate", "Planned care").status_code == 302
    assert _add(client, "directorate", "Community  services").status_code == 302
    duplicate = _add(client, "directorate", "planned CARE")
    assert (
        duplicate.status_code == 400
        and "&#39;Planned care&#39; is already in the list" in duplicate.get_data(as_text=True)
    )
    empty = _add(client, "directorate", "  ")
    assert empty.status_code == 400 and "Enter the name of the directorate or team" in empty.get_data(
        as_text=True
    )
    assert client.get("/settings/lists/nonsense").status_code == 404
    entry = _entry_id(app, "Community services")  # spaces tidied
    url = f"/settings/lists/directorate/{entry}"
    assert post_form(client, url, {"action": "rename", "name": "Community care"}).status_code == 302
    assert post_form(client, url, {"action": "retire"}).status_code == 302
    page = client.get("/settings/lists/directorate").get_data(as_text=True)
    assert "Community care" in page and "Retired" in page


def test_the_wizard_suggests_the_list_and_keeps_free_text_and_old_names(
    app: Flask, client: FlaskClient, world: Any, login: Any
) -> None:
    login(world["admin"])
    _add(client, "directorate", "Planned care")
    _add(client, "directorate", "Estates")
    _add(client, "decision_forum", "Trust board")
    _add(client, "site", "Riverside Hospital")
    post_form(client, f"/settings/lists/directorate/{_entry_id(app, 'Estates')}", {"action": "retire"})

    login(world["manager"])
    assessment_id = _start(client)
    url = f"/assessments/{assessment_id}/proposal"
    page = client.get(url).get_data(as_text=True)
    assert 'list="proposal.directorate-suggestions"' in page
    assert '<option value="Planned care">' in page and '<option value="Estates">' not in page
    assert '<option value="Trust board">' in page
    assert "On your organisation's list: Riverside Hospital" in page
    # A name not on the list is accepted as typed.
    data = {**_form(client, url), **PROPOSAL, "proposal.directorate": "Pharmacy (new)"}
    assert client.post(url, data=data).status_code == 302
    # Renaming the entry later changes no record; the review filter offers both.
    login(world["admin"])
    entry = _entry_id(app, "Planned care")
    post_form(client, f"/settings/lists/directorate/{entry}", {"action": "rename", "name": "Elective care"})
    from hia_service.data.models import Assessment
    from hia_service.extensions import db

    with app.app_context():
        assert db.session.get(Assessment, assessment_id).directorate == "Pharmacy (new)"
        db.session.remove()


def test_review_filter_offers_recorded_and_listed_directorates(
    app: Flask, client: FlaskClient, world: Any, login: Any, make_assessment: Any
) -> None:
    login(world["admin"])
    _add(client, "directorate", "Elective care")
    make_assessment(world["manager"])
    login(world["reviewer"])
    page = client.get("/review/").get_data(as_text=True)
    assert '<option value="Elective care"' in page


make_assessment = review_fixtures.make_assessment


def _local_page(client: FlaskClient, data: dict[str, str]) -> Any:
    return post_form(client, "/settings/framework", data)


def test_local_versions_are_numbered_and_assessments_keep_theirs(
    app: Flask, client: FlaskClient, world: Any, login: Any
) -> None:
    login(world["admin"])
    guidance = {
        "action": "guidance",
        "section": "inclusion",
        "guidance": "Check the coalfield needs assessment.",
    }
    assert _local_page(client, guidance).status_code == 302
    group = {"action": "add_group", "label": "people living in former coalfield communities"}
    assert _local_page(client, group).status_code == 302
    again = _local_page(client, group)
    assert again.status_code == 400 and "There is already a local group called" in again.get_data(
        as_text=True
    )
    assert "No local additions" not in client.get("/settings/").get_data(as_text=True)
    assert "Version 2" in client.get("/settings/").get_data(as_text=True)

    login(world["manager"])
    first = _start(client, "Close the Grimethorpe clinic")
    tasks = client.get(f"/assessments/{first}").get_data(as_text=True)
    assert "Local groups" in tasks
    html = client.get(f"/assessments/{first}/inclusion").get_data(as_text=True)
    assert "Check the coalfield needs assessment." in html
    assert "also asks about people living in former coalfield communities" in html
    assert "Check the coalfield" not in client.get(f"/assessments/{first}/proposal").get_data(as_text=True)

    # Saving with nothing chosen is refused with a reason; then the answer is stored.
    url = f"/assessments/{first}/local-groups"
    refused = post_form(client, url, {})
    assert refused.status_code == 400
    assert "Select the impact on people living in former coalfield communities" in refused.get_data(
        as_text=True
    )
    key = "local.people-living-in-former-coalfield-communities"
    saved = post_form(client, url, {f"{key}.impact": "negative", f"{key}.notes": "Two bus routes fewer"})
    assert saved.status_code == 302

    # A later local version (the group retired) changes neither this assessment nor its answers.
    login(world["admin"])
    assert _local_page(client, {"action": "retire_group", "group": key}).status_code == 302
    login(world["manager"])
    second = _start(client, "A later proposal")
    assert "Local groups" not in client.get(f"/assessments/{second}").get_data(as_text=True)
    from hia_service.data.models import Assessment
    from hia_service.extensions import db

    with app.app_context():
        answers = db.session.get(Assessment, first).answers
        later = db.session.get(Assessment, second).answers
        db.session.remove()
    assert answers["local.version"] == 2 and later["local.version"] == 3
    assert answers[f"{key}.impact"] == "negative"
    assert "Local groups" in client.get(f"/assessments/{first}").get_data(as_text=True)


def test_local_groups_appear_in_the_pdf(app: Flask, world: Any, login: Any, client: FlaskClient) -> None:
    from hia_service.data.transaction import commit
    from hia_service.services.assessments.authoring import assessment_for
    from hia_service.services.documents import records as documents
    from hia_service.services.organisation import local_framework
    from tests.integration.review.conftest import acting_as

    with acting_as(app, world["admin"]) as admin:
        local_framework.add_group(admin, "people living in former coalfield communities")
        commit()
    login(world["manager"])
    assessment_id = _start(client, "Close the Grimethorpe clinic")
    key = "local.people-living-in-former-coalfield-communities"
    post_form(
        client,
        f"/assessments/{assessment_id}/local-groups",
        {f"{key}.impact": "negative", f"{key}.notes": "Two bus routes fewer"},
    )
    with acting_as(app, world["manager"]) as manager:
        snapshot = documents.draft_snapshot(assessment_for(manager, assessment_id))
    assert snapshot["local"]["version"] == 1
    assert snapshot["local"]["groups"] == [
        {
            "label": "people living in former coalfield communities",
            "impact": "Negative",
            "notes": "Two bus routes fewer",
        }
    ]
    from hia_service.documents import build_pdf

    pdf = build_pdf(snapshot)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
    words = " ".join(text.split())
    assert "Local groups" in words, words
    # (The diagonal DRAFT mark splits some words when text is extracted, so look for short pieces.)
    assert "(local version 1)" in words and "Likely impact Notes" in words
    assert "former coalfield" in words and "Two bus routes fewer" in words


def test_local_groups_can_be_saved_unfinished_for_later(
    app: Flask, world: Any, login: Any, client: FlaskClient
) -> None:
    from hia_service.data.models import Assessment
    from hia_service.data.transaction import commit
    from hia_service.extensions import db
    from hia_service.services.organisation import local_framework
    from tests.integration.review.conftest import acting_as

    with acting_as(app, world["admin"]) as admin:
        local_framework.add_group(admin, "people living in former coalfield communities")
        commit()
    login(world["manager"])
    assessment_id = _start(client, "Close the Grimethorpe clinic")
    key = "local.people-living-in-former-coalfield-communities"
    url = f"/assessments/{assessment_id}/local-groups"
    assert 'value="later">Save and come back later</button>' in client.get(url).get_data(as_text=True)
    saved = post_form(client, url, {f"{key}.notes": "Two bus routes fewer", "action": "later"})
    assert saved.status_code == 302
    with app.app_context():
        answers = db.session.get(Assessment, assessment_id).answers
        db.session.remove()
    assert answers[f"{key}.notes"] == "Two bus routes fewer" and answers.get(f"{key}.impact") is None
    tasks = client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    assert "You can come back to this page from the task list" in tasks
    assert post_form(client, url, {f"{key}.notes": "Two bus routes fewer"}).status_code == 400
