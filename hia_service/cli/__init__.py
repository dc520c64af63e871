"""The `hia` command: Flask's CLI (db, run, routes, shell) plus the service's own commands.

Each command is imported only when it runs, and the app is built only by a command that needs it: `hia
--help` lists the commands from the tables below, so it is quick and works even when the settings are not
valid. A test checks the tables against the commands themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask.cli import NoAppException

from hia_service.cli.group import LazyCommand, LazyFlaskGroup

if TYPE_CHECKING:
    import click
    from flask import Flask


def _app_or_clear_error(*, lean: bool = False) -> Flask:
    """Settings that do not validate (no HIA_SECRET_KEY in production, say) are one clear line, not a
    traceback: Flask's CLI prints a NoAppException's message alone."""
    from pydantic import ValidationError

    from hia_service import create_app

    try:
        return create_app(lean=lean)
    except ValidationError as error:
        reasons = "; ".join(str(problem["msg"]).removeprefix("Value error, ") for problem in error.errors())
        raise NoAppException(f"The service's settings are not valid: {reasons}") from None


def _lean_app() -> Flask:
    """The app for commands that need neither pages, the API nor migrations: settings, database, PDF store."""
    return _app_or_clear_error(lean=True)


# Each loader imports its command's module, which imports what the command needs.
def _users() -> click.Command:
    from hia_service.cli.accounts import users_cli

    return users_cli


def _demo() -> click.Command:
    from hia_service.cli.accounts import demo_cli

    return demo_cli


def _rules() -> click.Command:
    from hia_service.cli.rules import rules_cli

    return rules_cli


def _certs() -> click.Command:
    from hia_service.cli.pdf import certs_cli

    return certs_cli


def _pdf() -> click.Command:
    from hia_service.cli.pdf import pdf_cli

    return pdf_cli


def _tokens() -> click.Command:
    from hia_service.cli.tokens import tokens_cli

    return tokens_cli


def _reference() -> click.Command:
    from hia_service.cli.reference import reference_cli

    return reference_cli


def _profile() -> click.Command:
    from hia_service.cli.profile import profile_cmd

    return profile_cmd


def _audit() -> click.Command:
    from hia_service.cli.audit import audit_cli

    return audit_cli


def _reminders() -> click.Command:
    from hia_service.cli.reminders import reminders_cli

    return reminders_cli


def _export() -> click.Command:
    from hia_service.cli.backup import export_command

    return export_command


def _import() -> click.Command:
    from hia_service.cli.backup import import_command

    return import_command


def _worker() -> click.Command:
    from hia_service.cli.worker import worker_cmd

    return worker_cmd


def _storage() -> click.Command:
    from hia_service.cli.storage import storage_cli

    return storage_cli


# The first sentence of each command's help, as `hia --help` shows it; lean=True for the commands that need
# neither pages, templates, the API nor migrations, whose app is built without them (much quicker to start).
COMMANDS = {
    "users": LazyCommand("Manage user accounts.", _users, lean=True),
    "demo": LazyCommand("The demonstration organisation.", _demo, lean=True),
    "rules": LazyCommand("Check the assessment framework and scoring rules.", _rules, lean=True),
    "certs": LazyCommand("Signing certificates for assessment records.", _certs),
    "pdf": LazyCommand("Signed assessment PDFs: check one, or make a sample to look at.", _pdf),
    "tokens": LazyCommand("Personal API tokens.", _tokens, lean=True),
    "reference": LazyCommand(
        "Load the reference data (deprivation indices, boundaries, postcodes) and check it.",
        _reference,
        lean=True,
    ),
    "profile": LazyCommand("Profile an area by deprivation.", _profile, lean=True),
    "audit": LazyCommand("The append-only audit log.", _audit, lean=True),
    "reminders": LazyCommand("Email reminders about follow-up actions and review dates.", _reminders),
    "export": LazyCommand(
        "Write one organisation's records, audit log and signed PDFs to an archive, its manifest signed "
        "with the service's own signing certificate (HIA_SIGNING_P12; never one an organisation uploaded).",
        _export,
        lean=True,
    ),
    "import": LazyCommand(
        "Check an archive made by `hia export` end to end, then restore it in one go.", _import, lean=True
    ),
    "worker": LazyCommand(
        "Run the background worker that draws PDFs and Word copies and signs records (HIA_QUEUE=rq).", _worker
    ),
    "storage": LazyCommand("Where signed and drawn PDFs are kept (HIA_STORAGE_URL).", _storage, lean=True),
}

# Commands Flask extensions add: Flask-Migrate and flask-smorest to the app, Flask-Limiter as a plugin.
FROM_EXTENSIONS = {
    "db": "Perform database migrations.",
    "openapi": "OpenAPI commands.",
    "limiter": "Flask-Limiter maintenance & utility commands",
}

main = LazyFlaskGroup(
    COMMANDS,
    FROM_EXTENSIONS,
    create_app=_app_or_clear_error,
    create_lean_app=_lean_app,
    help="Health inequalities impact assessment: manage the service from the command line.",
    load_dotenv=False,
    set_debug_flag=False,
)
