"""ideas: an index on (challenge_id, updated_at), for the similar ideas' change stamp

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 04:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_ideas_challenge_id_updated_at", "ideas", ["challenge_id", "updated_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_ideas_challenge_id_updated_at", table_name="ideas")
