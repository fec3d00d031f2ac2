"""Each event tells the right people, once, and never the person who caused it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User, UserStatus
from ideas.audit import AuditEntry
from ideas.challenges import services as challenges
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.comments.services import post_comment
from ideas.db import Database, utcnow, write
from ideas.notifications import events
from ideas.notifications.models import IdeaFollow, Notification
from ideas.notifications.services import notify, set_challenge_follow, set_idea_follow
from ideas.submissions.forms import IdeaInput
from ideas.submissions.lineage import LinkInput
from ideas.submissions.services import add_coauthor, post_idea
from ideas.teams.models import JoinRequest, RequestKind, RequestStatus, Team
from tests.factories import challenges as rounds
from tests.factories.notifications import notifications_of


async def kinds_of(session: AsyncSession, user: User) -> list[str]:
    return [n.kind for n in await notifications_of(session, user.id)]


async def build_on(session: AsyncSession, challenge: Challenge, author: User, *parents: Any) -> Any:
    return await post_idea(
        session,
        challenge_id=challenge.id,
        author_id=author.id,
        data=IdeaInput(
            title="Compost, but shared",
            summary="A shared compost bin.",
            body="",
            builds_on=tuple(LinkInput(parent_id=p.id, note="took the bins") for p in parents),
        ),
        now=utcnow(),
    )


# Building on ----------------------------------------------------------------------------


async def test_building_on_an_idea_tells_its_author_and_not_the_builder(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    amara, bruno = await make_user("Amara"), await make_user("Bruno")
    original = await make_idea(challenge, amara, title="Compost club")

    child = await build_on(session, challenge, bruno, original)

    [told] = await notifications_of(session, amara.id)
    assert (told.kind, told.idea_id, told.actor_id) == ("idea.built_on", child.id, bruno.id)
    assert told.challenge_id == challenge.id
    assert told.data["idea_title"] == "Compost, but shared"
    assert await notifications_of(session, bruno.id) == []


async def test_building_on_two_ideas_of_one_author_tells_them_once(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    amara, bruno = await make_user(), await make_user()
    first, second = await make_idea(challenge, amara), await make_idea(challenge, amara)

    await build_on(session, challenge, bruno, first, second)

    assert await kinds_of(session, amara) == ["idea.built_on"]


async def test_each_author_is_told_which_of_their_ideas_was_built_on(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    amara, chen, bruno = await make_user("Amara"), await make_user("Chen"), await make_user()
    compost = await make_idea(challenge, amara, title="Compost club")
    bins = await make_idea(challenge, chen, title="Street bins")
    await post_comment(session, idea_id=bins.id, author_id=amara.id, body="Me too", now=utcnow())
    await add_coauthor(session, idea_id=bins.id, user_id=amara.id, actor_id=chen.id, now=utcnow())

    await build_on(session, challenge, bruno, compost, bins)

    [to_amara] = [n for n in await notifications_of(session, amara.id) if n.kind == "idea.built_on"]
    [to_chen] = [n for n in await notifications_of(session, chen.id) if n.kind == "idea.built_on"]
    assert to_amara.data["built_on"] == ["Compost club", "Street bins"]
    assert to_chen.data["built_on"] == ["Street bins"]
    assert to_amara.idea_id == to_chen.idea_id


async def test_building_on_ones_own_idea_tells_nobody(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    amara = await make_user()
    await build_on(session, challenge, amara, await make_idea(challenge, amara))
    assert await notifications_of(session, amara.id) == []


async def test_authors_follow_their_own_ideas(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    amara = await make_user()
    idea = await make_idea(challenge, amara)
    await session.commit()
    assert await session.get(IdeaFollow, (amara.id, idea.id)) is not None


# Comments ---------------------------------------------------------------------------------


async def test_a_comment_tells_authors_coauthors_and_followers_but_not_the_commenter(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    amara, coauthor, follower, commenter, stranger = [await make_user() for _ in range(5)]
    idea = await make_idea(challenge, amara)
    await post_comment(session, idea_id=idea.id, author_id=coauthor.id, body="Me too", now=utcnow())
    await add_coauthor(
        session, idea_id=idea.id, user_id=coauthor.id, actor_id=amara.id, now=utcnow()
    )
    await set_idea_follow(
        session, user_id=follower.id, idea_id=idea.id, following=True, now=utcnow()
    )
    await set_idea_follow(
        session, user_id=commenter.id, idea_id=idea.id, following=True, now=utcnow()
    )

    comment = await post_comment(
        session, idea_id=idea.id, author_id=commenter.id, body="What about winter?", now=utcnow()
    )

    for person in (amara, coauthor, follower):
        last = (await notifications_of(session, person.id))[-1]
        assert (last.kind, last.idea_id, last.actor_id) == (
            "idea.commented",
            idea.id,
            commenter.id,
        )
        assert last.data["comment_id"] == comment.id
        assert last.data["excerpt"] == "What about winter?"
    assert await notifications_of(session, commenter.id) == []
    assert await notifications_of(session, stranger.id) == []


async def test_a_reply_tells_the_author_of_the_comment_once(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    amara, bruno, chidi = await make_user(), await make_user(), await make_user()
    idea = await make_idea(challenge, amara)
    top = await post_comment(session, idea_id=idea.id, author_id=bruno.id, body="Hi", now=utcnow())
    # Bruno follows the idea too, and still hears once of the reply to him.
    await set_idea_follow(session, user_id=bruno.id, idea_id=idea.id, following=True, now=utcnow())

    await post_comment(
        session, idea_id=idea.id, author_id=chidi.id, body="Hello", parent_id=top.id, now=utcnow()
    )

    assert await kinds_of(session, bruno) == ["comment.replied"]
    assert await kinds_of(session, amara) == ["idea.commented", "idea.commented"]
    assert await kinds_of(session, chidi) == []


async def test_a_reply_to_a_reply_tells_both_the_answered_and_the_thread_starter(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    amara, bruno, chidi, dara = [await make_user() for _ in range(4)]
    idea = await make_idea(challenge, amara)
    top = await post_comment(session, idea_id=idea.id, author_id=bruno.id, body="1", now=utcnow())
    reply = await post_comment(
        session, idea_id=idea.id, author_id=chidi.id, body="2", parent_id=top.id, now=utcnow()
    )

    await post_comment(
        session, idea_id=idea.id, author_id=dara.id, body="3", parent_id=reply.id, now=utcnow()
    )

    assert (await kinds_of(session, chidi))[-1] == "comment.replied"
    assert await kinds_of(session, bruno) == ["comment.replied", "comment.replied"]


# Shortlist and winners --------------------------------------------------------------------


async def test_shortlisting_and_winning_tell_the_authors_not_the_host(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    amara = await make_user()
    idea = await make_idea(challenge, amara)

    await rounds.shortlist(session, challenge, idea, note="Strong start")
    await rounds.pick_winner(session, challenge, idea, citation="Fed a school")

    shortlisted, won = await notifications_of(session, amara.id)
    assert (shortlisted.kind, shortlisted.data["note"]) == ("idea.shortlisted", "Strong start")
    assert (won.kind, won.data["citation"]) == ("idea.won", "Fed a school")
    assert await notifications_of(session, host.id) == []


# Phases -----------------------------------------------------------------------------------


async def test_a_hand_phase_switch_tells_the_followers_but_not_the_host(
    session: AsyncSession, make_user: Any, make_challenge: Any
) -> None:
    host, follower, other = await make_user(host=True), await make_user(), await make_user()
    challenge = await make_challenge(host, phase=Phase.IDEAS)
    for person in (host, follower):
        await set_challenge_follow(
            session, user_id=person.id, challenge_id=challenge.id, following=True, now=utcnow()
        )

    await challenges.switch_phase(
        session, challenge_id=challenge.id, to=Phase.REVIEW, actor_id=host.id, now=utcnow()
    )

    [told] = await notifications_of(session, follower.id)
    assert told.kind == "challenge.phase"
    assert (told.data["before"], told.data["phase"]) == ("ideas", "review")
    assert told.challenge_id == challenge.id
    assert await notifications_of(session, host.id) == []
    assert await notifications_of(session, other.id) == []


async def test_a_scheduled_phase_change_is_announced_once_by_the_worker(
    session: AsyncSession, database: Database, make_user: Any, make_challenge: Any
) -> None:
    host, follower = await make_user(host=True), await make_user()
    challenge = await make_challenge(host, phase=Phase.IDEAS)
    now = utcnow()
    # Review opens in an hour; nothing polls, so only the worker notices it.
    await session.execute(
        update(Challenge)
        .where(Challenge.id == challenge.id)
        .values(review_opens_at=now + timedelta(hours=1))
    )
    await session.commit()
    await set_challenge_follow(
        session, user_id=follower.id, challenge_id=challenge.id, following=True, now=now
    )

    assert await events.announce_phases(database, now) == 0
    later = now + timedelta(hours=2)
    assert await events.announce_phases(database, later) == 1
    assert await events.announce_phases(database, later + timedelta(minutes=1)) == 0

    [told] = await notifications_of(session, follower.id)
    assert (told.kind, told.actor_id) == ("challenge.phase", None)
    assert (told.data["before"], told.data["phase"]) == ("ideas", "review")
    entries = await session.scalars(
        select(AuditEntry.action).where(AuditEntry.challenge_id == challenge.id)
    )
    assert list(entries).count(events.PHASE_ANNOUNCED) == 1


async def test_a_hand_switch_is_not_announced_again_by_the_worker(
    session: AsyncSession, database: Database, make_user: Any, make_challenge: Any
) -> None:
    host, follower = await make_user(host=True), await make_user()
    challenge = await make_challenge(host, phase=Phase.IDEAS)
    await set_challenge_follow(
        session, user_id=follower.id, challenge_id=challenge.id, following=True, now=utcnow()
    )
    await challenges.switch_phase(
        session, challenge_id=challenge.id, to=Phase.REVIEW, actor_id=host.id, now=utcnow()
    )

    assert await events.announce_phases(database, utcnow() + timedelta(seconds=1)) == 0
    assert len(await notifications_of(session, follower.id)) == 1


async def test_a_phase_that_began_long_ago_is_not_announced_late(
    session: AsyncSession, database: Database, make_user: Any, make_challenge: Any
) -> None:
    host, follower = await make_user(host=True), await make_user()
    challenge = await make_challenge(host, phase=Phase.TEAMS)  # teams began a day ago
    await set_challenge_follow(
        session, user_id=follower.id, challenge_id=challenge.id, following=True, now=utcnow()
    )
    assert await events.announce_phases(database, utcnow() + timedelta(hours=1)) == 0
    assert await notifications_of(session, follower.id) == []


# Votes ------------------------------------------------------------------------------------


async def test_vote_milestones_tell_the_authors_once_each(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    amara = await make_user()
    idea = await make_idea(challenge, amara)

    for count in (9, 10, 10, 11, 50):  # 10 twice: a vote withdrawn and cast again
        async with write(session) as tx:
            await events.on_vote_cast(tx, idea.id, count, utcnow())

    told = await notifications_of(session, amara.id)
    assert [(n.kind, n.data["count"], n.actor_id) for n in told] == [
        ("idea.votes", 10, None),
        ("idea.votes", 50, None),
    ]


# Teams ------------------------------------------------------------------------------------


async def _team(session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any) -> Any:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.TEAMS)
    lead = await make_user("Lead")
    idea = await make_idea(challenge, lead)
    team = await rounds.shortlist(session, challenge, idea)
    return team, lead


async def _answer(session: AsyncSession, request: JoinRequest, status: RequestStatus) -> None:
    async with write(session) as tx:
        saved = await tx.get(JoinRequest, request.id)
        assert saved is not None
        saved.status = status
        actor = saved.user_id if saved.kind is RequestKind.INVITATION else None
        team = await tx.get(Team, saved.team_id)
        assert team is not None
        await events.on_team_event(tx, request=saved, actor_id=actor or team.lead_id, now=utcnow())


async def test_a_join_request_tells_the_lead_and_its_answer_tells_the_asker(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any
) -> None:
    team, lead = await _team(session, make_user, make_challenge, make_idea)
    asker = await make_user("Asker")
    async with write(session) as tx:
        request = JoinRequest(
            team_id=team.id, user_id=asker.id, kind=RequestKind.REQUEST, message="I can cook"
        )
        tx.add(request)
        await tx.flush()
        await events.on_team_event(tx, request=request, actor_id=asker.id, now=utcnow())

    shortlisted, asked = await notifications_of(session, lead.id)
    assert shortlisted.kind == "idea.shortlisted"
    assert (asked.kind, asked.actor_id, asked.data["team_id"]) == (
        "team.request",
        asker.id,
        team.id,
    )
    assert asked.data["message"] == "I can cook"

    await _answer(session, request, RequestStatus.DECLINED)
    [answer] = await notifications_of(session, asker.id)
    assert (answer.kind, answer.actor_id) == ("team.answer", lead.id)
    assert (answer.data["answer"], answer.data["asked"]) == ("declined", "request")
    assert len(await notifications_of(session, lead.id)) == 2


async def test_an_invitation_tells_the_invitee_and_its_answer_tells_the_lead(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any
) -> None:
    team, lead = await _team(session, make_user, make_challenge, make_idea)
    invitee = await make_user("Invitee")
    async with write(session) as tx:
        invitation = JoinRequest(team_id=team.id, user_id=invitee.id, kind=RequestKind.INVITATION)
        tx.add(invitation)
        await tx.flush()
        await events.on_team_event(tx, request=invitation, actor_id=lead.id, now=utcnow())

    assert [n.kind for n in await notifications_of(session, invitee.id)] == ["team.invitation"]
    await _answer(session, invitation, RequestStatus.ACCEPTED)
    answer = (await notifications_of(session, lead.id))[-1]
    assert (answer.kind, answer.actor_id, answer.data["answer"]) == (
        "team.answer",
        invitee.id,
        "accepted",
    )


# notify itself ----------------------------------------------------------------------------


async def test_notify_skips_the_actor_duplicates_and_people_who_are_gone(
    session: AsyncSession, make_user: Any
) -> None:
    actor, friend, suspended, deleted = [await make_user() for _ in range(4)]
    await session.execute(
        update(User).where(User.id == suspended.id).values(status=UserStatus.SUSPENDED)
    )
    await session.execute(
        update(User).where(User.id == deleted.id).values(status=UserStatus.DELETED)
    )
    await session.commit()

    async with write(session) as tx:
        added = await notify(
            tx,
            user_ids=[actor.id, friend.id, friend.id, suspended.id, deleted.id, None],
            kind="idea.votes",
            actor_id=actor.id,
            data={"count": 10},
            now=utcnow(),
        )

    assert [n.user_id for n in added] == [friend.id]
    await session.commit()
    assert len(list(await session.scalars(select(Notification)))) == 1


async def test_the_tenth_vote_tells_the_author(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any
) -> None:
    from ideas.voting.services import cast_vote

    challenge = await make_challenge(await make_user(host=True))
    amara = await make_user()
    idea = await make_idea(challenge, amara)
    voters = [await make_user() for _ in range(10)]

    for voter in voters[:9]:
        await cast_vote(session, idea_id=idea.id, user_id=voter.id, now=utcnow())
    assert await notifications_of(session, amara.id) == []
    await cast_vote(session, idea_id=idea.id, user_id=voters[9].id, now=utcnow())

    [told] = await notifications_of(session, amara.id)
    assert (told.kind, told.data["count"], told.actor_id) == ("idea.votes", 10, None)
    for voter in voters:
        assert await notifications_of(session, voter.id) == []


async def test_the_team_services_tell_the_lead_and_the_asker(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any
) -> None:
    from ideas.teams import services as teams
    from ideas.teams.forms import AskInput

    team, lead = await _team(session, make_user, make_challenge, make_idea)
    asker = await make_user("Asker")

    request = await teams.ask_to_join(
        session,
        team_id=team.id,
        user_id=asker.id,
        data=AskInput(message="I can cook", skills="cooking"),
        now=utcnow(),
    )
    await teams.accept_request(
        session, team_id=team.id, request_id=request.id, actor_id=lead.id, now=utcnow()
    )

    assert (await kinds_of(session, lead))[-1] == "team.request"
    [answer] = await notifications_of(session, asker.id)
    assert (answer.kind, answer.data["answer"], answer.actor_id) == (
        "team.answer",
        "accepted",
        lead.id,
    )
