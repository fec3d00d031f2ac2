"""challenge settings, tags, shortlist and winners

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 17:13:30.015930
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ideas.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing rows get the defaults through server defaults.
    op.create_table(
        "challenge_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_challenge_tags_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_tags")),
        sa.UniqueConstraint(
            "challenge_id", "name", name=op.f("uq_challenge_tags_challenge_id_name")
        ),
    )
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vote_budget", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("team_capacity", sa.Integer(), nullable=False, server_default="6")
        )
        batch_op.add_column(
            sa.Column(
                "one_team_per_participant", sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )
        batch_op.add_column(
            sa.Column("report_threshold", sa.Integer(), nullable=False, server_default="3")
        )

    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("shortlist_note", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("shortlisted_at", ideas.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("citation", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("won_at", ideas.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_ideas_challenge_id_status", ["challenge_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index("ix_ideas_challenge_id_status")
        batch_op.drop_column("won_at")
        batch_op.drop_column("citation")
        batch_op.drop_column("shortlisted_at")
        batch_op.drop_column("shortlist_note")

    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.drop_column("report_threshold")
        batch_op.drop_column("one_team_per_participant")
        batch_op.drop_column("team_capacity")
        batch_op.drop_column("vote_budget")

    op.drop_table("challenge_tags")
