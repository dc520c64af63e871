"""Answering the organisation's local groups (its local additions to the national framework)."""

from __future__ import annotations

from typing import Any

from hia_service.auth.permissions import Action
from hia_service.data import assessments as assessment_store
from hia_service.data.audit import record_audit_event
from hia_service.data.models import User
from hia_service.domain.audit_chain import content_hash
from hia_service.domain.workflow import Status
from hia_service.services.assessments.authoring import assessment_for
from hia_service.services.errors import StateTransitionError
from hia_service.services.organisation import local_framework


def save_local_answers(user: User, assessment_id: int, form: Any, *, draft: bool = False) -> dict[str, str]:
    """Store the impact on each local group; returns errors (nothing is saved when there are any).

    `draft` ("save and come back later"): nothing is required yet and long notes are kept as typed (the
    section stays unfinished until every group has an impact); an impact that is not one offered is left out.
    """
    assessment = assessment_for(user, assessment_id, Action.EDIT)
    if not Status(assessment.status).editable_by_author:
        raise StateTransitionError("This assessment cannot be changed now.")
    local = local_framework.for_answers(assessment.organisation_id, assessment.answers)
    values, errors = local_framework.local_answers(local, form)
    if draft:  # an impact not offered is left out; everything else is kept as typed
        impacts = {group.impact_key for group in local.active_groups}
        values = {k: (None if k in impacts and k in errors else v) for k, v in values.items()}
        errors = {}
    if errors:
        return errors
    assessment_store.save_assessment(assessment, answers={**assessment.answers, **values})
    record_audit_event(
        "local_groups_answered",
        actor=user,
        organisation_id=assessment.organisation_id,
        subject=("assessment", assessment.id),
        details={"reference": assessment.reference, "local_version": local.number},
        after_hash=content_hash(values),
    )
    return {}
