"""The ``ideas`` command."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click

from ideas.settings import Settings, SettingsError, load_settings

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        click.echo(str(error), err=True)
        sys.exit(2)


def _with_database(settings: Settings, work: Callable[..., Awaitable[T]]) -> T:
    import ideas.models  # noqa: F401 - every table, so that foreign keys resolve
    from ideas.db import Database

    async def run() -> T:
        database = Database.from_settings(settings)
        try:
            async with database.session() as session:
                return await work(session)
        finally:
            await database.dispose()

    return asyncio.run(run())


def _prepare_data_dir(settings: Settings) -> None:
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)


@click.group()
@click.version_option(package_name="ideas")
def main() -> None:
    """Ideas: challenge rounds where communities build on each other's ideas."""


@main.command()
@click.option("--host", default=None, help="Address to listen on (IDEAS_HOST).")
@click.option("--port", type=int, default=None, help="Port to listen on (IDEAS_PORT).")
@click.option("--workers", type=int, default=None, help="Worker processes (IDEAS_WORKERS).")
@click.option("--reload", is_flag=True, help="Restart when the code changes (development).")
def serve(host: str | None, port: int | None, workers: int | None, reload: bool) -> None:
    """Serve the site."""
    import uvicorn

    from ideas.logs import configure_logging

    settings = _settings()
    configure_logging(settings.log_level)
    _prepare_data_dir(settings)
    click.echo(f"Serving Ideas at http://{host or settings.host}:{port or settings.port}")
    uvicorn.run(
        "ideas.app:serve_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=None if reload else (workers or settings.workers),
        reload=reload,
        log_config=None,
        server_header=False,
        # The site reads X-Forwarded-For itself, from IDEAS_TRUSTED_PROXIES only.
        proxy_headers=False,
    )


@main.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    from ideas import migrate as migrations

    settings = _settings()
    _prepare_data_dir(settings)
    migrations.upgrade(settings.effective_database_url, pgbouncer=settings.db_pgbouncer)
    click.echo("Database schema is up to date.")


@main.command()
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) if there is data already.")
@click.option(
    "--crowd/--no-crowd",
    default=True,
    show_default=True,
    help="Add the crowd: about a hundred neighbours' ideas, votes, comparisons and comments.",
)
def demo(if_empty: bool, crowd: bool) -> None:
    """Load demo challenges, ideas and personas."""
    import ideas.models  # noqa: F401 - every table, so that foreign keys resolve
    from ideas import demo as demo_data
    from ideas.db import Database, utcnow

    settings = _settings()
    url = f"http://{settings.host}:{settings.port}"

    async def run() -> tuple[dict[str, int] | None, str]:
        database = Database.from_settings(settings)
        try:
            counts = await demo_data.load_at_once(database, utcnow(), crowd=crowd)
            async with database.session() as session:
                hint = await demo_data.sign_in_hint(
                    session, url, development=settings.is_development
                )
            return counts, hint
        finally:
            await database.dispose()

    counts, hint = asyncio.run(run())
    if counts is None:
        click.echo("The database already has data; the demo was not loaded.")
        if not if_empty:
            sys.exit(1)
        click.echo(hint)
        return
    click.echo(", ".join(f"{n} {what}" for what, n in counts.items()) + " loaded.")
    click.echo(hint)


@main.command()
def check() -> None:
    """Say whether the configuration and the database are fine."""
    from ideas.db import Database, server_connection_limit
    from ideas.migrate import current_and_head

    try:
        settings = load_settings()
    except SettingsError as error:
        click.echo(f"configuration: problem\n{error}")
        sys.exit(1)
    click.echo(f"configuration: ok ({settings.env.value})")
    url = settings.effective_database_url
    click.echo(f"database: {_redact(url)}")

    async def probe() -> tuple[str | None, str | None, int | None]:
        database = Database.from_settings(settings)
        try:
            await database.ping()
            current, head = await current_and_head(database)
            return current, head, await server_connection_limit(database)
        finally:
            await database.dispose()

    try:
        current, head, limit = asyncio.run(probe())
    except Exception as error:
        click.echo(f"database: unreachable ({type(error).__name__}: {error})")
        sys.exit(1)
    click.echo("database: reachable")
    if limit is not None:
        budget = settings.connection_budget
        processes = settings.processes or settings.workers + 1
        listening = " + 1 for live pages" if settings.live_listens_on_postgresql else ""
        arithmetic = (
            f"{processes} processes x ({settings.db_pool_size} kept + "
            f"{settings.db_max_overflow} under load{listening}) = {budget}"
        )
        if budget > limit:
            click.echo(
                f"connections: warning: {arithmetic}, more than the server's "
                f"max_connections ({limit}); lower IDEAS_DB_POOL_SIZE or "
                "IDEAS_DB_MAX_OVERFLOW, or put PgBouncer in front"
            )
        else:
            click.echo(f"connections: ok ({arithmetic}, server allows {limit})")
    if url.startswith("postgresql") and settings.db_pgbouncer and not settings.redis_url:
        click.echo(
            "live pages: warning: PgBouncer cannot carry LISTEN/NOTIFY, so each process "
            "tells only its own open pages; set REDIS_URL"
        )
    from ideas.submissions import graph

    if graph.available():
        click.echo("lineage graph: ok (Graphviz dot)")
    else:
        click.echo(
            f"lineage graph: warning: Graphviz's `{graph.DOT}` is not installed, so lineage "
            "pages show their lists alone; apt-get install graphviz"
        )
    if current != head:
        click.echo(f"schema: at {current or 'nothing'}, expected {head}; run `ideas migrate`")
        sys.exit(1)
    click.echo(f"schema: up to date ({head})")


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup(path: Path) -> None:
    """Write a consistent copy of the database to PATH, while the site runs.

    SQLite is copied through its online backup API; PostgreSQL is dumped with
    pg_dump in its custom format.
    """
    from ideas import backup as backups

    settings = _settings()
    try:
        backups.backup(settings.effective_database_url, path)
    except backups.BackupError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    click.echo(f"Backup written to {path} ({path.stat().st_size:,} bytes).")


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--force", is_flag=True, help="Replace what the database holds (otherwise it must be empty)."
)
def restore(path: Path, force: bool) -> None:
    """Load the backup at PATH into the database, then bring its schema up to date.

    Stop the site first. The database must be empty unless --force is given.
    """
    from ideas import backup as backups

    settings = _settings()
    _prepare_data_dir(settings)
    try:
        backups.restore(settings.effective_database_url, path, force=force)
    except backups.BackupError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    click.echo(f"Restored from {path}; the schema is up to date.")


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@main.group()
def admin() -> None:
    """Give people roles, or take them back."""


def _change_role(role: str, email: str, granted: bool) -> None:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ideas.accounts import services
    from ideas.db import utcnow
    from ideas.errors import DomainError

    settings = _settings()

    async def work(session: AsyncSession) -> str:
        user = await services.set_role(
            session,
            actor_id=None,
            email=email,
            role=services.Role(role),
            granted=granted,
            now=utcnow(),
        )
        return user.display_name

    try:
        name = _with_database(settings, work)
    except DomainError as error:
        click.echo(error.message, err=True)
        sys.exit(1)
    verb = "is now" if granted else "is no longer"
    click.echo(f"{name} <{email}> {verb} {'an' if role == 'admin' else 'a'} {role}.")


@admin.command("grant")
@click.argument("role", type=click.Choice(["host", "admin"]))
@click.argument("email")
def grant(role: str, email: str) -> None:
    """Give ROLE (host or admin) to the person who signs in with EMAIL."""
    _change_role(role, email, True)


@admin.command("revoke")
@click.argument("role", type=click.Choice(["host", "admin"]))
@click.argument("email")
def revoke(role: str, email: str) -> None:
    """Take ROLE (host or admin) back from the person who signs in with EMAIL."""
    _change_role(role, email, False)


@main.command()
@click.argument("slug", required=False)
@click.option(
    "--explain",
    is_flag=True,
    help=(
        "Refit nothing: recompute every ranking of SLUG (votes, pairwise, bridging) from "
        "its exports alone and print the numbers the results page shows."
    ),
)
@click.option(
    "--from",
    "folder",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="With --explain: read SLUG-ideas, SLUG-votes and SLUG-comparisons (.csv or .json) "
    "downloaded into this folder instead of the database.",
)
def rank(slug: str | None, explain: bool, folder: Path | None) -> None:
    """Fit the pairwise ranking of the challenge at SLUG anew, or of every challenge."""
    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import AsyncSession

    from ideas.challenges.models import Challenge
    from ideas.db import utcnow
    from ideas.voting import explain as explaining
    from ideas.voting.compare_services import refit

    if (explain or folder is not None) and slug is None:
        click.echo("--explain needs the address (SLUG) of a challenge.", err=True)
        sys.exit(2)
    if folder is not None and slug is not None:
        try:
            found = explaining.read_files(folder, slug)
        except FileNotFoundError as error:
            click.echo(f"No export file {error}.", err=True)
            sys.exit(1)
        for line in explaining.lines(explaining.recompute(found)):
            click.echo(line)
        return

    settings = _settings()

    async def work(session: AsyncSession) -> list[str] | None:
        query = select(Challenge.id, Challenge.slug).order_by(Challenge.id)
        if slug is not None:
            query = query.where(Challenge.slug == slug)
        challenges = (await session.execute(query)).all()
        if slug is not None and not challenges:
            return None
        if explain:
            data = await explaining.load(session, challenges[0][0])
            return explaining.lines(explaining.recompute(data))
        lines = []
        for challenge_id, challenge_slug in challenges:
            done = await refit(session, challenge_id, utcnow())
            lines.append(
                f"{challenge_slug}: {done.ideas} ideas ranked from {done.comparisons} comparisons."
            )
        return lines

    lines = _with_database(settings, work)
    if lines is None:
        click.echo(f"No challenge has the address {slug!r}.", err=True)
        sys.exit(1)
    for line in lines:
        click.echo(line)


@main.command()
@click.option("--once", is_flag=True, help="Make one pass, then stop.")
@click.option(
    "--interval", type=float, default=10.0, show_default=True, help="Seconds between passes."
)
def worker(once: bool, interval: float) -> None:
    """Send queued e-mail and digests, announce scheduled phase changes, forget used
    form tokens, fit the bridging scores where votes and comparisons changed."""
    import ideas.models  # noqa: F401 - every table, so that foreign keys resolve
    from ideas.db import Database
    from ideas.logs import configure_logging
    from ideas.notifications import mail
    from ideas.notifications import worker as notifications_worker
    from ideas.routes import site_path_builder

    settings = _settings()
    configure_logging(settings.log_level)
    mail_setup = None
    if settings.smtp_configured:
        mail_setup = mail.setup_for(settings, site_path_builder(settings))
    else:
        click.echo("SMTP_HOST is not set: no e-mail is sent, phase changes are still announced.")

    async def run() -> None:
        database = Database.from_settings(settings)
        database.mail = mail_setup
        try:
            if once:
                done = await notifications_worker.run_once(database, settings)
                click.echo(
                    f"{done.phases} phase changes announced, {done.digests} digests queued, "
                    f"{done.mail.sent} e-mails sent, {done.mail.failed} failed, "
                    f"{done.forgotten_tokens} used form tokens forgotten, "
                    f"{done.bridged} bridging fits, "
                    f"{done.themed} theme fits, "
                    f"{done.copied_pictures} pictures of people copied."
                )
            else:
                await notifications_worker.run_forever(database, settings, interval)
        finally:
            await database.dispose()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
