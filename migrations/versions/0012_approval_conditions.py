"""conditions of approval: what the reviewer said must happen for an approval to stand

Revision ID: 0012_approval_conditions
Revises: 0011_keyed_audit_chain
Create Date: 2026-12-06 04:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0012_approval_conditions"
down_revision = "0011_keyed_audit_chain"
branch_labels = None
depends_on = None


def upgrade():
    # Versions approved before this have none: the service had nowhere to record them.
    with op.batch_alter_table("assessment_versions") as batch:
        batch.add_column(sa.Column("approval_conditions", sa.Text(), nullable=True))


def downgrade():
    # SQLite drops a column by copying the table (batch mode); the conditions recorded are lost with it.
    with op.batch_alter_table("assessment_versions") as batch:
        batch.drop_column("approval_conditions")
