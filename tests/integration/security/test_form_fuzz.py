"""Every HTML form the service accepts (every non-API POST route in the URL map), fuzzed with hypothesis:
random, oversized, hostile and misplaced field values, sent with a valid CSRF token by someone allowed to
use the route. Never a 500, never a stack trace, never another organisation's data, and a refused form
loses nothing already saved. Routes added later are fuzzed automatically."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from hia_service import create_app
from hia_service.auth.roles import Role
from tests.conftest import csrf_token_for, session_key_of
from tests.fuzz_counts import fuzz_settings, tried
from tests.integration.review.conftest import act_as, add_people, answers_for, create_assessment
from tests.integration.training.conftest import FLEETWOOD, make_session

SECRET = "Confidential RYB proposal 7f3a"  # another organisation's record: must never appear
FIELDS = [
    "title", "name", "days", "email", "password", "lock_version", "comment", "body", "section", "version",
    "forum", "decided_on", "outcome", "note", "method", "lsoa_codes", "postcode", "radius_km", "area_code",
    "area_search", "return_to", "action", "proposal.title", "proposal.kind", "proposal.decision_date-day",
    "proposal.decision_date-month", "proposal.decision_date-year", "actions.plan-0-action",
    "actions.plan-0-due-day",
]  # fmt: skip
HOSTILE = st.sampled_from(
    [
        "", " ", "0", "-1", "1e308", "NaN", "inf", "99999999999999999999999", "2026-02-30", "31", "13",
        "<script>alert(1)</script>", "' OR 1=1 --", "../../../etc/passwd", "%00", "\x00", "\u202e", "😀" * 50,
        "A" * 100_000, "E01000001", "SW1A 1AA", "named", "lsoa_codes", "point_radius", "geojson",
        "patient_list", "proposal", "check-answers", "https://evil.example/",
    ]
)  # fmt: skip
values = HOSTILE | st.text(max_size=40) | st.integers(-(2**70), 2**70).map(str)
uploads = st.sampled_from(
    [
        b"", b"postcode\nSW1A 1AA\n", b'{"type": "Polygon", "coordinates": []}', b"\x1f\x8b\x08\x00",
        b"%PDF-1.7\n%%EOF", b"[" * 10_000, b"\xff\xfe\x00",
    ]
)  # fmt: skip


def _post_routes() -> list[tuple[str, str]]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(
        (rule.endpoint, rule.rule)
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or ()) and not rule.rule.startswith("/api/")
    )


ROUTES = _post_routes()


@pytest.fixture(autouse=True)
def _clean_tables() -> Iterator[None]:
    """Overrides the per-test clean-up: this module shares one world, cleaned once at the end."""
    yield


@pytest.fixture(scope="module")
def world(app: Flask, reference_data_dir: Path) -> Iterator[dict[str, Any]]:
    from hia_service.data.models import ActionItem, ApiToken
    from hia_service.extensions import db
    from hia_service.services.accounts.tokens import create_token
    from hia_service.services.assessments import authoring as assessments
    from hia_service.services.organisation import choices
    from hia_service.services.review import decisions as review
    from hia_service.services.training import cohorts as training
    from tests.integration.review.conftest import acting_as

    original = app.config["HIA_DATA_DIR"]
    app.config["HIA_DATA_DIR"] = str(reference_data_dir)
    people = add_people(
        app,
        {
            "manager": ("manager", "RXA"),
            "reviewer": ("reviewer", "RXA"),
            "admin": ("admin", "RXA"),
            "trainer": ("trainer", "RXA"),
            "stranger": ("manager", "RYB"),
            "colleague": ("reviewer", "RXA"),  # whose account the admin's forms change
        },
    )
    author = people["manager"]
    draft = create_assessment(app, author, "Draft being written", submit=False)
    submitted = create_assessment(app, author, "Waiting for review")
    approved = create_assessment(app, author, "Approved")
    act_as(app, people["reviewer"], review.approve, approved, None)
    create_assessment(app, people["stranger"], SECRET, answers=answers_for(people["stranger"]["email"]))
    with acting_as(app, author) as user:
        create_token(user, "Fuzz", 30)
        assessments.start_assessment(user, "Spare")
        db.session.commit()
    # A training session of RXA run by its trainer, joined by the manager; a directorate in RXA's list.
    session = make_session(app, people["trainer"])
    act_as(app, author, training.join_session, session["code"])
    choice = act_as(app, people["admin"], lambda u: choices.add_choice(u, "directorate", "Estates").id)
    with app.app_context():
        values = {
            "draft": draft,
            "submitted": submitted,
            "approved": approved,
            "item_id": db.session.scalar(select(ActionItem.id).where(ActionItem.assessment_id == approved)),
            "token_id": db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == author["id"])),
            "session_id": session["id"],
            "choice_id": choice,
            "user_id": people["colleague"]["id"],
        }
        db.session.remove()
    yield {"people": people, **values}
    app.config["HIA_DATA_DIR"] = original
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


def _person_for(app: Flask, endpoint: str, world: dict[str, Any]) -> dict[str, Any] | None:
    """Someone who gets past the route's guard: the author if allowed, else a reviewer, else an admin, else
    a trainer (who runs the world's training session)."""
    access = app.view_functions[endpoint].hia_access
    if access["roles"] is None:
        return None
    people = (
        ("manager", Role.MANAGER),
        ("reviewer", Role.REVIEWER),
        ("admin", Role.ADMIN),
        ("trainer", Role.TRAINER),
    )
    for key, role in people:
        if role in access["roles"]:
            return world["people"][key]
    raise AssertionError(f"no persona can use {endpoint}")


def _urls(rule: str, world: dict[str, Any]) -> list[str]:
    """The rule filled in with each record the fuzzing should reach (a draft, a submitted, an approved)."""
    pages = ["proposal", "who", "area", "pc", "actions", "monitoring", "conclusion", "check-answers"]
    records = (
        [world["draft"], world["submitted"], world["approved"]] if "<int:assessment_id>" in rule else [0]
    )
    urls = []
    for record in records:
        for page in pages if "<page_id>" in rule else [""]:
            url = rule.replace("<int:assessment_id>", str(record)).replace("<page_id>", page)
            url = url.replace("<int:item_id>", str(world["item_id"])).replace(
                "<int:token_id>", str(world["token_id"])
            )
            url = url.replace("<int:session_id>", str(world["session_id"])).replace(
                "<scenario_id>", FLEETWOOD
            )
            url = url.replace("<kind>", "directorate").replace("<int:choice_id>", str(world["choice_id"]))
            url = url.replace("<int:user_id>", str(world["user_id"]))
            assert "<" not in url, f"{rule}: no value for {url}"
            urls.append(url)
    return urls


def _sign_in(client: FlaskClient, person: dict[str, Any] | None) -> str:
    with client.session_transaction() as session:
        session.clear()
        if person is not None:
            session["_user_id"] = str(person["id"])
            session["_fresh"] = True
            session["signed_in_at"] = session["last_seen"] = time.time()
            session["session_key"] = session_key_of(client.application, person["id"])
    return csrf_token_for(client)


def _saved(app: Flask, assessment_id: int) -> tuple[Any, ...]:
    from hia_service.data.models import Assessment
    from hia_service.extensions import db

    with app.app_context():
        row = db.session.get(Assessment, assessment_id)
        saved = (row.answers, row.area, row.lock_version, row.status) if row else ()
        db.session.remove()
        return saved


@st.composite
def forms(draw: st.DrawFn, scraped: list[str]) -> list[tuple[str, Any]]:
    names = st.sampled_from(sorted(set(FIELDS + scraped))) | st.text(min_size=1, max_size=12)
    fields = draw(st.lists(st.tuples(names, values), max_size=12))
    if draw(st.integers(0, 4)) == 0:
        name = draw(st.sampled_from(["patient_file", "geojson_file", "document", "file"]))
        filename = draw(st.sampled_from(["list.csv", "area.geojson", "record.pdf", "x", "../../x.csv"]))
        fields.append((name, FileStorage(stream=io.BytesIO(draw(uploads)), filename=filename)))
    return fields


@pytest.mark.parametrize(("endpoint", "rule"), ROUTES, ids=[f"POST {rule}" for _, rule in ROUTES])
def test_fuzzed_forms_never_fail_leak_or_lose_a_save(
    app: Flask, client: FlaskClient, world: dict[str, Any], endpoint: str, rule: str
) -> None:
    person = _person_for(app, endpoint, world)
    for url in _urls(rule, world):
        _sign_in(client, person)
        page = client.get(url)  # the form's own field names, where the route also shows a page
        html = page.get_data(as_text=True) if page.status_code == 200 else ""
        page.close()
        scraped = sorted(set(re.findall(r'name="([^"]+)"', html)))
        _fuzz_one_url(app, client, person, url, scraped, world)


def _fuzz_one_url(
    app: Flask,
    client: FlaskClient,
    person: dict[str, Any] | None,
    url: str,
    scraped: list[str],
    world: dict[str, Any],
) -> None:
    record = int(m.group(1)) if (m := re.match(r"^/(?:assessments|review)/(\d+)", url)) else None

    @fuzz_settings(12)
    @given(fields=forms(scraped))
    def fuzz(fields: list[tuple[str, Any]]) -> None:
        tried("form: POST " + re.sub(r"/\d+", "/<id>", url))
        csrf = _sign_in(client, person)
        before = _saved(app, record) if record else None
        data = MultiDict([*fields, ("csrf_token", csrf)])
        boundary, body = encode_multipart(data)
        response = client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")
        html = response.get_data(as_text=True)
        response.close()
        assert response.status_code < 500, f"{url}: {response.status_code}\n{html[:1000]}"
        assert "Traceback" not in html and SECRET not in html
        if record and response.status_code >= 400:
            assert _saved(app, record) == before, (
                f"{url} refused the form ({response.status_code}) but changed the record"
            )

    fuzz()


def test_a_tampered_row_count_keeps_the_rows_sent(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    """Found by the fuzzing: a non-number in the hidden row count was a 500. The rows sent now count."""
    url = f"/assessments/{world['draft']}/actions"
    csrf = _sign_in(client, world["people"]["manager"])
    row = {
        "actions.plan-0-action": "Keep a morning walk-in session",
        "actions.plan-0-owner": "A Person",
        "actions.plan-0-due-day": "1",
        "actions.plan-0-due-month": "6",
        "actions.plan-0-due-year": "2030",
    }
    response = client.post(url, data={"csrf_token": csrf, "actions.plan-rows": "1e308", **row})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    answers = _saved(app, world["draft"])[0]
    assert [r["action"] for r in answers["actions.plan"]] == ["Keep a morning walk-in session"]


def test_a_multipart_part_without_a_name_is_ignored_not_a_500(client: FlaskClient) -> None:
    """Found by the fuzzing: Werkzeug files a nameless part under None, which broke the CSRF check."""
    csrf = _sign_in(client, None)
    parts = [
        b"Content-Disposition: form-data\r\n\r\nno name",
        b'Content-Disposition: form-data; filename="x.csv"\r\n\r\nno name either',
        b'Content-Disposition: form-data; name="csrf_token"\r\n\r\n' + csrf.encode(),
        b'Content-Disposition: form-data; name="email"\r\n\r\nnobody@nowhere.nhs.uk',
        b'Content-Disposition: form-data; name="password"\r\n\r\nnot-the-password',
    ]
    body = b"".join(b"--XX\r\n" + part + b"\r\n" for part in parts) + b"--XX--\r\n"
    response = client.post("/sign-in", data=body, content_type="multipart/form-data; boundary=XX")
    assert response.status_code == 401  # past the CSRF check, to a plain wrong-password answer
    assert "Enter a correct email address and password" in response.get_data(as_text=True)
