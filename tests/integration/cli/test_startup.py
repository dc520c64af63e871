"""`hia --help` lists every command without importing them or building the app; each command is imported,
and the app built, only when one runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from flask import Flask

from hia_service.cli import COMMANDS, FROM_EXTENSIONS, main

REPO = Path(__file__).resolve().parents[3]
HEAVY = {
    "alembic",
    "geopandas",
    "matplotlib",
    "numpy",
    "pandas",
    "pyhanko",
    "redis",
    "reportlab",
    "typst",
    "pikepdf",
    "rq",
    "shapely",
    "sqlalchemy",
}
# Libraries that only drawing, signing, maps, single sign-on or the job queue need: building the app (as every
# command that uses it does) must not import them.
ONLY_SOME_PAGES_NEED = {
    "authlib",
    "docx",
    "geopandas",
    "matplotlib",
    "pyhanko",
    "pyproj",
    "redis",
    "reportlab",
    "typst",
    "pikepdf",
    "requests",
    "rq",
    "shapely",
}
# Asks for help the way the `hia` script does, then reports what that imported.
HELP_AND_IMPORTS = """
import json, sys
from hia_service.cli import main
main(["--help"], prog_name="hia", standalone_mode=False)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {"hia_service", *%r})))
"""
APP_AND_IMPORTS = """
import json, sys
from hia_service import create_app
create_app()
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & %r)))
"""
# Runs one `hia` command as the script does, then reports which of the modules it names were imported.
COMMAND_AND_IMPORTS = """
import json, sys
from hia_service.cli import main
main(%r, prog_name="hia", standalone_mode=False)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in %r or m.startswith(%r))))
"""
# What only pages, the API, migrations or the rules need: a lean command imports none of it.
NOT_FOR_LEAN_COMMANDS = ("alembic", "flask_migrate", "jsonschema", "yaml", "flask_smorest", "marshmallow")
NOT_FOR_LEAN_MODULES = ("hia_service.web", "hia_service.api", "hia_service.services.rules")


def _run(code: str, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIA_")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,  # this checkout's hia_service, not an installed one
        env={**env, **settings},
        capture_output=True,
        text=True,
        check=True,
    )


def test_help_imports_no_command_and_none_of_the_heavy_libraries() -> None:
    # In production without HIA_SECRET_KEY: help needs no valid settings.
    result = _run(HELP_AND_IMPORTS % sorted(HEAVY), HIA_ENV="production")
    *help_text, imported = result.stdout.splitlines()
    assert json.loads(imported) == ["hia_service", "hia_service.cli", "hia_service.cli.group"]
    assert "  tokens     Personal API tokens." in help_text
    assert result.stderr == ""


def test_help_in_production_without_settings_lists_the_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIA_ENV", "production")
    monkeypatch.delenv("HIA_SECRET_KEY", raising=False)
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "not valid" not in result.output
    listed = [line.split()[0] for line in result.output.split("Commands:\n")[1].splitlines()]
    assert listed == sorted([*COMMANDS, *FROM_EXTENSIONS, "routes", "run", "shell"])


def test_building_the_app_imports_none_of_the_libraries_only_some_pages_need(tmp_path: Path) -> None:
    result = _run(
        APP_AND_IMPORTS % ONLY_SOME_PAGES_NEED,
        HIA_ENV="testing",
        HIA_DATA_DIR=str(tmp_path),
        HIA_DATABASE_URL=f"sqlite:///{tmp_path / 'hia.sqlite3'}",
    )
    assert json.loads(result.stdout.splitlines()[-1]) == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_is_the_one_listed_with_its_own_help(name: str) -> None:
    command = COMMANDS[name].load()
    assert isinstance(command, click.Command)
    assert command.name == name
    assert command.get_short_help_str(limit=1000) == COMMANDS[name].help


def test_the_extensions_commands_are_the_ones_flask_would_list(app: Flask) -> None:
    plugins = {entry.name: entry.load() for entry in metadata.entry_points(group="flask.commands")}
    found = {**plugins, **app.cli.commands}
    assert set(found) == set(FROM_EXTENSIONS)
    for name, command in found.items():
        assert command.get_short_help_str(limit=1000) == FROM_EXTENSIONS[name]


def test_commands_from_the_app_and_our_own_still_run(app: Flask) -> None:
    runner = app.test_cli_runner()
    openapi = runner.invoke(main, ["openapi", "print"])
    assert openapi.exit_code == 0, openapi.output
    assert json.loads(openapi.output)["info"]["title"]
    tokens = runner.invoke(main, ["tokens", "list", "nobody@example.org"])
    assert tokens.exit_code == 1
    assert "No user has the email address nobody@example.org" in tokens.output


def test_a_lean_command_builds_the_app_without_pages_api_migrations_or_rules(tmp_path: Path) -> None:
    settings = {
        "HIA_ENV": "testing",
        "HIA_DATA_DIR": str(tmp_path),
        "HIA_DATABASE_URL": f"sqlite:///{tmp_path / 'hia.sqlite3'}",
    }
    for command in (["db", "upgrade"], ["demo", "seed"]):
        _run(COMMAND_AND_IMPORTS % (command, (), ()), **settings)
    command = ["tokens", "list", "manager@demo.hia.nhs.example"]
    result = _run(COMMAND_AND_IMPORTS % (command, NOT_FOR_LEAN_COMMANDS, NOT_FOR_LEAN_MODULES), **settings)
    assert json.loads(result.stdout.splitlines()[-1]) == []
    services = _run(COMMAND_AND_IMPORTS % (command, (), ("hia_service.services.accounts",)), **settings)
    assert "hia_service.services.accounts.tokens" in services.stdout  # the check sees what was imported


def test_a_lean_app_reads_the_rules_when_first_asked(tmp_path: Path) -> None:
    from hia_service import create_app
    from hia_service.services.rules import EXTENSION_KEY, current_versions

    app = create_app(
        {"HIA_DATA_DIR": str(tmp_path), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'lean.sqlite3'}"},
        lean=True,
    )
    assert EXTENSION_KEY not in app.extensions
    assert "migrate" not in app.extensions
    assert not app.blueprints
    with app.app_context():
        versions = current_versions()
    assert app.extensions[EXTENSION_KEY].current_framework_version == versions.framework


def _hia(*arguments: str, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIA_")}
    return subprocess.run(
        [sys.executable, "-c", "from hia_service.cli import main; main(prog_name='hia')", *arguments],
        cwd=REPO,
        env={**env, "HIA_ENV": "testing", **settings},
        capture_output=True,
        text=True,
    )


def test_a_database_not_yet_set_up_or_not_reached_is_one_line_saying_what_to_do(tmp_path: Path) -> None:
    empty = {"HIA_DATA_DIR": str(tmp_path), "HIA_DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}"}
    for command in (["tokens", "list", "someone@example.nhs.uk"], ["reference", "load", "--from", "/none"]):
        result = _hia(*command, **empty)
        assert result.returncode == 1
        assert result.stderr.strip() == (
            "Error: The database has no tables for this yet, or is older than this version of the service. "
            "Run `hia db upgrade` to create or update them, then run this command again."
        ), result.stderr
    away = {**empty, "HIA_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:9/hia"}  # nothing listens
    result = _hia("tokens", "list", "someone@example.nhs.uk", **away)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    reached = "Error: The database cannot be reached (HIA_DATABASE_URL): "
    assert result.stderr.startswith(reached), result.stderr
    upgraded = _hia("db", "upgrade", **empty)
    assert upgraded.returncode == 0, upgraded.stderr
    after = _hia("tokens", "list", "someone@example.nhs.uk", **empty)
    assert after.stderr.strip() == "Error: No user has the email address someone@example.nhs.uk"


def test_a_broken_training_scenario_stops_the_service_starting(tmp_path: Path) -> None:
    """As a broken framework or scoring file does: not a service that starts and then fails every trainer's
    page."""
    import shutil

    from hia_service.domain.framework.source import RulesError
    from tests.conftest import make_test_app

    rules = tmp_path / "rules"
    shutil.copytree(Path(__file__).parents[3] / "rules", rules)
    (rules / "training" / "stroke-unit-lincolnshire.yaml").write_text("oops: [\n", encoding="utf-8")
    with pytest.raises(RulesError, match=r"stroke-unit-lincolnshire\.yaml"):
        make_test_app(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "data", HIA_RULES_DIR=str(rules))


def test_a_busy_database_or_a_full_disk_is_one_line_saying_what_to_do() -> None:
    import errno as codes

    import sqlalchemy.exc

    from hia_service.cli.group import database_problem, disk_problem

    locked = sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("database is locked"))
    assert (database_problem(locked) or "").startswith("The database is busy: another process is writing")
    full = OSError(codes.ENOSPC, "No space left on device", "/backups/demo.tar.gz")
    assert disk_problem(full) == (
        "Could not write a file (/backups/demo.tar.gz): the disk is full. Fix that, then run the command "
        "again."
    )
    assert disk_problem(OSError(codes.ENOENT, "No such file")) is None  # said by the command itself
    assert disk_problem(ValueError("not a disk")) is None


def test_the_web_service_with_broken_rules_stops_with_the_problems_and_no_traceback(tmp_path: Path) -> None:
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    (rules / "training" / "stroke-unit-lincolnshire.yaml").write_text("oops: [\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIA_")}
    settings = {"HIA_ENV": "development", "HIA_RULES_DIR": str(rules), "HIA_DATA_DIR": str(tmp_path / "data")}
    started = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=REPO,
        env={**env, **settings, "HIA_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == 1
    assert "The rules are not valid, so the service cannot start." in started.stderr
    assert "stroke-unit-lincolnshire.yaml:2" in started.stderr and "Traceback" not in started.stderr
