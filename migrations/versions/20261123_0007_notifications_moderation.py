"""notifications, follows, the e-mail outbox, reports and moderation columns

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 18:02:08.352511
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ideas.db
from ideas.submissions import fulltext

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("unsubscribe_url", sa.String(length=500), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "sent", "failed", name="outboxstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("created_at", ideas.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("send_after", ideas.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", ideas.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", ideas.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_outbox_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_status_send_after", ["status", "send_after"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_user_id"), ["user_id"], unique=False)

    op.create_table(
        "challenge_follows",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("created_at", ideas.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_challenge_follows_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_challenge_follows_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "challenge_id", name=op.f("pk_challenge_follows")),
    )
    with op.batch_alter_table("challenge_follows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_challenge_follows_challenge_id"), ["challenge_id"], unique=False
        )

    op.create_table(
        "idea_follows",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("created_at", ideas.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["ideas.id"],
            name=op.f("fk_idea_follows_idea_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_idea_follows_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "idea_id", name=op.f("pk_idea_follows")),
    )
    with op.batch_alter_table("idea_follows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idea_follows_idea_id"), ["idea_id"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("challenge_id", sa.Integer(), nullable=True),
        sa.Column("idea_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", ideas.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", ideas.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_notifications_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_notifications_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["ideas.id"],
            name=op.f("fk_notifications_idea_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_user_id_created_at", ["user_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_notifications_user_id_read_at", ["user_id", "read_at"], unique=False
        )

    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column(
            "reason",
            sa.Enum(
                "spam",
                "offensive",
                "off-topic",
                "other",
                name="reportreason",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", ideas.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", ideas.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(idea_id IS NULL) <> (comment_id IS NULL)", name=op.f("ck_reports_idea_or_comment")
        ),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_reports_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_reports_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_reports_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["users.id"],
            name=op.f("fk_reports_reporter_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint(
            "reporter_id", "comment_id", name=op.f("uq_reports_reporter_id_comment_id")
        ),
        sa.UniqueConstraint("reporter_id", "idea_id", name=op.f("uq_reports_reporter_id_idea_id")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reports_challenge_id_resolved_at", ["challenge_id", "resolved_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reports_comment_id"), ["comment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_idea_id"), ["idea_id"], unique=False)

    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("report_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("hidden_reason", sa.String(length=500), nullable=False, server_default="")
        )

    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("report_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("hidden_reason", sa.String(length=500), nullable=False, server_default="")
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_frequency", sa.String(length=8), nullable=False, server_default="each")
        )
        batch_op.add_column(
            sa.Column("last_digest_at", ideas.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("last_digest_at")
        batch_op.drop_column("email_frequency")

    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_column("hidden_reason")
        batch_op.drop_column("report_count")

    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_column("hidden_reason")
        batch_op.drop_column("report_count")

    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_idea_id"))
        batch_op.drop_index(batch_op.f("ix_reports_comment_id"))
        batch_op.drop_index("ix_reports_challenge_id_resolved_at")

    op.drop_table("reports")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_id_read_at")
        batch_op.drop_index("ix_notifications_user_id_created_at")

    op.drop_table("notifications")
    with op.batch_alter_table("idea_follows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idea_follows_idea_id"))

    op.drop_table("idea_follows")
    with op.batch_alter_table("challenge_follows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challenge_follows_challenge_id"))

    op.drop_table("challenge_follows")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_user_id"))
        batch_op.drop_index("ix_outbox_status_send_after")

    op.drop_table("outbox")

    # Dropping columns rebuilds the ideas table on SQLite, which drops its search triggers.
    fulltext.create(op.get_bind())
