"""invitations by e-mail address: to a team, and to co-host a challenge

An invitation sent to an address is kept by that address; it reaches the
person who uses it, now or when they first sign in with it verified. So the
answer to whoever sends it is the same whether the address has an account.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ideas.db

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    with op.batch_alter_table("join_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=320), nullable=True))
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index("ix_join_requests_email", ["email"], unique=False)
        batch_op.create_index(
            "ix_join_requests_pending_email",
            ["team_id", "email"],
            unique=True,
            sqlite_where=PENDING,
            postgresql_where=PENDING,
        )
    op.create_table(
        "host_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "declined",
                "withdrawn",
                name="invitationstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", ideas.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", ideas.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_host_invitations_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["users.id"],
            name=op.f("fk_host_invitations_invited_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_host_invitations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_host_invitations")),
    )
    with op.batch_alter_table("host_invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_host_invitations_email"), ["email"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_host_invitations_invited_by_id"), ["invited_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_host_invitations_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            "ix_host_invitations_pending",
            ["challenge_id", "email"],
            unique=True,
            sqlite_where=PENDING,
            postgresql_where=PENDING,
        )


def downgrade() -> None:
    with op.batch_alter_table("host_invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_host_invitations_pending")
        batch_op.drop_index(batch_op.f("ix_host_invitations_user_id"))
        batch_op.drop_index(batch_op.f("ix_host_invitations_invited_by_id"))
        batch_op.drop_index(batch_op.f("ix_host_invitations_email"))
    op.drop_table("host_invitations")
    # Invitations that reached nobody yet cannot be kept without a person.
    op.execute("DELETE FROM join_requests WHERE user_id IS NULL")
    with op.batch_alter_table("join_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_join_requests_pending_email")
        batch_op.drop_index("ix_join_requests_email")
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("email")
