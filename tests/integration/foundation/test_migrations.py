"""The schema is built only by Alembic: empty -> head on each backend, matching the models, and back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
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


def _answers(app: Flask, assessment_id: int) -> dict[str, Any]:
    from hia_service.data.models import Assessment
    from hia_service.extensions import db

    with app.app_context():
        answers = dict(db.session.get(Assessment, assessment_id).answers)
        db.session.remove()
    return answers


def test_0013_moves_a_drafts_users_figures_off_the_typed_answers_key_and_back(
    backend: str, tmp_path: Path
) -> None:
    """Figures kept under "who.service_users" (the key of "Who uses the service now?") move to a key of
    their own; a typed answer under that key stays where it is."""
    from hia_service.data.models import Assessment
    from hia_service.data.transaction import commit
    from hia_service.extensions import db
    from tests.integration.review.conftest import add_people, create_assessment

    figures = {"name": "the service's users", "lsoa_count": 2, "population": 100.0, "core20_share": 0.3}

    def check(url: str) -> None:
        app = make_test_app(url, tmp_path)
        with app.app_context():
            upgrade()  # people are made by today's models, then the schema goes back to before 0013
        author = add_people(app, {"author": ("manager", "RXA")})["author"]
        kept, typed = (create_assessment(app, author, submit=False) for _ in range(2))
        with app.app_context():
            downgrade(revision="0012_approval_conditions")
            for assessment_id, value in ((kept, figures), (typed, "Adults with COPD")):
                row = db.session.get(Assessment, assessment_id)
                row.answers = {**row.answers, "who.service_users": value}
            commit()
        with app.app_context():
            upgrade()
        assert "who.service_users" not in _answers(app, kept)
        assert _answers(app, kept)["who.service_users_figures"] == figures
        assert _answers(app, typed)["who.service_users"] == "Adults with COPD"
        assert "who.service_users_figures" not in _answers(app, typed)
        with app.app_context():
            downgrade(revision="0012_approval_conditions")
        assert _answers(app, kept)["who.service_users"] == figures
        assert "who.service_users_figures" not in _answers(app, kept)
        with app.app_context():
            db.engine.dispose()

    if backend == "sqlite":
        check(f"sqlite:///{tmp_path / 'm.sqlite3'}")
        return
    with throwaway_postgres_database() as url:
        check(url)
