"""the audit chain is keyed; each organisation's certificate is registered by fingerprint; logos kept as PNG

The audit chain: every link re-hashed with HMAC-SHA256 under a key from HIA_SECRET_KEY.

Re-keyed rather than versioned: if the service still accepted unkeyed links anywhere, anyone who can write to
the database could rewrite the whole log as unkeyed links and it would verify. Every break in the old chain
(an altered entry, a missing or forked link) is carried across unchanged, so `hia audit verify` names the
same entries afterwards; nothing is mended. A head hash noted before this upgrade no longer exists: the
new head is printed.

Revision ID: 0011_keyed_audit_chain
Revises: 0010_sign_in_throttles
Create Date: 2026-12-06 02:00:00

"""

import sqlalchemy as sa
from alembic import op
from flask import current_app
from sqlalchemy.dialects.postgresql import JSONB

from hia_service.domain.audit_chain import chain_key, rekeyed_links, timestamp, unkeyed_links

revision = "0011_keyed_audit_chain"
down_revision = "0010_sign_in_throttles"
branch_labels = None
depends_on = None

audit_events = sa.table(
    "audit_events",
    sa.column("id", sa.Integer),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("organisation_id", sa.Integer),
    sa.column("actor_id", sa.Integer),
    sa.column("event_type", sa.String),
    sa.column("subject_type", sa.String),
    sa.column("subject_id", sa.String),
    sa.column("details", sa.JSON().with_variant(JSONB(), "postgresql")),
    sa.column("before_hash", sa.String),
    sa.column("after_hash", sa.String),
    sa.column("prev_hash", sa.String),
    sa.column("entry_hash", sa.String),
)

FIELDS = (
    "organisation_id",
    "actor_id",
    "event_type",
    "subject_type",
    "subject_id",
    "details",
    "before_hash",
    "after_hash",
)


def _entries(bind):
    rows = bind.execute(sa.select(audit_events).order_by(audit_events.c.id)).mappings()
    return [
        (
            row["id"],
            row["prev_hash"],
            row["entry_hash"],
            {"at": timestamp(row["at"]), **{name: row[name] for name in FIELDS}},
        )
        for row in rows
    ]


def _key():
    return chain_key(str(current_app.config["SECRET_KEY"]))


def _store(bind, links):
    # Entry hashes are unique: park every row on a placeholder first, so no new hash meets an old one.
    for entry_id, _, _ in links:
        bind.execute(
            audit_events.update().where(audit_events.c.id == entry_id).values(entry_hash=f"rekey-{entry_id}")
        )
    for entry_id, prev_hash, entry_hash in links:
        bind.execute(
            audit_events.update()
            .where(audit_events.c.id == entry_id)
            .values(prev_hash=prev_hash, entry_hash=entry_hash)
        )
    if links:
        print(f"Audit chain re-hashed: latest entry {links[-1][0]}, hash {links[-1][2]}. Note it.")


settings = sa.table(
    "organisation_settings",
    sa.column("organisation_id", sa.Integer),
    sa.column("certificate_pem", sa.Text),
    sa.column("certificate_sha256", sa.String),
)


def _register_certificates(bind):
    """The fingerprint of each certificate already uploaded: the one its organisation's records are signed
    with. (An SVG logo's PNG is made the first time a document needs it, under the upload's limits.)"""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    rows = bind.execute(sa.select(settings.c.organisation_id, settings.c.certificate_pem)).all()
    for organisation_id, pem in rows:
        if not pem:
            continue
        try:
            fingerprint = x509.load_pem_x509_certificate(pem.encode()).fingerprint(hashes.SHA256()).hex()
        except ValueError:
            continue  # unreadable: it never verified anything; the admin uploads it again
        bind.execute(
            settings.update()
            .where(settings.c.organisation_id == organisation_id)
            .values(certificate_sha256=fingerprint)
        )


def upgrade():
    with op.batch_alter_table("organisation_settings") as batch:
        batch.add_column(sa.Column("certificate_sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("logo_png", sa.LargeBinary(), nullable=True))
        batch.create_index(
            batch.f("ix_organisation_settings_certificate_sha256"), ["certificate_sha256"], unique=False
        )
    bind = op.get_bind()
    _register_certificates(bind)
    _store(bind, rekeyed_links(_entries(bind), _key()))


def downgrade():
    bind = op.get_bind()
    _store(bind, unkeyed_links(_entries(bind), _key()))
    with op.batch_alter_table("organisation_settings") as batch:
        batch.drop_index(batch.f("ix_organisation_settings_certificate_sha256"))
        batch.drop_column("logo_png")
        batch.drop_column("certificate_sha256")
