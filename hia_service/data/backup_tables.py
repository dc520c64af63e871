"""Which rows of each table belong to one organisation's archive (`hia export` / `hia import`).

Each table the archive holds is one TableSpec: which rows belong to the organisation, and which columns
hold ids of other tables (so they can be remapped on import). A table added later joins the archive by
adding a TableSpec here, in dependency order; until then export lists it as not exported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Table, or_, select
from sqlalchemy.sql import Select

from hia_service.data.models import (
    ActionItem,
    ApiToken,
    Assessment,
    AssessmentEvent,
    AssessmentVersion,
    AuditEvent,
    DecisionRecord,
    LocalFrameworkVersion,
    Organisation,
    OrganisationChoice,
    OrganisationSettings,
    ReminderLog,
    ReviewComment,
    TrainingMember,
    TrainingPractice,
    TrainingSession,
    User,
    UserIdentity,
)
from hia_service.extensions import db


def users_of(org_id: int) -> Select:
    return select(User.id).where(User.organisation_id == org_id)


def _assessments(org_id: int) -> Select:
    return select(Assessment.id).where(Assessment.organisation_id == org_id)


def _versions(org_id: int) -> Select:
    return select(AssessmentVersion.id).where(AssessmentVersion.assessment_id.in_(_assessments(org_id)))


def _sessions(org_id: int) -> Select:
    return select(TrainingSession.id).where(TrainingSession.organisation_id == org_id)


def _audit_scope(org_id: int) -> ColumnElement[bool]:
    # Entries about the organisation, and entries by its people that name no organisation.
    return or_(
        AuditEvent.organisation_id == org_id,
        AuditEvent.organisation_id.is_(None) & AuditEvent.actor_id.in_(users_of(org_id)),
    )


@dataclass(frozen=True)
class TableSpec:
    name: str
    model: Any
    rows_of: Callable[[int], ColumnElement[bool]]  # organisation id -> where-clause
    refs: dict[str, str] = field(default_factory=dict)  # column -> the table whose ids it holds
    # Columns the archive holds empty whatever the database has (secrets), and import leaves empty.
    withheld: tuple[str, ...] = ()
    # Nullable columns added to the table after archives of this format were first made: an archive made
    # before one was added lacks it, and imports with it empty (a backup made last week still restores).
    added_later: tuple[str, ...] = ()

    @property
    def table(self) -> Table:
        return self.model.__table__

    @property
    def key(self) -> str:
        """The column that tells rows apart: `id`, or for a one-per-organisation table its organisation."""
        (column,) = self.table.primary_key.columns
        return column.key

    @property
    def has_own_ids(self) -> bool:
        return self.key == "id"


# The uploaded signing certificate stays on the server it was uploaded to: its private key is a secret, and
# an archive (which anyone could write) must not be able to make this server trust a certificate either, so
# the public part and its details are left out too. An admin uploads it again after an import.
CERTIFICATE_COLUMNS = (
    "certificate",
    "certificate_passphrase_env",
    "certificate_pem",
    "certificate_subject",
    "certificate_expires_at",
    "certificate_sha256",
)


# Parents before children: import inserts in this order.
TABLES: tuple[TableSpec, ...] = (
    TableSpec("organisations", Organisation, lambda org: Organisation.id == org),
    TableSpec(
        "users",
        User,
        lambda org: User.organisation_id == org,
        {"organisation_id": "organisations"},
        withheld=("session_key",),  # a session secret: people sign in again after an import
    ),
    TableSpec(
        "user_identities",
        UserIdentity,
        lambda org: UserIdentity.user_id.in_(users_of(org)),
        {"user_id": "users"},
    ),
    TableSpec(
        "assessments",
        Assessment,
        lambda org: Assessment.organisation_id == org,
        {"organisation_id": "organisations", "author_id": "users"},
    ),
    TableSpec(
        "assessment_versions",
        AssessmentVersion,
        lambda org: AssessmentVersion.assessment_id.in_(_assessments(org)),
        {"assessment_id": "assessments", "submitted_by_id": "users", "reviewed_by_id": "users"},
        added_later=("approval_conditions",),  # migration 0012
    ),
    TableSpec(
        "assessment_events",
        AssessmentEvent,
        lambda org: AssessmentEvent.assessment_id.in_(_assessments(org)),
        {"assessment_id": "assessments", "actor_id": "users"},
    ),
    TableSpec(
        "review_comments",
        ReviewComment,
        lambda org: ReviewComment.version_id.in_(_versions(org)),
        {"version_id": "assessment_versions", "author_id": "users"},
    ),
    TableSpec(
        "decision_records",
        DecisionRecord,
        lambda org: DecisionRecord.assessment_id.in_(_assessments(org)),
        {"assessment_id": "assessments", "version_id": "assessment_versions", "recorded_by_id": "users"},
    ),
    TableSpec(
        "action_items",
        ActionItem,
        lambda org: ActionItem.assessment_id.in_(_assessments(org)),
        {
            "assessment_id": "assessments",
            "version_id": "assessment_versions",
            "owner_id": "users",
            "completed_by_id": "users",
        },
    ),
    TableSpec(
        "training_sessions",
        TrainingSession,
        lambda org: TrainingSession.organisation_id == org,
        {"organisation_id": "organisations", "trainer_id": "users"},
    ),
    TableSpec(
        "training_members",
        TrainingMember,
        lambda org: TrainingMember.session_id.in_(_sessions(org)),
        {"session_id": "training_sessions", "user_id": "users"},
    ),
    TableSpec(
        "training_practices",
        TrainingPractice,
        lambda org: TrainingPractice.session_id.in_(_sessions(org)),
        {"session_id": "training_sessions", "user_id": "users", "assessment_id": "assessments"},
    ),
    TableSpec(
        "organisation_settings",
        OrganisationSettings,
        lambda org: OrganisationSettings.organisation_id == org,
        {"organisation_id": "organisations"},
        withheld=CERTIFICATE_COLUMNS,
    ),
    TableSpec(
        "organisation_choices",
        OrganisationChoice,
        lambda org: OrganisationChoice.organisation_id == org,
        {"organisation_id": "organisations"},
    ),
    TableSpec(
        "local_framework_versions",
        LocalFrameworkVersion,
        lambda org: LocalFrameworkVersion.organisation_id == org,
        {"organisation_id": "organisations", "created_by_id": "users"},
    ),
    TableSpec("api_tokens", ApiToken, lambda org: ApiToken.user_id.in_(users_of(org)), {"user_id": "users"}),
    # Reminders name their recipient by email address, not by id.
    TableSpec(
        "reminder_logs",
        ReminderLog,
        lambda org: ReminderLog.recipient.in_(select(User.email).where(User.organisation_id == org)),
    ),
    TableSpec(
        "audit_events", AuditEvent, _audit_scope, {"organisation_id": "organisations", "actor_id": "users"}
    ),
)
SPECS = {spec.name: spec for spec in TABLES}
# Tables that belong to the whole service, not to one organisation.
SERVICE_WIDE = {
    "reference_datasets": "reference data is loaded from the published files (`hia reference load`)",
    "sign_in_throttles": "wrong passwords slow down sign-in on this server only; they are no one's record",
    "staged_documents": "files this server has still to move into place in its own document store",
}


def not_exported() -> dict[str, str]:
    """Every table in the schema that the archive does not hold, and why."""
    left = {}
    for name in sorted(db.metadata.tables):
        if name not in SPECS:
            left[name] = SERVICE_WIDE.get(name, "not yet part of the organisation archive")
    return left
