"""A challenge's ideas as its list gives them: plain records read with SQLAlchemy Core.

``ideas.submissions.queries.challenge_ideas`` reads the list's rows with the
columns below into these frozen records: no ORM objects, identity map or
relationship loading for each idea of every page. The challenge page, its
"more ideas" requests, the JSON API and the Atom feed all read these records;
they hold what those show of an idea, its author, co-authors and tags.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Integer, Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User, UserStatus, initials_of
from ideas.challenges.models import ChallengeTag
from ideas.db import json_rows, rows_of
from ideas.submissions.models import VISIBLE_STATUSES, Idea, IdeaCoauthor, IdeaStatus, IdeaTag

_users = cast(Table, User.__table__)
AUTHORS = _users.alias("author")


@dataclass(frozen=True, slots=True)
class ListedPerson:
    """An author or co-author as a list shows them."""

    id: int
    display_name: str
    status: UserStatus
    avatar_url: str | None
    avatar_id: int | None

    @property
    def is_active(self) -> bool:
        return self.status is UserStatus.ACTIVE

    @property
    def initials(self) -> str:
        return initials_of(self.display_name)


@dataclass(frozen=True, slots=True)
class ListedTag:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class ListedCoauthor:
    """A co-author, read as ``idea.coauthors`` reads for an ``Idea``."""

    user: ListedPerson

    @property
    def user_id(self) -> int:
        return self.user.id


@dataclass(frozen=True, slots=True)
class ListedIdea:
    """An idea of a list, with its author, tags and (when asked for) co-authors."""

    id: int
    challenge_id: int
    author_id: int
    title: str
    slug: str
    summary: str
    body_html: str
    language: str
    status: IdeaStatus
    vote_count: int
    comment_count: int
    build_count: int
    influence: int
    comparison_count: int
    pairwise_score: float | None
    created_at: datetime
    updated_at: datetime
    image_id: int | None
    author: ListedPerson
    tags: tuple[ListedTag, ...] = ()
    coauthors: tuple[ListedCoauthor, ...] = ()

    @property
    def is_visible(self) -> bool:
        return self.status in VISIBLE_STATUSES

    @property
    def tag_names(self) -> tuple[str, ...]:
        """The names of its tags, in order, as ``Idea.tag_names``."""
        return tuple(tag.name for tag in self.tags)


# An idea's tags, read with it as one column of its row: each (position, id, name), in
# no order (sort them).
IDEA_TAGS = (
    select(json_rows(ChallengeTag.position, ChallengeTag.id, ChallengeTag.name))
    .join(IdeaTag, IdeaTag.tag_id == ChallengeTag.id)
    .where(IdeaTag.idea_id == Idea.id)
    .scalar_subquery()
)
# The columns of a listed idea and of its author, in the order of ListedIdea's fields,
# then its tags.
IDEA_COLUMNS: tuple[ColumnElement[Any], ...] = (
    Idea.id.expression,
    Idea.challenge_id.expression,
    Idea.author_id.expression,
    Idea.title.expression,
    Idea.slug.expression,
    Idea.summary.expression,
    Idea.body_html.expression,
    Idea.language.expression,
    Idea.status.expression,
    Idea.vote_count.expression,
    Idea.comment_count.expression,
    Idea.build_count.expression,
    Idea.influence.expression,
    Idea.comparison_count.expression,
    Idea.pairwise_score.expression,
    Idea.created_at.expression,
    Idea.updated_at.expression,
    Idea.image_id.expression,
    AUTHORS.c.id,
    AUTHORS.c.display_name,
    AUTHORS.c.status,
    AUTHORS.c.avatar_url,
    AUTHORS.c.avatar_id,
    IDEA_TAGS,
)
# What IDEA_COLUMNS are read from: the ideas joined with their authors.
WITH_AUTHORS = cast(Table, Idea.__table__).join(AUTHORS, AUTHORS.c.id == Idea.author_id)
_PERSON_FIELDS = len(fields(ListedPerson))
_IDEA_FIELDS = len(IDEA_COLUMNS) - _PERSON_FIELDS - 1
_TAGS_AT = _IDEA_FIELDS + _PERSON_FIELDS  # where a row's tags are


_IDS = bindparam("ids", type_=Integer, expanding=True)
_COAUTHORS = (
    select(
        IdeaCoauthor.idea_id,
        _users.c.id,
        _users.c.display_name,
        _users.c.status,
        _users.c.avatar_url,
        _users.c.avatar_id,
    )
    .join(_users, _users.c.id == IdeaCoauthor.user_id)
    .where(IdeaCoauthor.idea_id.in_(_IDS))
    .order_by(IdeaCoauthor.idea_id, IdeaCoauthor.added_at, IdeaCoauthor.user_id)
)


async def listed_ideas(
    session: AsyncSession, rows: Sequence[Sequence[Any]], *, coauthors: bool
) -> list[ListedIdea]:
    """The records of ``rows`` (each starting with ``IDEA_COLUMNS``) with their tags (read
    with them) and, with ``coauthors``, their co-authors: one query, whatever the number
    of ideas."""
    if not rows:
        return []
    ids = [row[0] for row in rows]
    people: dict[int, list[ListedCoauthor]] = {}
    if coauthors:
        for idea_id, *person in await rows_of(session, _COAUTHORS, {"ids": ids}):
            people.setdefault(idea_id, []).append(ListedCoauthor(ListedPerson(*person)))
    author = slice(_IDEA_FIELDS, _IDEA_FIELDS + _PERSON_FIELDS)
    return [
        ListedIdea(
            *(
                *row[:_IDEA_FIELDS],
                ListedPerson(*row[author]),
                tuple(ListedTag(tag_id, name) for _, tag_id, name in sorted(row[_TAGS_AT])),
                tuple(people.get(row[0], ())),
            )
        )
        for row in rows
    ]
