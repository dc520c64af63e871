"""the longest an organisation's API tokens may last

Revision ID: 0008_token_lifetime
Revises: 0007_session_keys
Create Date: 2026-12-05 21:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008_token_lifetime"
down_revision = "0007_session_keys"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("organisation_settings", sa.Column("api_token_max_days", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("organisation_settings") as batch:
        batch.drop_column("api_token_max_days")
