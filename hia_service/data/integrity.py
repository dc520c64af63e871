"""Guards that make frozen records really frozen, whatever code path tries to change them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from hia_service.data.models import AssessmentVersion, AuditEvent


class FrozenRecordError(Exception):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_frozen_records(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in session.dirty:
        if isinstance(obj, AuditEvent):
            raise FrozenRecordError("Audit entries cannot be changed")
        if isinstance(obj, AssessmentVersion):
            state = inspect(obj)
            changed = [name for name in AssessmentVersion.FROZEN if state.attrs[name].history.has_changes()]
            if changed:
                raise FrozenRecordError(f"A submitted version cannot be changed ({', '.join(changed)})")
    for obj in session.deleted:
        if isinstance(obj, AuditEvent | AssessmentVersion):
            raise FrozenRecordError("Submitted versions and audit entries cannot be deleted")
