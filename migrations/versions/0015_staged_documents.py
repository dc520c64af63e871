"""the signed PDFs an import has still to move into place, committed with its records

Revision ID: 0015_staged_documents
Revises: 0014_password_must_change
Create Date: 2026-12-07 16:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0015_staged_documents"
down_revision = "0014_password_must_change"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "staged_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staged_key", sa.String(length=500), nullable=False),
        sa.Column("final_key", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staged_documents")),
        sa.UniqueConstraint("staged_key", name=op.f("uq_staged_documents_staged_key")),
    )
    op.create_index(op.f("ix_staged_documents_final_key"), "staged_documents", ["final_key"], unique=False)


def downgrade():
    op.drop_table("staged_documents")
