"""``ideas backup`` and ``ideas restore``: a copy taken while the site writes holds
everything acknowledged before it began, and opens in an empty database."""

from __future__ import annotations

import asyncio
import os
import secrets
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from ideas.accounts.models import User
from ideas.accounts.services import create_user
from ideas.db import Database, execute_autocommit, utcnow
from tests.support.environ import POSTGRES_ADMIN_URL, TEST_ENVIRON

WRITERS = 4


def _environ(url: str) -> dict[str, str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("IDEAS_", "DATABASE_URL", "SECRET_KEY"))
    }
    return {**base, **TEST_ENVIRON, "DATABASE_URL": url}


async def ideas(url: str, *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ideas",
        *args,
        env=_environ(url),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode()


@pytest.fixture
def empty_url(committing_database_url: str, tmp_path: Path) -> Iterator[str]:
    """A database of the same kind with nothing in it, not even tables."""
    if committing_database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'ideas.db'}"
        return
    name = f"ideas_restore_{secrets.token_hex(6)}"
    asyncio.run(execute_autocommit(POSTGRES_ADMIN_URL, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(False)
    finally:
        asyncio.run(
            execute_autocommit(POSTGRES_ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        )


async def _user_ids(url: str) -> set[int]:
    database = Database.from_url(url)
    try:
        async with database.session() as session:
            return set((await session.execute(select(User.id))).scalars())
    finally:
        await database.dispose()


async def test_a_backup_taken_while_people_sign_up_holds_everyone_acknowledged_before_it(
    committing_database_url: str, empty_url: str, tmp_path: Path
) -> None:
    url = committing_database_url
    database = Database.from_url(url)
    acknowledged: list[int] = []
    stop = asyncio.Event()
    warmed_up = asyncio.Event()

    async def sign_up(writer: int) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            async with database.session() as session:
                user = await create_user(
                    session,
                    display_name=f"Writer {writer} person {n}",
                    email=None,
                    provider="test",
                    subject=f"{writer}-{n}",
                    now=utcnow(),
                )
            acknowledged.append(user.id)
            if len(acknowledged) >= 50:
                warmed_up.set()
            await asyncio.sleep(0)

    backup = tmp_path / "ideas.backup"
    writers = [asyncio.create_task(sign_up(w)) for w in range(WRITERS)]
    try:
        await warmed_up.wait()
        before = set(acknowledged)
        status, output = await ideas(url, "backup", str(backup))
        during = len(acknowledged) - len(before)
    finally:
        stop.set()
        await asyncio.gather(*writers)
        await database.dispose()
    assert status == 0, output
    assert during > 0, "nobody signed up while the backup was taken"

    status, output = await ideas(empty_url, "restore", str(backup))
    assert status == 0, output
    restored = await _user_ids(empty_url)
    assert before <= restored
    assert restored <= set(acknowledged)
    status, output = await ideas(empty_url, "check")
    assert status == 0, output
    assert "schema: up to date" in output


async def test_restore_refuses_a_database_that_holds_data_unless_forced(
    committing_database_url: str, tmp_path: Path
) -> None:
    url = committing_database_url
    database = Database.from_url(url)
    try:
        async with database.session() as session:
            await create_user(
                session, display_name="Ada", email=None, provider="test", subject="a", now=utcnow()
            )
    finally:
        await database.dispose()
    backup = tmp_path / "ideas.backup"
    assert (await ideas(url, "backup", str(backup)))[0] == 0
    database = Database.from_url(url)
    try:
        async with database.session() as session:
            await create_user(
                session, display_name="Bo", email=None, provider="test", subject="b", now=utcnow()
            )
    finally:
        await database.dispose()

    status, output = await ideas(url, "restore", str(backup))
    assert status == 1
    assert "already holds data" in output
    assert "--force" in output
    assert len(await _user_ids(url)) == 2  # nothing changed

    status, output = await ideas(url, "restore", "--force", str(backup))
    assert status == 0, output
    database = Database.from_url(url)
    try:
        async with database.session() as session:
            names = (await session.execute(select(User.display_name))).scalars().all()
            assert names == ["Ada"]
            assert (await session.execute(select(func.count(User.id)))).scalar_one() == 1
    finally:
        await database.dispose()


async def test_restore_refuses_a_file_that_is_not_a_backup(
    committing_database_url: str, empty_url: str, tmp_path: Path
) -> None:
    wrong = tmp_path / "notes.txt"
    wrong.write_text("not a backup")
    status, output = await ideas(empty_url, "restore", str(wrong))
    assert status == 1
    assert "is not a backup" in output


def test_a_backup_into_a_folder_that_is_not_there_is_refused(tmp_path: Path) -> None:
    from ideas.backup import BackupError, backup

    source = tmp_path / "ideas.db"
    sqlite3.connect(source).close()
    with pytest.raises(BackupError, match="There is no folder"):
        backup(f"sqlite:///{source}", tmp_path / "missing" / "ideas.backup")
    assert not (tmp_path / "missing").exists()
