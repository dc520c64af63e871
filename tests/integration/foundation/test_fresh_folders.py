"""A fresh clone has no instance/ folder: the app makes the folders its SQLite file and data need."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from tests.conftest import make_test_app


def test_app_creates_missing_data_and_database_folders(tmp_path: Path) -> None:
    from hia_service.extensions import db

    data_dir = tmp_path / "not-yet" / "instance"
    database = tmp_path / "also-not-yet" / "hia.sqlite3"
    app = make_test_app(f"sqlite:///{database}", data_dir)

    assert data_dir.is_dir()
    with app.app_context():
        assert db.session.execute(text("select 1")).scalar() == 1
        db.engine.dispose()
    assert database.is_file()
