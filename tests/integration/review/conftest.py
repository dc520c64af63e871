"""Fixtures for governance review: two organisations with a person in every role, and assessments made
through the real services (start, answer, choose the area, submit)."""

from __future__ import annotations

import functools
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.conftest import TEST_PASSWORD, csrf_token_from

PROFILE = {
    "release": "IoD2025",
    "lsoa_count": 3,
    "population": 5000,
    "population_by_decile": [2000, 1000, 500, 500, 300, 200, 200, 100, 100, 100],
    "core20_share": 0.6,
    "relative_core20": 3.0,
    "mean_imd_score": 38.2,
    "baseline": {"england": {"core20_share": 0.2}},
}
IN_TWO_MONTHS = (date.today() + timedelta(days=60)).isoformat()
# A review date after any decision date the tests set (the service refuses a review before the decision).
IN_THREE_YEARS = (date.today() + timedelta(days=3 * 365)).isoformat()
AREA = {"type": "lsoa_codes", "codes": ["E01000001", "E01000002", "E01000003"]}


def answers_for(owner_email: str, **overrides: Any) -> dict[str, Any]:
    answers = {
        "proposal.kind": "service_change",
        "proposal.directorate": "Community services",
        "proposal.decision_forum": "Trust board",
        "proposal.decision_date": IN_TWO_MONTHS,
        "pc.age.impact": "negative",
        "pc.age.evidence": "Older people use the walk-in centre most.",
        "pc.age.mitigation": "Keep a morning walk-in session.",
        "engagement.done": "no",
        "engagement.not_proportionate": "An internal change to rotas.",
        "actions.plan": [
            {
                "action": "Keep a morning walk-in session",
                "owner": owner_email,
                "due": "2020-01-15",
                "measure": "Attendances by age",
            },
            {"action": "Write to every registered patient", "owner": "Someone Else", "due": "2099-01-01"},
        ],
        "monitoring.review_date": "2021-03-01",
        "monitoring.review_owner": owner_email,
        "conclusion.recommendation": "proceed_with_mitigations",
        "conclusion.rationale": "The impacts can be reduced.",
    }
    return {**answers, **overrides}


@dataclass
class World:
    """People in RXA (the home organisation) and RYB (another one)."""

    people: dict[str, dict[str, Any]]

    def __getitem__(self, key: str) -> dict[str, Any]:
        return self.people[key]


@functools.cache
def _password_hash() -> str:
    from hia_service.auth.passwords import hash_password

    return hash_password(TEST_PASSWORD)  # argon2 is slow on purpose: hash once, not per person


def add_people(app: Flask, wanted: dict[str, tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """Create {key: (role, org code)} people quickly (one shared password hash); returns them by key."""
    from hia_service.data import accounts
    from hia_service.data.transaction import commit

    people = {}
    with app.app_context():
        for key, (role, code) in wanted.items():
            org = accounts.get_organisation_by_code(code) or accounts.add_organisation(code, f"Trust {code}")
            email = f"{key}.{uuid.uuid4().hex[:6]}@{code.lower()}.nhs.uk"
            user = accounts.add_user(org, email, f"{role.title()} {key}", role, _password_hash())
            people[key] = {"id": user.id, "email": email, "org": code, "role": role, "name": user.name}
        commit()
    return people


PEOPLE = {
    "manager": ("manager", "RXA"),
    "manager2": ("manager", "RXA"),
    "reviewer": ("reviewer", "RXA"),
    "reviewer2": ("reviewer", "RXA"),
    "trainer": ("trainer", "RXA"),
    "admin": ("admin", "RXA"),
    "other_manager": ("manager", "RYB"),
    "other_reviewer": ("reviewer", "RYB"),
    "other_trainer": ("trainer", "RYB"),
    "other_admin": ("admin", "RYB"),
}


@pytest.fixture
def world(app: Flask) -> World:
    return World(add_people(app, PEOPLE))


@contextmanager
def acting_as(app: Flask, person: dict[str, Any]) -> Iterator[Any]:
    """An app context and the person's User row, for calling services directly as they would."""
    from hia_service.data.accounts import get_user

    with app.app_context():
        yield get_user(person["id"])


BACKDATED = ("monitoring.review_date",)


def create_assessment(
    app: Flask,
    author: dict[str, Any],
    title: str = "Close the walk-in centre on Sundays",
    *,
    answers: dict[str, Any] | None = None,
    profile: dict[str, Any] | None = PROFILE,
    submit: bool = True,
    training: bool = False,
) -> int:
    """Start, answer and (by default) submit an assessment as `author`; returns its id."""
    from hia_service.data.transaction import commit
    from hia_service.domain.geography.area_profile import AreaProfile
    from hia_service.services.areas.profiles import ResolvedArea
    from hia_service.services.assessments import authoring as assessments

    values = answers if answers is not None else answers_for(author["email"])
    # A review date that has already passed (for the follow-up tests) is one the pages and the API refuse
    # today, as it is before the decision: it is written to the record directly, as if time had passed.
    backdated = {q: values[q] for q in BACKDATED if q in values}
    values = {q: v for q, v in values.items() if q not in backdated}
    with acting_as(app, author) as user:
        assessment = assessments.start_assessment(user, title, training=training)
        result = assessments.save_page(user, assessment.id, list(values), values, None)
        assert result.saved, (result.errors, result.conflicts)
        if backdated:
            from hia_service.data import assessments as store

            stored = store.get_assessment(assessment.id)
            assert stored is not None
            store.save_assessment(stored, answers={**stored.answers, **backdated})
        if profile is not None:
            # A profile made by hand, as if resolved: these tests run without reference data.
            resolved = ResolvedArea(AREA, AreaProfile.from_json(profile))
            assessments.set_area(user, assessment.id, resolved, compare_with_organisation=False)
        if submit and not training:  # the completeness gate: finish what the answers above leave open
            rest = missing_required(assessments.assessment_for(user, assessment.id))
            result = assessments.save_page(user, assessment.id, list(rest), rest, None)
            assert result.saved, (result.errors, result.conflicts)
        if submit:  # practice is handed in for feedback: it can never be submitted for review
            submit_it = assessments.submit_for_feedback if training else assessments.submit_for_review
            submit_it(user, assessment.id)
        commit()
        return assessment.id


def missing_required(assessment: Any) -> dict[str, Any]:
    """A plain answer to every required question still unanswered (and to those it reveals), so an
    assessment made for a test can pass the completeness gate without changing what the test set."""
    from hia_service.domain.framework.conditions import is_answered, visible_questions
    from hia_service.services import rules

    framework = rules.framework(assessment.framework_version)
    answers, added = dict(assessment.answers), {}
    for _ in range(3):  # an answer can reveal a required follow-up (engagement "yes" -> feedback)
        answers = rules.screened(assessment.framework_version, answers, assessment.area_profile)
        for section in framework.sections:
            for question in visible_questions(section, answers):
                wanted = question.required and question.answerable and question.type != "geography"
                if wanted and not is_answered(answers.get(question.id)):
                    answers[question.id] = added[question.id] = plain_answer(question)
    return added


# Screening "no" would leave out the sections the test answered: keep the assessment as the test wrote it.
KEEP_ASSESSING = {"screening.relevance": "yes"}


def plain_answer(question: Any) -> Any:
    kind = question.type
    if kind == "impact":
        return "neutral"
    if kind in ("choice", "rating"):
        values = [o.value for o in question.options]
        if question.id in KEEP_ASSESSING:
            return KEEP_ASSESSING[question.id]
        return "no" if "no" in values else values[0]
    if kind == "multi_choice":
        return [question.options[0].value]
    if kind == "date":
        return IN_THREE_YEARS if question.id in BACKDATED else IN_TWO_MONTHS
    if kind in ("actions", "table"):
        return [{f.id: _plain_cell(f) for f in question.fields}]
    return "Recorded for the test"


def _plain_cell(column: Any) -> str:
    if column.type == "date":
        return IN_TWO_MONTHS
    return column.options[0].value if column.type == "choice" else "Recorded for the test"


@pytest.fixture
def make_assessment(app: Flask) -> Callable[..., int]:
    return functools.partial(create_assessment, app)


def act_as(app: Flask, person: dict[str, Any], fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a service as a person and commit, like one request would."""
    from hia_service.data.transaction import commit

    with acting_as(app, person) as user:
        result = fn(user, *args, **kwargs)
        commit()
        return result


@pytest.fixture
def act(app: Flask) -> Callable[..., Any]:
    """act(person, service_function, *args): call it as that person and commit."""
    return functools.partial(act_as, app)


@pytest.fixture
def lock_of(app: Flask) -> Callable[[int], int]:
    from hia_service.data.assessments import get_assessment

    def read(assessment_id: int) -> int:
        with app.app_context():
            assessment = get_assessment(assessment_id)
            assert assessment is not None
            return assessment.lock_version

    return read


@pytest.fixture
def snapshot(app: Flask) -> Callable[[int], dict[str, Any]]:
    """What is stored about an assessment: status, lock, events, versions, comments, items, audit count."""
    from sqlalchemy import func, select

    from hia_service.data.assessments import get_assessment
    from hia_service.data.models import ActionItem, AuditEvent, DecisionRecord, ReviewComment
    from hia_service.extensions import db

    def read(assessment_id: int) -> dict[str, Any]:
        with app.app_context():
            assessment = get_assessment(assessment_id)
            assert assessment is not None
            version_ids = [v.id for v in assessment.versions]
            comments = db.session.scalar(
                select(func.count(ReviewComment.id)).where(ReviewComment.version_id.in_(version_ids))
            )
            items = db.session.scalar(
                select(func.count(ActionItem.id)).where(ActionItem.assessment_id == assessment_id)
            )
            decisions = db.session.scalar(
                select(func.count(DecisionRecord.id)).where(DecisionRecord.assessment_id == assessment_id)
            )
            return {
                "status": assessment.status,
                "lock_version": assessment.lock_version,
                "events": [e.event for e in assessment.events],
                "versions": [(v.number, v.status) for v in assessment.versions],
                "comments": comments,
                "items": items,
                "decisions": decisions,
                "audit": db.session.scalar(select(func.count(AuditEvent.id))),
            }

    return read


@pytest.fixture
def login(client: FlaskClient) -> Callable[[dict[str, Any]], FlaskClient]:
    """Sign `person` in on the shared test client (signing out whoever was signed in)."""

    def do(person: dict[str, Any]) -> FlaskClient:
        with client.session_transaction() as session:
            session.clear()
        page = client.get("/sign-in")
        token = csrf_token_from(page.get_data(as_text=True))
        response = client.post(
            "/sign-in", data={"email": person["email"], "password": TEST_PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return do


def form_token(client: FlaskClient, url: str) -> str:
    """A CSRF token from a page the signed-in person can see."""
    return csrf_token_from(client.get(url).get_data(as_text=True))


BULK_STATUSES = ("draft", "submitted", "in_review", "returned", "approved", "decision_recorded")
BULK_RATINGS = ("low", "medium", "high", None)
BULK_DIRECTORATES = ("Community services", "Estates", "Mental health")


def add_many_assessments(app: Flask, world: World, count: int) -> list[dict[str, Any]]:
    """`count` assessments in one INSERT, spread over statuses, ratings, directorates and authors, with some
    in training and some in the other organisation. Several share each change time, so paging must break
    ties. Returns each row's fields with its id."""
    from hia_service.data.accounts import get_organisation_by_code
    from hia_service.data.assessments import add_assessments
    from hia_service.data.models import Assessment
    from hia_service.data.transaction import commit
    from hia_service.extensions import db

    start = datetime(2026, 1, 1, tzinfo=UTC)
    with app.app_context():
        home, other = (get_organisation_by_code(code) for code in ("RXA", "RYB"))
        assert home is not None and other is not None
        rows = []
        for i in range(count):
            elsewhere = i % 23 == 0
            author = world["other_manager" if elsewhere else ("manager", "reviewer")[i % 5 == 0]]
            rows.append(
                {
                    "organisation_id": (other if elsewhere else home).id,
                    "reference": f"HIA-2026-{i:05d}",
                    "title": f"Bulk {'Sunday' if i % 4 == 0 else 'weekday'} change {i}",
                    "author_id": author["id"],
                    "status": BULK_STATUSES[i % 6],
                    "is_training": i % 17 == 0,
                    "rating": BULK_RATINGS[i % 4],
                    "directorate": BULK_DIRECTORATES[i % 3],
                    "decision_date": date(2026, 1, 1) + timedelta(days=i % 200),
                    "framework_version": "1.0",
                    "scoring_version": "1.0",
                    "updated_at": start + timedelta(seconds=i // 7),  # seven rows per instant
                }
            )
        add_assessments(rows)
        commit()
        ids = {ref: id_ for ref, id_ in db.session.execute(select(Assessment.reference, Assessment.id))}
    return [{**row, "id": ids[row["reference"]]} for row in rows]


# --- a local mail server --------------------------------------------------------------------------------


class Sink:
    """A local SMTP server's handler that keeps every message."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"

    def received(self) -> list[tuple[list[str], EmailMessage]]:
        """Each message as (envelope recipients, parsed email), in the order they arrived; lines end in
        "\\n" as in the text that was sent (SMTP carries them as CRLF)."""
        return [
            (list(e.rcpt_tos), message_from_bytes(_lf(e.content), _class=EmailMessage, policy=policy.default))
            for e in self.messages
        ]

    def to(self, address: str) -> list[EmailMessage]:
        return [email for rcpt, email in self.received() if address in rcpt]


def _lf(content: bytes) -> bytes:
    return content.replace(b"\r\n", b"\n")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sink]:
    """Email switched on, sent to a mail server on this machine that keeps what it is sent."""
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "HIA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "HIA_SMTP_PORT", port)
    monkeypatch.setitem(app.config, "HIA_SMTP_FROM", "hia@rxa.nhs.uk")
    monkeypatch.setitem(app.config, "HIA_BASE_URL", "https://hia.rxa.nhs.uk")
    yield sink
    controller.stop()
