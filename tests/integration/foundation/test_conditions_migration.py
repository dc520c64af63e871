"""Migration 0012 adds the conditions of approval to each version, empty for versions approved before it, and
takes them away again on downgrade without losing the versions (SQLite drops the column by copying the
table), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask_migrate import downgrade, upgrade
from sqlalchemy import JSON, Boolean, Connection, DateTime, Integer, MetaData, inspect, select

from tests.conftest import make_test_app, throwaway_postgres_database

BEFORE = "0011_keyed_audit_chain"
VERSION = {"id": 7, "number": 1, "status": "approved", "title": "Close the walk-in centre on Sundays"}


@contextmanager
def database(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.sqlite3'}"
        return
    with throwaway_postgres_database() as url:
        yield url


def _filler(column: Any) -> Any:
    kind = column.type
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, Integer):
        return 1
    if isinstance(kind, DateTime):
        return datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    if isinstance(kind, JSON):
        return {}
    return "x"


def _insert(conn: Connection, table_name: str, **given: Any) -> None:
    """A row with the given values and something of the right kind in every other column that needs one."""
    table = _reflect(conn, table_name)
    needed = {c.key: _filler(c) for c in table.columns if not c.nullable and c.server_default is None}
    conn.execute(table.insert(), [{**needed, **given}])


def _reflect(conn: Connection, name: str) -> Any:
    metadata = MetaData()
    metadata.reflect(conn, only=[name])
    return metadata.tables[name]


def _one_version_at_0011(conn: Connection) -> None:
    _insert(conn, "organisations", id=1, code="RXA", name="Riverside")
    _insert(conn, "users", id=1, organisation_id=1, email="author@rxa.nhs.uk")
    _insert(conn, "assessments", id=3, organisation_id=1, author_id=1, reference="HIA-2026-0001")
    _insert(conn, "assessment_versions", **VERSION, assessment_id=3, submitted_by_id=1, verify_key="k" * 22)


def _versions(conn: Connection) -> list[dict[str, Any]]:
    table = _reflect(conn, "assessment_versions")
    return [dict(row._mapping) for row in conn.execute(select(table))]


def _columns(conn: Connection) -> dict[str, Any]:
    return {c["name"]: c for c in inspect(conn).get_columns("assessment_versions")}


def test_the_conditions_column_comes_empty_and_goes_without_losing_versions(
    backend: str, tmp_path: Path
) -> None:
    from hia_service.extensions import db

    with database(backend, tmp_path) as url:
        app = make_test_app(url, tmp_path)
        with app.app_context():
            upgrade(revision=BEFORE)
            with db.engine.begin() as conn:
                assert "approval_conditions" not in _columns(conn)
                _one_version_at_0011(conn)
            upgrade()
            with db.engine.begin() as conn:
                column = _columns(conn)["approval_conditions"]
                assert column["nullable"] and "TEXT" in str(column["type"]).upper()
                (row,) = _versions(conn)
                assert row["approval_conditions"] is None
                conn.execute(
                    _reflect(conn, "assessment_versions").update().values(approval_conditions="Keep it open.")
                )
            before = {k: v for k, v in row.items() if k != "approval_conditions"}
            downgrade(revision=BEFORE)
            with db.engine.begin() as conn:
                assert "approval_conditions" not in _columns(conn)
                assert _versions(conn) == [before]  # the version itself kept, whole
                indexes = {i["name"] for i in inspect(conn).get_indexes("assessment_versions")}
                assert "ix_assessment_versions_verify_key" in indexes
            db.session.remove()
            db.engine.dispose()
