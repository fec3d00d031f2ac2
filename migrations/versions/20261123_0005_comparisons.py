"""pairwise comparisons, ranking columns and the self-vote setting

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 17:54:11.783111
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ideas.db
from ideas.submissions import fulltext

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "comparisons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("second_id", sa.Integer(), nullable=False),
        sa.Column("winner_id", sa.Integer(), nullable=True),
        sa.Column("created_at", ideas.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("first_id < second_id", name=op.f("ck_comparisons_ordered_pair")),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_comparisons_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["first_id"],
            ["ideas.id"],
            name=op.f("fk_comparisons_first_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["second_id"],
            ["ideas.id"],
            name=op.f("fk_comparisons_second_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_comparisons_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["winner_id"],
            ["ideas.id"],
            name=op.f("fk_comparisons_winner_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comparisons")),
        sa.UniqueConstraint(
            "user_id",
            "first_id",
            "second_id",
            name=op.f("uq_comparisons_user_id_first_id_second_id"),
        ),
    )
    with op.batch_alter_table("comparisons", schema=None) as batch_op:
        batch_op.create_index(
            "ix_comparisons_challenge_id_created_at", ["challenge_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_comparisons_first_id"), ["first_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_comparisons_second_id"), ["second_id"], unique=False)

    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("allow_self_votes", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("ranking_fitted_at", ideas.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("comparisons_since_fit", sa.Integer(), nullable=False, server_default="0")
        )

    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("comparison_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("strength", sa.Float(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("pairwise_score", sa.Float(), nullable=True))
        batch_op.create_index(
            "ix_ideas_challenge_id_comparison_count",
            ["challenge_id", "comparison_count"],
            unique=False,
        )
        batch_op.create_index(
            "ix_ideas_challenge_id_pairwise_score", ["challenge_id", "pairwise_score"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index("ix_ideas_challenge_id_pairwise_score")
        batch_op.drop_index("ix_ideas_challenge_id_comparison_count")
        batch_op.drop_column("pairwise_score")
        batch_op.drop_column("strength")
        batch_op.drop_column("comparison_count")

    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.drop_column("comparisons_since_fit")
        batch_op.drop_column("ranking_fitted_at")
        batch_op.drop_column("allow_self_votes")

    with op.batch_alter_table("comparisons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comparisons_second_id"))
        batch_op.drop_index(batch_op.f("ix_comparisons_first_id"))
        batch_op.drop_index("ix_comparisons_challenge_id_created_at")

    op.drop_table("comparisons")

    # Dropping columns rebuilds the ideas table on SQLite, which drops its search triggers.
    fulltext.create(op.get_bind())
