"""service users' figures under a key of their own, not the key of the question "Who uses the service now?"

Revision ID: 0013_service_users_figures
Revises: 0012_approval_conditions
Create Date: 2026-12-07 09:30:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013_service_users_figures"
down_revision = "0012_approval_conditions"
branch_labels = None
depends_on = None

QUESTION = "who.service_users"  # a long text answer, which the figures used to overwrite
FIGURES = "who.service_users_figures"
assessments = sa.table(
    "assessments",
    sa.column("id", sa.Integer()),
    sa.column("answers", sa.JSON().with_variant(postgresql.JSONB(), "postgresql")),
)


def _move(source: str, target: str) -> None:
    """Each assessment's figures (an object; the typed answer is text) from `source` to `target`. Recorded
    versions are left as they were signed: the service reads their figures from either key."""
    bind = op.get_bind()
    for row_id, stored in bind.execute(sa.select(assessments.c.id, assessments.c.answers)).all():
        answers = stored or {}
        figures = answers.get(source)
        if not isinstance(figures, dict) or target in answers:
            continue
        moved = {key: value for key, value in answers.items() if key != source}
        moved[target] = figures
        bind.execute(assessments.update().where(assessments.c.id == row_id).values(answers=moved))


def upgrade():
    _move(QUESTION, FIGURES)


def downgrade():
    _move(FIGURES, QUESTION)
