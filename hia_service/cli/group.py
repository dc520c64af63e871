"""A FlaskGroup that imports a command only when it runs, and lists commands without building the app.

Flask's own group builds the app to list the commands extensions add to it, and each of our command modules
imports the services it calls (and they the PDF, chart and map libraries). Both are wanted when a command
runs, not when someone asks `hia --help`: here the listing comes from a table of names and one-line help.
Likewise a command that needs neither pages, the API nor migrations (most of them) runs with a lean app.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo


@dataclass(frozen=True)
class LazyCommand:
    """A command `hia --help` lists by its one line of help, imported by `load` only when it runs.

    `lean`: it needs none of the app's pages, templates or API (which drawing PDFs and emails does), so it
    runs with an app built without them, in a fraction of the time.
    """

    help: str
    load: Callable[[], click.Command]
    lean: bool = False


class LazyFlaskGroup(FlaskGroup):
    """Flask's group (run, shell, routes, plugins, the app's commands) plus commands imported on use.

    `lazy` are our own commands. `elsewhere` names the commands Flask extensions add, with their help, so
    they are listed without building the app; Flask itself finds them when one runs. `create_lean_app`
    builds the app for the `lazy` commands marked lean.
    """

    def __init__(
        self,
        lazy: Mapping[str, LazyCommand],
        elsewhere: Mapping[str, str],
        *,
        create_lean_app: Callable[[], Flask],
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.lazy = dict(lazy)
        self.elsewhere = dict(elsewhere)
        self.create_lean_app = create_lean_app

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a database with no tables yet, or one that cannot be reached, is one clear
        line saying what to do, not a traceback."""
        try:
            return super().invoke(ctx)
        except Exception as error:
            problem = database_problem(error) or disk_problem(error)
            if problem is None:
                raise
            raise click.ClickException(problem) from None

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        entry = self.lazy.get(name)
        if entry is None:
            return super().get_command(ctx, name)
        if entry.lean:
            self._build_lean(ctx)
        return entry.load()

    def _build_lean(self, ctx: click.Context) -> None:
        """Have the command's app built lean, unless the caller brought its own way of building it (a
        test's runner brings the app under test)."""
        info = ctx.find_object(ScriptInfo)
        if info is not None and info.create_app is self.create_app:
            info.create_app = self.create_lean_app

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy, *self.elsewhere})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click lists commands (name and the start of its help), but from the tables: nothing imported."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        rows = [(name, self._short_help(name, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _short_help(self, name: str, limit: int) -> str:
        listed = self.lazy[name].help if name in self.lazy else self.elsewhere.get(name)
        if listed is not None:  # a stand-in, so click shortens the help exactly as it would the command's
            return click.Command(name, help=listed).get_short_help_str(limit)
        return self.commands[name].get_short_help_str(limit)


BUSY = ("database is locked", "database is busy")
# Writing a file failed for a reason the operator fixes outside the service: say which file and why.
DISK_ERRORS = {28: "the disk is full", 30: "the disk is read-only", 122: "the disk quota is used up"}


def disk_problem(error: BaseException) -> str | None:
    if not isinstance(error, OSError) or error.errno not in DISK_ERRORS:
        return None
    where = f" ({error.filename})" if error.filename else ""
    return f"Could not write a file{where}: {DISK_ERRORS[error.errno]}. Fix that, then run the command again."


NOT_REACHED = ("connection failed", "could not connect", "connection refused", "unable to open database file")
NO_TABLES = ("no such table", "undefinedtable", "undefinedcolumn", "no such column")


def database_problem(error: BaseException) -> str | None:
    """What to do about a database error a command met, or None when it is not one of these."""
    errors = sys.modules.get("sqlalchemy.exc")  # not imported: the command used no database
    if errors is None or not isinstance(error, errors.DBAPIError):
        return None
    said = str(error.orig).strip()
    kind = f"{type(error.orig).__name__} {said}".lower()
    if any(words in kind for words in NOT_REACHED):
        return f"The database cannot be reached (HIA_DATABASE_URL): {said.splitlines()[0] if said else kind}"
    if any(words in kind for words in BUSY):
        return (
            "The database is busy: another process is writing to it (SQLite lets one write at a time). Wait "
            "a moment and run the command again. Nothing was changed."
        )
    if any(words in kind for words in NO_TABLES):
        return (
            "The database has no tables for this yet, or is older than this version of the service. Run "
            "`hia db upgrade` to create or update them, then run this command again."
        )
    return None
