"""Revisions of an idea and readable differences between any two of them."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from ideas.submissions.models import IdeaRevision

FIELDS = (("title", "Title"), ("summary", "Summary"), ("body", "Body"))
_TOKENS = re.compile(r"\s+|[^\s]+")


async def revisions(session: AsyncSession, idea_id: int) -> Sequence[IdeaRevision]:
    """Every revision of an idea, newest first, with its editor."""
    rows = await session.scalars(
        select(IdeaRevision)
        .options(joinedload(IdeaRevision.editor))
        .where(IdeaRevision.idea_id == idea_id)
        .order_by(IdeaRevision.number.desc())
    )
    return rows.all()


@dataclass(frozen=True)
class Piece:
    """A run of text that was kept (``same``), taken out (``removed``) or put in (``added``)."""

    kind: str
    text: str


@dataclass(frozen=True)
class FieldDiff:
    label: str
    changed: bool
    pieces: list[Piece]


def diff_text(before: str, after: str) -> list[Piece]:
    """Word by word, so an edited sentence shows just the words that changed."""
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", "".join(old[a1:a2])))
            continue
        if a2 > a1:
            pieces.append(Piece("removed", "".join(old[a1:a2])))
        if b2 > b1:
            pieces.append(Piece("added", "".join(new[b1:b2])))
    return pieces


def compare(older: IdeaRevision, newer: IdeaRevision) -> list[FieldDiff]:
    result = []
    for name, label in FIELDS:
        before, after = getattr(older, name), getattr(newer, name)
        result.append(FieldDiff(label, before != after, diff_text(before, after)))
    return result
