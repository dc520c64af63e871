"""Migration 0011 re-keys an existing audit log: an intact unkeyed chain verifies afterwards, and a break it
had (an altered entry) is still found at the same entry, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import text

from hia_service.domain.audit_chain import GENESIS, timestamp, unkeyed_entry_hash
from tests.conftest import make_test_app, throwaway_postgres_database


@contextmanager
def database(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.sqlite3'}"
        return
    with throwaway_postgres_database() as url:
        yield url


def _old_chain(count: int) -> list[dict[str, object]]:
    rows, prev = [], GENESIS
    for n in range(1, count + 1):
        at = datetime(2026, 11, 1, 9, n, tzinfo=UTC)
        fields = {
            "at": timestamp(at),
            "organisation_id": None,
            "actor_id": None,
            "event_type": f"event_{n}",
            "subject_type": None,
            "subject_id": None,
            "details": {},
            "before_hash": None,
            "after_hash": None,
        }
        digest = unkeyed_entry_hash(prev, fields)
        rows.append({"id": n, "at": at, "event_type": f"event_{n}", "prev": prev, "hash": digest})
        prev = digest
    return rows


INSERT = text(
    "INSERT INTO audit_events (id, at, event_type, details, prev_hash, entry_hash) "
    "VALUES (:id, :at, :event_type, '{}', :prev, :hash)"
)


def _migrated(url: str, folder: Path, altered: int | None = None) -> tuple[int, list[tuple[int, bool]]]:
    """Four entries chained as before 0011 (one altered afterwards, if asked), then upgraded to head:
    what `hia audit verify` finds."""
    from hia_service.data.audit import verify_audit_log
    from hia_service.extensions import db

    app = make_test_app(url, folder)
    with app.app_context():
        upgrade(revision="0010_sign_in_throttles")
        with db.engine.begin() as conn:
            for row in _old_chain(4):
                conn.execute(INSERT, {**row, "event_type": "nothing_to_see"} if row["id"] == altered else row)
        upgrade()
        count, problems = verify_audit_log()
        db.session.remove()
        db.engine.dispose()
    return count, [(p.entry_id, "altered" in p.problem) for p in problems]


def test_an_old_chain_is_re_keyed_and_its_breaks_are_kept(backend: str, tmp_path: Path) -> None:
    for altered, expected in ((None, []), (3, [(3, True)])):
        folder = tmp_path / str(altered)
        folder.mkdir()
        with database(backend, folder) as url:
            assert _migrated(url, folder, altered) == (4, expected)
