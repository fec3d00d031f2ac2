"""Team matching: people looking for a team, their rankings of teams, and the host's
suggested assignment of people to teams.

Services (one write transaction each) come first, then the reads. Skills are
matched by ``Skill.key``, the case-folded name: a skill is one row per key, so
comparing skill ids compares keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, delete, exists, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from ideas import audit, policy
from ideas.accounts.models import Skill, User, UserSkill, UserStatus
from ideas.challenges import queries as challenge_queries
from ideas.challenges.models import Challenge
from ideas.db import write
from ideas.errors import Conflict, Invalid, NotFound
from ideas.i18n import _, lazy_gettext
from ideas.policy import Action
from ideas.submissions.models import SHORTLISTED_STATUSES, Idea
from ideas.teams import assignment
from ideas.teams.membership import is_on_a_team, join, lock_team
from ideas.teams.models import (
    JoinRequest,
    RequestStatus,
    Team,
    TeamMember,
    TeamPreference,
    TeamRole,
    TeamRoleSkill,
    TeamSeeker,
)

NOTE_MAX = 300
# The form fields of a ranking, first choice first; their order is the rank.
CHOICE_FIELDS = ("first", "second", "third")
SUGGESTIONS_MAX = 10
SEEKERS_MAX = 100
ON_A_TEAM = lazy_gettext("You are already on a team in this challenge.")


# Services ----------------------------------------------------------------------


async def _lock_person(tx: AsyncSession, user_id: int) -> None:
    """Serialise one person's team changes in a challenge (``join`` takes the same lock)."""
    await tx.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))


async def _challenge(
    tx: AsyncSession, challenge_id: int, action: Action, actor_id: int, now: datetime
) -> Challenge:
    """The challenge, once ``policy`` lets ``actor_id`` do ``action`` there at ``now``."""
    challenge = await challenge_queries.for_policy(tx, challenge_id)
    if challenge is None:
        raise NotFound()
    roles = policy.challenge_roles(await tx.get(User, actor_id), challenge)
    policy.check(action, challenge, roles, now)
    return challenge


async def start_looking(
    session: AsyncSession, *, challenge_id: int, user_id: int, note: str, now: datetime
) -> None:
    """Flag the person as looking for a team in the challenge, or change their note."""
    async with write(session) as tx:
        await _lock_person(tx, user_id)
        challenge = await _challenge(tx, challenge_id, Action.JOIN_TEAM, user_id, now)
        if challenge.one_team_per_participant and await is_on_a_team(tx, challenge_id, user_id):
            raise Conflict(ON_A_TEAM)
        seeker = await tx.get(TeamSeeker, (challenge_id, user_id))
        if seeker is None:
            tx.add(
                TeamSeeker(challenge_id=challenge_id, user_id=user_id, note=note, created_at=now)
            )
        else:
            seeker.note = note


async def stop_looking(session: AsyncSession, *, challenge_id: int, user_id: int) -> None:
    """Lower the person's flag, in any phase: it only removes what they said."""
    async with write(session) as tx:
        await tx.execute(
            delete(TeamSeeker).where(
                TeamSeeker.challenge_id == challenge_id, TeamSeeker.user_id == user_id
            )
        )


async def save_preferences(
    session: AsyncSession,
    *,
    challenge_id: int,
    user_id: int,
    team_ids: Sequence[int],
    now: datetime,
) -> None:
    """Replace the person's ranking with ``team_ids``, first choice first (none clears it).

    Raises Invalid, keyed by the choice's form field, for a team that is not one
    of this challenge's; Conflict for someone already on a team when the
    challenge allows one team each.
    """
    if len(team_ids) > len(CHOICE_FIELDS) or len(set(team_ids)) != len(team_ids):
        raise ValueError("a ranking holds up to three different teams")
    async with write(session) as tx:
        await _lock_person(tx, user_id)
        challenge = await _challenge(tx, challenge_id, Action.JOIN_TEAM, user_id, now)
        if challenge.one_team_per_participant and await is_on_a_team(tx, challenge_id, user_id):
            raise Conflict(ON_A_TEAM)
        open_teams = set(
            await tx.scalars(
                select(Team.id)
                .join(Idea, Idea.id == Team.idea_id)
                .where(
                    Team.id.in_(team_ids),
                    Team.challenge_id == challenge_id,
                    Idea.status.in_(SHORTLISTED_STATUSES),
                )
            )
        )
        own_teams = set(
            await tx.scalars(
                select(TeamMember.team_id).where(
                    TeamMember.challenge_id == challenge_id, TeamMember.user_id == user_id
                )
            )
        )
        errors: dict[str, str] = {}
        for name, team_id in zip(CHOICE_FIELDS, team_ids, strict=False):
            if team_id not in open_teams:
                errors[name] = _("Choose one of this challenge's teams.")
            elif team_id in own_teams:
                errors[name] = _("You are already on this team.")
        if errors:
            raise Invalid(errors)
        await tx.execute(
            delete(TeamPreference).where(
                TeamPreference.challenge_id == challenge_id, TeamPreference.user_id == user_id
            )
        )
        tx.add_all(
            TeamPreference(challenge_id=challenge_id, user_id=user_id, team_id=team_id, rank=rank)
            for rank, team_id in enumerate(team_ids, start=1)
        )


class Skip(StrEnum):
    """Why a placement of a suggestion was not applied."""

    JOINED = "joined"  # the person joined a team meanwhile
    FULL = "full"  # the team filled meanwhile


@dataclass(frozen=True)
class Applied:
    placed: list[tuple[int, int]] = field(default_factory=list)  # (user id, team id)
    skipped: list[tuple[int, int, Skip]] = field(default_factory=list)


async def apply_placements(
    session: AsyncSession,
    *,
    challenge_id: int,
    placements: Mapping[int, int],
    actor_id: int,
    now: datetime,
) -> Applied:
    """Put each person (user id) on their team (team id), in one write transaction.

    One transaction for the whole suggestion, so the host's confirmation is
    applied at once and audited once. ``join`` locks a team, then the person;
    here every team is locked first, in order of id, then the people are
    joined in order of id, so the locks are still taken in one global order
    (teams before people, each by id) and cannot deadlock with a lead
    accepting someone at the same moment. Anyone who joined a team meanwhile,
    or whose team filled meanwhile, is skipped and reported.
    """
    applied = Applied()
    if not placements:
        return applied
    async with write(session) as tx:
        challenge = await _challenge(tx, challenge_id, Action.SUGGEST_TEAMS, actor_id, now)
        teams: dict[int, Team] = {}
        for team_id in sorted(set(placements.values())):
            team = await lock_team(tx, team_id)
            if team.challenge_id != challenge_id:
                raise NotFound()
            teams[team_id] = team
        for user_id, team_id in sorted(placements.items()):
            team = teams[team_id]
            try:
                await join(tx, team=team, user_id=user_id, now=now)
            except Conflict:
                on_team = await tx.get(TeamMember, (team_id, user_id)) is not None or (
                    challenge.one_team_per_participant
                    and await is_on_a_team(tx, challenge_id, user_id)
                )
                applied.skipped.append((user_id, team_id, Skip.JOINED if on_team else Skip.FULL))
            else:
                applied.placed.append((user_id, team_id))
        audit.record(
            tx,
            actor_id=actor_id,
            action="team.suggestion.apply",
            subject_type="challenge",
            subject_id=challenge_id,
            challenge_id=challenge_id,
            at=now,
            placed=[{"user_id": u, "team_id": t} for u, t in applied.placed],
            skipped=[{"user_id": u, "team_id": t, "why": w.value} for u, t, w in applied.skipped],
        )
    return applied


async def apply_suggestion(
    session: AsyncSession, *, challenge: Challenge, actor_id: int, now: datetime
) -> Applied:
    """Work the suggestion out again from what is saved now, and apply it."""
    suggestion = await propose(session, challenge)
    return await apply_placements(
        session,
        challenge_id=challenge.id,
        placements=suggestion.placements,
        actor_id=actor_id,
        now=now,
    )


# Reads: teams ------------------------------------------------------------------


@dataclass(frozen=True)
class TeamOption:
    """A team people can rank and join: its idea is still on the shortlist (or won)."""

    team: Team
    idea: Idea
    capacity: int

    @property
    def free_seats(self) -> int:
        return max(self.capacity - self.team.member_count, 0)

    @property
    def is_full(self) -> bool:
        return self.free_seats == 0


async def team_options(session: AsyncSession, challenge: Challenge) -> list[TeamOption]:
    """The challenge's teams with their ideas and leads, in the order they formed. One query."""
    rows = await session.execute(
        select(Team, Idea)
        .join(Idea, Idea.id == Team.idea_id)
        .options(joinedload(Team.lead))
        .where(Team.challenge_id == challenge.id, Idea.status.in_(SHORTLISTED_STATUSES))
        .order_by(Team.id)
    )
    return [TeamOption(team, idea, challenge.team_capacity) for team, idea in rows]


async def teams_of_person(session: AsyncSession, challenge_id: int, user_id: int) -> set[int]:
    """The ids of the teams ``user_id`` is on in the challenge. One query."""
    return set(
        await session.scalars(
            select(TeamMember.team_id).where(
                TeamMember.challenge_id == challenge_id, TeamMember.user_id == user_id
            )
        )
    )


async def ranking_of(session: AsyncSession, challenge_id: int, user_id: int) -> list[int]:
    """The person's ranked team ids, first choice first. One query."""
    return list(
        await session.scalars(
            select(TeamPreference.team_id)
            .where(TeamPreference.challenge_id == challenge_id, TeamPreference.user_id == user_id)
            .order_by(TeamPreference.rank)
        )
    )


def _not_placed_elsewhere(challenge_id: int) -> Any:
    """The person of the TeamSeeker row is free to join: not on a team, unless the
    challenge lets people be on several."""
    on_a_team = exists().where(
        TeamMember.challenge_id == challenge_id, TeamMember.user_id == TeamSeeker.user_id
    )
    return or_(Challenge.one_team_per_participant.is_(False), not_(on_a_team))


# Reads: people looking for a team ------------------------------------------------


@dataclass(frozen=True)
class Seeker:
    user: User  # with ``skills`` loaded
    note: str
    since: datetime


@dataclass(frozen=True)
class SeekerList:
    seekers: list[Seeker]
    total: int


async def seekers(session: AsyncSession, challenge: Challenge) -> SeekerList:
    """People looking for a team in the challenge, latest first, with their skills.

    Someone who meanwhile joined a team (where one team each is the rule) is no
    longer listed. At most ``SEEKERS_MAX``; ``total`` counts them all. Two
    queries, three when there are more than ``SEEKERS_MAX``.
    """
    base = (
        select(TeamSeeker, User)
        .join(User, User.id == TeamSeeker.user_id)
        .join(Challenge, Challenge.id == TeamSeeker.challenge_id)
        .where(
            TeamSeeker.challenge_id == challenge.id,
            User.status == UserStatus.ACTIVE,
            _not_placed_elsewhere(challenge.id),
        )
    )
    rows = await session.execute(
        base.options(selectinload(User.skills))
        .order_by(TeamSeeker.created_at.desc(), TeamSeeker.user_id)
        .limit(SEEKERS_MAX)
    )
    listed = [Seeker(user, seeker.note, seeker.created_at) for seeker, user in rows]
    total = len(listed)
    if total == SEEKERS_MAX:
        counted = await session.scalar(select(func.count()).select_from(base.subquery()))
        total = int(counted or total)
    return SeekerList(listed, total)


async def _skills_of(
    session: AsyncSession, user_ids: Sequence[int], among: Any = None
) -> dict[int, list[Skill]]:
    """Each person's skills by name, only those whose id is ``among`` (a subquery) if given.

    One query.
    """
    if not user_ids:
        return {}
    query = (
        select(UserSkill.user_id, Skill)
        .join(Skill, Skill.id == UserSkill.skill_id)
        .where(UserSkill.user_id.in_(user_ids))
        .order_by(Skill.key)
    )
    if among is not None:
        query = query.where(Skill.id.in_(among))
    found: dict[int, list[Skill]] = {}
    for user_id, skill in await session.execute(query):
        found.setdefault(user_id, []).append(skill)
    return found


async def seeker_of(session: AsyncSession, challenge_id: int, user_id: int) -> TeamSeeker | None:
    """The person's own "looking for a team" flag in the challenge, if they raised it."""
    seeker: TeamSeeker | None = await session.scalar(
        select(TeamSeeker).where(
            TeamSeeker.challenge_id == challenge_id, TeamSeeker.user_id == user_id
        )
    )
    return seeker


async def skills_of(session: AsyncSession, user_id: int) -> list[Skill]:
    """A person's profile skills by name. One query."""
    return (await _skills_of(session, [user_id])).get(user_id, [])


# Reads: matching skills to open roles ---------------------------------------------


@dataclass(frozen=True)
class RoleMatch:
    role: TeamRole
    skills: list[Skill]  # the role's skills the person has


@dataclass(frozen=True)
class TeamMatch:
    option: TeamOption
    roles: list[RoleMatch]

    @property
    def skills(self) -> list[Skill]:
        """The person's skills any of the team's open roles asks for, by name."""
        distinct = {skill.id: skill for match in self.roles for skill in match.skills}
        return sorted(distinct.values(), key=lambda skill: skill.key)


def _open_role_skills(team_ids: Any) -> Any:
    """Ids of the skills the open roles of the teams ``team_ids`` ask for (a subquery)."""
    return (
        select(TeamRoleSkill.skill_id)
        .join(TeamRole, TeamRole.id == TeamRoleSkill.role_id)
        .where(TeamRole.team_id.in_(team_ids), TeamRole.filled_by_id.is_(None))
    )


async def teams_for(session: AsyncSession, challenge: Challenge, user_id: int) -> list[TeamMatch]:
    """Teams with a free seat whose open roles ask for skills the person has, best match first.

    The best match shares the most skills with the team's open roles, then
    with the most roles; teams the person is on are left out. Three queries.
    """
    options = [o for o in await team_options(session, challenge) if not o.is_full]
    if not options:
        return []
    own = await teams_of_person(session, challenge.id, user_id)
    options = [o for o in options if o.team.id not in own]
    by_team = {o.team.id: o for o in options}
    rows = await session.execute(
        select(TeamRole, Skill)
        .join(TeamRoleSkill, TeamRoleSkill.role_id == TeamRole.id)
        .join(Skill, Skill.id == TeamRoleSkill.skill_id)
        .join(UserSkill, and_(UserSkill.skill_id == Skill.id, UserSkill.user_id == user_id))
        .where(TeamRole.team_id.in_(list(by_team)), TeamRole.filled_by_id.is_(None))
        .order_by(TeamRole.id, Skill.key)
    )
    roles: dict[int, RoleMatch] = {}
    for role, skill in rows:
        roles.setdefault(role.id, RoleMatch(role, [])).skills.append(skill)
    per_team: dict[int, list[RoleMatch]] = {}
    for match in roles.values():
        per_team.setdefault(match.role.team_id, []).append(match)
    found = [TeamMatch(by_team[team_id], matches) for team_id, matches in per_team.items()]
    return sorted(found, key=lambda m: (-len(m.skills), -len(m.roles), m.option.team.id))


@dataclass(frozen=True)
class Suggestion:
    """Someone looking for a team whose skills an open role of the team asks for."""

    user: User
    note: str
    skills: list[Skill]  # the matching ones, by name
    pending: bool  # a request or invitation between them and the team is open


async def suggested_people(session: AsyncSession, team: Team) -> list[Suggestion]:
    """People looking for a team whose skills the team's open roles ask for, best match first.

    Not anyone on this team, nor anyone on another team when the challenge
    allows one team each. The best match has the most of the skills asked for,
    then flagged earliest. At most ``SUGGESTIONS_MAX``. Four queries at most.
    """
    wanted = _open_role_skills([team.id])
    matched = func.count(UserSkill.skill_id)
    on_this_team = exists().where(
        TeamMember.team_id == team.id, TeamMember.user_id == TeamSeeker.user_id
    )
    rows = (
        await session.execute(
            select(TeamSeeker.user_id, TeamSeeker.note)
            .join(User, User.id == TeamSeeker.user_id)
            .join(Challenge, Challenge.id == TeamSeeker.challenge_id)
            .join(UserSkill, UserSkill.user_id == TeamSeeker.user_id)
            .where(
                TeamSeeker.challenge_id == team.challenge_id,
                User.status == UserStatus.ACTIVE,
                UserSkill.skill_id.in_(wanted),
                not_(on_this_team),
                _not_placed_elsewhere(team.challenge_id),
            )
            .group_by(TeamSeeker.user_id, TeamSeeker.note, TeamSeeker.created_at)
            .order_by(matched.desc(), TeamSeeker.created_at, TeamSeeker.user_id)
            .limit(SUGGESTIONS_MAX)
        )
    ).all()
    if not rows:
        return []
    ids = [user_id for user_id, _note in rows]
    users = {u.id: u for u in await session.scalars(select(User).where(User.id.in_(ids)))}
    skills = await _skills_of(session, ids, among=wanted)
    pending = set(
        await session.scalars(
            select(JoinRequest.user_id).where(
                JoinRequest.team_id == team.id,
                JoinRequest.status == RequestStatus.PENDING,
                JoinRequest.user_id.in_(ids),
            )
        )
    )
    return [
        Suggestion(users[user_id], note, skills.get(user_id, []), user_id in pending)
        for user_id, note in rows
    ]


# Reads: the suggested assignment --------------------------------------------------


@dataclass(frozen=True)
class Placement:
    person: User
    rank: int  # which choice the team was for them: 1 is the first


@dataclass(frozen=True)
class ProposedTeam:
    option: TeamOption
    placements: list[Placement]


@dataclass(frozen=True)
class Unplaced:
    person: User
    choices: list[tuple[int, TeamOption]]  # (rank, team) for the teams that could take them


@dataclass(frozen=True)
class Proposal:
    teams: list[ProposedTeam]
    unplaced: list[Unplaced]
    placements: dict[int, int]  # user id → team id

    @property
    def is_empty(self) -> bool:
        return not self.placements


async def propose(session: AsyncSession, challenge: Challenge) -> Proposal:
    """Who would go on which team, from everyone's ranking and the teams' free seats.

    People already on a team are left out when the challenge allows one team
    each; otherwise only the teams they are on drop out of their ranking.
    Suspended and deleted people are left out. Three queries.
    """
    options = await team_options(session, challenge)
    by_id = {o.team.id: o for o in options}
    rows = await session.execute(
        select(TeamPreference, User)
        .join(User, User.id == TeamPreference.user_id)
        .where(
            TeamPreference.challenge_id == challenge.id,
            User.status == UserStatus.ACTIVE,
            TeamPreference.rank.between(1, len(CHOICE_FIELDS)),
        )
        .order_by(TeamPreference.user_id, TeamPreference.rank)
    )
    memberships = await session.execute(
        select(TeamMember.user_id, TeamMember.team_id).where(
            TeamMember.challenge_id == challenge.id
        )
    )
    on_teams: dict[int, set[int]] = {}
    for user_id, team_id in memberships:
        on_teams.setdefault(user_id, set()).add(team_id)
    people: dict[int, User] = {}
    rankings: dict[int, list[int | None]] = {}
    for preference, user in rows:
        if challenge.one_team_per_participant and user.id in on_teams:
            continue
        people[user.id] = user
        ranked = rankings.setdefault(user.id, [None] * len(CHOICE_FIELDS))
        if preference.team_id in by_id and preference.team_id not in on_teams.get(user.id, ()):
            ranked[preference.rank - 1] = preference.team_id
    placements = assignment.assign(rankings, {o.team.id: o.free_seats for o in options})

    def rank_of(user_id: int, team_id: int) -> int:
        return rankings[user_id].index(team_id) + 1

    teams = [
        ProposedTeam(
            option,
            sorted(
                (
                    Placement(people[user_id], rank_of(user_id, team_id))
                    for user_id, team_id in placements.items()
                    if team_id == option.team.id
                ),
                key=lambda p: (p.rank, p.person.display_name.casefold(), p.person.id),
            ),
        )
        for option in options
    ]
    unplaced = [
        Unplaced(
            people[user_id],
            [(rank, by_id[t]) for rank, t in enumerate(ranked, start=1) if t is not None],
        )
        for user_id, ranked in rankings.items()
        if user_id not in placements
    ]
    unplaced.sort(key=lambda u: (u.person.display_name.casefold(), u.person.id))
    return Proposal(teams, unplaced, placements)
