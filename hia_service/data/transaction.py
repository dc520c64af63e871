"""The transaction boundary: data functions flush; the request commits, or rolls back on error."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from hia_service.extensions import db

log = logging.getLogger("hia_service.data")


def commit() -> None:
    """Commit now (CLI commands and background jobs, which have no request around them)."""
    try:
        db.session.commit()
    except SQLAlchemyError:
        rollback()
        raise


def rollback() -> None:
    """Roll back; if the connection has died (database restarted), the server has already rolled the
    transaction back, so failing to say so again is not an error."""
    try:
        db.session.rollback()
    except SQLAlchemyError as error:
        log.warning("rollback on a lost connection", extra={"fields": {"error": str(error)[:200]}})


def register_transaction_boundary(app: Flask) -> None:
    @app.after_request
    def commit_or_roll_back(response: Response) -> Response:
        if not db.session.registry.has():  # this request never touched the database: nothing to end
            return response
        if response.status_code >= 400:
            rollback()
            return response
        try:
            commit()
        except SQLAlchemyError as error:
            # Not saved (e.g. the database restarted at this moment), so the page must not say it was:
            # answer with the error page for this error instead (hia_service/errors.py).
            return app.make_response(app.handle_user_exception(error))
        return response


# --- work to do once the transaction has committed ---------------------------------------------------
# A background job must not start before the rows it reads are committed (the worker would not see
# them), and must not start at all if the request rolls back. So callers register it here and it runs
# from the session's after_commit event; a rollback discards it.
AFTER_COMMIT = "hia_after_commit"


def after_commit(callback: Callable[[], object]) -> None:
    """Run `callback` once the current transaction commits (never if it rolls back)."""
    db.session.info.setdefault(AFTER_COMMIT, []).append(callback)


def finish() -> None:
    """End the unit of work of a background job: roll back anything uncommitted, release the connection."""
    db.session.remove()


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for callback in session.info.pop(AFTER_COMMIT, []):
        try:
            callback()
        except Exception:  # the commit stands; the caller's own recovery path picks the work up later
            log.exception("after-commit work failed")


@event.listens_for(Session, "after_soft_rollback")
def _discard_after_rollback(session: Session, previous_transaction: object) -> None:
    if not getattr(previous_transaction, "nested", False):  # a savepoint rolled back: the rest may commit
        session.info.pop(AFTER_COMMIT, None)
