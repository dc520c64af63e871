"""SQLAlchemy models. Only modules in hia_service.data touch the session."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hia_service.auth.roles import Role
from hia_service.domain.geography.area_profile import AreaProfile
from hia_service.extensions import Model


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_session_key() -> str:
    return secrets.token_urlsafe(32)


def new_verify_key() -> str:
    return secrets.token_urlsafe(16)  # 128 random bits: too many to guess


class Organisation(Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # ODS code, e.g. RXX
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")


class User(Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    # Null for people who only sign in through an identity provider (see UserIdentity).
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set when someone else chose the password (an administrator adding the person or resetting it): the
    # person must choose their own before anything else, so nobody keeps knowing another's password.
    password_must_change: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Copied into each session at sign-in and checked on every request; signing out replaces it, so a
    # session cookie from before (a copy, a shared computer) is refused. Null until the first sign-in.
    session_key: Mapped[str | None] = mapped_column(String(64), nullable=True, default=new_session_key)

    organisation: Mapped[Organisation] = relationship(back_populates="users")
    identities: Mapped[list[UserIdentity]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    # Flask-Login protocol, written out so the model does not depend on flask_login.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class SignInThrottle(Model):
    """Wrong passwords for one email address from one client: each one past the first few makes that
    client wait twice as long before its next try. The account itself is never locked, so someone
    guessing cannot keep its owner out. Keyed by a hash, so an unknown address typed here is not kept."""

    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of email and client address
    failures: Mapped[int] = mapped_column(Integer, default=0)
    wait_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, index=True
    )


class UserIdentity(Model):
    """An external sign-in (e.g. Microsoft Entra ID via OIDC) linked to a user: issuer + subject claim."""

    __tablename__ = "user_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_user_identities_issuer_subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(back_populates="identities")


class ReferenceDataset(Model):
    """Provenance of one loaded reference file: which release, which bytes, when."""

    __tablename__ = "reference_datasets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[str] = mapped_column(String(100), index=True)
    release: Mapped[str] = mapped_column(String(50))
    geography: Mapped[str] = mapped_column(String(50))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer)
    publisher: Mapped[str] = mapped_column(String(255))
    licence: Mapped[str] = mapped_column(String(255))
    attribution: Mapped[str] = mapped_column(Text)
    snapshot_id: Mapped[str] = mapped_column(String(100))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)


# JSONB on PostgreSQL (indexable, compact); JSON text on SQLite.
JsonType = JSON().with_variant(JSONB(), "postgresql")


class Assessment(Model):
    """The live, editable assessment. Each submission freezes a copy as an AssessmentVersion."""

    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("organisation_id", "reference", name="uq_assessments_org_reference"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    reference: Mapped[str] = mapped_column(String(20))  # HIA-2026-0042
    title: Mapped[str] = mapped_column(String(300))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(30), default="draft", index=True)
    is_training: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    framework_version: Mapped[str] = mapped_column(String(30))
    scoring_version: Mapped[str] = mapped_column(String(30))
    reference_release: Mapped[str] = mapped_column(String(30), default="IoD2025")
    answers: Mapped[dict] = mapped_column(JsonType, default=dict)
    area: Mapped[dict | None] = mapped_column(JsonType, nullable=True)
    profile: Mapped[dict | None] = mapped_column(JsonType, nullable=True)

    current_section: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # Copied out of the answers when saved, so the queue and dashboard can filter on them.
    rating: Mapped[str | None] = mapped_column(String(20), nullable=True)
    directorate: Mapped[str | None] = mapped_column(String(200), nullable=True)
    kind: Mapped[str | None] = mapped_column(String(50), nullable=True)
    decision_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    organisation: Mapped[Organisation] = relationship()
    versions: Mapped[list[AssessmentVersion]] = relationship(
        back_populates="assessment", order_by="AssessmentVersion.number"
    )
    events: Mapped[list[AssessmentEvent]] = relationship(order_by="AssessmentEvent.id")

    # Optimistic locking: an UPDATE that finds another writer got there first raises StaleDataError.
    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def area_profile(self) -> AreaProfile | None:
        """The stored profile (JSON) as the typed value; the one way back from the column."""
        return _typed_profile(self)


class AssessmentVersion(Model):
    """A frozen snapshot made at submission: what was assessed, under which rules and data."""

    __tablename__ = "assessment_versions"
    __table_args__ = (UniqueConstraint("assessment_id", "number", name="uq_assessment_versions_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(30))  # submitted, returned, approved, superseded
    title: Mapped[str] = mapped_column(String(300))
    answers: Mapped[dict] = mapped_column(JsonType)
    area: Mapped[dict | None] = mapped_column(JsonType, nullable=True)
    profile: Mapped[dict | None] = mapped_column(JsonType, nullable=True)

    rating: Mapped[dict | None] = mapped_column(JsonType, nullable=True)
    quality: Mapped[list] = mapped_column(JsonType, default=list)
    framework_version: Mapped[str] = mapped_column(String(30))
    scoring_version: Mapped[str] = mapped_column(String(30))
    reference_release: Mapped[str] = mapped_column(String(30))
    reference_checksum: Mapped[str | None] = mapped_column(String(64), nullable=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # What the reviewer said must happen for the approval to stand; null when they set none (and on every
    # version not approved).
    approval_conditions: Mapped[str | None] = mapped_column(Text, nullable=True)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The random part of the public link printed on the version's record, so links cannot be found by
    # counting through references. Null only for versions imported from archives made before it existed.
    verify_key: Mapped[str | None] = mapped_column(
        String(32), nullable=True, index=True, default=new_verify_key
    )
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    assessment: Mapped[Assessment] = relationship(back_populates="versions")
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    comments: Mapped[list[ReviewComment]] = relationship(
        back_populates="version", order_by="ReviewComment.id"
    )

    __mapper_args__ = {"version_id_col": lock_version}

    FROZEN = (
        "title",
        "answers",
        "area",
        "profile",
        "rating",
        "quality",
        "framework_version",
        "scoring_version",
        "reference_release",
        "reference_checksum",
        "content_hash",
        "number",
    )

    @property
    def area_profile(self) -> AreaProfile | None:
        """The stored profile (JSON) as the typed value; the one way back from the column."""
        return _typed_profile(self)


class AssessmentEvent(Model):
    """The workflow history, append-only, in the past tense ("Returned to author")."""

    __tablename__ = "assessment_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    version_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    event: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    actor: Mapped[User] = relationship()


class ReviewComment(Model):
    __tablename__ = "review_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("assessment_versions.id"), index=True)
    section_id: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    version: Mapped[AssessmentVersion] = relationship(back_populates="comments")
    author: Mapped[User] = relationship()


class AuditEvent(Model):
    """Append-only audit log; each entry carries the hash of the one before it."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), nullable=True, index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    event_type: Mapped[str] = mapped_column(String(50))
    subject_type: Mapped[str | None] = mapped_column(String(50), nullable=True)
    subject_id: Mapped[str | None] = mapped_column(String(50), nullable=True, index=True)
    details: Mapped[dict] = mapped_column(JsonType, default=dict)
    before_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    after_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


class ApiToken(Model):
    """A personal API token. Only its sha256 is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # shown in lists so people can tell tokens apart
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    user: Mapped[User] = relationship()


class DecisionRecord(Model):
    """What was decided after approval: by which forum, when, and whether it followed the recommendation."""

    __tablename__ = "decision_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), unique=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("assessment_versions.id"))
    decided_on: Mapped[date] = mapped_column(Date, index=True)
    forum: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(30))  # the same values as conclusion.recommendation
    summary: Mapped[str] = mapped_column(Text)
    recommendation: Mapped[str | None] = mapped_column(String(30), nullable=True)  # as approved
    matched_recommendation: Mapped[bool] = mapped_column(Boolean)
    first_submitted_on: Mapped[date] = mapped_column(Date)
    # Due regard must come before the decision: a decision dated before the first submission is flagged.
    assessed_after_decision: Mapped[bool] = mapped_column(Boolean, index=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    assessment: Mapped[Assessment] = relationship()
    version: Mapped[AssessmentVersion] = relationship()
    recorded_by: Mapped[User] = relationship()


class ActionItem(Model):
    """One row of an approved action plan (kind "action") or the monitoring review (kind "review"),
    tracked until someone marks it done."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("assessment_versions.id"))
    kind: Mapped[str] = mapped_column(String(20), default="action")
    position: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)  # as the author wrote it
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    due: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    measure: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)  # open, done
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    completion_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    assessment: Mapped[Assessment] = relationship()
    owner_user: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])

    __mapper_args__ = {"version_id_col": lock_version}


class ReminderLog(Model):
    """One reminder email per person per day at most: what was sent, to whom, when."""

    __tablename__ = "reminder_logs"
    __table_args__ = (UniqueConstraint("recipient", "sent_on", name="uq_reminder_logs_recipient_sent_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    sent_on: Mapped[date] = mapped_column(Date)
    item_count: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# --- training ---


class TrainingSession(Model):
    """A cohort: a trainer's session on a date, the scenarios it practises and the code trainees join with."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date)
    join_code: Mapped[str] = mapped_column(String(20), unique=True)  # stored without its hyphen
    code_expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    scenario_ids: Mapped[list] = mapped_column(JsonType, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    trainer: Mapped[User] = relationship()
    members: Mapped[list[TrainingMember]] = relationship(
        back_populates="session", order_by="TrainingMember.id", cascade="all, delete-orphan"
    )


class TrainingMember(Model):
    """A trainee in a session (added by the trainer or joined with the code)."""

    __tablename__ = "training_members"
    __table_args__ = (UniqueConstraint("session_id", "user_id", name="uq_training_members_session_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    session: Mapped[TrainingSession] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class TrainingPractice(Model):
    """One trainee's practice assessment of one scenario in one session."""

    __tablename__ = "training_practices"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id", "scenario_id", name="uq_training_practices_attempt"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    scenario_id: Mapped[str] = mapped_column(String(100))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), unique=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    session: Mapped[TrainingSession] = relationship()
    user: Mapped[User] = relationship()
    assessment: Mapped[Assessment] = relationship()


# --- organisation settings ---


class OrganisationSettings(Model):
    """One organisation's own setup: the population it serves, its address, logo and signing certificate.

    The certificate's passphrase is never stored (branding.py says how its key is kept)."""

    __tablename__ = "organisation_settings"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    catchment_area: Mapped[dict | None] = mapped_column(JsonType, nullable=True)
    catchment_baseline: Mapped[dict | None] = mapped_column(JsonType, nullable=True)
    catchment_release: Mapped[str | None] = mapped_column(String(30), nullable=True)
    catchment_set_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    logo_type: Mapped[str | None] = mapped_column(String(20), nullable=True)  # png | svg
    # What documents draw: the logo as a PNG, made once at upload (an SVG is rasterised under strict limits).
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    certificate: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # PKCS#12
    certificate_passphrase_env: Mapped[str | None] = mapped_column(String(100), nullable=True)
    certificate_pem: Mapped[str | None] = mapped_column(Text, nullable=True)  # public part, to verify with
    certificate_subject: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # The registered certificate: a record is "signed by" this organisation only with this exact certificate.
    certificate_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    certificate_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The longest an API token of its people may last, in days (unset: the service's 90).
    api_token_max_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class OrganisationChoice(Model):
    """An entry in one of the organisation's lists (directorates, decision forums, sites).

    Records keep the words they were saved with, so renaming or retiring an entry changes no old record."""

    __tablename__ = "organisation_choices"
    __table_args__ = (
        UniqueConstraint("organisation_id", "kind", "name", name="uq_organisation_choices_org_kind_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # directorate | decision_forum | site
    name: Mapped[str] = mapped_column(String(200))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LocalFrameworkVersion(Model):
    """The organisation's additions to the national framework (guidance per section, local groups).

    Append-only: every change adds a version; assessments record the number they used in their answers."""

    __tablename__ = "local_framework_versions"
    __table_args__ = (
        UniqueConstraint("organisation_id", "number", name="uq_local_framework_versions_org_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict] = mapped_column(JsonType)  # {"guidance": {section: text}, "groups": [...]}
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StagedDocument(Model):
    """A file written to document storage under a temporary key, to be moved to its final key once the
    transaction that records it has committed (an import's signed PDFs). The row commits with those
    records, so a process stopped between the commit and the move leaves the list of what is still to
    move (services/documents/staged.py finishes it); a rolled-back transaction leaves no row."""

    __tablename__ = "staged_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staged_key: Mapped[str] = mapped_column(String(500), unique=True)
    final_key: Mapped[str] = mapped_column(String(500), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def _typed_profile(row: Assessment | AssessmentVersion) -> AreaProfile | None:
    """The row's stored profile as the typed value, read from its JSON once for as long as the row holds
    that JSON: a page asks for it several times, and a profile touching many places takes milliseconds to
    read (a new profile is always a new JSON value: the column is not changed in place)."""
    stored = row.profile
    if not stored:
        return None
    kept = row.__dict__.get("_typed_profile")
    if kept is not None and kept[0] is stored:
        return kept[1]
    typed = AreaProfile.from_json(stored)
    row.__dict__["_typed_profile"] = (stored, typed)
    return typed
