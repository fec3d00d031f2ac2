"""profile pictures: a person's own picture, kept here and shown beside their name, and
the provider's picture it was copied from

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 04:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("avatar_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("avatar_copied_from", sa.String(length=500), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_users_avatar_id_pictures"),
            "pictures",
            ["avatar_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_users_avatar_id_pictures"), type_="foreignkey")
        batch_op.drop_column("avatar_copied_from")
        batch_op.drop_column("avatar_id")
