"""The audit trail of API calls: one entry per call, committed on its own so failed calls are kept too."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from hia_service.data.audit import record_audit_event
from hia_service.data.models import User
from hia_service.data.transaction import commit

log = logging.getLogger("hia_service.api")


def record_api_call(user: User | None, method: str, path: str, status: int) -> None:
    """Called after the request's own transaction has committed or rolled back."""
    try:
        record_audit_event("api_call", actor=user, details={"method": method, "path": path, "status": status})
        commit()
    except SQLAlchemyError:
        # Never turn a finished answer into a 500; the log keeps the failure.
        log.exception("could not audit API call %s %s", method, path)
