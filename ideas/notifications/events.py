"""Who hears of what: one function per event, called inside the event's transaction.

Each service calls one of these at the end of its write transaction; it works
out the recipients and calls ``notify``. Scheduled phase changes happen by the
clock with nothing to call, so ``announce_phases`` (run by the worker) notices
them: it tells the challenge's followers, and its open pages as a host's switch
does (``ideas.live``); the audit log records what was announced, so each change
is told once, however many workers run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import audit, policy
from ideas.audit import AuditEntry
from ideas.challenges.models import Challenge
from ideas.challenges.phases import SCHEDULED_PHASES, Phase
from ideas.comments.models import Comment
from ideas.db import Database, write
from ideas.live import events as live
from ideas.notifications.models import ChallengeFollow, IdeaFollow, Notification
from ideas.notifications.services import follow_in, notify
from ideas.submissions import lineage
from ideas.submissions.models import Idea, IdeaCoauthor
from ideas.teams.models import JoinRequest, RequestKind, RequestStatus, Team

VOTE_MILESTONES = (10, 50, 100, 500, 1000)
EXCERPT_CHARS = 280
# A phase that began longer ago than this is old news: it is not announced late.
PHASE_NEWS_HORIZON = timedelta(days=1)
PHASE_ANNOUNCED = "challenge.phase.announce"


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1].rstrip() + "…"


async def _authors(tx: AsyncSession, idea_ids: Iterable[int]) -> set[int]:
    """The authors and co-authors of these ideas."""
    ids = set(idea_ids)
    if not ids:
        return set()
    authors = set(await tx.scalars(select(Idea.author_id).where(Idea.id.in_(ids))))
    authors |= set(
        await tx.scalars(select(IdeaCoauthor.user_id).where(IdeaCoauthor.idea_id.in_(ids)))
    )
    return authors


def _about(idea: Idea, **more: Any) -> dict[str, Any]:
    return {"idea_title": idea.title, **more}


# Ideas -----------------------------------------------------------------------------


async def _authored_titles(tx: AsyncSession, idea_ids: Iterable[int]) -> dict[int, list[str]]:
    """For each author and co-author of these ideas, the titles of theirs among them."""
    ids = set(idea_ids)
    rows = [
        *await tx.execute(select(Idea.author_id, Idea.id, Idea.title).where(Idea.id.in_(ids))),
        *await tx.execute(
            select(IdeaCoauthor.user_id, Idea.id, Idea.title)
            .join(Idea, Idea.id == IdeaCoauthor.idea_id)
            .where(IdeaCoauthor.idea_id.in_(ids))
        ),
    ]
    titles: dict[int, dict[int, str]] = defaultdict(dict)
    for user_id, idea_id, title in rows:
        titles[user_id][idea_id] = title
    return {user_id: [ideas[i] for i in sorted(ideas)] for user_id, ideas in titles.items()}


async def on_idea_posted(
    tx: AsyncSession, *, idea: Idea, parent_ids: Sequence[int], now: datetime
) -> None:
    """The author follows their new idea; the authors of the ideas it builds on hear of it,
    each told which of their ideas it builds on (``built_on``: their titles)."""
    await follow_in(tx, user_id=idea.author_id, idea_id=idea.id, now=now)
    if not parent_ids:
        return
    told: dict[tuple[str, ...], set[int]] = defaultdict(set)
    for user_id, theirs in (await _authored_titles(tx, parent_ids)).items():
        told[tuple(theirs)].add(user_id)
    for titles, user_ids in told.items():
        await notify(
            tx,
            user_ids=user_ids,
            kind="idea.built_on",
            actor_id=idea.author_id,
            challenge_id=idea.challenge_id,
            idea_id=idea.id,
            data=_about(idea, parent_ids=sorted(set(parent_ids)), built_on=list(titles)),
            now=now,
        )


async def on_comment_posted(
    tx: AsyncSession, *, comment: Comment, replied_to: int | None, now: datetime
) -> None:
    """A reply tells the author of the comment answered (and of its thread); every comment
    tells the idea's authors and followers. Nobody hears twice of one comment."""
    idea = await tx.get(Idea, comment.idea_id)
    if idea is None:
        return
    excerpt = _excerpt(comment.body)
    data = _about(idea, comment_id=comment.id, excerpt=excerpt)
    answered: set[int] = set()
    thread_ids = {cid for cid in (replied_to, comment.parent_id) if cid is not None}
    if thread_ids:
        answered = set(
            await tx.scalars(select(Comment.author_id).where(Comment.id.in_(thread_ids)))
        )
        await notify(
            tx,
            user_ids=answered,
            kind="comment.replied",
            actor_id=comment.author_id,
            challenge_id=idea.challenge_id,
            idea_id=idea.id,
            data=data,
            now=now,
        )
    followers = set(
        await tx.scalars(select(IdeaFollow.user_id).where(IdeaFollow.idea_id == idea.id))
    )
    await notify(
        tx,
        user_ids=(await _authors(tx, [idea.id]) | followers) - answered,
        kind="idea.commented",
        actor_id=comment.author_id,
        challenge_id=idea.challenge_id,
        idea_id=idea.id,
        data=data,
        now=now,
    )


async def on_idea_shortlisted(
    tx: AsyncSession, *, idea: Idea, actor_id: int, now: datetime
) -> None:
    await notify(
        tx,
        user_ids=await _authors(tx, [idea.id]),
        kind="idea.shortlisted",
        actor_id=actor_id,
        challenge_id=idea.challenge_id,
        idea_id=idea.id,
        data=_about(idea, note=idea.shortlist_note),
        now=now,
    )


async def on_idea_won(tx: AsyncSession, *, idea: Idea, actor_id: int, now: datetime) -> None:
    await notify(
        tx,
        user_ids=await _authors(tx, [idea.id]),
        kind="idea.won",
        actor_id=actor_id,
        challenge_id=idea.challenge_id,
        idea_id=idea.id,
        data=_about(idea, citation=idea.citation),
        now=now,
    )


# ---- Called from ideas/voting/services.py after a vote moved the count, once it committed ----
_VOTES_TOLD = select(Notification.data).where(
    Notification.kind == "idea.votes", Notification.idea_id == bindparam("idea_id", type_=Integer)
)


def _told(told: Iterable[dict[str, Any] | None], count: int) -> bool:
    return any((data or {}).get("count") == count for data in told)


def is_vote_milestone(count: int) -> bool:
    return count in VOTE_MILESTONES


async def on_vote_cast(tx: AsyncSession, idea_id: int, new_count: int, now: datetime) -> None:
    """At 10, 50, 100, 500 and 1000 votes the idea's authors hear of it, once per milestone
    (a vote withdrawn and cast again does not tell them twice). Voters stay unnamed.

    Called in a transaction after the vote's own: the idea's row is locked first, so
    that two votes that reached the same count one after the other are told one after
    the other, the second seeing the first's notice (on SQLite the write lock does it).
    """
    if not is_vote_milestone(new_count):
        return
    idea = await tx.get(Idea, idea_id, with_for_update=True)
    if idea is None:
        return
    if _told(await tx.scalars(_VOTES_TOLD, {"idea_id": idea_id}), new_count):
        return
    await notify(
        tx,
        user_ids=await _authors(tx, [idea.id]),
        kind="idea.votes",
        actor_id=None,
        challenge_id=idea.challenge_id,
        idea_id=idea.id,
        data=_about(idea, count=new_count),
        now=now,
    )


# ---- Called from ideas/teams/services.py after a request or invitation is made or answered ----
async def on_team_event(
    tx: AsyncSession, *, request: JoinRequest, actor_id: int | None, now: datetime
) -> None:
    """A new request tells the lead; a new invitation tells the invitee; an answer
    (accepted or declined) tells the other side. Withdrawn and expired ones tell nobody."""
    team = await tx.get(Team, request.team_id)
    if team is None:
        return
    idea = await tx.get(Idea, team.idea_id)
    data: dict[str, Any] = {
        "team_id": team.id,
        "request_id": request.id,
        "idea_title": idea.title if idea is not None else "",
    }
    asked = request.kind is RequestKind.REQUEST
    if request.status is RequestStatus.PENDING:
        kind = "team.request" if asked else "team.invitation"
        recipient = team.lead_id if asked else request.user_id
        data["message"] = _excerpt(request.message or "")
    elif request.status in (RequestStatus.ACCEPTED, RequestStatus.DECLINED):
        kind = "team.answer"
        recipient = request.user_id if asked else team.lead_id
        data.update(
            answer=request.status.value, asked=request.kind.value, reason=request.reason or ""
        )
    else:
        return
    await notify(
        tx,
        user_ids=[recipient],
        kind=kind,
        actor_id=actor_id,
        challenge_id=team.challenge_id,
        idea_id=team.idea_id,
        data=data,
        now=now,
    )


# Phases ----------------------------------------------------------------------------


def _phase_data(challenge: Challenge, before: Phase, after: Phase) -> dict[str, Any]:
    return {
        "challenge_title": challenge.title,
        "challenge_slug": challenge.slug,
        "phase": after.value,
        "before": before.value,
    }


async def _followers(tx: AsyncSession, challenge_id: int) -> list[int]:
    return list(
        await tx.scalars(
            select(ChallengeFollow.user_id).where(ChallengeFollow.challenge_id == challenge_id)
        )
    )


async def on_phase_switched(
    tx: AsyncSession, *, challenge: Challenge, before: Phase, actor_id: int, now: datetime
) -> None:
    """A host switched the phase by hand: the challenge's followers hear of it at once."""
    after = challenge.phase_at(now)
    await notify(
        tx,
        user_ids=await _followers(tx, challenge.id),
        kind="challenge.phase",
        actor_id=actor_id,
        challenge_id=challenge.id,
        data=_phase_data(challenge, before, after),
        now=now,
    )


def phase_began_at(challenge: Challenge, now: datetime) -> datetime | None:
    """When the phase the challenge is in at ``now`` began; None while in draft."""
    phase = challenge.phase_at(now)
    switch = challenge.hand_switch
    if switch is not None and switch.at <= now and switch.phase is phase:
        overtaken = any(
            (start := challenge.schedule.start_of(later)) is not None and switch.at < start <= now
            for later in SCHEDULED_PHASES
            if later.order > switch.phase.order
        )
        if not overtaken:
            return switch.at
    return challenge.schedule.start_of(phase)


async def _announced_since(tx: AsyncSession, challenge_ids: Sequence[int]) -> dict[int, datetime]:
    """For each challenge, the last time a phase change of it was told (by hand or here)."""
    if not challenge_ids:
        return {}
    rows = await tx.execute(
        select(AuditEntry.challenge_id, func.max(AuditEntry.at))
        .where(
            AuditEntry.challenge_id.in_(challenge_ids),
            AuditEntry.action.in_(("challenge.phase", PHASE_ANNOUNCED)),
        )
        .group_by(AuditEntry.challenge_id)
    )
    return {challenge_id: at for challenge_id, at in rows if challenge_id is not None}


async def announce_phases(database: Database, now: datetime) -> int:
    """Tell the followers and the open pages of each challenge whose phase began by the
    clock since it was last announced. Returns how many phase changes were announced.

    Only challenges with a scheduled start in the last ``PHASE_NEWS_HORIZON`` are read."""
    recent = now - PHASE_NEWS_HORIZON
    starts = (
        Challenge.ideas_opens_at,
        Challenge.review_opens_at,
        Challenge.teams_opens_at,
        Challenge.closes_at,
    )
    async with database.session() as session:
        candidates = list(
            await session.scalars(
                select(Challenge).where(or_(*(start.between(recent, now) for start in starts)))
            )
        )
        last = await _announced_since(session, [c.id for c in candidates])
        due = [
            challenge.id
            for challenge in candidates
            if (began := phase_began_at(challenge, now)) is not None
            and now - began < PHASE_NEWS_HORIZON
            and (challenge.id not in last or last[challenge.id] < began)
        ]
        announced = 0
        for challenge_id in due:
            async with write(session) as tx:
                announced += await _announce(tx, challenge_id, now)
    return announced


async def _announce(tx: AsyncSession, challenge_id: int, now: datetime) -> int:
    # The lock, and the second look under it, keep two workers from telling it twice.
    challenge = await tx.get(Challenge, challenge_id, with_for_update=True)
    if challenge is None:
        return 0
    began = phase_began_at(challenge, now)
    if began is None:
        return 0
    last = (await _announced_since(tx, [challenge_id])).get(challenge_id)
    if last is not None and last >= began:
        return 0
    after = challenge.phase_at(now)
    before = challenge.phase_at(began - timedelta(microseconds=1))
    # Open pages hear of it only when the challenge was or is public (``policy``).
    live.phase_switched(tx, challenge_id=challenge_id, before=before, after=after)
    if policy.may_announce(before) != policy.may_announce(after):
        # Opened to everyone (or back to its draft): its ideas count in the lineage now.
        await lineage.recount_around(tx, challenge_id, now)
    await notify(
        tx,
        user_ids=await _followers(tx, challenge_id),
        kind="challenge.phase",
        actor_id=None,
        challenge_id=challenge_id,
        data=_phase_data(challenge, before, after),
        now=now,
    )
    audit.record(
        tx,
        actor_id=None,
        action=PHASE_ANNOUNCED,
        subject_type="challenge",
        subject_id=challenge_id,
        challenge_id=challenge_id,
        at=now,
        phase=after.value,
    )
    return 1


# Duplicate clusters ------------------------------------------------------------------


async def on_cluster_requested(
    tx: AsyncSession,
    *,
    idea: Idea,
    other_idea: Idea,
    request_id: int,
    actor_id: int,
    now: datetime,
) -> None:
    """The authors of the idea asked for hear that someone asks to group it with theirs."""
    await notify(
        tx,
        user_ids=await _authors(tx, [other_idea.id]),
        kind="cluster.request",
        actor_id=actor_id,
        challenge_id=other_idea.challenge_id,
        idea_id=other_idea.id,
        data=_about(other_idea, other_title=idea.title, request_id=request_id),
        now=now,
    )


async def on_cluster_answered(
    tx: AsyncSession, *, idea: Idea, other_idea: Idea, accepted: bool, actor_id: int, now: datetime
) -> None:
    """Whoever asked hears the answer, on their own idea."""
    await notify(
        tx,
        user_ids=await _authors(tx, [idea.id]),
        kind="cluster.answer",
        actor_id=actor_id,
        challenge_id=idea.challenge_id,
        idea_id=idea.id,
        data=_about(
            idea, other_title=other_idea.title, answer="accepted" if accepted else "declined"
        ),
        now=now,
    )


async def on_ideas_grouped(
    tx: AsyncSession, *, ideas: Sequence[Idea], actor_id: int, now: datetime
) -> None:
    """The authors of ideas a host grouped hear of it, on each of their ideas."""
    for idea in ideas:
        others = [other.title for other in ideas if other.id != idea.id]
        await notify(
            tx,
            user_ids=await _authors(tx, [idea.id]),
            kind="idea.clustered",
            actor_id=actor_id,
            challenge_id=idea.challenge_id,
            idea_id=idea.id,
            data=_about(idea, others=others),
            now=now,
        )
