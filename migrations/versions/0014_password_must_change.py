"""a password someone else chose must be changed by its owner at their next sign-in

Revision ID: 0014_password_must_change
Revises: 0013_service_users_figures
Create Date: 2026-12-07 14:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0014_password_must_change"
down_revision = "0013_service_users_figures"
branch_labels = None
depends_on = None


def upgrade():
    # Passwords set before this are left as they are: nobody can tell now who chose them.
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("password_must_change", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_must_change")
