"""Reading challenges."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, String, bindparam, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, raiseload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ideas.accounts.models import User
from ideas.challenges.models import (
    Challenge,
    ChallengeHost,
    ChallengeTag,
    HostInvitation,
    InvitationStatus,
)
from ideas.challenges.phases import Phase, next_change
from ideas.db import json_rows
from ideas.impact.models import FollowUp
from ideas.jury.models import JurySettings
from ideas.policy import Action, challenge_roles, may, sees_challenge
from ideas.submissions.listing import ListedTag
from ideas.submissions.models import SHORTLISTED_STATUSES, Idea, IdeaStatus
from ideas.themes import queries as theme_queries
from ideas.themes.queries import ThemeChoice

_WITH_HOSTS = selectinload(Challenge.hosts).joinedload(ChallengeHost.user)


# A challenge with its hosts joined (they are few: a row each) and its tags (up to
# twenty, which would multiply the rows) read by a second query. Built once: every
# challenge page starts here.
_BY_SLUG = (
    select(Challenge)
    .options(joinedload(Challenge.hosts).joinedload(ChallengeHost.user))
    .where(Challenge.slug == bindparam("slug", type_=String))
)
# The second query, built once too. Not selectinload, which builds its query anew for
# each load: that took the challenge page as long as all its other reads of the
# challenge together.
_TAGS = (
    select(ChallengeTag)
    .where(ChallengeTag.challenge_id == bindparam("challenge_id", type_=Integer))
    .order_by(ChallengeTag.position)
)


async def _with_tags(session: AsyncSession, challenge: Challenge) -> Challenge:
    """``challenge`` with its tags loaded, in their order, as its relationship loads them."""
    tags = (await session.scalars(_TAGS, {"challenge_id": challenge.id})).all()
    set_committed_value(challenge, "tags", list(tags))
    return challenge


async def by_slug(session: AsyncSession, slug: str) -> Challenge | None:
    """A challenge with its hosts and its offered tags. Two queries."""
    challenge: Challenge | None = (
        (await session.scalars(_BY_SLUG, {"slug": slug})).unique().one_or_none()
    )
    return None if challenge is None else await _with_tags(session, challenge)


@dataclass(frozen=True)
class ChallengeOnPage:
    """A challenge as its own page reads it: with its hosts, its jury's published
    weighting, whether it has winners and rounds around it (read, then, by their own
    queries: most challenges have neither, and their page is the busiest), its themes,
    largest first, and the tags it offers, in order (not as ``challenge.tags``)."""

    challenge: Challenge
    jury_weight: float | None  # None: no jury
    has_winners: bool
    has_rounds: bool
    themes: tuple[ThemeChoice, ...]
    tags: tuple[ListedTag, ...]


_FOR_PAGE = _BY_SLUG.add_columns(
    select(JurySettings.jury_weight)
    .where(JurySettings.challenge_id == Challenge.id)
    .scalar_subquery(),
    exists().where(Idea.challenge_id == Challenge.id, Idea.status == IdeaStatus.WINNER),
    exists().where(or_(FollowUp.challenge_id == Challenge.id, FollowUp.from_id == Challenge.id)),
    theme_queries.CHALLENGE_THEMES_COLUMN,
    # Its tags, each (position, id, name), in no order.
    select(json_rows(ChallengeTag.position, ChallengeTag.id, ChallengeTag.name))
    .where(ChallengeTag.challenge_id == Challenge.id)
    .scalar_subquery(),
)


async def for_page(session: AsyncSession, slug: str) -> ChallengeOnPage | None:
    """The challenge at ``slug`` for its page, with its themes and tags. One query."""
    row = (await session.execute(_FOR_PAGE, {"slug": slug})).unique().one_or_none()
    if row is None:
        return None
    challenge, jury_weight, has_winners, has_rounds, themes, tags = row
    return ChallengeOnPage(
        challenge,
        jury_weight,
        bool(has_winners),
        bool(has_rounds),
        theme_queries.choices_from(themes),
        # In the order of ``challenge.tags``.
        tuple(ListedTag(tag_id, name) for _, tag_id, name in sorted(tags)),
    )


# A challenge without its relations, and whether the viewer hosts it: one query, for
# the pages busy enough to count it that show neither its hosts nor its tags.
_ALONE = (
    select(
        Challenge,
        exists().where(
            ChallengeHost.challenge_id == Challenge.id,
            ChallengeHost.user_id == bindparam("viewer", type_=Integer),
        ),
    )
    .options(raiseload("*"))
    .where(Challenge.slug == bindparam("slug", type_=String))
)


async def alone_by_slug(
    session: AsyncSession, slug: str, viewer_id: int | None
) -> tuple[Challenge, bool] | None:
    """The challenge at ``slug``, none of its relations loaded, and whether the viewer
    (None: a visitor) is one of its hosts."""
    row = (
        await session.execute(
            _ALONE, {"slug": slug, "viewer": -1 if viewer_id is None else viewer_id}
        )
    ).one_or_none()
    return None if row is None else (row[0], bool(row[1]))


async def unseen(
    session: AsyncSession,
    challenge_ids: Iterable[int],
    viewer: User | None,
    now: datetime,
    *,
    seen: Iterable[int] = (),
) -> frozenset[int]:
    """Of ``challenge_ids``, those ``viewer`` (None: a visitor) may not see at ``now``, by
    ``policy.sees_challenge``: a draft, to all but its hosts and the admins.

    ``seen``: challenges the caller already knows the viewer sees (the page's own), not
    asked again. One query, none when nothing is left to ask about.
    """
    asked = sorted(set(challenge_ids) - set(seen))
    if not asked:
        return frozenset()
    hosts = exists().where(
        ChallengeHost.challenge_id == Challenge.id,
        ChallengeHost.user_id == (-1 if viewer is None else viewer.id),
    )
    rows = await session.execute(
        select(Challenge, hosts).options(raiseload("*")).where(Challenge.id.in_(asked))
    )
    return frozenset(
        challenge.id
        for challenge, host in rows
        if not sees_challenge(viewer, challenge, now, host=bool(host))
    )


async def by_id(session: AsyncSession, challenge_id: int) -> Challenge | None:
    challenge: Challenge | None = await session.scalar(
        select(Challenge).options(_WITH_HOSTS).where(Challenge.id == challenge_id)
    )
    return None if challenge is None else await _with_tags(session, challenge)


async def for_policy(session: AsyncSession, challenge_id: int) -> Challenge | None:
    """The challenge with what ``policy`` reads of it (its hosts): for a service that asks
    ``policy`` inside its transaction."""
    challenge: Challenge | None = await session.scalar(
        select(Challenge).options(selectinload(Challenge.hosts)).where(Challenge.id == challenge_id)
    )
    return challenge


# Built once: every challenge page asks for its winners.
_WINNERS = (
    select(Idea)
    .options(joinedload(Idea.author))
    .where(
        Idea.challenge_id.in_(bindparam("challenge_ids", type_=Integer, expanding=True)),
        Idea.status == IdeaStatus.WINNER,
    )
    .order_by(Idea.won_at, Idea.id)
)


async def winners(session: AsyncSession, challenge_ids: Sequence[int]) -> dict[int, list[Idea]]:
    """The winning ideas of each challenge, with their authors, in one query."""
    if not challenge_ids:
        return {}
    rows = await session.scalars(_WINNERS, {"challenge_ids": list(challenge_ids)})
    found: dict[int, list[Idea]] = {}
    for idea in rows:
        found.setdefault(idea.challenge_id, []).append(idea)
    return found


SHORTLIST_CANDIDATE_STATUSES = (IdeaStatus.PUBLISHED, IdeaStatus.SHORTLISTED, IdeaStatus.WINNER)


async def shortlist_candidates(session: AsyncSession, challenge_id: int) -> Sequence[Idea]:
    """Every published, shortlisted and winning idea of a challenge, strongest first."""
    rows = await session.scalars(
        select(Idea)
        .options(joinedload(Idea.author))
        .where(
            Idea.challenge_id == challenge_id,
            Idea.status.in_(SHORTLIST_CANDIDATE_STATUSES),
        )
        .order_by(Idea.vote_count.desc(), Idea.build_count.desc(), Idea.id)
    )
    return rows.all()


@dataclass(frozen=True)
class ShortlistCount:
    """ "2 of 6 ideas shortlisted": winners count as shortlisted, as on the page."""

    shortlisted: int
    candidates: int


async def shortlist_count(session: AsyncSession, challenge_id: int) -> ShortlistCount:
    """The shortlist page's counter, without loading the ideas (one query)."""
    shortlisted = func.count().filter(Idea.status.in_(SHORTLISTED_STATUSES))
    row = (
        await session.execute(
            select(shortlisted, func.count()).where(
                Idea.challenge_id == challenge_id,
                Idea.status.in_(SHORTLIST_CANDIDATE_STATUSES),
            )
        )
    ).one()
    return ShortlistCount(shortlisted=int(row[0]), candidates=int(row[1]))


@dataclass(frozen=True)
class Listed:
    challenge: Challenge
    phase: Phase
    next_change: tuple[Phase, datetime] | None
    winners: Sequence[Idea] = ()


@dataclass(frozen=True)
class HomeListing:
    open: Sequence[Listed]
    closed: Sequence[Listed]
    drafts: Sequence[Listed]


async def for_home(session: AsyncSession, viewer: User | None, now: datetime) -> HomeListing:
    """Open rounds first (soonest deadline first), then closed ones; drafts only for their hosts."""
    challenges = (
        await session.scalars(select(Challenge).options(_WITH_HOSTS).order_by(Challenge.id))
    ).all()
    open_: list[Listed] = []
    closed: list[Listed] = []
    drafts: list[Listed] = []
    for challenge in challenges:
        if not may(Action.SEE_CHALLENGE, challenge, challenge_roles(viewer, challenge), now):
            continue
        phase = challenge.phase_at(now)
        listed = Listed(challenge, phase, next_change(challenge.schedule, phase, now))
        {Phase.DRAFT: drafts, Phase.CLOSED: closed}.get(phase, open_).append(listed)
    won = await winners(session, [item.challenge.id for item in closed])
    closed = [
        Listed(item.challenge, item.phase, None, won.get(item.challenge.id, [])) for item in closed
    ]
    far_future = datetime.max.replace(tzinfo=now.tzinfo)
    open_.sort(key=lambda item: item.next_change[1] if item.next_change else far_future)
    closed.sort(
        key=lambda item: item.challenge.closes_at or item.challenge.updated_at, reverse=True
    )
    return HomeListing(open=open_, closed=closed, drafts=drafts)


async def host_invitations_waiting(
    session: AsyncSession, challenge_id: int
) -> Sequence[HostInvitation]:
    """The challenge's open invitations to co-host, oldest first: shown by address only."""
    rows = await session.scalars(
        select(HostInvitation)
        .where(
            HostInvitation.challenge_id == challenge_id,
            HostInvitation.status == InvitationStatus.PENDING,
        )
        .order_by(HostInvitation.created_at, HostInvitation.id)
    )
    return rows.all()


async def host_invitations_of(session: AsyncSession, user_id: int) -> Sequence[HostInvitation]:
    """The invitations to co-host that reached ``user_id``, newest first, with their
    challenges and who sent them."""
    rows = await session.scalars(
        select(HostInvitation)
        .options(joinedload(HostInvitation.challenge), joinedload(HostInvitation.invited_by))
        .where(HostInvitation.user_id == user_id)
        .order_by(HostInvitation.created_at.desc(), HostInvitation.id.desc())
        .limit(100)
    )
    return rows.all()
