"""ideas: the pairwise sort's index holds its key, coalesce(pairwise_score, -1.0)

The list sorted by pairwise rank orders by that expression (never-compared ideas
last); an index on the bare column could not give it in order, so each page sorted
every idea of the challenge.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 14:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_ideas_challenge_id_pairwise_score", table_name="ideas")
    op.create_index(
        "ix_ideas_challenge_id_pairwise_key",
        "ideas",
        ["challenge_id", sa.text("coalesce(pairwise_score, -1.0)")],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_ideas_challenge_id_pairwise_key", table_name="ideas")
    op.create_index(
        "ix_ideas_challenge_id_pairwise_score",
        "ideas",
        ["challenge_id", "pairwise_score"],
        unique=False,
    )
