"""An organisation with realistic records made through the services (review with comments and a return,
approval with signed PDFs, one with conditions of approval, a decision, a completed action, a token, a
reminder, a training session with a trainee's practice, its settings: population served, logo, address, a
list entry, a local framework version and an uploaded signing certificate),
a fresh target database of either kind, and a reading of an organisation's rows that does not use the
exporter's own code, so the round trip is checked against something independent.

Archives are signed with the service's own certificate (source_p12, the source app's HIA_SIGNING_P12 in every
test here), never with RXA's uploaded one; a target "trusts" it when configured with it as its own
HIA_SIGNING_P12 (trusting()), as a service restoring its own backup does."""

from __future__ import annotations

import copy
import io
import shutil
import tarfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import backends, make_test_app, throwaway_postgres_database
from tests.integration.review import conftest as review_fixtures

act = review_fixtures.act
lock_of = review_fixtures.lock_of
login = review_fixtures.login
make_assessment = review_fixtures.make_assessment


CERTIFICATE_PASSPHRASE = "backup test passphrase"
SERVICE_SIGNER = "HIA Service Signing"
APPROVAL_CONDITIONS = "Approved on condition that the morning clinic is kept until the review."


@pytest.fixture(scope="session")
def uploaded_p12(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A PKCS#12 an admin uploads in the organisation's settings (made once: a 3072-bit key is slow)."""
    from hia_service.documents.signing import create_dev_certificate

    path = tmp_path_factory.mktemp("certificate") / "rxa-uploaded.p12"
    create_dev_certificate(path, CERTIFICATE_PASSPHRASE, "Riverside Uploaded Signing")
    return path.read_bytes()


@pytest.fixture(scope="session")
def source_p12(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The source service's own signing certificate (its HIA_SIGNING_P12): what its archives are signed
    with. Not the one RXA uploaded, whose key RXA's administrators hold."""
    from hia_service.documents.signing import create_dev_certificate

    path = tmp_path_factory.mktemp("source-certificate") / "service.p12"
    create_dev_certificate(path, CERTIFICATE_PASSPHRASE, SERVICE_SIGNER)
    return path


@pytest.fixture(autouse=True)
def service_certificate(app: Flask, source_p12: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The source service signs with source_p12, as a live service signs with its HIA_SIGNING_P12."""
    for name, value in trusting(source_p12).items():
        monkeypatch.setitem(app.config, name, value)
    return source_p12


@pytest.fixture(scope="session")
def source_pem(source_p12: Path) -> Path:
    """Its public part, as the service's operator would hand it over for --trust-certificate."""
    from hia_service.documents import signing_certificate_pem

    path = source_p12.with_suffix(".pem")
    path.write_bytes(signing_certificate_pem(source_p12, CERTIFICATE_PASSPHRASE))
    return path


@pytest.fixture(scope="session")
def forger_p12(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Someone else's certificate (made by them, so trusted nowhere)."""
    from hia_service.documents.signing import create_dev_certificate

    path = tmp_path_factory.mktemp("forger") / "forger.p12"
    create_dev_certificate(path, CERTIFICATE_PASSPHRASE, "Forger Signing Ltd")
    return path


def trusting(p12: Path) -> dict[str, str]:
    """A target's configuration in which that certificate is the service's own (so it trusts it)."""
    return {"HIA_SIGNING_P12": str(p12), "HIA_SIGNING_PASSPHRASE": CERTIFICATE_PASSPHRASE}


def png_logo() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (240, 80), (0, 94, 184)).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class Built:
    """The organisation as the services made it, kept to be put back for the next test: every row of every
    table, as read back, and the stored documents. Making it takes three approvals, each drawn and signed
    (about 5 s); putting it back takes a few hundred inserts."""

    world: Any
    organisation: dict[str, Any]
    tables: list[tuple[Any, list[dict[str, Any]]]]
    documents: dict[str, bytes]

    @classmethod
    def take(cls, app: Flask, world: Any, organisation: dict[str, Any]) -> Built | None:
        """None when the PDFs went to an object store (the bucket tests build their own each time)."""
        from sqlalchemy import select

        from hia_service.extensions import db
        from hia_service.services.documents.storage import LocalFolder, document_storage

        with app.app_context(), db.engine.connect() as conn:
            if not isinstance(document_storage(), LocalFolder):
                return None
            tables = [
                (table, [dict(row) for row in conn.execute(select(table)).mappings()])
                for table in db.metadata.sorted_tables
            ]
        root = Path(app.config["HIA_DATA_DIR"])
        documents = {p.relative_to(root).as_posix(): p.read_bytes() for p in _documents(app).rglob("*.pdf")}
        return cls(world, organisation, tables, documents)

    def restore(self, app: Flask) -> None:
        """Into the emptied database (tests here commit, and every table is emptied after each), with the
        same ids: sequences only ever moved past them, so later inserts cannot collide. The PDFs go to the
        store the app uses now (a bucket, for the bucket tests)."""
        from hia_service.extensions import db
        from hia_service.services.documents.storage import document_storage

        shutil.rmtree(_documents(app), ignore_errors=True)
        with app.app_context():
            db.session.remove()
            with db.engine.begin() as conn:
                for table, rows in self.tables:
                    if rows:
                        conn.execute(table.insert(), rows)
            storage = document_storage()
            for key, data in self.documents.items():
                storage.write(key, data)


def _documents(app: Flask) -> Path:
    return Path(app.config["HIA_DATA_DIR"]) / "documents"


# Per database (the session's app for each backend, in each xdist worker): built by the first test, put
# back for the others.
_BUILT: dict[str, Built] = {}


def _built_for(app: Flask) -> Built | None:
    return _BUILT.get(app.config["SQLALCHEMY_DATABASE_URI"])


@pytest.fixture
def world(app: Flask) -> Any:
    """The people of review_fixtures.world; once the organisation has been built, that whole organisation
    (every test here that asks for people also asks for it)."""
    built = _built_for(app)
    if built is None:
        return review_fixtures.World(review_fixtures.add_people(app, review_fixtures.PEOPLE))
    built.restore(app)
    return built.world


@pytest.fixture
def organisation(
    app: Flask,
    world: Any,
    make_assessment: Callable[..., int],
    act: Callable[..., Any],
    lock_of: Callable[[int], int],
    login: Callable[[dict[str, Any]], FlaskClient],
    uploaded_p12: bytes,
) -> dict[str, Any]:
    """RXA's records, plus one signed assessment in RYB (which must not travel with RXA)."""
    built = _built_for(app)
    if built is not None:  # put back by `world`
        return copy.deepcopy(built.organisation)
    from hia_service.data.transaction import commit

    # The app (and its data folder) lasts the whole test session: PDFs that earlier tests stored for their
    # own RXA records are still there, though their rows are gone. Start from an empty documents folder.
    shutil.rmtree(_documents(app), ignore_errors=True)
    from hia_service.services.accounts import tokens
    from hia_service.services.assessments import authoring as assessments
    from hia_service.services.review import decisions as review
    from hia_service.services.review import followup

    reviewer, manager = world["reviewer"], world["manager"]
    returned_then_approved = make_assessment(manager)
    act(reviewer, review.start_review, returned_then_approved, None)
    act(reviewer, review.add_comment, returned_then_approved, "general", "Say more about older people.", 1)
    act(reviewer, review.return_to_author, returned_then_approved, "Please add the evidence.", None)
    act(manager, assessments.submit_for_review, returned_then_approved)
    act(reviewer, review.start_review, returned_then_approved, None)
    act(reviewer, review.approve, returned_then_approved, None)
    decision = review.DecisionInput(date.today().isoformat(), "Trust board", "proceed", "Go ahead.")
    act(reviewer, review.record_decision, returned_then_approved, decision, lock_of(returned_then_approved))
    second = make_assessment(world["manager2"], "Move the phlebotomy clinic")
    act(reviewer, review.approve, second, None, APPROVAL_CONDITIONS)
    item = _first_item(app, returned_then_approved)
    act(manager, followup.complete, item, "Morning session kept.", None)
    make_assessment(manager, "A draft", submit=False, profile=None)
    make_assessment(world["trainer"], "Training: a made-up clinic", training=True)
    act(world["admin"], tokens.create_token, "Board paper system")
    with app.app_context():
        for reminder in followup.reminders_due(date.today()):
            followup.note_reminder_sent(reminder, date.today())
        commit()
    _training(app, world, make_assessment, act)
    _settings(app, world, act, uploaded_p12)
    login(manager)  # a real sign-in, audited
    other = make_assessment(world["other_manager"], "Another trust's change")
    act(world["other_reviewer"], review.approve, other, None)
    made = {"code": "RXA", "approved": [returned_then_approved, second], "other": other}
    built = Built.take(app, world, made)
    if built is not None:
        _BUILT[app.config["SQLALCHEMY_DATABASE_URI"]] = built
    return copy.deepcopy(made)


@pytest.fixture
def archive(app: Flask, organisation: dict[str, Any], tmp_path: Path) -> Path:
    """RXA exported with `hia export`, signed with the service's certificate."""
    from hia_service.cli.backup import export_command

    out = tmp_path / "rxa.tar.gz"
    result = app.test_cli_runner().invoke(export_command, ["--org", "RXA", "--to", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def target(tmp_path: Path, source_p12: Path) -> Iterator[Flask]:
    """A second, empty service on SQLite that trusts the source service's certificate."""
    with fresh_app("sqlite", tmp_path / "target", **trusting(source_p12)) as fresh:
        yield fresh


def _training(app: Flask, world: Any, make_assessment: Callable[..., int], act: Callable[..., Any]) -> None:
    """A session run by the trainer, manager2 added to it, and manager2's practice, handed in."""
    from hia_service.data import training as training_store
    from hia_service.data.transaction import commit
    from hia_service.services.training import cohorts as training

    day = date.today()
    held_on = {"day": str(day.day), "month": str(day.month), "year": str(day.year)}
    with app.app_context():
        scenario_id = sorted(training.scenarios())[0]

    def create(trainer: Any) -> int:
        return training.create_session(trainer, "Induction cohort", held_on, [scenario_id]).id

    session_id = act(world["trainer"], create)
    act(world["trainer"], training.add_trainee, session_id, world["manager2"]["email"])
    practice = make_assessment(world["manager2"], "Practice: the scenario", training=True)
    with app.app_context():
        training_store.add_practice(
            session_id=session_id,
            user_id=world["manager2"]["id"],
            scenario_id=scenario_id,
            assessment_id=practice,
            submitted_at=datetime.now(UTC),
        )
        commit()


def _settings(app: Flask, world: Any, act: Callable[..., Any], p12: bytes) -> None:
    """RXA's admin sets the population served, address, logo, a list entry, a local group (a local framework
    version) and uploads a signing certificate."""
    from hia_service.data import organisation_settings as settings_store
    from hia_service.services.organisation import branding, choices, local_framework

    admin = world["admin"]
    served = {
        "address": "1 River Road, Middlesbrough TS1 1AA",
        "catchment_area": {"type": "lad", "codes": ["E06000002"], "label": "Middlesbrough"},
        "catchment_baseline": {"population": 143900, "core20_share": 0.61, "lsoa_count": 86},
        "catchment_release": "IoD2025",
        "catchment_set_at": datetime.now(UTC),
    }
    act(admin, lambda user: settings_store.save_settings(user.organisation_id, **served))
    act(admin, branding.save_logo, png_logo())
    act(admin, choices.add_choice, "directorate", "Community services")
    act(admin, local_framework.add_group, "people living in former coalfield communities")
    act(admin, branding.save_certificate, p12, CERTIFICATE_PASSPHRASE)


def _first_item(app: Flask, assessment_id: int) -> int:
    from sqlalchemy import select

    from hia_service.data.models import ActionItem
    from hia_service.extensions import db

    with app.app_context():
        query = select(ActionItem.id).where(ActionItem.assessment_id == assessment_id).order_by(ActionItem.id)
        return db.session.scalars(query).first()  # type: ignore[return-value]


@contextmanager
def fresh_app(kind: str, folder: Path, **config: Any) -> Iterator[Flask]:
    """An empty database of the given kind, with its own data folder (and settings, e.g. trusting(...))."""
    from hia_service.extensions import db

    with _database(kind, folder) as url:
        target = make_test_app(url, folder / "data", **config)
        with target.app_context():
            db.create_all()
        try:
            yield target
        finally:
            with target.app_context():
                db.session.remove()
                db.drop_all()
                db.engine.dispose()


@contextmanager
def _database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{folder / 'target.sqlite3'}"
        return
    with throwaway_postgres_database() as url:
        yield url


def target_kinds() -> list[str]:
    return backends()


# --- an independent reading of an organisation's rows ---------------------------------------------------

# column -> the table whose ids it holds (what a faithful restore must carry across)
REFERENCES = {
    "users": {"organisation_id": "organisations"},
    "user_identities": {"user_id": "users"},
    "assessments": {"organisation_id": "organisations", "author_id": "users"},
    "assessment_versions": {
        "assessment_id": "assessments",
        "submitted_by_id": "users",
        "reviewed_by_id": "users",
    },
    "assessment_events": {"assessment_id": "assessments", "actor_id": "users"},
    "review_comments": {"version_id": "assessment_versions", "author_id": "users"},
    "decision_records": {
        "assessment_id": "assessments",
        "version_id": "assessment_versions",
        "recorded_by_id": "users",
    },
    "action_items": {
        "assessment_id": "assessments",
        "version_id": "assessment_versions",
        "owner_id": "users",
        "completed_by_id": "users",
    },
    "api_tokens": {"user_id": "users"},
    "training_sessions": {"organisation_id": "organisations", "trainer_id": "users"},
    "training_members": {"session_id": "training_sessions", "user_id": "users"},
    "training_practices": {
        "session_id": "training_sessions",
        "user_id": "users",
        "assessment_id": "assessments",
    },
    "organisation_settings": {"organisation_id": "organisations"},
    "organisation_choices": {"organisation_id": "organisations"},
    "local_framework_versions": {"organisation_id": "organisations", "created_by_id": "users"},
    "audit_events": {"organisation_id": "organisations", "actor_id": "users"},
}
CERTIFICATE_COLUMNS = [
    "certificate",
    "certificate_pem",
    "certificate_subject",
    "certificate_expires_at",
    "certificate_sha256",
]


def org_rows(app: Flask, code: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of the organisation, by table, oldest first, with times as aware UTC datetimes."""
    from sqlalchemy import or_, select

    from hia_service.data import models as m
    from hia_service.extensions import db

    with app.app_context():
        org = db.session.scalar(select(m.Organisation.id).where(m.Organisation.code == code))
        users = select(m.User.id).where(m.User.organisation_id == org)
        emails = select(m.User.email).where(m.User.organisation_id == org)
        assessments = select(m.Assessment.id).where(m.Assessment.organisation_id == org)
        versions = select(m.AssessmentVersion.id).where(m.AssessmentVersion.assessment_id.in_(assessments))
        sessions = select(m.TrainingSession.id).where(m.TrainingSession.organisation_id == org)
        wheres = {
            m.Organisation: m.Organisation.id == org,
            m.User: m.User.organisation_id == org,
            m.UserIdentity: m.UserIdentity.user_id.in_(users),
            m.Assessment: m.Assessment.organisation_id == org,
            m.AssessmentVersion: m.AssessmentVersion.id.in_(versions),
            m.AssessmentEvent: m.AssessmentEvent.assessment_id.in_(assessments),
            m.ReviewComment: m.ReviewComment.version_id.in_(versions),
            m.DecisionRecord: m.DecisionRecord.assessment_id.in_(assessments),
            m.ActionItem: m.ActionItem.assessment_id.in_(assessments),
            m.ApiToken: m.ApiToken.user_id.in_(users),
            m.ReminderLog: m.ReminderLog.recipient.in_(emails),
            m.TrainingSession: m.TrainingSession.organisation_id == org,
            m.TrainingMember: m.TrainingMember.session_id.in_(sessions),
            m.TrainingPractice: m.TrainingPractice.session_id.in_(sessions),
            m.OrganisationSettings: m.OrganisationSettings.organisation_id == org,
            m.OrganisationChoice: m.OrganisationChoice.organisation_id == org,
            m.LocalFrameworkVersion: m.LocalFrameworkVersion.organisation_id == org,
            m.AuditEvent: or_(
                m.AuditEvent.organisation_id == org,
                m.AuditEvent.organisation_id.is_(None) & m.AuditEvent.actor_id.in_(users),
            ),
        }
        out = {}
        for model, where in wheres.items():
            table = model.__table__
            key = next(iter(table.primary_key.columns))  # organisation_settings is keyed by organisation
            rows = db.session.execute(select(table).where(where).order_by(key))
            out[table.name] = [{k: _utc(v) for k, v in row._mapping.items()} for row in rows]
        return out


def _utc(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    return value


def comparable(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Ids replaced by their position in their table (import keeps the order), so two databases compare;
    audit entries lose their chain hashes, which the target database's chain replaces."""
    rank = {
        name: {row["id"]: i for i, row in enumerate(table)}
        for name, table in rows.items()
        if name != "organisation_settings"
    }
    subject_tables = {"assessment": "assessments", "user": "users", "api_token": "api_tokens"}
    subject_tables |= {"organisation": "organisations", "register": "organisations"}
    subject_tables |= {"training_session": "training_sessions", "organisation_choice": "organisation_choices"}
    out: dict[str, list[dict[str, Any]]] = {}
    for name, table in rows.items():
        out[name] = []
        for row in table:
            if "id" in row:
                row = {**row, "id": rank[name][row["id"]]}
            for column, target in REFERENCES.get(name, {}).items():
                if row[column] is not None:
                    row[column] = rank[target][row[column]]
            if name == "users":
                row = {**row, "session_key": None}  # withheld from archives: people sign in again
            if name == "audit_events":
                row.pop("prev_hash")
                row.pop("entry_hash")
                if row["subject_type"] in subject_tables:
                    row["subject_id"] = rank[subject_tables[row["subject_type"]]][int(row["subject_id"])]
                details = dict(row["details"])
                if "item" in details:
                    details["item"] = rank["action_items"][details["item"]]
                if "items" in details:
                    details["items"] = [rank["action_items"][i] for i in details["items"]]
                if "trainee" in details:
                    details["trainee"] = rank["users"][details["trainee"]]
                row["details"] = details
            out[name].append(row)
    return out


def nothing_written(app: Flask) -> bool:
    from sqlalchemy import func, select

    from hia_service.data.models import AuditEvent, Organisation, User
    from hia_service.extensions import db

    with app.app_context():
        counts = [
            db.session.scalar(select(func.count()).select_from(m)) for m in (Organisation, User, AuditEvent)
        ]
    documents = Path(app.config["HIA_DATA_DIR"]) / "documents"
    return counts == [0, 0, 0] and not any(p.is_file() for p in documents.rglob("*"))


# --- archives, opened and remade ---------------------------------------------------------------------------


def archive_files(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]


def rewrite(
    path: Path,
    out: Path,
    change: Callable[[dict[str, bytes]], None],
    *,
    fix_manifest: bool,
    sign_with: Path | None = None,
) -> Path:
    """A copy of the archive with `change` applied to its files; with fix_manifest the fingerprints are
    recomputed too, as someone covering their tracks would (the old signature stays, and no longer matches).
    sign_with signs the manifest again with that PKCS#12: a forger holding a key, or a test of the checks
    behind the signature."""
    import json

    from hia_service.domain.backup import MANIFEST, SIGNATURE, file_entry
    from hia_service.services.backup.files import pack, to_json
    from hia_service.services.backup.signature import sign_manifest

    files = archive_files(path)
    change(files)
    if fix_manifest:
        manifest = json.loads(files[MANIFEST])
        manifest["files"] = [
            file_entry(n, d) for n, d in sorted(files.items()) if n not in (MANIFEST, SIGNATURE)
        ]
        files[MANIFEST] = to_json(manifest)
    if sign_with is not None:
        files[SIGNATURE] = sign_manifest(files[MANIFEST], sign_with, CERTIFICATE_PASSPHRASE)[0]
    out.write_bytes(pack(files))
    return out


def raw_tar(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
