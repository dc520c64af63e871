"""hia-service: health-inequalities impact assessment for NHS decisions."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

__version__ = "0.1.0"


def create_app(config: Mapping[str, Any] | None = None, *, lean: bool = False) -> Flask:
    """Build the app: settings, extensions, blueprints, error handlers, CLI. Wiring only.

    `lean=True` builds only what most command-line tools need: settings, logging, the PDF store and the
    database. The rules are then read the first time something asks for them, and there are no pages, API,
    request hooks or migrations, so a command such as `hia tokens list` starts in well under a second.
    """
    from hia_service import config as settings_module
    from hia_service.auth import passwords
    from hia_service.data import integrity  # noqa: F401 - installs the frozen-record guards
    from hia_service.log_config import configure_logging
    from hia_service.services.documents import storage

    app = Flask(__name__, static_folder=None)
    app.config.update(settings_module.Settings().flask_config())
    if config:
        app.config.update(config)
    _make_data_folders(app)
    configure_logging(app)
    passwords.use_cost(*app.config["HIA_PASSWORD_HASH_COST"])
    if not lean:
        from hia_service.services.rules import init_rules

        init_rules(app)  # invalid rules stop the service starting, with every problem listed
    storage.init_app(app)  # the PDF store: a bad HIA_STORAGE_URL stops the service starting
    if not lean:
        from hia_service.web import register_templates

        register_templates(app)  # before extensions: Flask-WTF creates the Jinja environment
    from hia_service.extensions import db

    db.init_app(app)
    if not lean:
        _init_migrations(app, settings_module.PROJECT_ROOT / "migrations")
        _init_web(app)
    return app


def _init_migrations(app: Flask, folder: Path) -> None:
    """`hia db …` (Flask-Migrate): here, not in extensions.py, so that a lean app never imports Alembic."""
    from flask_migrate import Migrate

    from hia_service.extensions import db

    Migrate(app, db, directory=str(folder), render_as_batch=True)


def _init_web(app: Flask) -> None:
    """Pages, the API and what runs around every request."""
    from hia_service.api import register_api
    from hia_service.data.transaction import register_transaction_boundary
    from hia_service.errors import register_errors
    from hia_service.extensions import csrf, login_manager
    from hia_service.web import register_blueprints
    from hia_service.web.security import register_security

    csrf.init_app(app)
    login_manager.init_app(app)
    register_blueprints(app)
    register_api(app)
    register_transaction_boundary(app)
    register_errors(app)
    register_security(app)


def _make_data_folders(app: Flask) -> None:
    """A fresh clone has no instance/ folder yet: SQLite cannot create its file without one."""
    from sqlalchemy.engine import make_url

    Path(app.config["HIA_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
