"""Running Alembic migrations from the application and the tests."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from ideas.db import Database
from ideas.settings import MIGRATIONS_DIR, PROJECT_ROOT


def alembic_config(url: str, *, pgbouncer: bool = False) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Percent signs in a URL (escaped passwords) must not be read as interpolation.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logging"] = False
    config.attributes["pgbouncer"] = pgbouncer
    return config


def upgrade(url: str, revision: str = "head", *, pgbouncer: bool = False) -> None:
    command.upgrade(alembic_config(url, pgbouncer=pgbouncer), revision)


def check(url: str) -> None:
    """Raise if the models and the migrations disagree."""
    command.check(alembic_config(url))


async def current_and_head(database: Database) -> tuple[str | None, str | None]:
    """The revision the database is at, and the newest one in migrations/."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with database.session() as session:
        connection = await session.connection()
        current = await connection.run_sync(read)
    return current, head
