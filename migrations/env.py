"""Alembic environment: runs migrations over the application's async engine."""

from __future__ import annotations

import asyncio
import warnings
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SAWarning

from ideas.db import create_engine
from ideas.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from ideas.settings import load_settings

    return load_settings().effective_database_url


# Full-text search lives in objects each database makes its own way (an FTS5
# table on SQLite, a generated column and its index or an expression index on
# PostgreSQL); the migrations create them and the models do not describe them.
SEARCH_OBJECTS = (
    "ideas_fts",
    "ix_ideas_search",
    "search_document",
    "challenges_fts",
    "ix_challenges_search",
)


# Indexes on an expression, which SQLite's reflection cannot read back: the migrations
# make them, the models do not describe them, and tests/submissions/test_list_plans.py
# checks that the lists use them.
EXPRESSION_INDEXES = ("ix_ideas_challenge_id_pairwise_key",)


def _include_name(name: str | None, type_: str, parent_names: object) -> bool:
    return not (name or "").startswith((*SEARCH_OBJECTS, *EXPRESSION_INDEXES))


def _configure(connection: Connection) -> None:
    for name in EXPRESSION_INDEXES:
        warnings.filterwarnings(
            "ignore",
            message=f"Skipped unsupported reflection of expression-based index {name}$",
            category=SAWarning,
        )
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=_include_name,
    )


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # SQLite changes a column by making the table anew and dropping the old one,
        # and a DROP TABLE with foreign keys on deletes (ON DELETE CASCADE) every row
        # that refers to it. The pragma only takes effect outside a transaction.
        _foreign_keys(connection, "OFF")
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"The migration left rows referring to nothing: {broken}")


def _foreign_keys(connection: Connection, state: str) -> None:
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"PRAGMA foreign_keys={state}")
    finally:
        cursor.close()


async def _run_async() -> None:
    engine = create_engine(_url(), pgbouncer=bool(config.attributes.get("pgbouncer")))
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


def run_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_run_async())
