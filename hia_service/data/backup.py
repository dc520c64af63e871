"""Reading and writing one organisation's rows for `hia export` / `hia import`, table by table (which
tables, and which of their rows, is data/backup_tables.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    String,
    func,
    insert,
    select,
    tuple_,
    update,
)

from hia_service.data.audit import _fields, audit_key, serialise_writers

# The specs are part of this module's interface too (services read store.TABLES, store.not_exported()...).
from hia_service.data.backup_tables import SPECS as SPECS
from hia_service.data.backup_tables import TABLES as TABLES
from hia_service.data.backup_tables import TableSpec as TableSpec
from hia_service.data.backup_tables import not_exported as not_exported
from hia_service.data.backup_tables import users_of
from hia_service.data.models import (
    ApiToken,
    Assessment,
    AssessmentVersion,
    AuditEvent,
    Organisation,
    OrganisationSettings,
    ReminderLog,
    TrainingSession,
    User,
    UserIdentity,
)
from hia_service.domain.audit_chain import GENESIS, entry_hash, unkeyed_entry_hash
from hia_service.domain.backup import (
    ArchiveError,
    ChainLink,
    decode_bytes,
    decode_date,
    decode_datetime,
    encode_value,
)
from hia_service.extensions import db

# --- reading ----------------------------------------------------------------------------------------------


def read_consistently() -> None:
    """On PostgreSQL, read every table from one snapshot, so rows written during an export cannot leave
    a child in the archive without its parent. Call before the first query of the transaction."""
    if db.engine.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def organisation_rows(org_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every archived table's rows for the organisation, oldest first, as JSON-ready dicts."""
    return {spec.name: _rows(spec, spec.rows_of(org_id)) for spec in TABLES}


def _rows(spec: TableSpec, where: ColumnElement[bool]) -> list[dict[str, Any]]:
    table = spec.table
    result = db.session.execute(select(table).where(where).order_by(table.c[spec.key]))
    return [
        {key: None if key in spec.withheld else encode_value(value) for key, value in row._mapping.items()}
        for row in result
    ]


def had_uploaded_certificate(org_id: int) -> bool:
    query = select(OrganisationSettings.organisation_id).where(
        OrganisationSettings.organisation_id == org_id, OrganisationSettings.certificate.is_not(None)
    )
    return db.session.scalar(query) is not None


def chain_links_between(first_id: int, last_id: int, own_ids: Iterable[int]) -> list[dict[str, Any]]:
    """The other entries between the organisation's first and last: hashes only, never their content."""
    own = set(own_ids)
    query = (
        select(AuditEvent.id, AuditEvent.prev_hash, AuditEvent.entry_hash)
        .where(AuditEvent.id > first_id, AuditEvent.id < last_id)
        .order_by(AuditEvent.id)
    )
    return [
        {"id": row.id, "prev_hash": row.prev_hash, "entry_hash": row.entry_hash}
        for row in db.session.execute(query)
        if row.id not in own
    ]


def audit_problems(rows: list[dict[str, Any]]) -> list[str]:
    """Entries of an archive whose stored hash does not match their content and the hash they follow."""
    problems = []
    key = audit_key()
    for row in rows:
        fields = audit_fields(row)
        if row["entry_hash"] not in (
            entry_hash(row["prev_hash"], fields, key),
            # Archives exported before chains were keyed; the archive's signature vouches for them.
            unkeyed_entry_hash(row["prev_hash"], fields),
        ):
            problems.append(
                f"Audit entry {row['id']}: its content does not match its hash: it was altered (or the "
                "archive comes from a service with a different HIA_SECRET_KEY)."
            )
    return problems


def audit_fields(row: dict[str, Any]) -> dict[str, Any]:
    # The same fields record_audit_event() hashes, worked out by the same code.
    values = _decoded(SPECS["audit_events"], row)
    return _fields(AuditEvent(**{k: v for k, v in values.items() if k != "id"}))


def links_of(rows: Iterable[dict[str, Any]]) -> list[ChainLink]:
    return [ChainLink(r["id"], r["prev_hash"], r["entry_hash"]) for r in rows]


# --- writing ----------------------------------------------------------------------------------------------


# What the databases hold in an Integer column (PostgreSQL's integer is 32-bit).
INTEGER_RANGE = range(-(2**31), 2**31)


def column_problem(spec: TableSpec, row: dict[str, Any]) -> str | None:
    """Why a row from an archive cannot go into its table as it is (a value of the wrong type, too long, out
    of range, badly written or missing where the column needs one), or None. Checked before anything is
    written, so an archive altered by hand is refused with a reason rather than failing half-way in SQL."""
    for column in spec.table.columns:
        value = row.get(column.key)
        if value is None:
            if not column.nullable and column.key not in spec.withheld:
                return f"{column.key} is empty, but every row needs one"
            continue
        kind = column.type
        if isinstance(kind, Boolean):
            ok = isinstance(value, bool)
        elif isinstance(kind, Integer):
            ok = isinstance(value, int) and not isinstance(value, bool) and value in INTEGER_RANGE
        elif isinstance(kind, DateTime | Date | LargeBinary):
            ok = isinstance(value, str) and _decodes(kind, value)
        elif isinstance(kind, String):  # Text too
            ok = isinstance(value, str) and (kind.length is None or len(value) <= kind.length)
        else:
            ok = isinstance(kind, JSON)  # JSON columns hold any JSON value
        if not ok:
            return f"{column.key} holds {_shown(value)}, which is not what that column holds"
    return None


def _decodes(kind: Any, value: str) -> bool:
    decode = (
        decode_datetime if isinstance(kind, DateTime) else decode_date if isinstance(kind, Date) else None
    )
    try:
        decode(value) if decode else decode_bytes(value)
    except (ValueError, TypeError, ArchiveError):
        return False
    return True


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _decoded(spec: TableSpec, row: dict[str, Any]) -> dict[str, Any]:
    values = {}
    for column in spec.table.columns:
        value = row.get(column.key)
        if isinstance(column.type, DateTime):
            value = decode_datetime(value)
        elif isinstance(column.type, Date):
            value = decode_date(value)
        elif isinstance(column.type, LargeBinary):
            value = decode_bytes(value)
        values[column.key] = None if column.key in spec.withheld else value
    return values


def remap_refs(spec: TableSpec, row: dict[str, Any], ids: dict[str, dict[int, int]]) -> dict[str, Any]:
    """The row with the ids it holds replaced by the new database's ids (its own id is left as it was)."""
    out = dict(row)
    for column, table in spec.refs.items():
        if out.get(column) is not None:
            out[column] = ids[table][out[column]]
    return out


def insert_rows(spec: TableSpec, rows: list[dict[str, Any]]) -> dict[int, int]:
    """Insert remapped rows under new ids; returns {id in the archive: new id}."""
    if not rows:
        return {}
    if not spec.has_own_ids:  # keyed by what it belongs to (already remapped): nothing refers to it
        db.session.execute(insert(spec.table), [_decoded(spec, row) for row in rows])
        return {}
    values = []
    for row in rows:
        decoded = _decoded(spec, row)
        decoded.pop("id")
        values.append(decoded)
    statement = insert(spec.table).returning(spec.table.c.id, sort_by_parameter_order=True)
    new_ids = db.session.execute(statement, values).scalars().all()
    return {row["id"]: new for row, new in zip(rows, new_ids, strict=True)}


def append_audit_entries(rows: list[dict[str, Any]]) -> dict[int, int]:
    """Add remapped entries to the end of this database's chain, each re-chained to the one before."""
    serialise_writers()  # the same lock record_audit_event() takes, held until the import commits
    key = audit_key()
    head = db.session.scalar(select(AuditEvent.entry_hash).order_by(AuditEvent.id.desc()).limit(1)) or GENESIS
    chained = []
    for row in rows:
        digest = entry_hash(head, audit_fields(row), key)
        chained.append({**row, "prev_hash": head, "entry_hash": digest})
        head = digest
    return insert_rows(SPECS["audit_events"], chained)


# --- what is already there ---------------------------------------------------------------------------------


def organisation_id_by_code(code: str) -> int | None:
    return db.session.scalar(select(Organisation.id).where(Organisation.code == code))


def code_taken(code: str) -> bool:
    return organisation_id_by_code(code) is not None


def emails_in_use(emails: list[str], apart_from_org: int | None) -> list[str]:
    query = select(User.email).where(User.email.in_(emails))
    if apart_from_org is not None:
        query = query.where(User.organisation_id != apart_from_org)
    return sorted(db.session.scalars(query))


def token_hashes_in_use(hashes: list[str], apart_from_org: int | None) -> bool:
    query = select(ApiToken.id).join(User, ApiToken.user_id == User.id).where(ApiToken.token_hash.in_(hashes))
    if apart_from_org is not None:
        query = query.where(User.organisation_id != apart_from_org)
    return db.session.scalar(query.limit(1)) is not None


def join_codes_in_use(codes: list[str], apart_from_org: int | None) -> bool:
    query = select(TrainingSession.id).where(TrainingSession.join_code.in_(codes))
    if apart_from_org is not None:
        query = query.where(TrainingSession.organisation_id != apart_from_org)
    return bool(codes) and db.session.scalar(query.limit(1)) is not None


def identities_in_use(pairs: list[tuple[str, str]], apart_from_org: int | None) -> bool:
    if not pairs:
        return False
    query = (
        select(UserIdentity.id)
        .join(User, UserIdentity.user_id == User.id)
        .where(tuple_(UserIdentity.issuer, UserIdentity.subject).in_(pairs))
    )
    if apart_from_org is not None:
        query = query.where(User.organisation_id != apart_from_org)
    return db.session.scalar(query.limit(1)) is not None


def versions_of(org_id: int) -> list[AssessmentVersion]:
    query = (
        select(AssessmentVersion)
        .join(Assessment, AssessmentVersion.assessment_id == Assessment.id)
        .where(Assessment.organisation_id == org_id)
        .order_by(AssessmentVersion.id)
    )
    return list(db.session.scalars(query))


def retire_organisation(org_id: int, new_code: str, name_prefix: str, mark: str, now: datetime) -> None:
    """Set an organisation aside so an archive can take its code: nothing is deleted (its audit entries
    point at its rows), but its code changes, its people can no longer sign in, and the values that must
    be unique (email addresses, token hashes, external sign-ins, training join codes) are freed."""
    users = users_of(org_id)
    emails = select(User.email).where(User.organisation_id == org_id)
    db.session.execute(
        update(ReminderLog)
        .where(ReminderLog.recipient.in_(emails))
        .values(recipient=mark + ReminderLog.recipient)
    )
    # A marked hash has a character no sha256 hex digest has, so no token can ever match it again.
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id.in_(users))
        .values(token_hash=func.substr(mark + ApiToken.token_hash, 1, 64))
    )
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id.in_(users), ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    db.session.execute(
        update(UserIdentity)
        .where(UserIdentity.user_id.in_(users))
        .values(subject=mark + UserIdentity.subject)
    )
    # Join codes are unique across the service; a marked code has a character no typed code can have.
    db.session.execute(
        update(TrainingSession)
        .where(TrainingSession.organisation_id == org_id)
        .values(join_code=func.substr(mark + TrainingSession.join_code, 1, 20))
    )
    db.session.execute(
        update(TrainingSession)
        .where(TrainingSession.organisation_id == org_id, TrainingSession.code_expires_at > now)
        .values(code_expires_at=now)
    )
    db.session.execute(
        update(User).where(User.organisation_id == org_id).values(email=mark + User.email, is_active=False)
    )
    db.session.execute(
        update(Organisation)
        .where(Organisation.id == org_id)
        .values(code=new_code, name=func.substr(name_prefix + Organisation.name, 1, 200))
    )
    db.session.expire_all()
