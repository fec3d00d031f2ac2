"""Demo data: the personas' own rounds, made through the services, one challenge in every
phase (the crowd that comes after them: test_demo_crowd.py)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import demo
from ideas.accounts.queries import development_personas
from ideas.challenges import queries as challenge_queries
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.db import utcnow
from ideas.impact import queries as impact_queries
from ideas.impact.models import ImpactStatus, Pledge
from ideas.submissions import lineage
from ideas.submissions.models import Idea
from ideas.teams import matching
from ideas.teams.models import (
    JoinRequest,
    RequestKind,
    RequestStatus,
    Team,
    TeamRole,
    TeamRoleSkill,
)


async def test_demo_has_a_challenge_in_every_phase_with_ideas_and_personas(
    session: AsyncSession,
) -> None:
    now = utcnow()
    assert await demo.is_empty(session)

    counts = await demo.load(session, now, crowd=False)

    challenges = (await session.scalars(select(Challenge))).all()
    assert {c.phase_at(now) for c in challenges} == set(Phase)
    ideas = await session.scalar(select(func.count()).select_from(Idea))
    assert counts == {"people": 7, "challenges": 6, "ideas": ideas}
    assert all(c.idea_count > 0 for c in challenges if c.phase_at(now) is not Phase.DRAFT)
    personas = await development_personas(session)
    assert [p.display_name for p in personas][:2] == ["Ada Okafor", "Hamid Rahimi"]
    assert not await demo.is_empty(session)


async def test_demo_teams_have_roles_members_requests_and_people_looking(
    session: AsyncSession,
) -> None:
    now = utcnow()
    await demo.load(session, now, crowd=False)

    challenge = await challenge_queries.by_slug(session, demo.TEAMS_SLUG)
    assert challenge is not None
    assert challenge.phase_at(now) is Phase.TEAMS
    teams = (await session.scalars(select(Team).where(Team.challenge_id == challenge.id))).all()
    assert len(teams) == 2
    assert sorted(team.member_count for team in teams) == [1, 2]
    roles = (
        await session.scalars(select(TeamRole).join(Team).where(Team.challenge_id == challenge.id))
    ).all()
    assert len(roles) == 4
    role_skills = await session.scalar(select(func.count()).select_from(TeamRoleSkill))
    assert role_skills is not None
    assert role_skills >= 4
    kinds = (
        await session.scalars(
            select(JoinRequest.kind).where(JoinRequest.status == RequestStatus.PENDING)
        )
    ).all()
    assert sorted(kinds) == [RequestKind.INVITATION, RequestKind.REQUEST]
    looking = await matching.seekers(session, challenge)
    assert len(looking.seekers) == 3
    assert all(seeker.user.skills for seeker in looking.seekers)
    suggestion = await matching.propose(session, challenge)
    assert len(suggestion.placements) == 3
    for team in teams:
        assert await matching.suggested_people(session, team)


async def test_demo_closed_round_has_progress_pledges_and_a_follow_up(
    session: AsyncSession,
) -> None:
    now = utcnow()
    await demo.load(session, now, crowd=False)

    challenge = await challenge_queries.by_slug(session, demo.IMPACT_SLUG)
    assert challenge is not None
    progress = await impact_queries.progress_in(session, challenge.id)
    assert [len(p.updates) for p in progress] == [4, 1]
    latest = progress[0].latest
    assert latest is not None
    assert latest.status is ImpactStatus.IMPLEMENTED
    pledges = (await session.scalars(select(Pledge).order_by(Pledge.id))).all()
    assert [p.met_at is not None for p in pledges if p.condition] == [True, False]
    # The follow-up round is a draft: its hosts see it, a visitor does not.
    host = challenge.hosts[0].user
    rounds = await impact_queries.rounds_around(session, challenge.id, viewer=host, now=now)
    assert [c.title for c in rounds.after] == [demo.FOLLOW_UP_TITLE]
    seen = await impact_queries.rounds_around(session, challenge.id, viewer=None, now=now)
    assert seen.after == []
    carried = await session.scalar(select(Idea).where(Idea.challenge_id == rounds.after[0].id))
    assert carried is not None
    family = await lineage.family(session, carried.id, viewer=host, now=now)
    assert {i.challenge_id for i in family.ideas.values()} == {challenge.id, rounds.after[0].id}
