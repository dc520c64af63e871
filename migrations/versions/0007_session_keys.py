"""users' session keys, so signing out ends every copy of the session

Revision ID: 0007_session_keys
Revises: 0006_organisation_settings
Create Date: 2026-12-05 21:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007_session_keys"
down_revision = "0006_organisation_settings"
branch_labels = None
depends_on = None


def upgrade():
    # Null for everyone at first: sessions from before the upgrade carry no key and are refused once.
    op.add_column("users", sa.Column("session_key", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_key")
