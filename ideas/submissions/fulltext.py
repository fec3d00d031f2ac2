"""Full-text search over ideas, made the way each database does it best.

SQLite: an FTS5 table over the ideas' title, summary and body, kept in step by
triggers. PostgreSQL: a stored generated ``tsvector`` column of the same text,
with a GIN index. (An expression index would run ``to_tsvector`` over the
whole text again on every update of the row, a vote included; the generated
column is computed only when the text changes.)
Both stem English words, so "composting" finds "compost". The migrations create
these objects (Alembic's models do not describe them); a later migration that
rebuilds the ideas table on SQLite must call ``create_sqlite`` again, since
rebuilding drops the triggers.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

# The document of an idea, as PostgreSQL indexes it and as queries must spell it.
PG_CONFIG = "english"
PG_DOCUMENT = "(title || ' ' || summary || ' ' || body)"

SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS ideas_fts USING fts5("
    "title, summary, body, content='ideas', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS ideas_fts_insert AFTER INSERT ON ideas BEGIN "
    "INSERT INTO ideas_fts(rowid, title, summary, body) "
    "VALUES (new.id, new.title, new.summary, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS ideas_fts_delete AFTER DELETE ON ideas BEGIN "
    "INSERT INTO ideas_fts(ideas_fts, rowid, title, summary, body) "
    "VALUES ('delete', old.id, old.title, old.summary, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS ideas_fts_update AFTER UPDATE OF title, summary, body "
    "ON ideas BEGIN "
    "INSERT INTO ideas_fts(ideas_fts, rowid, title, summary, body) "
    "VALUES ('delete', old.id, old.title, old.summary, old.body); "
    "INSERT INTO ideas_fts(rowid, title, summary, body) "
    "VALUES (new.id, new.title, new.summary, new.body); END",
    "INSERT INTO ideas_fts(ideas_fts) VALUES ('rebuild')",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS ideas_fts_insert",
    "DROP TRIGGER IF EXISTS ideas_fts_delete",
    "DROP TRIGGER IF EXISTS ideas_fts_update",
    "DROP TABLE IF EXISTS ideas_fts",
)
PG_COLUMN = "search_document"
PG_DDL = (
    f"ALTER TABLE ideas ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector "
    f"GENERATED ALWAYS AS (to_tsvector('{PG_CONFIG}', {PG_DOCUMENT})) STORED",
    f"CREATE INDEX IF NOT EXISTS ix_ideas_search_document ON ideas USING gin ({PG_COLUMN})",
)
PG_DROP = (
    "DROP INDEX IF EXISTS ix_ideas_search",  # the expression index of before revision 0009
    f"ALTER TABLE ideas DROP COLUMN IF EXISTS {PG_COLUMN}",
)


def create(connection: Connection) -> None:
    statements = SQLITE_DDL if connection.dialect.name == "sqlite" else PG_DDL
    for statement in statements:
        connection.exec_driver_sql(statement)


def drop(connection: Connection) -> None:
    statements = SQLITE_DROP if connection.dialect.name == "sqlite" else PG_DROP
    for statement in statements:
        connection.exec_driver_sql(statement)
