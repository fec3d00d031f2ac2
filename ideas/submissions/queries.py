"""Reading ideas: a challenge's list of ideas, site-wide search, similar ideas.

A challenge's list of ideas has one read model, used by the challenge page, its
"more ideas" requests, the JSON API and the Atom feed: the orders (``Sort``), the
column each sorts by, the cursor, and ``challenge_ideas``, which asks ``policy``
what the viewer may see. So the page and the API list the same ideas in the same
order, and a cursor made by one is good for the other.

Lists page by keyset: a page ends at the sort key and id of its last idea, and
the next page starts strictly after that, so no idea is shown twice or
skipped, whatever ties there are, and no OFFSET walks over skipped rows. The
position travels as an opaque cursor (``Cursor.encode``).

Each function runs a fixed number of queries, whatever the amount of data:
counts shown on a card are columns, and what a card needs besides (authors,
tags, how many ideas an idea builds on) loads with the ideas.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Float,
    Integer,
    Select,
    and_,
    bindparam,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ideas import policy
from ideas.challenges.models import Challenge, ChallengeHost, ChallengeTag
from ideas.db import limit_parameter, rows_of
from ideas.i18n import lazy_gettext
from ideas.policy import Action, Role
from ideas.similarity import queries as similarity
from ideas.similarity.queries import Similar
from ideas.similarity.vectors import document
from ideas.submissions import search
from ideas.submissions.listing import (
    IDEA_COLUMNS,
    IDEA_TAGS,
    WITH_AUTHORS,
    ListedIdea,
    listed_ideas,
)
from ideas.submissions.models import (
    UNRANKED,
    Idea,
    IdeaClusterMember,
    IdeaCoauthor,
    IdeaLink,
    IdeaStatus,
    IdeaTag,
)
from ideas.teams.models import Team
from ideas.themes.models import IdeaTheme

PAGE_SIZE = 20

Query = Select[*tuple[Any, ...]]


class Sort(StrEnum):
    TOP = "top"
    NEWEST = "newest"
    MOST_BUILT_ON = "built-on"
    INFLUENCE = "influence"
    PAIRWISE = "pairwise"
    TRENDING = "trending"
    RELEVANCE = "relevance"  # only while searching

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def by_time(self) -> bool:
        return self in (Sort.NEWEST, Sort.TRENDING)

    @classmethod
    def chosen(cls, text: str | None, *, searching: bool) -> tuple[Sort, bool]:
        """The order asked for in ``text``, and whether one was asked for at all.

        Unknown or missing: best match while searching, else top. Best match
        needs a search.
        """
        try:
            sort = cls(text or "")
        except ValueError:
            return (Sort.RELEVANCE if searching else Sort.TOP), False
        if sort is Sort.RELEVANCE and not searching:
            return Sort.TOP, False
        return sort, True

    @classmethod
    def offered(cls, *, searching: bool) -> list[Sort]:
        """The orders a list can be put in; best match first while searching."""
        orders: list[Sort] = [sort for sort in cls if sort is not Sort.RELEVANCE]
        return [Sort.RELEVANCE, *orders] if searching else orders


_LABELS = {
    Sort.TOP: lazy_gettext("Top"),
    Sort.NEWEST: lazy_gettext("Newest"),
    Sort.MOST_BUILT_ON: lazy_gettext("Most built on"),
    Sort.INFLUENCE: lazy_gettext("Most influence"),
    Sort.PAIRWISE: lazy_gettext("Pairwise rank"),
    Sort.TRENDING: lazy_gettext("Trending"),
    Sort.RELEVANCE: lazy_gettext("Best match"),
}


def pairwise_key() -> ColumnElement[float]:
    """An idea's pairwise score, or ``UNRANKED``: never-compared ideas come last, and
    the key is never null, so a page can end and the next start anywhere among them."""
    # The constant written out, not a parameter: the index on the key holds this expression.
    return func.coalesce(Idea.pairwise_score, literal_column(repr(UNRANKED), Float))


# The column each order sorts by, descending, ties broken by id, descending.
_KEYS: dict[Sort, ColumnElement[Any]] = {
    Sort.TOP: Idea.vote_count.expression,
    Sort.NEWEST: Idea.created_at.expression,
    Sort.MOST_BUILT_ON: Idea.build_count.expression,
    Sort.INFLUENCE: Idea.influence.expression,
    Sort.PAIRWISE: pairwise_key(),
    Sort.TRENDING: Idea.last_activity_at.expression,
}

# Statuses a list can be narrowed to: those the policy lets lists show.
LISTED_STATUSES = policy.LISTED_STATUSES
_LISTED_VALUES = frozenset(status.value for status in LISTED_STATUSES)


# Cursors -----------------------------------------------------------------------

MAX_ID = 2**31 - 1  # ids and counters are 32-bit integers on PostgreSQL
CURSOR_MAX_LENGTH = 200


class InvalidCursor(ValueError):
    """The text is not a cursor made for that order of the list."""


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: the sort key and id of its last idea, in a given order."""

    sort: Sort
    key: int | float | datetime
    id: int

    def encode(self) -> str:
        key = self.key.isoformat() if isinstance(self.key, datetime) else self.key
        raw = json.dumps([self.sort.value, key, self.id], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, sort: Sort) -> Cursor:
        """The position ``text`` stands for, if it was made for ``sort``."""
        if not text or len(text) > CURSOR_MAX_LENGTH or not text.isascii():
            raise InvalidCursor(text)
        try:
            value = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        except (binascii.Error, ValueError) as error:
            raise InvalidCursor(text) from error
        if not isinstance(value, list) or len(value) != 3:
            raise InvalidCursor(text)
        made_for, key, idea_id = value
        if made_for != sort.value or not _is_id(idea_id):
            raise InvalidCursor(text)
        if sort.by_time:
            return cls(sort, _moment(key, text), idea_id)
        if sort is Sort.RELEVANCE:
            if type(key) not in (int, float) or not math.isfinite(key):
                raise InvalidCursor(text)
            return cls(sort, float(key), idea_id)
        if sort is Sort.PAIRWISE:
            if type(key) not in (int, float) or not UNRANKED <= key <= 1:
                raise InvalidCursor(text)
            return cls(sort, float(key), idea_id)
        if not _is_id(key):
            raise InvalidCursor(text)
        return cls(sort, key, idea_id)


def _is_id(value: object) -> bool:
    return type(value) is int and 0 <= value <= MAX_ID


def _moment(value: object, text: str) -> datetime:
    if not isinstance(value, str):
        raise InvalidCursor(text)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise InvalidCursor(text) from error
    if moment.tzinfo is None:
        raise InvalidCursor(text)
    try:
        return moment.astimezone(UTC)
    except OverflowError as error:  # a moment at the very edge of year 1 or 9999
        raise InvalidCursor(text) from error


# A challenge's ideas -------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What a list of ideas is narrowed to; empty narrows nothing."""

    q: str = ""
    tag_id: int | None = None
    status: IdeaStatus | None = None
    theme_id: int | None = None

    @property
    def active(self) -> bool:
        return (
            bool(self.q)
            or self.tag_id is not None
            or self.status is not None
            or self.theme_id is not None
        )

    @property
    def narrowed(self) -> bool:
        """Kept to a tag or a theme: every idea that is in it on its own card."""
        return self.tag_id is not None or self.theme_id is not None

    @classmethod
    def parse(
        cls,
        params: Mapping[str, str],
        *,
        tag_ids: Collection[int],
        theme_ids: Collection[int] = (),
    ) -> Filters:
        """Filters from a query string; a tag or a theme the challenge does not have, or
        a status that is not listed, narrows nothing."""
        q = search.clean(params.get("q", ""))
        tag_id = _id_in(params.get("tag", ""))
        theme_id = _id_in(params.get("theme", ""))
        status = params.get("status", "")
        return cls(
            q=q,
            tag_id=tag_id if tag_id in tag_ids else None,
            status=IdeaStatus(status) if status in _LISTED_VALUES else None,
            theme_id=theme_id if theme_id in theme_ids else None,
        )


def _id_in(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


@dataclass(frozen=True)
class IdeaPage:
    """One page of a list: its ideas, how many ideas each builds on, and the next cursor."""

    ideas: Sequence[ListedIdea]
    builds_on: Mapping[int, int]
    next_after: Cursor | None


def builds_on_count() -> ColumnElement[int]:
    """How many ideas an idea builds on, as a column of a query over ``Idea``."""
    return (
        select(func.count())
        .select_from(IdeaLink)
        .where(IdeaLink.child_id == Idea.id)
        .correlate(Idea)
        .scalar_subquery()
        .label("builds_on")
    )


def _narrowed(session: AsyncSession, query: Query, filters: Filters) -> Narrowed | None:
    """``query`` kept to the listed ideas of a challenge (parameter ``challenge_id``) that
    pass ``filters`` (the tag is parameter ``tag_id``), with the parameters to run it.

    With the search score, while searching; None when the search text holds
    no word to look for (nothing can match).
    """
    statuses = (filters.status,) if filters.status in LISTED_STATUSES else LISTED_STATUSES
    tagged, themed = filters.tag_id is not None, filters.theme_id is not None
    if not filters.q:
        return Narrowed(
            _kept_to(query, statuses, tagged, themed, collapsed=not filters.narrowed), None
        )
    found = search.matching(session, filters.q)
    if found is None:
        return None
    narrowed = _kept_to(query, statuses, tagged, themed)
    return Narrowed(narrowed.join(found, found.c.id == Idea.id), found.c.score)


@dataclass(frozen=True)
class Narrowed:
    query: Query
    score: ColumnElement[float] | None  # while searching


def _behind_its_cluster(statuses: Collection[IdeaStatus]) -> ColumnElement[bool]:
    """The idea is in a duplicate cluster whose card another idea stands for: the
    cluster's earliest idea among those listed (``statuses``), the original the others
    repeat. A cluster is one card on the list; its other ideas are named on it."""
    mine = IdeaClusterMember.__table__.alias("mine")
    theirs = IdeaClusterMember.__table__.alias("theirs")
    earlier = Idea.__table__.alias("earlier")
    return (
        exists()
        .select_from(
            mine.join(theirs, theirs.c.cluster_id == mine.c.cluster_id).join(
                earlier, earlier.c.id == theirs.c.idea_id
            )
        )
        .where(
            mine.c.idea_id == Idea.id,
            theirs.c.idea_id < Idea.id,
            earlier.c.status.in_(statuses),
        )
    )


def _kept_to(
    query: Query,
    statuses: Collection[IdeaStatus],
    tagged: bool,
    themed: bool = False,
    collapsed: bool = False,
) -> Query:
    """``collapsed``: a cluster of duplicates as one idea, for the plain list (a search,
    a tag or a theme lists every idea that matches, each on its own card). The theme
    is parameter ``theme_id``."""
    query = query.where(
        Idea.challenge_id == bindparam("challenge_id", type_=Integer),
        Idea.status.in_(statuses),
    )
    if collapsed:
        query = query.where(~_behind_its_cluster(statuses))
    if tagged:
        tag = bindparam("tag_id", type_=Integer)
        query = query.where(exists().where(IdeaTag.idea_id == Idea.id, IdeaTag.tag_id == tag))
    if themed:
        theme = bindparam("theme_id", type_=Integer)
        query = query.where(
            exists().where(IdeaTheme.idea_id == Idea.id, IdeaTheme.theme_id == theme)
        )
    return query


def _page(query: Query, key: ColumnElement[Any], paged: bool) -> Query:
    """``query`` in descending order of ``key`` then id, after the position given by the
    parameters ``after_key`` and ``after_id`` when ``paged``, ``limit`` rows at most."""
    if paged:
        position = bindparam("after_key", type_=key.type)
        after_id = bindparam("after_id", type_=Integer)
        query = query.where(or_(key < position, and_(key == position, Idea.id < after_id)))
    return (
        query.add_columns(key.label("sort_key"))
        .order_by(key.desc(), Idea.id.desc())
        .limit(limit_parameter())
    )


_LISTED: Query = select(*IDEA_COLUMNS, builds_on_count()).select_from(WITH_AUTHORS)


@functools.cache
def _listing(
    sort: Sort,
    statuses: tuple[IdeaStatus, ...],
    tagged: bool,
    themed: bool,
    paged: bool,
    collapsed: bool,
) -> Query:
    """A page of a list that is not searched, built once for each of its shapes: every
    value it depends on is a parameter."""
    collapsed = collapsed and not (tagged or themed)
    return _page(_kept_to(_LISTED, statuses, tagged, themed, collapsed), _KEYS[sort], paged)


async def challenge_ideas(
    session: AsyncSession,
    challenge: Challenge,
    roles: frozenset[Role],
    now: datetime,
    *,
    sort: Sort,
    filters: Filters | None = None,
    after: Cursor | None = None,
    limit: int = PAGE_SIZE,
    with_coauthors: bool = False,
    collapse_clusters: bool = True,
) -> IdeaPage:
    """A page of the ideas of ``challenge`` listed to someone with ``roles``, in ``sort``
    order, after ``after``.

    ``policy`` decides what they see: NotFound if they may not see the challenge
    now, else its ideas of the statuses lists show. Ideas come with their authors,
    tags and how many ideas each builds on, and their co-authors if asked. Two
    queries (three with co-authors): the ideas with their authors, their tags,
    their co-authors. ``RELEVANCE`` needs a search (``filters.q``); without one the
    list is in ``TOP`` order. A cluster of duplicates is one entry, its earliest listed
    idea, unless searched, filtered by tag or theme, or ``collapse_clusters`` is False.
    """
    policy.check(Action.SEE_CHALLENGE, challenge, roles, now)
    filters = filters or Filters()
    if sort is Sort.RELEVANCE and not filters.q:
        sort = Sort.TOP
    paged = after is not None and after.sort is sort
    params: dict[str, Any] = {
        "challenge_id": challenge.id,
        "tag_id": filters.tag_id,
        "theme_id": filters.theme_id,
        "after_key": after.key if after is not None else None,
        "after_id": after.id if after is not None else None,
        "limit": limit + 1,
    }
    if not filters.q:
        statuses = (filters.status,) if filters.status in LISTED_STATUSES else LISTED_STATUSES
        query = _listing(
            sort,
            tuple(statuses),
            filters.tag_id is not None,
            filters.theme_id is not None,
            paged,
            collapse_clusters,
        )
    else:
        narrowed = _narrowed(session, _LISTED, filters)
        if narrowed is None:
            return IdeaPage((), {}, None)
        if sort is Sort.RELEVANCE and narrowed.score is not None:
            key = narrowed.score
        else:
            sort = Sort.TOP if sort is Sort.RELEVANCE else sort
            key = _KEYS[sort]
        paged = after is not None and after.sort is sort
        query = _page(narrowed.query, key, paged)
    rows = await rows_of(session, query, params)
    page = rows[:limit]
    last = page[-1] if len(rows) > limit else None
    builds_on = len(IDEA_COLUMNS)
    return IdeaPage(
        ideas=await listed_ideas(session, page, coauthors=with_coauthors),
        builds_on={row[0]: int(row[builds_on]) for row in page},
        next_after=Cursor(sort, last.sort_key, last[0]) if last is not None else None,
    )


async def count_challenge_ideas(session: AsyncSession, challenge_id: int, filters: Filters) -> int:
    """How many of a challenge's visible ideas pass ``filters``. One query."""
    narrowed = _narrowed(session, select(func.count(Idea.id)), filters)
    if narrowed is None:
        return 0
    params = {
        "challenge_id": challenge_id,
        "tag_id": filters.tag_id,
        "theme_id": filters.theme_id,
    }
    return int(await session.scalar(narrowed.query, params) or 0)


# Site-wide search --------------------------------------------------------------


@dataclass(frozen=True)
class FoundChallenge:
    challenge: Challenge
    matches: bool  # its title, question or brief holds the text searched for


async def challenges_for_search(session: AsyncSession, text: str) -> Sequence[FoundChallenge]:
    """Every challenge with its hosts, and whether its title, question or brief holds ``text``.

    There are few challenges, and which of them someone may see depends on
    each one's phase (worked out from its schedule), so all are read and the
    caller keeps those the policy lets the viewer see. Two queries.
    """
    needle = search.clean(text)
    holds: ColumnElement[bool] = (
        or_(
            Challenge.title.icontains(needle, autoescape=True),
            Challenge.question.icontains(needle, autoescape=True),
            Challenge.brief.icontains(needle, autoescape=True),
        )
        if needle
        else literal(False, Boolean)
    )
    rows = await session.execute(
        select(Challenge, holds.label("matches"))
        .options(selectinload(Challenge.hosts).joinedload(ChallengeHost.user))
        .order_by(Challenge.id)
    )
    return [FoundChallenge(challenge, bool(matched)) for challenge, matched in rows]


@dataclass(frozen=True)
class IdeaGroup:
    """The best-matching ideas of one challenge, and how many of its ideas match."""

    challenge: Challenge
    ideas: Sequence[Idea]
    builds_on: Mapping[int, int]
    total: int


async def search_ideas(
    session: AsyncSession,
    text: str,
    challenges: Mapping[int, Challenge],
    *,
    per_challenge: int = 5,
) -> Sequence[IdeaGroup]:
    """Visible ideas of ``challenges`` matching ``text``, grouped by challenge.

    Each group holds its ``per_challenge`` best matches and the number of all
    its matches; the group with the best match comes first. Two queries: the
    ideas with their authors, and their tags.
    """
    found = search.matching(session, text)
    if found is None or not challenges:
        return []
    per = (Idea.challenge_id,)
    ranked = (
        select(
            Idea.id.label("id"),
            func.row_number()
            .over(partition_by=per, order_by=(found.c.score.desc(), Idea.id.desc()))
            .label("place"),
            func.count().over(partition_by=per).label("total"),
            func.max(found.c.score).over(partition_by=per).label("best"),
        )
        .join(found, found.c.id == Idea.id)
        .where(Idea.challenge_id.in_(list(challenges)), Idea.status.in_(LISTED_STATUSES))
        .subquery("ranked")
    )
    rows = await session.execute(
        select(Idea, builds_on_count(), ranked.c.total)
        .join(ranked, ranked.c.id == Idea.id)
        .options(joinedload(Idea.author), selectinload(Idea.tags))
        .where(ranked.c.place <= per_challenge)
        .order_by(ranked.c.best.desc(), Idea.challenge_id, ranked.c.place)
    )
    grouped: dict[int, tuple[list[Idea], dict[int, int], int]] = {}
    for idea, builds_on, total in rows:
        ideas, counts, _ = grouped.setdefault(idea.challenge_id, ([], {}, int(total)))
        ideas.append(idea)
        counts[idea.id] = int(builds_on)
    return [
        IdeaGroup(challenges[challenge_id], ideas, counts, total)
        for challenge_id, (ideas, counts, total) in grouped.items()
    ]


async def similar(
    session: AsyncSession, challenge_id: int, text: str, *, limit: int = 5
) -> Sequence[Similar]:
    """Up to ``limit`` listed ideas of a challenge that say what ``text`` says, in the
    same words or in others (``ideas.similarity``), most similar first, with their
    authors' names. Nothing for a text without a significant word (three letters or
    more, not a stop word). One query, unless the challenge's ideas changed since last
    asked.
    """
    if not search.words(text, min_length=search.SIGNIFICANT_LENGTH):
        return []
    return await similarity.like_text(session, challenge_id, text, limit=limit)


async def like_idea(session: AsyncSession, idea: Idea, *, limit: int = 5) -> Sequence[Similar]:
    """Up to ``limit`` listed ideas of the idea's challenge that say what it says."""
    text = document(idea.title, idea.summary)
    return await similarity.like_idea(session, idea.challenge_id, idea.id, text, limit=limit)


# One idea ------------------------------------------------------------------------


async def for_policy(session: AsyncSession, idea_id: int) -> Idea | None:
    """The idea with what ``policy.idea_roles`` reads: its challenge with the challenge's
    hosts, its co-authors, and its team with the team's members. For a service that asks
    ``policy`` inside its transaction (after taking its locks: this query takes none)."""
    idea: Idea | None = await session.scalar(
        select(Idea)
        .options(
            joinedload(Idea.challenge).selectinload(Challenge.hosts),
            selectinload(Idea.coauthors),
            selectinload(Idea.team).selectinload(Team.members),
        )
        .where(Idea.id == idea_id)
    )
    return idea


@functools.cache
def _by_id() -> Select[Idea, tuple[tuple[Any, ...], ...]]:
    """The statement of ``by_id``. Built once (on first use, not on import, as the loader
    options need every model mapped): the idea page, and every page of one idea, starts
    here, and building the statement with its loader options cost more than running it.

    One query joins what an idea has few of (its challenge's hosts, its co-authors, its
    team) and reads its tags as one column, as the list of ideas reads them: the rows it
    multiplies are fewer than the round trips separate queries would take. The team's
    members come in a second query, only when there is a team. The tags are not joined
    (their link table nested in the outer joins made SQLite read all of it), nor loaded
    as objects by a query of their own, which cost the page more than the rest of this
    one's loading did."""
    return (
        select(Idea, IDEA_TAGS)
        .options(
            joinedload(Idea.author),
            joinedload(Idea.challenge).joinedload(Challenge.hosts),
            joinedload(Idea.coauthors).joinedload(IdeaCoauthor.user),
            joinedload(Idea.team).selectinload(Team.members),
            joinedload(Idea.image),
        )
        .where(Idea.id == bindparam("idea_id", type_=Integer))
    )


async def by_id(session: AsyncSession, idea_id: int) -> Idea | None:
    """An idea with its author, co-authors, tags, team and challenge (with who hosts the
    challenge, not their accounts; not the tags it offers: ``offered_tags`` loads those
    for the forms)."""
    result = await session.execute(_by_id(), {"idea_id": idea_id})
    found = result.unique().one_or_none()
    if found is None:
        return None
    idea: Idea = found[0]
    tags = found[1]
    # ``Idea.tags`` is view-only: these are what it shows, never written through it.
    set_committed_value(
        idea,
        "tags",
        [
            ChallengeTag(id=tag_id, challenge_id=idea.challenge_id, name=name, position=position)
            for position, tag_id, name in sorted(tags)
        ],
    )
    return idea


async def offered_tags(session: AsyncSession, challenge: Challenge) -> None:
    """Load the tags ``challenge`` offers (``challenge.tags``), for a form to choose from."""
    await session.refresh(challenge, ["tags"])
