"""a random key in each version's public verification link

Revision ID: 0009_verify_keys
Revises: 0008_token_lifetime
Create Date: 2026-12-05 22:00:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0009_verify_keys"
down_revision = "0008_token_lifetime"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("assessment_versions", sa.Column("verify_key", sa.String(length=32), nullable=True))
    op.create_index(
        op.f("ix_assessment_versions_verify_key"), "assessment_versions", ["verify_key"], unique=False
    )
    # Every existing version gets a key, so records drawn from now on (a version approved later) carry a
    # full link; records already signed keep the link they were printed with, which now says it is not
    # complete.
    versions = sa.table("assessment_versions", sa.column("id", sa.Integer), sa.column("verify_key", sa.String))
    connection = op.get_bind()
    for (version_id,) in connection.execute(sa.select(versions.c.id)).all():
        connection.execute(
            versions.update().where(versions.c.id == version_id).values(verify_key=secrets.token_urlsafe(16))
        )


def downgrade():
    with op.batch_alter_table("assessment_versions") as batch:
        batch.drop_index(batch.f("ix_assessment_versions_verify_key"))
        batch.drop_column("verify_key")
