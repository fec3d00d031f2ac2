"""Full-text search over ideas, made the way each database does it best.

SQLite: an FTS5 table over the ideas' title, summary and body, kept in step by
triggers. PostgreSQL: a stored generated ``tsvector`` column of the same text,
with a GIN index. (An expression index would run ``to_tsvector`` over the
whole text again on every update of the row, a vote included; the generated
column is computed only when the text changes.)
Each idea is indexed in the language it was written in (``ideas.language``):
on PostgreSQL its text search configuration is chosen by that column (one
of ``PG_CONFIGS``: the language's stemmer behind ``unaccent``, so "ecoles"
finds "écoles"; Arabic and other languages get no stemmer). SQLite's FTS5
tokenizer folds accents away (``remove_diacritics 2``) and keeps Arabic
script as words; its Porter stemmer changes English words only.

The migrations create these objects (Alembic's models do not describe them);
a later migration that rebuilds the ideas table on SQLite must call ``create``
again, since rebuilding drops the triggers. Before revision 0016 (no
``ideas.language`` column, no configurations of ours) the PostgreSQL column
was English alone; ``create`` makes whichever the schema it finds can hold.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

# The document of an idea, as PostgreSQL indexes it and as queries must spell it.
PG_CONFIG = "english"  # before revision 0016
PG_DOCUMENT = "(title || ' ' || summary || ' ' || body)"
# Since revision 0016: a configuration of ours per language (see ``PG_CONFIG_DDL``).
PG_CONFIGS = {
    "en": "ideas_english",
    "es": "ideas_spanish",
    "fr": "ideas_french",
    "ar": "ideas_simple",
}
PG_OTHER_CONFIG = "ideas_simple"
_STEMMERS = {
    "ideas_english": "english_stem",
    "ideas_spanish": "spanish_stem",
    "ideas_french": "french_stem",
    "ideas_simple": "simple",
}
# The stemmer's own configuration (its parser and its mappings), with accents folded
# away before words reach the stemmer. ``unaccent`` is a trusted extension: a database
# owner may create it.
PG_CONFIG_DDL = (
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    *(
        statement
        for config, stemmer in _STEMMERS.items()
        for statement in (
            f"CREATE TEXT SEARCH CONFIGURATION {config} (COPY = {stemmer.removesuffix('_stem')})",
            f"ALTER TEXT SEARCH CONFIGURATION {config} ALTER MAPPING FOR "
            f"asciiword, asciihword, hword_asciipart, word, hword, hword_part "
            f"WITH unaccent, {stemmer}",
        )
    ),
)
PG_CONFIG_DROP = tuple(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {config}" for config in _STEMMERS)
PG_LANGUAGE_CONFIG = (
    "CASE language "
    + " ".join(f"WHEN '{code}' THEN '{config}'::regconfig" for code, config in PG_CONFIGS.items())
    + f" ELSE '{PG_OTHER_CONFIG}'::regconfig END"
)

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
PG_INDEX = f"CREATE INDEX IF NOT EXISTS ix_ideas_search_document ON ideas USING gin ({PG_COLUMN})"
PG_DDL_ENGLISH = (
    f"ALTER TABLE ideas ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector "
    f"GENERATED ALWAYS AS (to_tsvector('{PG_CONFIG}', {PG_DOCUMENT})) STORED",
    PG_INDEX,
)
PG_DDL = (
    f"ALTER TABLE ideas ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector "
    f"GENERATED ALWAYS AS (to_tsvector({PG_LANGUAGE_CONFIG}, {PG_DOCUMENT})) STORED",
    PG_INDEX,
)
PG_DROP = (
    "DROP INDEX IF EXISTS ix_ideas_search",  # the expression index of before revision 0009
    f"ALTER TABLE ideas DROP COLUMN IF EXISTS {PG_COLUMN}",
)


def create(connection: Connection) -> None:
    statements: tuple[str, ...]
    if connection.dialect.name == "sqlite":
        statements = SQLITE_DDL
    else:
        statements = PG_DDL if _per_language(connection) else PG_DDL_ENGLISH
    for statement in statements:
        connection.exec_driver_sql(statement)


def drop(connection: Connection) -> None:
    statements = SQLITE_DROP if connection.dialect.name == "sqlite" else PG_DROP
    for statement in statements:
        connection.exec_driver_sql(statement)


def create_configurations(connection: Connection) -> None:
    """PostgreSQL's text search configurations of ours (revision 0016)."""
    for statement in PG_CONFIG_DDL:
        connection.exec_driver_sql(statement)


def drop_configurations(connection: Connection) -> None:
    for statement in PG_CONFIG_DROP:
        connection.exec_driver_sql(statement)


def _per_language(connection: Connection) -> bool:
    """Whether the schema has what the per-language document needs (revision 0016 on)."""
    found = connection.exec_driver_sql(
        "SELECT count(*) FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = 'ideas' "
        "AND column_name = 'language'"
    ).scalar()
    return bool(found) and bool(
        connection.exec_driver_sql(
            "SELECT count(*) FROM pg_ts_config WHERE cfgname = 'ideas_simple'"
        ).scalar()
    )
