"""Every route in the URL map x every role x own or other organisation (and signed out, and API tokens).

What each route should answer is derived, not listed: the access its decorator declares on the view
(`hia_access`: the roles, and whether it takes an API token) says who gets past the guard, and the table of
per-record rules below says who in the record's own organisation may then use the record. Another
organisation's record always answers 404. A route added later is covered automatically; a route whose view
declares no access fails here (and in the architecture test). Refused POSTs, PUTs and DELETEs must write
nothing.

The records all belong to organisation RXA (its manager is their author); "own" people are in RXA, "other"
people in RYB. The world is built once per database for the whole module.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select

from hia_service import create_app
from hia_service.auth.roles import Role
from tests.conftest import csrf_token_for, session_key_of
from tests.fuzz_counts import tried
from tests.integration.api.conftest import issue_token
from tests.integration.review.conftest import act_as, add_people, create_assessment
from tests.integration.training.conftest import FLEETWOOD, answer_and_submit, make_session, start_practice

ROLES = ("manager", "reviewer", "trainer", "admin")
ORGS = {"own": "RXA", "other": "RYB"}
SESSION_PERSONAS = [f"{org}_{role}" for org in ORGS for role in ROLES]
TOKEN_PERSONAS = [f"token_{org}_{role}" for org in ORGS for role in ROLES]
PERSONAS = ["signed_out", *SESSION_PERSONAS, *TOKEN_PERSONAS]
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Files and the published OpenAPI document: open to all by design (the architecture test's list).
OPEN_ENDPOINTS = {"static", "nhsuk.static", "assets.static", "app_static.static", "api-docs.openapi_json"}
ALLOW, SIGN_IN, UNAUTHORISED, FORBIDDEN, NOT_FOUND = "allow", "sign-in", "401", "403", "404"


def _routes() -> list[tuple[str, str, str]]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule.rule))
    return sorted(found)


ROUTES = _routes()


def access_of(app: Flask, endpoint: str, method: str) -> dict[str, Any]:
    """The access the route's decorator declared on its view (or on the MethodView's method)."""
    if endpoint in OPEN_ENDPOINTS:
        return {"roles": None}
    view = app.view_functions[endpoint]
    view_class = getattr(view, "view_class", None)
    target = getattr(view_class, method.lower(), None) if view_class else view
    access = getattr(target, "hia_access", None)
    assert access is not None, f"{endpoint} {method} declares no access (@public, @signed_in, ...)"
    return access


# --- per-record rules: who in the record's own organisation may use it once past the role guard --------

AUTHOR = {"manager"}  # the author is the home organisation's manager (also a staff trainee in the session)
AUTHOR_AND_REVIEWERS = {"manager", "reviewer"}


@dataclass(frozen=True)
class RecordRule:
    """`own` roles may use the record; others in its organisation get 404, or what `refused` says for their
    role (403 where they may see the record but not do this to it). Other organisations always get 404."""

    own: set[str]
    refused: dict[str, str] | None = None

    def for_role(self, role: str) -> str:
        return ALLOW if role in self.own else (self.refused or {}).get(role, NOT_FOUND)


RECORD_RULES: dict[str, RecordRule] = {
    # An assessment: its author, and the organisation's reviewers (see auth.permissions.can).
    "wizard.tasks": RecordRule(AUTHOR_AND_REVIEWERS),
    "wizard.resume": RecordRule(AUTHOR_AND_REVIEWERS),
    "wizard.step": RecordRule(AUTHOR_AND_REVIEWERS),
    "wizard.check_answers": RecordRule(AUTHOR_AND_REVIEWERS),
    "wizard.submitted": RecordRule(AUTHOR_AND_REVIEWERS),
    "wizard.area_chart": RecordRule(AUTHOR_AND_REVIEWERS),
    "wizard.area_map": RecordRule(AUTHOR_AND_REVIEWERS),
    "review.record": RecordRule(AUTHOR_AND_REVIEWERS),
    "review.version": RecordRule(AUTHOR_AND_REVIEWERS),
    "review.compare": RecordRule(AUTHOR_AND_REVIEWERS),
    "review.decision": RecordRule(AUTHOR_AND_REVIEWERS),
    "review.start": RecordRule({"reviewer"}),
    "review.comment": RecordRule({"reviewer"}),
    "review.return_to_author": RecordRule({"reviewer"}),
    "review.approve": RecordRule({"reviewer"}),
    "documents.pdf": RecordRule(AUTHOR_AND_REVIEWERS),
    "documents.docx": RecordRule(AUTHOR_AND_REVIEWERS),
    "followup.item": RecordRule(AUTHOR_AND_REVIEWERS),
    "followup.item POST": RecordRule(AUTHOR, {"reviewer": FORBIDDEN}),  # reviewers see, owners complete
    "followup.users": RecordRule(AUTHOR_AND_REVIEWERS),  # the users now, beside those recorded before
    # A person's API token is theirs alone; an organisation's users are its admins' business.
    "tokens.revoke": RecordRule(AUTHOR),
    "admin.user": RecordRule({"admin"}),
    "admin.change_role": RecordRule({"admin"}),
    "admin.deactivate": RecordRule({"admin"}),
    "admin.reactivate": RecordRule({"admin"}),
    "admin.reset_password": RecordRule({"admin"}),
    # The API over the same records.
    "api_assessments.AssessmentItem": RecordRule(AUTHOR_AND_REVIEWERS),
    "api_assessments.SectionAnswers": RecordRule(AUTHOR),
    "api_assessments.Submit": RecordRule(AUTHOR),
    "api_area.AssessmentArea": RecordRule(AUTHOR),
    "api_review.StartReview": RecordRule({"reviewer"}),
    "api_review.Comments": RecordRule({"reviewer"}),
    "api_review.Return": RecordRule({"reviewer"}),
    "api_review.Approve": RecordRule({"reviewer"}),
    "api_versions.Versions": RecordRule(AUTHOR_AND_REVIEWERS),
    "api_versions.VersionItem": RecordRule(AUTHOR_AND_REVIEWERS),
    "api_documents.VersionPdf": RecordRule(AUTHOR_AND_REVIEWERS),
    "api_documents.VersionDocx": RecordRule(AUTHOR_AND_REVIEWERS),
    # The wizard's page for the organisation's own groups, like the other wizard pages.
    "wizard.local_groups": RecordRule(AUTHOR_AND_REVIEWERS),
    # A training session (made by the own trainer) is run by its organisation's trainers; only its
    # members (the own manager joined it) practise in it; a practice is its trainee's, and its feedback
    # is also for the trainers.
    "training.session": RecordRule({"trainer"}),
    "training.results_csv": RecordRule({"trainer"}),
    "training.add_trainee": RecordRule({"trainer"}),
    "training.replace_code": RecordRule({"trainer"}),
    "training.practise": RecordRule(AUTHOR),
    "training.brief": RecordRule(AUTHOR),
    "training.start": RecordRule(AUTHOR),
    "training.feedback": RecordRule({"manager", "trainer"}),
    "training.pdf": RecordRule(AUTHOR),
    # An organisation's settings are its admins' business.
    "settings.choice": RecordRule({"admin"}),
}
RECORD_PARAMS = {"assessment_id", "item_id", "token_id", "user_id", "session_id", "choice_id"}
# Routes whose record is the signed-in person's own organisation's, with nothing in the URL (only RXA has
# one): another organisation's people find nothing, never RXA's.
ORG_RECORDS: dict[str, RecordRule] = {"settings.logo_image": RecordRule({"admin"})}
# Routes whose <assessment_id> is a practice assessment, not the world's submitted one.
PRACTICE_ENDPOINTS = {"training.feedback", "training.pdf"}
# Routes that exist only when a feature is configured (the matrix's app has no OIDC provider).
WHEN_NOT_CONFIGURED = {"auth.oidc_start": NOT_FOUND, "auth.oidc_callback": NOT_FOUND}
# A verify link without the record's key shows nothing, to anyone.
NEVER_FOUND = {"verify.incomplete_link"}
# Bodies that get an allowed person past every guard to the service, which refuses them (a stale lock,
# nothing to say): so the matrix itself changes nothing that decides access.
API_BODIES: dict[str, dict[str, Any]] = {
    "api_assessments.SectionAnswers": {"answers": {}, "lock_version": 0},
    "api_area.AssessmentArea": {"area": {"type": "lsoa_codes", "codes": ["E01000001"]}},
    "api_review.StartReview": {"lock_version": 0},
    "api_review.Approve": {"lock_version": 0},
    "api_review.Return": {"comment": "Refused by its stale lock", "lock_version": 0},
    "api_review.Comments": {"section": "no-such-section", "body": "x", "version": 99},
}
FORM_DATA: dict[str, dict[str, str]] = {
    "review.start": {"lock_version": "0"},
    "review.approve": {"lock_version": "0"},
    "review.return_to_author": {"lock_version": "0", "comment": ""},
    "review.comment": {"section": "pc", "version": "2", "body": ""},
    "followup.item": {"lock_version": "0", "note": ""},
}


def expected(access: dict[str, Any], endpoint: str, rule: str, persona: str, method: str = "GET") -> str:
    roles = access["roles"]
    if endpoint in WHEN_NOT_CONFIGURED:
        return WHEN_NOT_CONFIGURED[endpoint]
    if endpoint in NEVER_FOUND:
        return NOT_FOUND
    if roles is None:
        return ALLOW
    org, role = _org_role(persona)
    if access.get("api"):
        if not persona.startswith("token_"):
            return UNAUTHORISED  # a session cookie never opens the API
    elif persona == "signed_out" or persona.startswith("token_"):
        return SIGN_IN  # a bearer token never opens a web page
    if Role(role) not in roles:
        return FORBIDDEN
    if endpoint in ORG_RECORDS:
        return NOT_FOUND if org == "other" else ORG_RECORDS[endpoint].for_role(role)
    if not any(f"<{p}>" in rule or f":{p}>" in rule for p in RECORD_PARAMS):
        return ALLOW
    record = RECORD_RULES.get(f"{endpoint} {method}") or RECORD_RULES.get(endpoint)
    assert record is not None, f"{endpoint} takes a record but has no per-record rule in RECORD_RULES"
    return NOT_FOUND if org == "other" else record.for_role(role)


def _org_role(persona: str) -> tuple[str, str]:
    parts = persona.split("_")
    return (parts[-2], parts[-1]) if persona != "signed_out" else ("", "")


def outcome(response: Any) -> str:
    status = response.status_code
    if status == 302 and "/sign-in?next=" in response.location:
        return SIGN_IN
    if status in (401, 403, 404):
        return str(status)
    assert status < 500, f"server error {status}: {response.get_data(as_text=True)[:500]}"
    return ALLOW  # past the guards: the page, a redirect, or the service refusing the (empty) input


# --- the world ---------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _clean_tables() -> Iterator[None]:
    """Overrides the per-test clean-up: this module shares one world, cleaned once at the end."""
    yield


@dataclass(frozen=True)
class World:
    people: dict[str, dict[str, Any]]
    tokens: dict[str, str]
    values: dict[str, Any]  # URL parameter -> value


@pytest.fixture(scope="module")
def world(app: Flask, reference_data_dir: Path) -> Iterator[World]:
    from hia_service.data.models import ActionItem, ApiToken, Assessment, AssessmentVersion
    from hia_service.extensions import db
    from hia_service.services.assessments import authoring as assessments
    from hia_service.services.organisation import choices
    from hia_service.services.review import decisions as review
    from hia_service.services.training import cohorts as training

    original = app.config["HIA_DATA_DIR"]
    app.config["HIA_DATA_DIR"] = str(reference_data_dir)  # maps and charts draw on real reference data
    people = add_people(app, {f"{org}_{role}": (role, code) for org, code in ORGS.items() for role in ROLES})
    people["helper"] = add_people(app, {"helper": ("reviewer", "RXA")})["helper"]
    tokens = {f"token_{key}": issue_token(app, person) for key, person in people.items() if key != "helper"}
    author = people["own_manager"]
    # Returned and resubmitted, so it has two versions to compare.
    submitted = create_assessment(app, author, "Close the walk-in centre on Sundays")
    act_as(app, people["helper"], review.return_to_author, submitted, "Please revise", None)
    act_as(
        app, author, assessments.save_page, submitted, ["proposal.kind"], {"proposal.kind": "policy"}, None
    )
    act_as(app, author, assessments.submit_for_review, submitted)
    approved = create_assessment(app, author, "Approved")
    act_as(app, people["helper"], review.approve, approved, None)
    # A training session of RXA with a scenario, joined by the manager, whose practice is handed in.
    session = make_session(app, people["own_trainer"])
    act_as(app, author, training.join_session, session["code"])
    practice = start_practice(app, author, session["id"])
    answer_and_submit(app, author, practice, {"pc.age.impact": "negative"})
    # RXA's settings: a directorate in its list, and a logo.
    choice = act_as(app, people["own_admin"], lambda u: choices.add_choice(u, "directorate", "Estates").id)
    _save_logo(app, people["own_admin"])
    with app.app_context():
        item = db.session.scalar(select(ActionItem.id).where(ActionItem.assessment_id == approved))
        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == author["id"]))
        # The public verify link is for an approved, signed record: the approved one's, with its key.
        reference = db.session.scalar(select(Assessment.reference).where(Assessment.id == approved))
        key = db.session.scalar(
            select(AssessmentVersion.verify_key).where(AssessmentVersion.assessment_id == approved)
        )
    values = {
        "assessment_id": submitted,
        "number": 1,
        "page_id": "proposal",
        "section_id": "proposal",
        "item_id": item,
        "token_id": token_id,
        # An account the admin's allowed POSTs may deactivate, reset and reactivate: not one the matrix
        # signs in as (the helper only set the world up).
        "user_id": people["helper"]["id"],
        "name": "rating",
        "reference": reference,
        "key": key,
        "session_id": session["id"],
        "scenario_id": FLEETWOOD,
        "practice_id": practice,
        "kind": "directorate",
        "choice_id": choice,
    }
    yield World(people, tokens, values)
    app.config["HIA_DATA_DIR"] = original
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


def _save_logo(app: Flask, admin: dict[str, Any]) -> None:
    from hia_service.services.organisation import branding

    buffer = io.BytesIO()
    Image.new("RGB", (240, 80), (0, 94, 184)).save(buffer, format="PNG")
    act_as(app, admin, branding.save_logo, buffer.getvalue())


# Set-up a route needs again before its check: an allowed POST of another route may have undone it.
BEFORE = {"settings.logo_image": lambda app, world: _save_logo(app, world.people["own_admin"])}


STATIC_FILES = {
    "static": "init.js",
    "app_static.static": "init.js",
    "nhsuk.static": "nhsuk-frontend.min.css",
    "assets.static": "images/nhsuk-icon-mask.svg",
}


def url_for_rule(rule: str, endpoint: str, world: World) -> str:
    """The rule with each <converter:name> replaced by the world's value for that name."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[-1]
        if name == "filename":
            return STATIC_FILES[endpoint]
        if name == "assessment_id" and endpoint in PRACTICE_ENDPOINTS:
            return str(world.values["practice_id"])
        return str(world.values[name])

    return re.sub(r"<([^>]+)>", value, rule)


def stored(app: Flask) -> tuple[Any, ...]:
    """Everything a refused request must leave alone (the audit log records refused API calls by design)."""
    from hia_service.data.models import ActionItem, ApiToken, Assessment
    from hia_service.extensions import db

    with app.app_context():
        tables = [table for table in db.metadata.sorted_tables if table.name != "audit_events"]
        # Every table's row count in one query (it runs before and after each refused write).
        row = db.session.execute(
            select(*(select(func.count()).select_from(table).scalar_subquery() for table in tables))
        ).one()
        counts = tuple(zip((table.name for table in tables), row, strict=True))
        assessments = tuple(
            db.session.execute(
                select(Assessment.id, Assessment.lock_version, Assessment.status).order_by(Assessment.id)
            )
        )
        # (in id order: PostgreSQL returns an updated row, a token's last-used time say, in another place)
        items = tuple(db.session.execute(select(ActionItem.id, ActionItem.status).order_by(ActionItem.id)))
        tokens = tuple(db.session.execute(select(ApiToken.id, ApiToken.revoked_at).order_by(ApiToken.id)))
        db.session.remove()
        return (counts, assessments, items, tokens)


def as_persona(client: FlaskClient, world: World, persona: str) -> str:
    """Set up the client as the persona (session, or bearer token and no session); return a CSRF token."""
    client.environ_base.pop("HTTP_AUTHORIZATION", None)
    person = world.people.get(persona)
    with client.session_transaction() as session:
        session.clear()
        if person is not None:
            session["_user_id"] = str(person["id"])
            session["_fresh"] = True
            session["signed_in_at"] = session["last_seen"] = time.time()
            session["session_key"] = session_key_of(client.application, person["id"])
    token = csrf_token_for(client)
    if persona.startswith("token_"):
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {world.tokens[persona]}"
    return token


def send(client: FlaskClient, endpoint: str, method: str, url: str, csrf: str) -> Any:
    if method not in WRITES:
        return client.open(url, method=method)
    if url.startswith("/api/"):
        return client.open(url, method=method, json=API_BODIES.get(endpoint, {}))
    return client.open(url, method=method, data={"csrf_token": csrf, **FORM_DATA.get(endpoint, {})})


@pytest.mark.parametrize(("endpoint", "method", "rule"), ROUTES, ids=[f"{m} {r}" for e, m, r in ROUTES])
def test_route_answers_each_persona_as_its_access_declares(
    app: Flask, client: FlaskClient, world: World, endpoint: str, method: str, rule: str
) -> None:
    access = access_of(app, endpoint, method)
    url = url_for_rule(rule, endpoint, world)
    if endpoint in BEFORE:
        BEFORE[endpoint](app, world)
    wrong = []
    for persona in PERSONAS:
        csrf = as_persona(client, world, persona)
        want = expected(access, endpoint, rule, persona, method)
        before = stored(app) if method in WRITES and want != ALLOW else None
        response = send(client, endpoint, method, url, csrf)
        if want != ALLOW:
            tried("access: refused route x persona requests")
        response.close()
        got = outcome(response)
        if got != want:
            wrong.append(f"{persona}: got {got} ({response.status_code}), expected {want}")
        if before is not None:
            assert stored(app) == before, f"{persona} {method} {url} was refused but wrote something"
    client.environ_base.pop("HTTP_AUTHORIZATION", None)
    assert wrong == [], f"{method} {url}:\n" + "\n".join(wrong)
