"""The `hia` command: Flask's CLI (db, run, routes) plus the service's own commands."""

from __future__ import annotations

from flask import Flask
from flask.cli import FlaskGroup, NoAppException
from pydantic import ValidationError

from hia_service import create_app
from hia_service.cli.accounts import demo_cli, users_cli
from hia_service.cli.audit import audit_cli
from hia_service.cli.backup import export_command, import_command
from hia_service.cli.pdf import certs_cli, pdf_cli
from hia_service.cli.profile import profile_cmd
from hia_service.cli.reference import reference_cli
from hia_service.cli.reminders import reminders_cli
from hia_service.cli.rules import rules_cli
from hia_service.cli.storage import storage_cli
from hia_service.cli.tokens import tokens_cli
from hia_service.cli.worker import worker_cmd


def _app_or_clear_error() -> Flask:
    """Settings that do not validate (no HIA_SECRET_KEY in production, say) are one clear line, not a
    traceback: Flask's CLI prints a NoAppException's message alone."""
    try:
        return create_app()
    except ValidationError as error:
        reasons = "; ".join(str(problem["msg"]).removeprefix("Value error, ") for problem in error.errors())
        raise NoAppException(f"The service's settings are not valid: {reasons}") from None


def _build_group() -> FlaskGroup:
    group = FlaskGroup(
        create_app=_app_or_clear_error,
        help="Health inequalities impact assessment: manage the service from the command line.",
        load_dotenv=False,
        set_debug_flag=False,
    )
    for command in (
        users_cli,
        demo_cli,
        rules_cli,
        certs_cli,
        pdf_cli,
        tokens_cli,
        reference_cli,
        profile_cmd,
        audit_cli,
        reminders_cli,
        export_command,
        import_command,
        worker_cmd,
        storage_cli,
    ):
        group.add_command(command)
    return group


main = _build_group()
