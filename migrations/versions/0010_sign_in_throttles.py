"""wrong passwords slow down the client that sends them, instead of locking the account

Revision ID: 0010_sign_in_throttles
Revises: 0009_verify_keys
Create Date: 2026-12-05 22:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010_sign_in_throttles"
down_revision = "0009_verify_keys"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_in_throttles",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("wait_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_throttles")),
    )
    op.create_index(
        op.f("ix_sign_in_throttles_updated_at"), "sign_in_throttles", ["updated_at"], unique=False
    )
    # Accounts locked under the old rule are unlocked: locking is per client now.
    op.execute("UPDATE users SET locked_until = NULL")


def downgrade():
    op.drop_table("sign_in_throttles")
