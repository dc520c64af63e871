"""The transaction boundary: data functions flush; the request commits, or rolls back on error."""

from __future__ import annotations

import logging

from flask import Flask, Response
from sqlalchemy.exc import SQLAlchemyError

from hia_service.extensions import db

log = logging.getLogger("hia_service.data")


def commit() -> None:
    """Commit now (CLI commands and background jobs, which have no request around them)."""
    try:
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        raise


def register_transaction_boundary(app: Flask) -> None:
    @app.after_request
    def commit_or_roll_back(response: Response) -> Response:
        if response.status_code >= 400:
            db.session.rollback()
        else:
            commit()
        return response
