"""search column: ideas' full-text document as a stored column on PostgreSQL

The expression index ran to_tsvector over an idea's whole text again on every
update of its row, each vote included; the stored generated column is computed
only when the text changes. SQLite keeps its FTS5 table.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 20:55:00.000000
"""

from collections.abc import Sequence

from alembic import op

from ideas.submissions import fulltext

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_ideas_search")
    fulltext.create(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    fulltext.drop(op.get_bind())
    op.execute(
        f"CREATE INDEX IF NOT EXISTS ix_ideas_search ON ideas USING gin "
        f"(to_tsvector('{fulltext.PG_CONFIG}', {fulltext.PG_DOCUMENT}))"
    )
