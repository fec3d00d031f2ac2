"""pictures: challenge covers and idea images, with their sizes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 18:03:40.714622
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ideas.db
from ideas.submissions import fulltext

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pictures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", ideas.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_pictures_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pictures")),
        sa.UniqueConstraint("digest", name=op.f("uq_pictures_digest")),
    )
    with op.batch_alter_table("pictures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pictures_uploaded_by_id"), ["uploaded_by_id"], unique=False
        )

    op.create_table(
        "picture_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("picture_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.String(length=16), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["picture_id"],
            ["pictures.id"],
            name=op.f("fk_picture_files_picture_id_pictures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_picture_files")),
        sa.UniqueConstraint("picture_id", "size", name=op.f("uq_picture_files_picture_id_size")),
    )
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cover_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("cover_alt", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_challenges_cover_id_pictures"),
            "pictures",
            ["cover_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("image_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("image_alt", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_ideas_image_id_pictures"),
            "pictures",
            ["image_id"],
            ["id"],
            ondelete="SET NULL",
        )

    # Adding a foreign key rebuilds the ideas table on SQLite, which drops its search triggers.
    fulltext.create(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_ideas_image_id_pictures"), type_="foreignkey")
        batch_op.drop_column("image_alt")
        batch_op.drop_column("image_id")

    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_challenges_cover_id_pictures"), type_="foreignkey")
        batch_op.drop_column("cover_alt")
        batch_op.drop_column("cover_id")

    op.drop_table("picture_files")
    with op.batch_alter_table("pictures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pictures_uploaded_by_id"))

    op.drop_table("pictures")

    # Dropping columns rebuilds the ideas table on SQLite, which drops its search triggers.
    fulltext.create(op.get_bind())
