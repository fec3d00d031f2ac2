"""Build-on links between ideas: the graph, its rules and the counts it drives.

An idea may build on several ideas of its challenge; the links never form a
cycle. ``build_count`` is how many ideas build on an idea directly and
``influence`` how many descend from it at any depth; both are columns, kept in
the transaction that changes the links, so lists sort by them through an index.
The walks are recursive common table expressions, the same on SQLite and
PostgreSQL; ``UNION`` (not ``UNION ALL``) makes each walk visit an idea once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Boolean, Integer, Table, bindparam, func, literal, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from ideas import policy
from ideas.accounts.models import User
from ideas.challenges import queries as challenge_queries
from ideas.db import rows_of
from ideas.errors import Invalid
from ideas.i18n import _
from ideas.submissions.listing import ListedPerson
from ideas.submissions.models import VISIBLE_STATUSES, Idea, IdeaLink, IdeaStatus

NOTE_MAX = 200


@dataclass(frozen=True)
class LinkInput:
    """``child`` builds on ``parent_id``; ``note`` says what it took or changed."""

    parent_id: int
    note: str = ""


async def ancestors(session: AsyncSession, idea_id: int) -> set[int]:
    """Every idea that ``idea_id`` builds on, directly or not."""
    up = (
        select(IdeaLink.parent_id.label("id"))
        .where(IdeaLink.child_id == idea_id)
        .cte("up", recursive=True)
    )
    up = up.union(select(IdeaLink.parent_id).join(up, IdeaLink.child_id == up.c.id))
    return set(await session.scalars(select(up.c.id)))


async def descendants(session: AsyncSession, idea_id: int) -> set[int]:
    """Every idea that builds on ``idea_id``, directly or not."""
    down = (
        select(IdeaLink.child_id.label("id"))
        .where(IdeaLink.parent_id == idea_id)
        .cte("down", recursive=True)
    )
    down = down.union(select(IdeaLink.child_id).join(down, IdeaLink.parent_id == down.c.id))
    return set(await session.scalars(select(down.c.id)))


async def recount(session: AsyncSession, idea_ids: Iterable[int], now: datetime) -> None:
    """Set ``build_count`` and ``influence`` of these ideas from the links as they are now.

    The counts are public, shown to anyone and sorted by: an idea in a challenge a
    visitor may not see at ``now`` (carried into a follow-up round still in its draft)
    does not count until its round opens (``recount_around``).
    """
    roots = sorted(set(idea_ids))
    if not roots:
        return
    down = (
        select(IdeaLink.parent_id.label("root"), IdeaLink.child_id.label("id"))
        .where(IdeaLink.parent_id.in_(roots))
        .cte("reach", recursive=True)
    )
    down = down.union(
        select(down.c.root, IdeaLink.child_id).join(down, IdeaLink.parent_id == down.c.id)
    )
    reached_challenges = set(
        await session.scalars(select(Idea.challenge_id).join(down, down.c.id == Idea.id).distinct())
    )
    unseen = sorted(await challenge_queries.unseen(session, reached_challenges, None, now))
    reached = await session.execute(
        select(down.c.root, func.count())
        .join(Idea, Idea.id == down.c.id)
        .where(Idea.challenge_id.not_in(unseen))
        .group_by(down.c.root)
    )
    influence: dict[int, int] = dict(reached.all())
    linked = await session.execute(
        select(IdeaLink.parent_id, func.count())
        .join(Idea, Idea.id == IdeaLink.child_id)
        .where(IdeaLink.parent_id.in_(roots), Idea.challenge_id.not_in(unseen))
        .group_by(IdeaLink.parent_id)
    )
    direct: dict[int, int] = dict(linked.all())
    for root in roots:
        await session.execute(
            update(Idea)
            .where(Idea.id == root)
            .values(build_count=direct.get(root, 0), influence=influence.get(root, 0))
        )


async def recount_around(session: AsyncSession, challenge_id: int, now: datetime) -> None:
    """The counts of every idea a challenge's ideas count for, again: for when the
    challenge opens to everyone, or goes back to its draft."""
    own = select(Idea.id).where(Idea.challenge_id == challenge_id)
    up = select(IdeaLink.parent_id.label("id")).where(IdeaLink.child_id.in_(own))
    up_cte = up.cte("up", recursive=True)
    up_cte = up_cte.union(select(IdeaLink.parent_id).join(up_cte, IdeaLink.child_id == up_cte.c.id))
    await recount(session, set(await session.scalars(select(up_cte.c.id))), now)


async def check_links(
    session: AsyncSession,
    *,
    child_id: int | None,
    challenge_id: int,
    links: Sequence[LinkInput],
    keeping: Iterable[int] = (),
) -> None:
    """Refuse links to another challenge's ideas, to the idea itself, or making a cycle.

    A new link must point at a visible idea; links already made (``keeping``) stay
    even if their idea was withdrawn or hidden since.
    """
    if not links:
        return
    ids = [link.parent_id for link in links]
    if child_id is not None and child_id in ids:
        raise Invalid({"builds_on": _("An idea cannot build on itself.")})
    found = {
        idea_id: (challenge, status)
        for idea_id, challenge, status in await session.execute(
            select(Idea.id, Idea.challenge_id, Idea.status).where(Idea.id.in_(ids))
        )
    }
    kept = set(keeping)
    for parent_id in ids:
        if parent_id not in found:
            raise Invalid({"builds_on": _("One of the ideas you build on no longer exists.")})
        parent_challenge, status = found[parent_id]
        if parent_challenge != challenge_id:
            raise Invalid({"builds_on": _("You can only build on ideas of the same challenge.")})
        if parent_id not in kept and status not in VISIBLE_STATUSES:
            raise Invalid(
                {"builds_on": _("That idea was withdrawn or hidden; it cannot be built on.")}
            )
    if child_id is not None:
        below = await descendants(session, child_id)
        if below.intersection(ids):
            raise Invalid(
                {
                    "builds_on": _(
                        "That would make a loop: the idea you chose already builds on this one."
                    )
                }
            )
    for link in links:
        if len(link.note) > NOTE_MAX:
            raise Invalid(
                {
                    f"note-{link.parent_id}": _(
                        "A note must be at most %(most)s characters.", most=NOTE_MAX
                    )
                }
            )


async def set_links(
    session: AsyncSession,
    *,
    child_id: int,
    challenge_id: int,
    links: Sequence[LinkInput],
    now: datetime,
) -> None:
    """Make ``child_id`` build on exactly ``links``; counts of every idea affected follow.

    Callers hold the challenge's row lock, so two edits cannot make a loop together.
    """
    existing = {
        link.parent_id: link
        for link in await session.scalars(select(IdeaLink).where(IdeaLink.child_id == child_id))
    }
    await check_links(
        session, child_id=child_id, challenge_id=challenge_id, links=links, keeping=existing
    )
    before = await ancestors(session, child_id)
    wanted = {link.parent_id: link for link in links}
    for parent_id, saved in existing.items():
        if parent_id not in wanted:
            await session.delete(saved)
        else:
            saved.note = wanted[parent_id].note
    for parent_id, link in wanted.items():
        if parent_id not in existing:
            session.add(
                IdeaLink(child_id=child_id, parent_id=parent_id, note=link.note, created_at=now)
            )
    await session.flush()
    after = await ancestors(session, child_id)
    await recount(session, before | after, now)


@dataclass(frozen=True)
class Edge:
    child_id: int
    parent_id: int
    note: str


@dataclass(frozen=True)
class Family:
    """An idea's ancestors and descendants, with the links between them all.

    The lineage page and the API show a family alike: ``shown`` and ``note`` say
    what of it they show, to anyone.
    """

    root: int
    ideas: dict[int, Idea]
    edges: list[Edge]
    ancestors: set[int]
    descendants: set[int]

    def shown(self, idea_id: int) -> Idea | None:
        """The idea, if it may be shown in a lineage; a withdrawn or hidden idea keeps
        its place in the family, but not its words."""
        idea = self.ideas.get(idea_id)
        return idea if idea is not None and idea.status in policy.LISTED_STATUSES else None

    def note(self, edge: Edge) -> str | None:
        """The note on a link, which its child idea wrote: left out with that idea."""
        return edge.note if self.shown(edge.child_id) is not None else None

    def parents_of(self, idea_id: int) -> list[Edge]:
        return [edge for edge in self.edges if edge.child_id == idea_id]

    def children_of(self, idea_id: int) -> list[Edge]:
        return [edge for edge in self.edges if edge.parent_id == idea_id]


async def family(
    session: AsyncSession,
    idea_id: int,
    *,
    viewer: User | None,
    now: datetime,
    limit: int = 500,
) -> Family:
    """The whole family of an idea as ``viewer`` (None: a visitor) may see it, in a fixed
    number of queries (at most ``limit`` ideas).

    The caller has made sure the viewer sees the idea's own challenge. An idea in
    another challenge the viewer may not see (carried into a follow-up round still in
    its draft) is left out with its links, as is all that reaches it only through them:
    the family seems never to have had it (``policy.sees_challenge``).
    """
    up = await ancestors(session, idea_id)
    down = await descendants(session, idea_id)
    members = sorted({idea_id} | up | down)[:limit]
    rows = await session.scalars(
        select(Idea).options(joinedload(Idea.author)).where(Idea.id.in_(members))
    )
    ideas = {idea.id: idea for idea in rows}
    edges = [
        Edge(child, parent, note)
        for child, parent, note in (
            await session.execute(
                select(IdeaLink.child_id, IdeaLink.parent_id, IdeaLink.note).where(
                    IdeaLink.child_id.in_(members), IdeaLink.parent_id.in_(members)
                )
            )
        )
    ]
    root = ideas.get(idea_id)
    unseen = await challenge_queries.unseen(
        session,
        {idea.challenge_id for idea in ideas.values()},
        viewer,
        now,
        seen=() if root is None else (root.challenge_id,),
    )
    if unseen:
        ideas = {i: idea for i, idea in ideas.items() if idea.challenge_id not in unseen}
        edges = [e for e in edges if e.child_id in ideas and e.parent_id in ideas]
        up = _reached(idea_id, edges, upward=True)
        down = _reached(idea_id, edges, upward=False)
    return Family(root=idea_id, ideas=ideas, edges=edges, ancestors=up, descendants=down)


def _reached(start: int, edges: Sequence[Edge], *, upward: bool) -> set[int]:
    """The ideas ``edges`` lead to from ``start``, up to its ancestors or down."""
    step: dict[int, list[int]] = {}
    for edge in edges:
        near, far = (edge.child_id, edge.parent_id) if upward else (edge.parent_id, edge.child_id)
        step.setdefault(near, []).append(far)
    reached: set[int] = set()
    todo = [start]
    while todo:
        for nxt in step.get(todo.pop(), ()):
            if nxt not in reached and nxt != start:
                reached.add(nxt)
                todo.append(nxt)
    return reached


@dataclass(frozen=True, slots=True)
class LinkedIdea:
    """An idea linked to another, as the idea page's lineage list and the edit form's
    "builds on" list show it: read with Core into a plain record, as the idea page reads
    its links on every request."""

    id: int
    slug: str
    title: str
    status: IdeaStatus
    challenge_id: int
    author: ListedPerson

    @property
    def is_visible(self) -> bool:
        return self.status in VISIBLE_STATUSES


@dataclass(frozen=True, slots=True)
class Neighbour:
    """A linked idea and the note on the link. Records, so that two are equal when they
    show the same: the idea page keeps its lineage section by them (ideas.web.fragments)."""

    idea: LinkedIdea
    note: str


@dataclass(frozen=True)
class Links:
    parents: list[Neighbour]  # what this idea builds on
    children: list[Neighbour]  # what builds on it


_ideas = cast(Table, Idea.__table__)
_authors = cast(Table, User.__table__).alias("author")
_links = cast(Table, IdeaLink.__table__)
_LINKED_TO = bindparam("idea_id", type_=Integer)
_NEAR = union_all(
    select(
        _links.c.parent_id.label("other_id"),
        _links.c.note,
        _links.c.created_at,
        literal(True, Boolean).label("builds_on"),
    ).where(_links.c.child_id == _LINKED_TO),
    select(_links.c.child_id, _links.c.note, _links.c.created_at, literal(False, Boolean)).where(
        _links.c.parent_id == _LINKED_TO
    ),
).subquery("near")
# The ideas linked to the idea (parameter ``idea_id``) either way, with their authors,
# the links' notes and whether the idea builds on them, oldest link first; the columns
# in the order of LinkedIdea's fields, then its author's.
_LINKS = (
    select(
        _ideas.c.id,
        _ideas.c.slug,
        _ideas.c.title,
        _ideas.c.status,
        _ideas.c.challenge_id,
        _authors.c.id,
        _authors.c.display_name,
        _authors.c.status,
        _authors.c.avatar_url,
        _authors.c.avatar_id,
        _NEAR.c.note,
        _NEAR.c.builds_on,
    )
    .select_from(
        _ideas.join(_NEAR, _NEAR.c.other_id == _ideas.c.id).join(
            _authors, _authors.c.id == _ideas.c.author_id
        )
    )
    .order_by(_NEAR.c.created_at, _ideas.c.id)
)


async def links(session: AsyncSession, idea: Idea, *, viewer: User | None, now: datetime) -> Links:
    """The ideas directly linked to ``idea``, with their authors, in one query (two when
    one lies in another challenge). As in ``family``, an idea in a challenge the viewer
    may not see is left out; the caller has made sure they see ``idea``'s own."""
    parents: list[Neighbour] = []
    children: list[Neighbour] = []
    rows = await rows_of(session, _LINKS, {"idea_id": idea.id})
    for row in rows:
        linked = LinkedIdea(*row[:5], author=ListedPerson(*row[5:10]))
        (parents if row[11] else children).append(Neighbour(linked, row[10]))
    unseen = await challenge_queries.unseen(
        session,
        {n.idea.challenge_id for n in (*parents, *children)},
        viewer,
        now,
        seen=(idea.challenge_id,),
    )
    return Links(
        parents=[n for n in parents if n.idea.challenge_id not in unseen],
        children=[n for n in children if n.idea.challenge_id not in unseen],
    )


async def ideas_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Idea]:
    """Ideas in the order of ``ids`` (for a form that names what it builds on)."""
    if not ids:
        return []
    found = {idea.id: idea for idea in await session.scalars(select(Idea).where(Idea.id.in_(ids)))}
    return [found[i] for i in ids if i in found]
