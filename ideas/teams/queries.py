"""Reading teams: the team page, a challenge's teams, a person's requests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ideas.accounts.models import Skill, User, UserSkill, UserStatus
from ideas.challenges.models import Challenge, ChallengeHost
from ideas.submissions.models import SHORTLISTED_STATUSES, Idea
from ideas.teams.models import (
    JoinRequest,
    RequestStatus,
    Team,
    TeamMember,
    TeamRole,
    TeamSeeker,
    TeamUpdate,
)

UPDATES_SHOWN = 30
REQUESTS_SHOWN = 100
SEEKERS_SHOWN = 100


async def team_idea(session: AsyncSession, team_id: int) -> Idea | None:
    """The idea a team works on, with what the policy needs (its challenge and hosts,
    co-authors, the team and members) and the team as its page shows it: lead,
    members, open roles with their skills."""
    idea: Idea | None = await session.scalar(
        select(Idea)
        .join(Team, Team.idea_id == Idea.id)
        .where(Team.id == team_id)
        .options(
            joinedload(Idea.author),
            joinedload(Idea.challenge).selectinload(Challenge.hosts).joinedload(ChallengeHost.user),
            selectinload(Idea.coauthors),
            selectinload(Idea.team).options(
                joinedload(Team.lead),
                selectinload(Team.members).joinedload(TeamMember.user),
                selectinload(Team.roles).selectinload(TeamRole.skills),
            ),
        )
        # Read again after a change in the same request: refresh what is already loaded.
        .execution_options(populate_existing=True)
    )
    return idea


async def updates(session: AsyncSession, team_id: int) -> Sequence[TeamUpdate]:
    """The team's latest updates, newest first, with their authors."""
    rows = await session.scalars(
        select(TeamUpdate)
        .options(joinedload(TeamUpdate.author))
        .where(TeamUpdate.team_id == team_id)
        .order_by(TeamUpdate.created_at.desc(), TeamUpdate.id.desc())
        .limit(UPDATES_SHOWN)
    )
    return rows.all()


async def open_requests(session: AsyncSession, team_id: int) -> Sequence[JoinRequest]:
    """Pending requests and invitations of a team, oldest first, with their people."""
    rows = await session.scalars(
        select(JoinRequest)
        .options(joinedload(JoinRequest.user))
        .where(JoinRequest.team_id == team_id, JoinRequest.status == RequestStatus.PENDING)
        .order_by(JoinRequest.created_at, JoinRequest.id)
    )
    return rows.all()


async def pending_of(session: AsyncSession, team_id: int, user_id: int) -> JoinRequest | None:
    """The person's open request to, or invitation from, this team."""
    pending: JoinRequest | None = await session.scalar(
        select(JoinRequest).where(
            JoinRequest.team_id == team_id,
            JoinRequest.user_id == user_id,
            JoinRequest.status == RequestStatus.PENDING,
        )
    )
    return pending


async def other_team_idea(
    session: AsyncSession, challenge_id: int, user_id: int, team_id: int
) -> Idea | None:
    """The idea of another team of the challenge the person is on, if any."""
    idea: Idea | None = await session.scalar(
        select(Idea)
        .join(Team, Team.idea_id == Idea.id)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(
            TeamMember.challenge_id == challenge_id,
            TeamMember.user_id == user_id,
            TeamMember.team_id != team_id,
        )
        .order_by(TeamMember.joined_at)
        .limit(1)
    )
    return idea


async def skill_names(session: AsyncSession, user_id: int) -> list[str]:
    """The skills on the person's profile, by name."""
    rows = await session.scalars(
        select(Skill.name)
        .join(UserSkill, UserSkill.skill_id == Skill.id)
        .where(UserSkill.user_id == user_id)
        .order_by(Skill.name)
    )
    return list(rows)


async def seekers(session: AsyncSession, challenge: Challenge, team_id: int) -> Sequence[User]:
    """People looking for a team in the challenge whom this team could invite: not on
    it (nor, where each joins one team, on any) and not asked or invited already."""
    member_of = TeamMember.team_id == team_id
    if challenge.one_team_per_participant:
        member_of = TeamMember.challenge_id == challenge.id
    rows = await session.scalars(
        select(User)
        .join(TeamSeeker, TeamSeeker.user_id == User.id)
        .where(
            TeamSeeker.challenge_id == challenge.id,
            User.status == UserStatus.ACTIVE,
            ~exists().where(TeamMember.user_id == User.id, member_of),
            ~exists().where(
                JoinRequest.user_id == User.id,
                JoinRequest.team_id == team_id,
                JoinRequest.status == RequestStatus.PENDING,
            ),
        )
        .order_by(User.display_name, User.id)
        .limit(SEEKERS_SHOWN)
    )
    return rows.all()


async def challenge_teams(session: AsyncSession, challenge_id: int) -> Sequence[tuple[Team, Idea]]:
    """Every team of a challenge whose idea is on the shortlist, with its lead and roles."""
    rows = await session.execute(
        select(Team, Idea)
        .join(Idea, Idea.id == Team.idea_id)
        .options(joinedload(Team.lead), selectinload(Team.roles).selectinload(TeamRole.skills))
        .where(Team.challenge_id == challenge_id, Idea.status.in_(SHORTLISTED_STATUSES))
        .order_by(Idea.title, Team.id)
    )
    return [(team, idea) for team, idea in rows.all()]


@dataclass(frozen=True)
class RequestRow:
    """One of a person's requests or invitations, with the idea and challenge it is for."""

    request: JoinRequest
    idea: Idea
    challenge: Challenge


def _requests_of(user_id: int) -> Select[JoinRequest, Idea, Challenge]:
    return (
        select(JoinRequest, Idea, Challenge)
        .join(JoinRequest.team)
        .join(Idea, Idea.id == Team.idea_id)
        .join(Challenge, Challenge.id == Team.challenge_id)
        .options(contains_eager(JoinRequest.team).joinedload(Team.lead))
        .where(JoinRequest.user_id == user_id)
    )


async def requests_of(session: AsyncSession, user_id: int) -> list[RequestRow]:
    """A person's requests and invitations across challenges, newest first."""
    rows = await session.execute(
        _requests_of(user_id)
        .order_by(JoinRequest.created_at.desc(), JoinRequest.id.desc())
        .limit(REQUESTS_SHOWN)
    )
    return [RequestRow(*row) for row in rows.all()]


async def request_of(session: AsyncSession, user_id: int, request_id: int) -> RequestRow | None:
    row = (await session.execute(_requests_of(user_id).where(JoinRequest.id == request_id))).first()
    return RequestRow(*row) if row is not None else None
