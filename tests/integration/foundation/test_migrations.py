"""The schema is built only by Alembic: empty -> head on each backend, matching the models, and back."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tests.conftest import make_test_app, throwaway_postgres_database


def _check(url: str, tmp_path: Path) -> None:
    from hia_service.extensions import db

    app = make_test_app(url, tmp_path)
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {
            "organisations",
            "users",
            "user_identities",
            "reference_datasets",
            "alembic_version",
        } <= tables
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_migrations_from_empty_to_head_and_back(backend: str, tmp_path: Path) -> None:
    if backend == "sqlite":
        _check(f"sqlite:///{tmp_path / 'm.sqlite3'}", tmp_path)
        return
    with throwaway_postgres_database() as url:
        _check(url, tmp_path)
