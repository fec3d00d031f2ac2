"""tags, revisions, build-on links, co-authors, comments, votes and full-text search

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 17:28:43.511962
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ideas.db
from ideas.submissions import fulltext

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "published", "deleted", "hidden", name="commentstatus", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("created_at", ideas.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("edited_at", ideas.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_comments_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_comments_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["comments.id"],
            name=op.f("fk_comments_parent_id_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comments_author_id"), ["author_id"], unique=False)
        batch_op.create_index(
            "ix_comments_idea_id_created_at", ["idea_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_comments_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "idea_coauthors",
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_at", ideas.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["ideas.id"],
            name=op.f("fk_idea_coauthors_idea_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_idea_coauthors_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("idea_id", "user_id", name=op.f("pk_idea_coauthors")),
    )
    with op.batch_alter_table("idea_coauthors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idea_coauthors_user_id"), ["user_id"], unique=False)

    op.create_table(
        "idea_links",
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_at", ideas.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("child_id <> parent_id", name=op.f("ck_idea_links_not_itself")),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["ideas.id"],
            name=op.f("fk_idea_links_child_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["ideas.id"],
            name=op.f("fk_idea_links_parent_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("child_id", "parent_id", name=op.f("pk_idea_links")),
    )
    with op.batch_alter_table("idea_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idea_links_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "idea_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", ideas.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["editor_id"], ["users.id"], name=op.f("fk_idea_revisions_editor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["ideas.id"],
            name=op.f("fk_idea_revisions_idea_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_revisions")),
        sa.UniqueConstraint("idea_id", "number", name=op.f("uq_idea_revisions_idea_id_number")),
    )
    with op.batch_alter_table("idea_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idea_revisions_editor_id"), ["editor_id"], unique=False
        )

    op.create_table(
        "idea_tags",
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_idea_tags_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"],
            ["challenge_tags.id"],
            name=op.f("fk_idea_tags_tag_id_challenge_tags"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("idea_id", "tag_id", name=op.f("pk_idea_tags")),
    )
    with op.batch_alter_table("idea_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idea_tags_tag_id"), ["tag_id"], unique=False)

    op.create_table(
        "votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("created_at", ideas.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_votes_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_votes_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_votes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_votes")),
        sa.UniqueConstraint("idea_id", "user_id", name=op.f("uq_votes_idea_id_user_id")),
    )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_votes_challenge_id_user_id", ["challenge_id", "user_id"], unique=False
        )

    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("influence", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column(
                "last_activity_at",
                ideas.db.UTCDateTime(timezone=True),
                nullable=False,
                server_default=sa.func.current_timestamp(),
            )
        )
        batch_op.create_index(
            "ix_ideas_challenge_id_build_count", ["challenge_id", "build_count"], unique=False
        )
        batch_op.create_index(
            "ix_ideas_challenge_id_influence", ["challenge_id", "influence"], unique=False
        )
        batch_op.create_index(
            "ix_ideas_challenge_id_last_activity_at",
            ["challenge_id", "last_activity_at"],
            unique=False,
        )

    # Ideas posted before revisions were kept get their text as revision 1.
    op.execute("UPDATE ideas SET last_activity_at = created_at")
    op.execute(
        "INSERT INTO idea_revisions (idea_id, number, editor_id, title, summary, body, created_at) "
        "SELECT id, 1, author_id, title, summary, body, created_at FROM ideas"
    )
    fulltext.create(op.get_bind())


def downgrade() -> None:
    fulltext.drop(op.get_bind())
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index("ix_ideas_challenge_id_last_activity_at")
        batch_op.drop_index("ix_ideas_challenge_id_influence")
        batch_op.drop_index("ix_ideas_challenge_id_build_count")
        batch_op.drop_column("last_activity_at")
        batch_op.drop_column("influence")

    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_index("ix_votes_challenge_id_user_id")

    op.drop_table("votes")
    with op.batch_alter_table("idea_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idea_tags_tag_id"))

    op.drop_table("idea_tags")
    with op.batch_alter_table("idea_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idea_revisions_editor_id"))

    op.drop_table("idea_revisions")
    with op.batch_alter_table("idea_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idea_links_parent_id"))

    op.drop_table("idea_links")
    with op.batch_alter_table("idea_coauthors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idea_coauthors_user_id"))

    op.drop_table("idea_coauthors")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comments_parent_id"))
        batch_op.drop_index("ix_comments_idea_id_created_at")
        batch_op.drop_index(batch_op.f("ix_comments_author_id"))

    op.drop_table("comments")
