"""time zones and content languages: people's and challenges' zones, the language of
what people write, challenges in several languages, and search per language

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 00:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ideas.db
from ideas.submissions import fulltext

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN: SQLite does it in place, so the ideas table keeps its search triggers.
    op.add_column("users", sa.Column("time_zone", sa.String(length=64), nullable=True))
    op.add_column("challenges", sa.Column("time_zone", sa.String(length=64), nullable=True))
    for table in ("challenges", "ideas", "comments"):
        op.add_column(
            table,
            sa.Column("language", sa.String(length=8), nullable=False, server_default="en"),
        )
    op.create_table(
        "challenge_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("brief", sa.Text(), nullable=False),
        sa.Column("brief_html", sa.Text(), nullable=False),
        sa.Column("updated_at", ideas.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_challenge_translations_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_translations")),
        sa.UniqueConstraint(
            "challenge_id", "language", name=op.f("uq_challenge_translations_challenge_id_language")
        ),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # The search document, remade in each idea's own language.
        fulltext.drop(bind)
        fulltext.create_configurations(bind)
        fulltext.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        fulltext.drop(bind)
        fulltext.drop_configurations(bind)
    op.drop_table("challenge_translations")
    for table in ("comments", "ideas", "challenges"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("language")
    with op.batch_alter_table("challenges") as batch_op:
        batch_op.drop_column("time_zone")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("time_zone")
    # Dropping columns rebuilds the ideas table on SQLite, which drops its search triggers;
    # on PostgreSQL this makes the English document of before.
    fulltext.create(bind)
