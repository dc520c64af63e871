"""Shared fixtures. Integration tests run once per database backend: SQLite always, PostgreSQL when
HIA_TEST_POSTGRES_URL is set (each test session gets a database of its own, dropped at the end)."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.fuzz_counts import (  # noqa: F401 (hooks: print how many fuzzed inputs ran, adding up xdist workers')
    pytest_sessionfinish,
    pytest_terminal_summary,
    pytest_testnodedown,
)
from tests.reference_cache import copy_of_reference

if TYPE_CHECKING:  # the service is imported inside fixtures, after HIA_ENV is set below
    from hia_service.domain.geography.engine import GeographyEngine

REPO_ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = Path(os.environ.get("HIA_REFERENCE_DIR", REPO_ROOT.parent / "shared" / "reference-data"))
os.environ.setdefault("HIA_ENV", "testing")
TEST_PASSWORD = "correct-horse-battery-staple"
REDIS_URL = os.environ.get("HIA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get("HIA_TEST_POSTGRES_URL") else ["sqlite"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", backends(), scope="session")


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'hia.sqlite3'}"
        return
    with throwaway_postgres_database() as url:
        yield url


class throwaway_postgres_database:
    """A fresh PostgreSQL database on the server named by HIA_TEST_POSTGRES_URL."""

    def __init__(self) -> None:
        self.server = make_url(os.environ["HIA_TEST_POSTGRES_URL"])
        self.name = f"hia_test_{uuid.uuid4().hex[:12]}"

    def __enter__(self) -> str:
        self._admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        return self.server.set(database=self.name).render_as_string(hide_password=False)

    def __exit__(self, *exc: object) -> None:
        with self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self._admin.dispose()


def make_test_app(database_url: str, data_dir: Path, **overrides: Any) -> Flask:
    from hia_service import create_app

    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "HIA_DATA_DIR": str(data_dir),
        "HIA_REFERENCE_DIR": str(REFERENCE_DIR),
        "SERVER_NAME": "hia.test",
        **overrides,
    }
    return create_app(config)


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    from hia_service.extensions import db

    application = make_test_app(database_url, tmp_path_factory.mktemp("data"))
    with application.app_context():
        db.create_all()  # tests only; the service itself builds its schema with Alembic
    yield application
    with application.app_context():
        db.drop_all()
        db.engine.dispose()


@contextmanager
def queue_on_redis(app: Flask, **config: Any) -> Iterator[str]:
    """HIA_QUEUE=rq on a queue of its own in the real Redis, as production runs; yields the queue's name.
    Redis is shared by every test process: never FLUSHALL, delete only this queue's keys afterwards."""
    from redis import Redis

    name = f"hia-test-{uuid.uuid4().hex[:12]}"
    keys = ("HIA_QUEUE", "HIA_QUEUE_NAME", "HIA_REDIS_URL", *config)
    saved = {key: app.config.get(key) for key in keys}
    app.config.update(HIA_QUEUE="rq", HIA_QUEUE_NAME=name, HIA_REDIS_URL=REDIS_URL, **config)
    app.extensions.pop("hia_redis", None)
    try:
        yield name
    finally:
        app.config.update(saved)
        app.extensions.pop("hia_redis", None)
        redis = Redis.from_url(REDIS_URL)
        left = list(redis.scan_iter(match=f"rq:*{name}*", count=500))
        if left:
            redis.delete(*left)
        redis.close()


@pytest.fixture
def signing_queued(app: Flask) -> Iterator[str]:
    """Approval queues the record's signing, as it does in production (HIA_QUEUE=rq), and no worker takes it:
    for tests about what happens around an approval rather than its signed record, which otherwise drew and
    signed a PDF (about a second) for every approval. The signing itself is tested in documents_wiring/ and
    ops/ (sync and queued)."""
    with queue_on_redis(app) as name:
        yield name


# --- keeping tests apart in the database -----------------------------------------------------------------
# Most tests run inside one outer transaction on one connection that is rolled back afterwards; the code
# under test commits through hia_service/data/transaction.py, and each of its commits only releases a
# SAVEPOINT (SQLAlchemy's join_transaction_mode="create_savepoint"). That is much cheaper than deleting
# every table after every test.
#
# It cannot work where something other than this connection must see the test's rows, or where the test
# needs two connections of its own. Those tests commit for real and every table is emptied afterwards, as
# before: tests marked `commits`, tests using the fixtures below, and the modules listed below.
COMMITTING_FIXTURES = {
    "another_app",  # a second app instance (its own engine) reading the same database
    "live_server",  # a real server in another thread (browser tests)
    "rq_mode",  # RQ jobs run by a worker that opens its own connections
}
COMMITTING_MODULES = {
    "tests/integration/backup/",  # hia export/import, restore into other databases, a second app
    "tests/integration/documents/test_doc_determinism.py",  # builds documents in fresh apps
    "tests/integration/documents/test_doc_pdfsig.py",
    "tests/integration/documents_wiring/test_approval_signing.py",  # a second app with other signing settings
    "tests/integration/documents_wiring/test_bucket_storage.py",
    "tests/integration/foundation/",  # migrations on new databases, fresh folders, second apps
    "tests/integration/ops/",  # concurrent starts, stateless servers, the queue worker
    "tests/integration/review/test_audit_trail.py",  # tampers with the log through a connection of its own
    "tests/integration/review/test_concurrency.py",  # two people's sessions racing on two connections
    "tests/integration/review/test_audit_concurrency.py",  # many writers racing on the audit log
    "tests/integration/api/test_slow_area.py",  # a slow request in a thread while others save
    "tests/integration/security/test_oidc.py",  # the mock identity provider runs in a thread
    "tests/integration/security/test_oidc_multi_tenant.py",
    "tests/integration/settings/test_branding.py",  # second apps with other settings
    "tests/integration/training/test_join_limits.py",  # threads joining at once
    "tests/integration/training/test_results.py",
    "tests/integration/wizard/test_bad_input.py",  # a second app with other limits
    "tests/faults/",  # its own PostgreSQL cluster, restarted and filled
    "tests/browser/",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = str(item.path.relative_to(REPO_ROOT)).replace(os.sep, "/")
        if any(path.startswith(prefix) for prefix in COMMITTING_MODULES):
            item.add_marker(pytest.mark.commits)


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """Roll the test's writes back, or empty every table after it (modules sharing one world for all their
    tests override this fixture by name and clean up once at the end)."""
    if "app" not in request.fixturenames:
        yield
        return
    application: Flask = request.getfixturevalue("app")
    if request.node.get_closest_marker("commits") or COMMITTING_FIXTURES & set(request.fixturenames):
        yield
        _forget_what_the_process_holds(application)
        _delete_every_row(application)
        return
    yield from _rolled_back(application)
    _forget_what_the_process_holds(application)


def _forget_what_the_process_holds(application: Flask) -> None:
    """API reads waiting for their audit batch, and tokens and served populations the process remembers,
    came from this test's rows, which are now gone: the next test must neither write nor trust them."""
    from hia_service.services.accounts.api_calls import waiting_writes
    from hia_service.services.accounts.tokens import recent_tokens
    from hia_service.services.organisation.population import served_populations

    with application.app_context():
        waiting_writes().take()
        recent_tokens().forget()
        served_populations().forget()


def _rolled_back(application: Flask) -> Iterator[None]:
    from flask_sqlalchemy.session import Session

    from hia_service.extensions import db

    class JoinedSession(Session):
        """Flask-SQLAlchemy's session picks the app's engine itself; this one uses the test's connection."""

        def get_bind(self, *args: Any, **kwargs: Any) -> Any:
            return self.bind

    with application.app_context():
        db.session.remove()
        connection = db.engine.connect()
    restore = _sqlite_savepoints(connection)
    outer = connection.begin()
    original = db.session
    db.session = db._make_scoped_session(
        {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": JoinedSession}
    )
    try:
        yield
    finally:
        with application.app_context():
            db.session.remove()
        db.session = original
        outer.rollback()
        restore()
        connection.close()


def _sqlite_savepoints(connection: Any) -> Callable[[], None]:
    """pysqlite starts transactions late and mishandles SAVEPOINT, so on this one connection SQLAlchemy
    emits BEGIN itself (SQLAlchemy docs: pysqlite, "Serializable isolation / Savepoints / Transactional
    DDL"). Only here: on the engine it would change how two writers lock each other, which
    tests/integration/review/test_concurrency.py checks. Returns what undoes it before the connection
    goes back to the pool."""
    from sqlalchemy import event

    if connection.dialect.name != "sqlite":
        return lambda: None
    driver = connection.connection.driver_connection
    level = driver.isolation_level
    driver.isolation_level = None

    def begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    event.listen(connection, "begin", begin)

    def restore() -> None:
        event.remove(connection, "begin", begin)
        driver.isolation_level = level

    return restore


def _delete_every_row(application: Flask) -> None:
    from hia_service.extensions import db

    with application.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture(scope="session")
def reference_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the real reference snapshot, one per session (and xdist worker), defined here
    once so that every directory shares it: a copy of the on-disk cache (tests/reference_cache.py)."""
    return copy_of_reference(REFERENCE_DIR, tmp_path_factory.mktemp("reference-data-dir"))


@pytest.fixture(scope="session")
def real_engine(reference_data_dir: Path) -> GeographyEngine:
    """The GeographyEngine over the real reference snapshot."""
    from hia_service.reference.snapshot import load_engine

    engine = load_engine(reference_data_dir)
    assert engine is not None
    return engine


@pytest.fixture
def area_app(app: Flask, reference_data_dir: Path) -> Iterator[Flask]:
    """The backend's app reading the session's real reference snapshot (restored afterwards)."""
    original = app.config["HIA_DATA_DIR"]
    app.config["HIA_DATA_DIR"] = str(reference_data_dir)
    yield app
    app.config["HIA_DATA_DIR"] = original


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., Any]:
    """Create (organisation and) user; returns the user's id, email and organisation code."""
    from hia_service.data import accounts
    from hia_service.data.transaction import commit
    from hia_service.services.accounts.people import create_organisation, create_user

    def factory(role: str = "manager", org: str = "RXA", email: str | None = None) -> dict[str, Any]:
        with app.app_context():
            if accounts.get_organisation_by_code(org) is None:
                create_organisation(org, f"Test organisation {org}")
            user = create_user(
                email or f"{role}.{uuid.uuid4().hex[:6]}@{org.lower()}.nhs.uk", "", role, org, TEST_PASSWORD
            )
            commit()
            return {"id": user.id, "email": user.email, "org": org, "role": role}

    return factory


def session_key_of(app: Flask, user_id: int) -> str:
    """The key a session of this user must carry, for tests that put a user in the session directly."""
    from hia_service.data.accounts import get_user
    from hia_service.services.accounts.people import session_key_for

    with app.app_context():
        user = get_user(user_id)
        assert user is not None
        return session_key_for(user)


CSRF_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def csrf_token_for(client: FlaskClient) -> str:
    """The CSRF token any form page would carry for the client's session, made by Flask-WTF as a page makes
    it but without drawing one: the access matrix and the fuzzers need a fresh one before each of
    thousands of requests, and drawing a page for each was a third of their time."""
    from flask import session
    from flask_wtf.csrf import generate_csrf

    field = client.application.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    with client.session_transaction() as stored:
        raw = stored.setdefault(field, secrets.token_hex(20))  # as Flask-WTF makes one on a first page
    with client.application.test_request_context():
        session[field] = raw
        return generate_csrf()


def pdf_text(pdf: bytes) -> str:
    """The text of every page, in reading order, by poppler's pdftotext (a CI dependency, with pdfsig): five
    times quicker than pdfplumber, which cost the suite about 40 s of extraction."""
    command = [shutil.which("pdftotext") or "/usr/bin/pdftotext", "-enc", "UTF-8", "-", "-"]
    return subprocess.run(command, input=pdf, capture_output=True, check=True, timeout=60).stdout.decode()


def csrf_token_from(html: str) -> str:
    match = CSRF_RE.search(html) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


@pytest.fixture
def sign_in(client: FlaskClient) -> Callable[[dict[str, Any]], Any]:
    def do_sign_in(user: dict[str, Any], password: str = TEST_PASSWORD) -> Any:
        page = client.get("/sign-in")
        token = csrf_token_from(page.get_data(as_text=True))
        return client.post(
            "/sign-in", data={"email": user["email"], "password": password, "csrf_token": token}
        )

    return do_sign_in
