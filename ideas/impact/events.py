"""Who hears of what happens after a round; called inside each event's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.challenges.models import Challenge
from ideas.impact.models import CheckIn, ImpactUpdate, Pledge
from ideas.notifications.models import ChallengeFollow, IdeaFollow
from ideas.notifications.services import notify
from ideas.submissions.models import Idea, IdeaStatus
from ideas.teams.models import Team, TeamMember


async def on_update(tx: AsyncSession, *, update: ImpactUpdate, idea: Idea, now: datetime) -> None:
    """Followers of the idea and of its challenge hear of a team's progress; the team
    knows already."""
    followers = set(
        await tx.scalars(select(IdeaFollow.user_id).where(IdeaFollow.idea_id == idea.id))
    )
    followers |= set(
        await tx.scalars(
            select(ChallengeFollow.user_id).where(
                ChallengeFollow.challenge_id == update.challenge_id
            )
        )
    )
    followers -= set(
        await tx.scalars(select(TeamMember.user_id).where(TeamMember.team_id == update.team_id))
    )
    await notify(
        tx,
        user_ids=followers,
        kind="impact.update",
        actor_id=update.author_id,
        challenge_id=update.challenge_id,
        idea_id=idea.id,
        data={"idea_title": idea.title, "status": update.status.value, "update_id": update.id},
        now=now,
    )


async def remind_teams(
    tx: AsyncSession, *, check_in: CheckIn, due: date, since: datetime | None, now: datetime
) -> int:
    """The members of every team of the round that has posted nothing since ``since``
    (ever, for the first check-in) are reminded of the check-in ``due`` (its date in the
    round's zone). Returns how many teams were."""
    teams = (
        await tx.execute(
            select(Team.id, Idea.id, Idea.title)
            .join(Idea, Idea.id == Team.idea_id)
            .where(
                Team.challenge_id == check_in.challenge_id,
                Idea.status.in_((IdeaStatus.SHORTLISTED, IdeaStatus.WINNER)),
            )
            .order_by(Team.id)
        )
    ).all()
    posted = select(ImpactUpdate.team_id).where(ImpactUpdate.challenge_id == check_in.challenge_id)
    if since is not None:
        posted = posted.where(ImpactUpdate.created_at > since)
    quiet = [row for row in teams if row[0] not in set(await tx.scalars(posted))]
    for team_id, idea_id, title in quiet:
        members = await tx.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team_id))
        await notify(
            tx,
            user_ids=list(members),
            kind="impact.check_in",
            actor_id=None,
            challenge_id=check_in.challenge_id,
            idea_id=idea_id,
            data={"idea_title": title, "due": due.isoformat()},
            now=now,
        )
    return len(quiet)


async def on_pledges_met(
    tx: AsyncSession, *, team: Team, met: Sequence[Pledge], actor_id: int, now: datetime
) -> None:
    """The people whose conditions were met, the one whose pledge met them, and the lead
    hear of it, once: the pledges were waiting until now."""
    idea = await tx.get(Idea, team.idea_id)
    data: dict[str, Any] = {
        "team_id": team.id,
        "idea_title": idea.title if idea is not None else "",
        "pledges": len(met),
    }
    people = {pledge.user_id for pledge in met} | {actor_id, team.lead_id}
    # The actor is told too: their pledge is what met the others' condition.
    await notify(
        tx,
        user_ids=people,
        kind="pledge.met",
        actor_id=None,
        challenge_id=team.challenge_id,
        idea_id=team.idea_id,
        data=data,
        now=now,
    )


async def on_follow_up(
    tx: AsyncSession,
    *,
    source: Challenge,
    follow: Challenge,
    carried: Sequence[tuple[Idea, Idea]],
    actor_id: int,
    now: datetime,
) -> None:
    """The team of each carried idea is invited to carry on in the new round."""
    for original, idea in carried:
        team_id = await tx.scalar(select(Team.id).where(Team.idea_id == original.id))
        if team_id is None:
            continue
        members = await tx.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team_id))
        await notify(
            tx,
            user_ids=list(members),
            kind="impact.follow_up",
            actor_id=actor_id,
            challenge_id=follow.id,
            idea_id=idea.id,
            data={"idea_title": idea.title, "from_title": source.title},
            now=now,
        )
