"""Duplicate clusters through the services: hosts group, take out and ungroup; authors
ask and answer; every original idea stays, and every refusal changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.audit import AuditEntry
from ideas.challenges.phases import Phase
from ideas.challenges.services import switch_phase
from ideas.db import utcnow
from ideas.errors import Conflict, Forbidden, Invalid, NotFound
from ideas.moderation.services import hide_idea
from ideas.notifications.models import Notification
from ideas.submissions import clusters
from ideas.submissions.models import ClusterRequestStatus, Idea, IdeaStatus
from ideas.submissions.services import withdraw_idea
from ideas.voting.services import cast_vote
from tests.factories.clusters import Duplicates, duplicates, members_of, snapshot


@pytest.fixture
async def round_(make_user: Any, make_challenge: Any, make_idea: Any) -> Duplicates:
    return await duplicates(make_user, make_challenge, make_idea)


async def group(
    session: AsyncSession, d: Duplicates, ideas: list[Idea], by: int | None = None
) -> int:
    return await clusters.group(
        session,
        challenge_id=d.challenge.id,
        idea_ids=[i.id for i in ideas],
        actor_id=by or d.host.id,
        now=utcnow(),
    )


async def test_a_host_groups_duplicates_and_every_original_stays(
    session: AsyncSession, round_: Duplicates
) -> None:
    d = round_
    cluster_id = await group(session, d, d.ideas[:2])
    assert await members_of(session, cluster_id) == [d.ideas[0].id, d.ideas[1].id]
    for idea in d.ideas[:2]:
        kept = await session.get(Idea, idea.id)
        assert kept is not None
        assert kept.status is IdeaStatus.PUBLISHED
    actions = list(
        await session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.subject_type == "cluster", AuditEntry.subject_id == cluster_id
            )
        )
    )
    assert actions == ["cluster.group"]
    told = set(
        await session.scalars(
            select(Notification.user_id).where(Notification.kind == "idea.clustered")
        )
    )
    assert told == {d.authors[0].id, d.authors[1].id}


async def test_a_host_takes_one_idea_out_and_a_cluster_of_one_goes(
    session: AsyncSession, round_: Duplicates
) -> None:
    d = round_
    cluster_id = await group(session, d, d.ideas)
    now = utcnow()
    gone = await clusters.remove_member(
        session,
        challenge_id=d.challenge.id,
        cluster_id=cluster_id,
        idea_id=d.ideas[2].id,
        actor_id=d.host.id,
        now=now,
    )
    assert not gone
    assert await members_of(session, cluster_id) == [d.ideas[0].id, d.ideas[1].id]
    gone = await clusters.remove_member(
        session,
        challenge_id=d.challenge.id,
        cluster_id=cluster_id,
        idea_id=d.ideas[1].id,
        actor_id=d.host.id,
        now=now,
    )
    assert gone
    assert await members_of(session, cluster_id) == []
    assert (await snapshot(session)).clusters == 0


async def test_a_host_ungroups_a_cluster(session: AsyncSession, round_: Duplicates) -> None:
    d = round_
    cluster_id = await group(session, d, d.ideas)
    await clusters.ungroup(
        session,
        challenge_id=d.challenge.id,
        cluster_id=cluster_id,
        actor_id=d.host.id,
        now=utcnow(),
    )
    after = await snapshot(session)
    assert (after.clusters, after.members) == (0, 0)
    audited = await session.scalar(
        select(AuditEntry.data).where(AuditEntry.action == "cluster.ungroup")
    )
    assert audited == {"idea_ids": [i.id for i in d.ideas]}


async def test_votes_stay_on_the_ideas_and_the_cluster_counts_each_supporter_once(
    session: AsyncSession, round_: Duplicates, make_user: Any
) -> None:
    from ideas.submissions import cluster_queries

    d = round_
    fan, other = await make_user("Fan"), await make_user("Other")
    for person, idea in ((fan, d.ideas[0]), (fan, d.ideas[1]), (other, d.ideas[1])):
        await cast_vote(session, idea_id=idea.id, user_id=person.id, now=utcnow())
    cluster_id = await group(session, d, d.ideas[:2])
    await session.commit()
    counts = [
        await session.scalar(select(Idea.vote_count).where(Idea.id == i.id)) for i in d.ideas[:2]
    ]
    assert counts == [1, 2]
    assert await cluster_queries.supporters(session, [cluster_id]) == {cluster_id: 2}


# Refusals: the right error, and nothing changed ---------------------------------------


async def refused(session: AsyncSession, error: type[Exception], call: Any) -> None:
    before = await snapshot(session)
    with pytest.raises(error):
        await call
    assert await snapshot(session) == before


async def test_a_single_idea_is_no_cluster(session: AsyncSession, round_: Duplicates) -> None:
    await refused(session, Invalid, group(session, round_, round_.ideas[:1]))


async def test_the_same_idea_twice_is_a_single_idea(
    session: AsyncSession, round_: Duplicates
) -> None:
    d = round_
    await refused(session, Invalid, group(session, d, [d.ideas[0], d.ideas[0]]))


async def test_ideas_of_different_challenges_are_not_grouped(
    session: AsyncSession, round_: Duplicates, make_challenge: Any, make_idea: Any
) -> None:
    d = round_
    elsewhere = await make_challenge(d.host)
    stranger = await make_idea(elsewhere, d.authors[0], title="Elsewhere")
    await refused(session, Invalid, group(session, d, [d.ideas[0], stranger]))


async def test_an_idea_already_in_another_cluster_is_refused(
    session: AsyncSession, round_: Duplicates
) -> None:
    d = round_
    await group(session, d, d.ideas[:2])
    await refused(session, Conflict, group(session, d, d.ideas[1:]))


async def test_a_hidden_idea_is_not_grouped(session: AsyncSession, round_: Duplicates) -> None:
    d = round_
    await hide_idea(session, idea_id=d.ideas[1].id, actor_id=d.host.id, reason="spam", now=utcnow())
    await refused(session, Conflict, group(session, d, d.ideas[:2]))


async def test_a_withdrawn_idea_is_not_grouped(session: AsyncSession, round_: Duplicates) -> None:
    d = round_
    await withdraw_idea(session, idea_id=d.ideas[1].id, actor_id=d.authors[1].id, now=utcnow())
    await refused(session, Conflict, group(session, d, d.ideas[:2]))


async def test_someone_who_is_neither_host_nor_author_cannot_group(
    session: AsyncSession, round_: Duplicates, make_user: Any
) -> None:
    d = round_
    someone = await make_user("Someone")
    await refused(session, Forbidden, group(session, d, d.ideas[:2], by=someone.id))


async def test_an_author_cannot_group_without_the_other_authors_consent(
    session: AsyncSession, round_: Duplicates
) -> None:
    d = round_
    await refused(session, Forbidden, group(session, d, d.ideas[:2], by=d.authors[0].id))


@pytest.mark.parametrize("phase", [Phase.TEAMS, Phase.CLOSED])
async def test_nothing_is_grouped_once_teams_form_or_the_round_closed(
    session: AsyncSession, round_: Duplicates, phase: Phase
) -> None:
    d = round_
    await switch_phase(
        session, challenge_id=d.challenge.id, to=phase, actor_id=d.host.id, now=utcnow()
    )
    await refused(session, Forbidden, group(session, d, d.ideas[:2]))


async def test_ungrouping_is_for_hosts(session: AsyncSession, round_: Duplicates) -> None:
    d = round_
    cluster_id = await group(session, d, d.ideas[:2])
    call = clusters.ungroup(
        session,
        challenge_id=d.challenge.id,
        cluster_id=cluster_id,
        actor_id=d.authors[0].id,
        now=utcnow(),
    )
    await refused(session, Forbidden, call)


async def test_taking_out_an_idea_not_in_the_cluster_is_not_found(
    session: AsyncSession, round_: Duplicates
) -> None:
    d = round_
    cluster_id = await group(session, d, d.ideas[:2])
    call = clusters.remove_member(
        session,
        challenge_id=d.challenge.id,
        cluster_id=cluster_id,
        idea_id=d.ideas[2].id,
        actor_id=d.host.id,
        now=utcnow(),
    )
    await refused(session, NotFound, call)


# Authors: asking and answering --------------------------------------------------------


async def ask(session: AsyncSession, d: Duplicates, by: int | None = None) -> int:
    return await clusters.ask_to_group(
        session,
        idea_id=d.ideas[0].id,
        other_idea_id=d.ideas[1].id,
        actor_id=by or d.authors[0].id,
        now=utcnow(),
    )


async def answer(session: AsyncSession, request_id: int, by: int, *, accept: bool = True) -> Any:
    return await clusters.answer_request(
        session, request_id=request_id, accept=accept, actor_id=by, now=utcnow()
    )


async def test_an_author_asks_and_the_other_author_accepts(
    session: AsyncSession, round_: Duplicates
) -> None:
    d = round_
    request_id = await ask(session, d)
    told = await session.scalar(
        select(Notification.user_id).where(Notification.kind == "cluster.request")
    )
    assert told == d.authors[1].id
    cluster_id = await answer(session, request_id, d.authors[1].id)
    assert await members_of(session, cluster_id) == [d.ideas[0].id, d.ideas[1].id]
    answered = await session.scalar(
        select(Notification.data).where(Notification.kind == "cluster.answer")
    )
    assert answered is not None
    assert answered["answer"] == "accepted"
    assert (await snapshot(session)).requests == ((request_id, ClusterRequestStatus.ACCEPTED),)


async def test_the_other_author_declines_and_nothing_is_grouped(
    session: AsyncSession, round_: Duplicates
) -> None:
    d = round_
    request_id = await ask(session, d)
    assert await answer(session, request_id, d.authors[1].id, accept=False) is None
    after = await snapshot(session)
    assert after.clusters == 0
    assert after.requests == ((request_id, ClusterRequestStatus.DECLINED),)


async def test_consent_by_the_wrong_person_is_refused(
    session: AsyncSession, round_: Duplicates
) -> None:
    d = round_
    request_id = await ask(session, d)
    for wrong in (d.authors[0], d.authors[2], d.host):
        await refused(session, Forbidden, answer(session, request_id, wrong.id))


async def test_a_request_is_answered_once(session: AsyncSession, round_: Duplicates) -> None:
    d = round_
    request_id = await ask(session, d)
    await answer(session, request_id, d.authors[1].id, accept=False)
    await refused(session, Conflict, answer(session, request_id, d.authors[1].id))


async def test_asking_twice_is_refused_either_way(
    session: AsyncSession, round_: Duplicates
) -> None:
    d = round_
    await ask(session, d)
    await refused(session, Conflict, ask(session, d))
    back = clusters.ask_to_group(
        session,
        idea_id=d.ideas[1].id,
        other_idea_id=d.ideas[0].id,
        actor_id=d.authors[1].id,
        now=utcnow(),
    )
    await refused(session, Conflict, back)


async def test_only_an_author_of_the_idea_asks(session: AsyncSession, round_: Duplicates) -> None:
    d = round_
    await refused(session, Forbidden, ask(session, d, by=d.authors[2].id))


async def test_asking_for_an_idea_already_in_a_cluster_is_refused(
    session: AsyncSession, round_: Duplicates
) -> None:
    d = round_
    await group(session, d, d.ideas[1:])
    await refused(session, Conflict, ask(session, d))


async def test_accepting_after_the_host_grouped_one_of_them_is_refused(
    session: AsyncSession, round_: Duplicates
) -> None:
    d = round_
    request_id = await ask(session, d)
    await group(session, d, d.ideas[1:])
    await refused(session, Conflict, answer(session, request_id, d.authors[1].id))


async def test_the_demo_groups_through_the_service(
    session: AsyncSession, round_: Duplicates
) -> None:
    d = round_
    cluster_id = await clusters.group_demo_duplicates(
        session, host_id=d.host.id, idea_ids=[d.ideas[0].id, d.ideas[2].id]
    )
    assert await members_of(session, cluster_id) == [d.ideas[0].id, d.ideas[2].id]
