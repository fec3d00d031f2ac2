"""A form that makes something does so once, however often it is sent.

A double click, a page sent again after a slow minute or a form posted twice
by the browser all carry the same one-time token: a random hidden field put
in each form when it is shown. The service that makes the thing claims the
token in the same transaction as the row it makes, and notes the row's id
beside it. A token already used makes nothing again: the service hands back
what its first use made, so that the answer is the first one (the redirect to
the idea, the same fragment).

One table serves every kind of form, rather than a key column on each table
of things people make: the rule lives in one place, the tables of ideas and
comments carry no column and no index that only this needs, and tokens can be
forgotten after a day (``prune``, run by the worker), when nobody sends a page
again any more.

A form that is made anew on each page takes a fresh random token
(``new_token``). A form kept with a part of the page that is the same for
everyone (``ideas.web.fragments``) takes the page's random part followed by the
form's element id (``for_element``): unique on the page as the id is, new with
each page as the random part is, and the kept part holds the random part only
as a hole, filled with the page's own each time it is given back.

The key is (person, token): a token binds the form to whoever was signed in
when it was sent. Two sends of one token at the same moment meet at the
primary key: on PostgreSQL the second waits for the first to commit, then
finds the token used; on SQLite writers already take turns. The token is
claimed before any other row is locked, so the only transaction that ever
waits for it is a send of the same token, which holds nothing else yet: the
lock order of the rest of the transaction is unchanged.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ForeignKey, Index, String, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from ideas.db import Base, Database, UTCDateTime, write
from ideas.errors import Conflict, NotFound
from ideas.i18n import _

Made = TypeVar("Made", bound=Base)
FIELD = "form_token"
KEPT = timedelta(hours=24)
_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")
_ELEMENT_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")


class UsedFormToken(Base):
    """A token that made something: who sent it, what it made and when."""

    __tablename__ = "used_form_tokens"
    __table_args__ = (Index("ix_used_form_tokens_used_at", "used_at"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # what it made: "idea", "comment", …
    made_id: Mapped[int | None]  # None only inside the transaction that claims it
    used_at: Mapped[datetime] = mapped_column(UTCDateTime)


def new_token() -> str:
    """A fresh token for a form about to be shown; also a page's random part."""
    return secrets.token_urlsafe(16)


def for_element(page_part: str, element_id: str) -> str:
    """The token of the form with id ``element_id`` on the page whose random part is
    ``page_part`` (a ``new_token``): no other form on the page, nor that form on any
    other page, shares it."""
    if not _ELEMENT_ID.fullmatch(element_id):
        raise ValueError(f"not an element id a form token can carry: {element_id!r}")
    return f"{page_part}-{element_id}"


@dataclass(frozen=True)
class Once:
    """The token a form came with, and who sent it."""

    user_id: int
    token: str

    @classmethod
    def sent(cls, data: Mapping[str, Any], user_id: int) -> Once | None:
        """The form's token; None when it carries none (or not one of ours)."""
        raw = data.get(FIELD)
        if not isinstance(raw, str) or not _SHAPE.fullmatch(raw):
            return None
        return cls(user_id, raw)


async def claim(tx: AsyncSession, once: Once | None, kind: str, now: datetime) -> int | None:
    """Take the token for this transaction. None when it is new (the caller goes on and
    makes the thing, then calls ``made``); the id of what it made when it was used before.

    Call it first in the transaction, before any check that a repeat would fail
    (a second report of the same idea), so that a repeat is told apart from them.
    """
    if once is None:
        return None
    insert = postgresql_insert if tx.get_bind().dialect.name == "postgresql" else sqlite_insert
    taken = await tx.scalar(
        insert(UsedFormToken)
        .values(user_id=once.user_id, token=once.token, kind=kind, used_at=now)
        .on_conflict_do_nothing()
        .returning(UsedFormToken.token)
    )
    if taken is not None:
        return None
    earlier = (
        await tx.execute(
            select(UsedFormToken.kind, UsedFormToken.made_id).where(
                UsedFormToken.user_id == once.user_id, UsedFormToken.token == once.token
            )
        )
    ).one()
    if earlier.kind != kind or earlier.made_id is None:
        # Only a form changed by hand gets here: its token made something else.
        raise Conflict(_("This form was already sent. Reload the page and try again."))
    return int(earlier.made_id)


async def earlier(tx: AsyncSession, model: type[Made], made_id: int) -> Made:
    """What the token's first use made (``claim`` gave its id)."""
    found = await tx.get(model, made_id)
    if found is None:  # made, then deleted since: nothing to show
        raise NotFound()
    return found


async def made(tx: AsyncSession, once: Once | None, made_id: int) -> None:
    """Note beside the claimed token what it made, in the same transaction."""
    if once is None:
        return
    await tx.execute(
        update(UsedFormToken)
        .where(UsedFormToken.user_id == once.user_id, UsedFormToken.token == once.token)
        .values(made_id=made_id)
    )


async def prune(database: Database, now: datetime) -> int:
    """Forget tokens used more than ``KEPT`` ago; how many were forgotten."""
    cutoff = now - KEPT
    async with database.session() as session:
        stale = await session.scalar(
            select(UsedFormToken.token).where(UsedFormToken.used_at < cutoff).limit(1)
        )
        if stale is None:  # the usual case: no write transaction at all
            return 0
        async with write(session) as tx:
            result = await tx.execute(delete(UsedFormToken).where(UsedFormToken.used_at < cutoff))
        return int(getattr(result, "rowcount", 0) or 0)
