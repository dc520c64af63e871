"""organisation settings: population served, lists, branding, local framework

Revision ID: 0006_organisation_settings
Revises: 0005_training
Create Date: 2026-11-23 13:20:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006_organisation_settings"
down_revision = "0005_training"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "organisation_settings",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("catchment_area", JSON, nullable=True),
        sa.Column("catchment_baseline", JSON, nullable=True),
        sa.Column("catchment_release", sa.String(length=30), nullable=True),
        sa.Column("catchment_set_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_type", sa.String(length=20), nullable=True),
        sa.Column("certificate", sa.LargeBinary(), nullable=True),
        sa.Column("certificate_passphrase_env", sa.String(length=100), nullable=True),
        sa.Column("certificate_pem", sa.Text(), nullable=True),
        sa.Column("certificate_subject", sa.String(length=300), nullable=True),
        sa.Column("certificate_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_settings_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_organisation_settings")),
    )
    op.create_table(
        "organisation_choices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_choices_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_choices")),
        sa.UniqueConstraint("organisation_id", "kind", "name", name="uq_organisation_choices_org_kind_name"),
    )
    op.create_index(
        op.f("ix_organisation_choices_organisation_id"),
        "organisation_choices",
        ["organisation_id"],
        unique=False,
    )
    op.create_table(
        "local_framework_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content", JSON, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_local_framework_versions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_local_framework_versions_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_framework_versions")),
        sa.UniqueConstraint("organisation_id", "number", name="uq_local_framework_versions_org_number"),
    )
    op.create_index(
        op.f("ix_local_framework_versions_organisation_id"),
        "local_framework_versions",
        ["organisation_id"],
        unique=False,
    )


def downgrade():
    op.drop_index(op.f("ix_local_framework_versions_organisation_id"), table_name="local_framework_versions")
    op.drop_table("local_framework_versions")
    op.drop_index(op.f("ix_organisation_choices_organisation_id"), table_name="organisation_choices")
    op.drop_table("organisation_choices")
    op.drop_table("organisation_settings")
