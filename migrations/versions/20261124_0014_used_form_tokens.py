"""used form tokens: a form that makes something makes it once

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-24 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ideas.db

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "used_form_tokens",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("made_id", sa.Integer(), nullable=True),
        sa.Column("used_at", ideas.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_used_form_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "token", name=op.f("pk_used_form_tokens")),
    )
    op.create_index("ix_used_form_tokens_used_at", "used_form_tokens", ["used_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_used_form_tokens_used_at", table_name="used_form_tokens")
    op.drop_table("used_form_tokens")
