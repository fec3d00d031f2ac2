"""Every service refuses on its own what ``policy`` does not allow, in every phase.

The table of cases below names, for each action of ``policy.ALLOWED``, the
services that perform it, who calls them and what the round needs first. Each
case runs in each phase: a round is played through its services up to what
the case needs, a host switches the phase by hand, and the service is called
directly, with no view in front of it. It must refuse exactly when
``policy.allows`` says no, and a refusal must leave every table as it was.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import policy
from ideas.accounts.models import User
from ideas.challenges import hosting
from ideas.challenges import queries as challenge_queries
from ideas.challenges import services as challenges
from ideas.challenges.forms import ChallengeInput
from ideas.challenges.phases import Phase
from ideas.comments import services as comments
from ideas.db import Base, utcnow
from ideas.errors import Forbidden, NotFound
from ideas.policy import Action, Role
from ideas.submissions import services as submissions
from ideas.submissions.forms import IdeaInput
from ideas.submissions.lineage import LinkInput
from ideas.submissions.models import Idea
from ideas.teams import matching
from ideas.teams import services as teams
from ideas.teams.forms import AskInput, InviteInput, RoleInput
from ideas.teams.models import Team
from ideas.voting import compare_services
from ideas.voting import services as voting

PARTICIPANT = frozenset({Role.PARTICIPANT})
AUTHOR = PARTICIPANT | {Role.AUTHOR}
TEAM_MEMBER = PARTICIPANT | {Role.TEAM_MEMBER}
HOST = PARTICIPANT | {Role.HOST}


class Round:
    """A challenge played through its services, step by step, on a clock of its own
    (a second a step), so that every step happens after the one before it."""

    def __init__(self, session: AsyncSession, make_user: Any, make_challenge: Any) -> None:
        self.session = session
        self.make_user = make_user
        self.make_challenge = make_challenge
        self.started = utcnow()
        self.ticks = itertools.count(1)
        self.last = self.started
        self.done: dict[str, Any] = {}

    def tick(self) -> datetime:
        self.last = self.started + timedelta(seconds=next(self.ticks))
        return self.last

    async def begin(self) -> None:
        self.host = await self.make_user("Host", host=True)
        self.challenge = await self.make_challenge(self.host, phase=Phase.IDEAS)
        # Whoever a case needs who has not yet taken part: made before the case runs.
        self.someone = await self.person("Someone")

    async def phase(self) -> Phase:
        challenge = await challenge_queries.for_policy(self.session, self.challenge.id)
        assert challenge is not None
        return challenge.phase_at(self.last + timedelta(milliseconds=500))

    async def switch(self, to: Phase) -> None:
        if await self.phase() is not to:
            await challenges.switch_phase(
                self.session,
                challenge_id=self.challenge.id,
                to=to,
                actor_id=self.host.id,
                now=self.tick(),
            )

    async def person(self, name: str) -> User:
        user: User = await self.make_user(name)
        return user

    async def post(self, author: User, title: str) -> Idea:
        await self.switch(Phase.IDEAS)
        return await submissions.post_idea(
            self.session,
            challenge_id=self.challenge.id,
            author_id=author.id,
            data=IdeaInput(title=title, summary=f"{title}, in short.", body=""),
            now=self.tick(),
        )

    async def team_of(self, idea: Idea) -> Team:
        team = await self.session.scalar(
            select(Team).where(Team.idea_id == idea.id).execution_options(populate_existing=True)
        )
        assert team is not None
        return team

    # Steps, each taken once, in the phase that allows it --------------------------

    async def need(self, *steps: str) -> None:
        for step in STEPS:
            if step in steps and step not in self.done:
                await self.need(*STEP_NEEDS.get(step, ()))
                self.done[step] = await getattr(self, f"_{step}")()

    async def _idea(self) -> Idea:
        self.author = await self.person("Author")
        return await self.post(self.author, "Published idea")

    async def _shortlisted(self) -> Idea:
        self.lead = await self.person("Lead")
        idea = await self.post(self.lead, "Shortlisted idea")
        await challenges.shortlist(
            self.session,
            challenge_id=self.challenge.id,
            idea_id=idea.id,
            note="",
            actor_id=self.host.id,
            now=self.tick(),
        )
        self.team = await self.team_of(idea)
        return idea

    async def _comment(self) -> Any:
        await self.switch(Phase.IDEAS)
        self.commenter = await self.person("Commenter")
        return await comments.post_comment(
            self.session,
            idea_id=self.done["idea"].id,
            author_id=self.commenter.id,
            body="A first thought.",
            now=self.tick(),
        )

    async def _vote(self) -> None:
        await self.switch(Phase.IDEAS)
        self.voter = await self.person("Voter")
        await voting.cast_vote(
            self.session, idea_id=self.done["idea"].id, user_id=self.voter.id, now=self.tick()
        )

    async def _winner(self) -> Idea:
        other = await self.person("Winning author")
        idea = await self.post(other, "Winning idea")
        await challenges.shortlist(
            self.session,
            challenge_id=self.challenge.id,
            idea_id=idea.id,
            note="",
            actor_id=self.host.id,
            now=self.tick(),
        )
        await self.switch(Phase.TEAMS)
        await challenges.pick_winner(
            self.session,
            challenge_id=self.challenge.id,
            idea_id=idea.id,
            citation="Well done.",
            actor_id=self.host.id,
            now=self.tick(),
        )
        return idea

    async def _request(self) -> Any:
        await self.switch(Phase.TEAMS)
        self.asker = await self.person("Asker")
        return await teams.ask_to_join(
            self.session,
            team_id=self.team.id,
            user_id=self.asker.id,
            data=AskInput("May I join?", ""),
            now=self.tick(),
        )

    async def _member(self) -> User:
        request = await self._request()
        await teams.accept_request(
            self.session,
            team_id=self.team.id,
            request_id=request.id,
            actor_id=self.lead.id,
            now=self.tick(),
        )
        member: User = self.asker
        return member

    async def _invitation(self) -> Any:
        await self.switch(Phase.TEAMS)
        self.invitee = await self.person("Invitee")
        return await teams.invite(
            self.session,
            team_id=self.team.id,
            actor_id=self.lead.id,
            data=InviteInput(self.invitee.id, "", "Join us?"),
            now=self.tick(),
        )

    async def _cohost(self) -> User:
        cohost: User = await self.make_user("Co-host", host=True)
        invitation = await hosting.invite_host(
            self.session,
            challenge_id=self.challenge.id,
            email=str(cohost.email),
            actor_id=self.host.id,
            now=self.tick(),
        )
        await hosting.accept_host_invitation(
            self.session, invitation_id=invitation.id, user_id=cohost.id, now=self.tick()
        )
        return cohost


# The order steps are taken in, and what each needs first.
STEPS: tuple[str, ...] = ("idea", "shortlisted", "comment", "vote", "winner", "request")
STEPS += ("member", "invitation", "cohost")
STEP_NEEDS = {"comment": ("idea",), "vote": ("idea",), "request": ("shortlisted",)}
STEP_NEEDS |= {"member": ("shortlisted",), "invitation": ("shortlisted",)}


Call = Callable[[Round, datetime], Awaitable[object]]


@dataclass(frozen=True)
class Case:
    name: str
    action: Action
    roles: frozenset[Role]  # the roles of whoever calls the service
    needs: tuple[str, ...]
    call: Call

    def __str__(self) -> str:
        return self.name


async def _post(r: Round, now: datetime, *, builds_on: bool = False) -> object:
    links = (LinkInput(r.done["idea"].id, "Taken further."),) if builds_on else ()
    return await submissions.post_idea(
        r.session,
        challenge_id=r.challenge.id,
        author_id=r.someone.id,
        data=IdeaInput(title="New idea", summary="New, in short.", body="", builds_on=links),
        now=now,
    )


async def _edit_own(r: Round, now: datetime) -> object:
    return await submissions.edit_idea(
        r.session,
        idea_id=r.done["idea"].id,
        editor_id=r.author.id,
        data=IdeaInput(title="Edited title", summary="Edited, in short.", body=""),
        now=now,
    )


async def _edit_as_team(r: Round, now: datetime) -> object:
    return await submissions.edit_idea(
        r.session,
        idea_id=r.done["shortlisted"].id,
        editor_id=r.done["member"].id,
        data=IdeaInput(title="Edited by the team", summary="Edited, in short.", body=""),
        now=now,
    )


async def _update_challenge(r: Round, now: datetime, actor: User) -> object:
    c = await challenge_queries.for_policy(r.session, r.challenge.id)
    assert c is not None
    data = ChallengeInput(
        title="A new title",
        slug=c.slug,
        question=c.question,
        sponsor="",
        brief="",
        schedule=c.schedule,
    )
    return await challenges.update_challenge(
        r.session, challenge_id=c.id, actor_id=actor.id, data=data, now=now
    )


async def _switch(r: Round, now: datetime) -> object:
    to = (await r.phase()).next() or Phase.DRAFT
    return await challenges.switch_phase(
        r.session, challenge_id=r.challenge.id, to=to, actor_id=r.host.id, now=now
    )


async def _compare(r: Round, now: datetime) -> object:
    first, second = sorted((r.done["idea"].id, r.done["shortlisted"].id))
    return await compare_services.record_comparison(
        r.session,
        challenge_id=r.challenge.id,
        user_id=r.someone.id,
        first_id=first,
        second_id=second,
        winner_id=first,
        now=now,
    )


CASES = [
    # Ideas
    Case("post an idea", Action.POST_IDEA, PARTICIPANT, (), _post),
    Case(
        "build on an idea",
        Action.POST_IDEA,
        PARTICIPANT,
        ("idea",),
        lambda r, now: _post(r, now, builds_on=True),
    ),
    Case("edit one's idea", Action.EDIT_OWN_IDEA, AUTHOR, ("idea",), _edit_own),
    Case(
        "edit a shortlisted idea, as its team",
        Action.EDIT_OWN_IDEA,
        TEAM_MEMBER,
        ("member",),
        _edit_as_team,
    ),
    Case(
        "withdraw one's idea",
        Action.EDIT_OWN_IDEA,
        AUTHOR,
        ("idea",),
        lambda r, now: submissions.withdraw_idea(
            r.session, idea_id=r.done["idea"].id, actor_id=r.author.id, now=now
        ),
    ),
    # Comments
    Case(
        "comment",
        Action.COMMENT,
        PARTICIPANT,
        ("idea",),
        lambda r, now: _comment(r, now, reply=False),
    ),
    Case(
        "reply to a comment",
        Action.COMMENT,
        PARTICIPANT,
        ("comment",),
        lambda r, now: _comment(r, now, reply=True),
    ),
    Case(
        "edit one's comment",
        Action.COMMENT,
        PARTICIPANT,
        ("comment",),
        lambda r, now: comments.edit_comment(
            r.session,
            comment_id=r.done["comment"].id,
            editor_id=r.commenter.id,
            body="A second thought.",
            now=now,
        ),
    ),
    # Votes and comparisons
    Case(
        "vote",
        Action.VOTE,
        PARTICIPANT,
        ("idea",),
        lambda r, now: _vote(r, now),
    ),
    Case(
        "withdraw a vote",
        Action.VOTE,
        PARTICIPANT,
        ("vote",),
        lambda r, now: voting.withdraw_vote(
            r.session, idea_id=r.done["idea"].id, user_id=r.voter.id, now=now
        ),
    ),
    Case("compare two ideas", Action.COMPARE, PARTICIPANT, ("idea", "shortlisted"), _compare),
    # Shortlist and winners
    Case(
        "shortlist",
        Action.SHORTLIST,
        HOST,
        ("idea",),
        lambda r, now: challenges.shortlist(
            r.session,
            challenge_id=r.challenge.id,
            idea_id=r.done["idea"].id,
            note="",
            actor_id=r.host.id,
            now=now,
        ),
    ),
    Case(
        "shortlist, as a participant",
        Action.SHORTLIST,
        PARTICIPANT,
        ("idea",),
        lambda r, now: challenges.shortlist(
            r.session,
            challenge_id=r.challenge.id,
            idea_id=r.done["idea"].id,
            note="",
            actor_id=r.author.id,
            now=now,
        ),
    ),
    Case(
        "take an idea off the shortlist",
        Action.SHORTLIST,
        HOST,
        ("shortlisted",),
        lambda r, now: challenges.unshortlist(
            r.session,
            challenge_id=r.challenge.id,
            idea_id=r.done["shortlisted"].id,
            actor_id=r.host.id,
            now=now,
        ),
    ),
    Case(
        "announce a winner",
        Action.ANNOUNCE_WINNERS,
        HOST,
        ("shortlisted",),
        lambda r, now: challenges.pick_winner(
            r.session,
            challenge_id=r.challenge.id,
            idea_id=r.done["shortlisted"].id,
            citation="Well done.",
            actor_id=r.host.id,
            now=now,
        ),
    ),
    Case(
        "take a win back",
        Action.ANNOUNCE_WINNERS,
        HOST,
        ("winner",),
        lambda r, now: challenges.unpick_winner(
            r.session,
            challenge_id=r.challenge.id,
            idea_id=r.done["winner"].id,
            actor_id=r.host.id,
            now=now,
        ),
    ),
    # Teams
    Case(
        "ask to join a team",
        Action.JOIN_TEAM,
        PARTICIPANT,
        ("shortlisted",),
        lambda r, now: _ask(r, now),
    ),
    Case(
        "invite someone to a team",
        Action.JOIN_TEAM,
        PARTICIPANT,
        ("shortlisted",),
        lambda r, now: _invite(r, now),
    ),
    Case(
        "accept a request to join",
        Action.JOIN_TEAM,
        PARTICIPANT,
        ("request",),
        lambda r, now: teams.accept_request(
            r.session,
            team_id=r.team.id,
            request_id=r.done["request"].id,
            actor_id=r.lead.id,
            now=now,
        ),
    ),
    Case(
        "decline a request to join",
        Action.JOIN_TEAM,
        PARTICIPANT,
        ("request",),
        lambda r, now: teams.decline_request(
            r.session,
            team_id=r.team.id,
            request_id=r.done["request"].id,
            actor_id=r.lead.id,
            reason="",
            now=now,
        ),
    ),
    Case(
        "accept an invitation",
        Action.JOIN_TEAM,
        PARTICIPANT,
        ("invitation",),
        lambda r, now: teams.accept_invitation(
            r.session, request_id=r.done["invitation"].id, user_id=r.invitee.id, now=now
        ),
    ),
    Case(
        "decline an invitation",
        Action.JOIN_TEAM,
        PARTICIPANT,
        ("invitation",),
        lambda r, now: teams.decline_invitation(
            r.session, request_id=r.done["invitation"].id, user_id=r.invitee.id, now=now
        ),
    ),
    Case(
        "leave a team",
        Action.JOIN_TEAM,
        PARTICIPANT,
        ("member",),
        lambda r, now: teams.leave_team(
            r.session, team_id=r.team.id, user_id=r.done["member"].id, now=now
        ),
    ),
    Case(
        "remove a member",
        Action.JOIN_TEAM,
        PARTICIPANT,
        ("member",),
        lambda r, now: teams.remove_member(
            r.session, team_id=r.team.id, actor_id=r.lead.id, user_id=r.done["member"].id, now=now
        ),
    ),
    Case(
        "hand a team over",
        Action.JOIN_TEAM,
        PARTICIPANT,
        ("member",),
        lambda r, now: teams.hand_over(
            r.session,
            team_id=r.team.id,
            actor_id=r.lead.id,
            to_user_id=r.done["member"].id,
            now=now,
        ),
    ),
    Case(
        "add an open role",
        Action.JOIN_TEAM,
        PARTICIPANT,
        ("shortlisted",),
        lambda r, now: teams.add_role(
            r.session,
            team_id=r.team.id,
            actor_id=r.lead.id,
            data=RoleInput("Designer", "", []),
            now=now,
        ),
    ),
    Case(
        "post a team update",
        Action.JOIN_TEAM,
        PARTICIPANT,
        ("shortlisted",),
        lambda r, now: teams.post_update(
            r.session, team_id=r.team.id, author_id=r.lead.id, body="We met.", now=now
        ),
    ),
    Case(
        "edit what a team is about",
        Action.JOIN_TEAM,
        PARTICIPANT,
        ("shortlisted",),
        lambda r, now: teams.edit_about(
            r.session, team_id=r.team.id, actor_id=r.lead.id, about="Us.", now=now
        ),
    ),
    Case(
        "look for a team",
        Action.JOIN_TEAM,
        PARTICIPANT,
        (),
        lambda r, now: _look(r, now),
    ),
    Case(
        "rank teams",
        Action.JOIN_TEAM,
        PARTICIPANT,
        ("shortlisted",),
        lambda r, now: _rank(r, now),
    ),
    Case(
        "apply suggested teams",
        Action.SUGGEST_TEAMS,
        HOST,
        ("shortlisted",),
        lambda r, now: _place(r, now),
    ),
    # The challenge
    Case(
        "edit the challenge",
        Action.EDIT_CHALLENGE,
        HOST,
        (),
        lambda r, now: _update_challenge(r, now, r.host),
    ),
    Case("switch the phase", Action.SWITCH_PHASE, HOST, (), _switch),
    Case(
        "invite a co-host",
        Action.MANAGE_HOSTS,
        HOST,
        (),
        lambda r, now: hosting.invite_host(
            r.session,
            challenge_id=r.challenge.id,
            email="someone@example.org",
            actor_id=r.host.id,
            now=now,
        ),
    ),
    Case(
        "remove a co-host",
        Action.MANAGE_HOSTS,
        HOST,
        ("cohost",),
        lambda r, now: challenges.remove_host(
            r.session,
            challenge_id=r.challenge.id,
            user_id=r.done["cohost"].id,
            actor_id=r.host.id,
            now=now,
        ),
    ),
]


async def _comment(r: Round, now: datetime, *, reply: bool) -> object:
    return await comments.post_comment(
        r.session,
        idea_id=r.done["idea"].id,
        author_id=r.someone.id,
        body="Another thought.",
        parent_id=r.done["comment"].id if reply else None,
        now=now,
    )


async def _vote(r: Round, now: datetime) -> object:
    return await voting.cast_vote(
        r.session, idea_id=r.done["idea"].id, user_id=r.someone.id, now=now
    )


async def _ask(r: Round, now: datetime) -> object:
    return await teams.ask_to_join(
        r.session,
        team_id=r.team.id,
        user_id=r.someone.id,
        data=AskInput("May I?", ""),
        now=now,
    )


async def _invite(r: Round, now: datetime) -> object:
    return await teams.invite(
        r.session,
        team_id=r.team.id,
        actor_id=r.lead.id,
        data=InviteInput(r.someone.id, "", ""),
        now=now,
    )


async def _look(r: Round, now: datetime) -> object:
    await matching.start_looking(
        r.session,
        challenge_id=r.challenge.id,
        user_id=r.someone.id,
        note="",
        now=now,
    )
    return None


async def _rank(r: Round, now: datetime) -> object:
    await matching.save_preferences(
        r.session,
        challenge_id=r.challenge.id,
        user_id=r.someone.id,
        team_ids=[r.team.id],
        now=now,
    )
    return None


async def _place(r: Round, now: datetime) -> object:
    return await matching.apply_placements(
        r.session,
        challenge_id=r.challenge.id,
        placements={r.someone.id: r.team.id},
        actor_id=r.host.id,
        now=now,
    )


async def _everything(session: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, read fresh."""
    await session.commit()
    rows = {}
    for table in Base.metadata.sorted_tables:
        result = await session.execute(select(table))
        rows[table.name] = sorted(map(tuple, result.all()), key=repr)
    return rows


def test_every_action_of_the_policy_has_a_case() -> None:
    """A new action of the table needs its services here too."""
    covered = {case.action for case in CASES}
    # The jury's actions have their table in tests/jury/test_service_phases.py.
    jury = {Action.SCORE_IDEAS, Action.SET_UP_JURY, Action.PUBLISH_JURY}
    # And those after the round theirs in tests/impact/test_service_phases.py.
    impact = {
        Action.POST_IMPACT,
        Action.SET_CHECK_INS,
        Action.PLEDGE,
        Action.HONOUR_PLEDGE,
        Action.OPEN_FOLLOW_UP,
    }
    # And the duplicates' theirs in tests/clusters/test_service_phases.py.
    duplicates = {Action.GROUP_DUPLICATES, Action.ASK_TO_GROUP}
    # And naming themes, which needs a fit of themes first, in tests/themes/test_naming.py.
    themes = {Action.NAME_THEMES}
    assert covered == (
        set(Action)
        - {Action.SEE_CHALLENGE, Action.RUN_CHALLENGE}
        - jury
        - impact
        - duplicates
        - themes
    )


@pytest.mark.parametrize("phase", list(Phase), ids=str)
@pytest.mark.parametrize("case", CASES, ids=str)
async def test_the_service_refuses_exactly_what_the_policy_does(
    case: Case, phase: Phase, session: AsyncSession, make_user: Any, make_challenge: Any
) -> None:
    r = Round(session, make_user, make_challenge)
    await r.begin()
    await r.need(*case.needs)
    await r.switch(phase)
    if policy.allows(case.action, phase, case.roles):
        await case.call(r, r.tick())
    else:
        before = await _everything(session)
        with pytest.raises((Forbidden, NotFound)):
            await case.call(r, r.tick())
        assert await _everything(session) == before, "a refusal changed something"
