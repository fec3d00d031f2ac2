"""Jury services: each refusal says why, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.challenges.phases import Phase
from ideas.db import Base, write
from ideas.errors import AlreadyDone, Conflict, Forbidden, Invalid, NotFound
from ideas.jury import queries, services
from ideas.jury.forms import ScoreInput, SettingsInput
from ideas.jury.models import JuryScore
from ideas.notifications.models import Notification
from tests.factories.jury import jury_round


async def _everything(session: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
    await session.commit()
    rows = {}
    for table in Base.metadata.sorted_tables:
        result = await session.execute(select(table))
        rows[table.name] = sorted(map(tuple, result.all()), key=repr)
    return rows


@pytest.fixture
async def jr(session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any) -> Any:
    return await jury_round(session, make_user, make_challenge, make_idea)


async def test_a_juror_scores_an_idea_and_submits(jr: Any, session: AsyncSession) -> None:
    draft = await jr.score(jr.jurors[0], jr.ideas[0], (4,), submit=False)
    assert draft.submitted_at is None
    done = await jr.score(jr.jurors[0], jr.ideas[0], (4, 2))
    assert done.id == draft.id
    assert done.submitted_at is not None
    assert done.marks == {str(jr.criteria[0].id): 4, str(jr.criteria[1].id): 2}


async def test_a_submitted_score_stays_as_submitted(jr: Any, session: AsyncSession) -> None:
    await jr.score(jr.jurors[0], jr.ideas[0], (4, 2))
    before = await _everything(session)
    with pytest.raises(AlreadyDone):
        await jr.score(jr.jurors[0], jr.ideas[0], (1, 1))
    assert await _everything(session) == before


@pytest.mark.parametrize(("marks", "field"), [((6, 2), 0), ((0, 2), 0), ((3,), 1)])
async def test_scores_outside_the_scale_or_missing_are_refused(
    jr: Any, session: AsyncSession, marks: tuple[int, ...], field: int
) -> None:
    before = await _everything(session)
    with pytest.raises(Invalid) as refused:
        await jr.score(jr.jurors[0], jr.ideas[0], marks)
    assert f"mark-{jr.criteria[field].id}" in refused.value.errors
    assert await _everything(session) == before


@pytest.mark.parametrize("phase", [Phase.IDEAS, Phase.TEAMS, Phase.CLOSED])
async def test_scoring_outside_review_is_refused(
    jr: Any, session: AsyncSession, phase: Phase
) -> None:
    await jr.switch(phase)
    before = await _everything(session)
    with pytest.raises(Forbidden):
        await jr.score(jr.jurors[0], jr.ideas[0], (3, 3))
    assert await _everything(session) == before


async def test_a_non_juror_cannot_score(jr: Any, session: AsyncSession, make_user: Any) -> None:
    outsider = await make_user("Outsider")
    before = await _everything(session)
    with pytest.raises(Forbidden):
        await jr.score(outsider, jr.ideas[0], (3, 3))
    assert await _everything(session) == before


async def test_a_host_who_is_not_a_juror_cannot_score(jr: Any, session: AsyncSession) -> None:
    before = await _everything(session)
    with pytest.raises(Forbidden):
        await jr.score(jr.host, jr.ideas[0], (3, 3))
    assert await _everything(session) == before


async def test_a_juror_cannot_score_their_own_idea(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any
) -> None:
    jr = await jury_round(session, make_user, make_challenge, make_idea, review=False)
    own = await make_idea(jr.challenge, jr.jurors[0], title="The juror's own idea")
    await jr.switch(Phase.REVIEW)
    before = await _everything(session)
    with pytest.raises(Forbidden):
        await jr.score(jr.jurors[0], own, (3, 3))
    assert await _everything(session) == before


async def test_a_declared_conflict_takes_the_idea_out_and_refuses_scores(
    jr: Any, session: AsyncSession
) -> None:
    juror, idea = jr.jurors[0], jr.ideas[0]
    await jr.score(juror, idea, (2,), submit=False)
    await services.declare_conflict(
        session, challenge_id=jr.challenge.id, idea_id=idea.id, user_id=juror.id,
        reason="My sister wrote it.", now=jr.tick(),
    )  # fmt: skip
    found = await queries.jury(session, jr.challenge.id)
    assert idea.id not in found.queues()[juror.id]
    assert [c.reason for c in found.conflicts] == ["My sister wrote it."]
    assert await session.scalar(select(func.count()).select_from(JuryScore)) == 0
    before = await _everything(session)
    with pytest.raises(Forbidden):
        await jr.score(juror, idea, (3, 3))
    assert await _everything(session) == before


async def test_a_conflict_needs_a_reason(jr: Any, session: AsyncSession) -> None:
    before = await _everything(session)
    with pytest.raises(Invalid):
        await services.declare_conflict(
            session, challenge_id=jr.challenge.id, idea_id=jr.ideas[0].id,
            user_id=jr.jurors[0].id, reason="  ", now=jr.tick(),
        )  # fmt: skip
    assert await _everything(session) == before


async def test_the_weighting_is_frozen_once_the_first_score_is_in(
    jr: Any, session: AsyncSession
) -> None:
    await jr.score(jr.jurors[0], jr.ideas[0], (3,), submit=False)
    await jr.switch(Phase.IDEAS)
    before = await _everything(session)
    with pytest.raises(Conflict):
        await services.save_settings(
            session, challenge_id=jr.challenge.id, data=SettingsInput(0.8, 2, "all"),
            actor_id=jr.host.id, now=jr.tick(),
        )  # fmt: skip
    assert await _everything(session) == before
    # Other settings may still change, with the weighting as it was.
    await services.save_settings(
        session, challenge_id=jr.challenge.id, data=SettingsInput(0.5, 3, "all"),
        actor_id=jr.host.id, now=jr.tick(),
    )  # fmt: skip


async def test_the_jury_is_set_up_before_review_only(jr: Any, session: AsyncSession) -> None:
    before = await _everything(session)
    with pytest.raises(Forbidden):
        await services.invite_juror(
            session, challenge_id=jr.challenge.id, email="late@example.org",
            actor_id=jr.host.id, now=jr.tick(),
        )  # fmt: skip
    assert await _everything(session) == before


async def test_only_hosts_set_up_the_jury(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any
) -> None:
    jr = await jury_round(session, make_user, make_challenge, make_idea, review=False)
    before = await _everything(session)
    with pytest.raises(Forbidden):
        await services.invite_juror(
            session, challenge_id=jr.challenge.id, email="friend@example.org",
            actor_id=jr.jurors[0].id, now=jr.tick(),
        )  # fmt: skip
    assert await _everything(session) == before


async def test_an_invitation_answers_the_same_whoever_uses_the_address(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any
) -> None:
    jr = await jury_round(session, make_user, make_challenge, make_idea, review=False)
    someone = await services.invite_juror(
        session, challenge_id=jr.challenge.id, email=str(jr.authors[0].email),
        actor_id=jr.host.id, now=jr.tick(),
    )  # fmt: skip
    nobody = await services.invite_juror(
        session, challenge_id=jr.challenge.id, email="Nobody@Example.org",
        actor_id=jr.host.id, now=jr.tick(),
    )  # fmt: skip
    assert someone.user_id is not None
    assert nobody.user_id is None
    assert nobody.email == "nobody@example.org"
    with pytest.raises(Invalid):
        await services.invite_juror(
            session, challenge_id=jr.challenge.id, email="nobody@example.org",
            actor_id=jr.host.id, now=jr.tick(),
        )  # fmt: skip


async def test_publishing_needs_scores_and_a_host(jr: Any, session: AsyncSession) -> None:
    with pytest.raises(Conflict):
        await services.publish(
            session, challenge_id=jr.challenge.id, actor_id=jr.host.id, now=jr.tick()
        )
    await jr.score(jr.jurors[0], jr.ideas[0], (3, 3))
    with pytest.raises(Forbidden):
        await services.publish(
            session, challenge_id=jr.challenge.id, actor_id=jr.jurors[0].id, now=jr.tick()
        )
    published = await services.publish(
        session, challenge_id=jr.challenge.id, actor_id=jr.host.id, now=jr.tick()
    )
    assert published.published_at is not None


async def test_a_draft_score_is_refused_for_a_missing_idea(jr: Any, session: AsyncSession) -> None:
    with pytest.raises(NotFound):
        await services.save_score(
            session, challenge_id=jr.challenge.id, idea_id=999_999, user_id=jr.jurors[0].id,
            data=ScoreInput({}, "", False), now=jr.tick(),
        )  # fmt: skip


async def test_hosts_hear_when_every_idea_is_scored(jr: Any, session: AsyncSession) -> None:
    for idea in jr.ideas:
        for juror in jr.jurors:
            await jr.score(juror, idea, (3, 4))
    kinds = await session.scalars(
        select(Notification.kind).where(Notification.user_id == jr.host.id)
    )
    assert "jury.all_scored" in list(kinds)


async def test_an_invitation_to_an_unused_address_waits_for_a_verified_sign_in(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any
) -> None:
    jr = await jury_round(session, make_user, make_challenge, make_idea, review=False)
    await services.invite_juror(
        session, challenge_id=jr.challenge.id, email="New.Juror@example.org",
        actor_id=jr.host.id, now=jr.tick(),
    )  # fmt: skip
    newcomer = await make_user("Newcomer")
    assert await queries.juror_for(session, jr.challenge.id, newcomer) is None
    async with write(session) as tx:
        reached = await services.claim(
            tx, user_id=newcomer.id, address="new.juror@example.org", now=jr.tick()
        )
    assert reached == 1
    assert await queries.juror_for(session, jr.challenge.id, newcomer) is not None


async def test_jurors_hear_when_invited_and_once_when_review_opens(
    jr: Any, session: AsyncSession
) -> None:
    told = await services.tell_jurors_review_opened(
        session, challenge_id=jr.challenge.id, now=jr.tick()
    )
    again = await services.tell_jurors_review_opened(
        session, challenge_id=jr.challenge.id, now=jr.tick()
    )
    assert (told, again) == (2, 0)
    for juror in jr.jurors:
        kinds = list(
            await session.scalars(select(Notification.kind).where(Notification.user_id == juror.id))
        )
        assert sorted(kinds) == ["jury.invitation", "jury.review"]
