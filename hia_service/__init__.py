"""hia-service: health-inequalities impact assessment for NHS decisions."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

__version__ = "0.1.0"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, error handlers, CLI. Wiring only."""
    from hia_service import config as settings_module
    from hia_service.api import register_api
    from hia_service.data import integrity  # noqa: F401 - installs the frozen-record guards
    from hia_service.data.transaction import register_transaction_boundary
    from hia_service.errors import register_errors
    from hia_service.extensions import csrf, db, login_manager, migrate
    from hia_service.log_config import configure_logging
    from hia_service.services.documents import storage
    from hia_service.services.rules import init_rules
    from hia_service.web import register_blueprints, register_templates
    from hia_service.web.security import register_security

    app = Flask(__name__, static_folder=None)
    app.config.update(settings_module.Settings().flask_config())
    if config:
        app.config.update(config)
    _make_data_folders(app)
    configure_logging(app)
    init_rules(app)  # invalid rules stop the service starting, with every problem listed
    storage.init_app(app)  # the PDF store: a bad HIA_STORAGE_URL stops the service starting
    register_templates(app)  # before extensions: Flask-WTF creates the Jinja environment
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(settings_module.PROJECT_ROOT / "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    register_blueprints(app)
    register_api(app)
    register_transaction_boundary(app)
    register_errors(app)
    register_security(app)
    return app


def _make_data_folders(app: Flask) -> None:
    """A fresh clone has no instance/ folder yet: SQLite cannot create its file without one."""
    from sqlalchemy.engine import make_url

    Path(app.config["HIA_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
