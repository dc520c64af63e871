"""Architecture rules, checked on every run rather than written in a wiki."""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

from hia_service import create_app

REPO = Path(__file__).resolve().parents[2]
# Static files and the published OpenAPI document are open to all by design.
OPEN_ENDPOINTS = {"static", "nhsuk.static", "assets.static", "app_static.static", "api-docs.openapi_json"}


def _guarded(view: object) -> bool:
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return hasattr(view, "hia_access")
    methods = [getattr(view_class, m.lower()) for m in view_class.methods or ()]
    return bool(methods) and all(hasattr(method, "hia_access") for method in methods)


def test_every_route_declares_who_may_use_it() -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    missing = [e for e, view in app.view_functions.items() if e not in OPEN_ENDPOINTS and not _guarded(view)]
    assert missing == [], f"routes without @public, @signed_in, @requires_role or @token_required: {missing}"


def test_import_contracts_hold() -> None:
    lint_imports = shutil.which("lint-imports", path=str(REPO / ".venv" / "bin")) or shutil.which(
        "lint-imports"
    )
    assert lint_imports, "import-linter is not installed"
    result = subprocess.run([lint_imports], cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_views_never_touch_the_database_session() -> None:
    offenders = []
    for path in (REPO / "hia_service").glob("[wa][ep][bi]/**/*.py"):  # web/ and api/
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "session"
                and getattr(node.value, "id", "") == "db"
            ):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert offenders == []
