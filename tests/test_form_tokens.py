"""A form that makes something makes it once, however often it is sent.

Each form carries a one-time token (``form_token``). Sent again, as a double
click, a browser's resend or a second press on a slow network does, it makes
nothing more and is answered as the first time: the same redirect, or for
htmx the same fragment, never an error page.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import form_tokens
from ideas.accounts import sessions
from ideas.accounts.models import User
from ideas.accounts.services import create_user
from ideas.app import create_app
from ideas.challenges.forms import ChallengeInput
from ideas.challenges.models import Challenge, HostInvitation
from ideas.challenges.phases import Phase
from ideas.challenges.services import create_challenge
from ideas.comments.models import Comment
from ideas.comments.services import post_comment
from ideas.db import Database, utcnow
from ideas.form_tokens import UsedFormToken
from ideas.moderation.models import Report
from ideas.notifications import worker
from ideas.settings import load_settings
from ideas.submissions.forms import IdeaInput
from ideas.submissions.models import Idea, IdeaCoauthor, IdeaLink
from ideas.submissions.services import post_idea
from ideas.teams import services as teams
from ideas.teams.forms import AskInput, InviteInput
from ideas.teams.models import JoinRequest, Team, TeamMember, TeamRole, TeamUpdate
from ideas.web.sessions import cookie_name
from tests.factories import challenges as rounds
from tests.factories.accounts import Person
from tests.factories.challenges import schedule_for
from tests.factories.queries import count
from tests.factories.web import HTMX
from tests.html import Page
from tests.support.environ import TEST_ENVIRON

TOKEN = "a-one-time-token-0123456789"


@dataclass
class Sent:
    """A form about to be sent: who sends it, where, what, and what it makes."""

    person: Person
    url: str
    data: dict[str, str]
    makes: type[Any]  # the table that gains one row

    async def send(self, **kwargs: Any) -> httpx.Response:
        return await self.person.post(self.url, {**self.data, "form_token": TOKEN}, **kwargs)


Arrange = Callable[..., Awaitable[Sent]]


@pytest.fixture
def people(make_user: Any, sign_in: Any) -> Any:
    async def make(*names: str, host: bool = False) -> list[Person]:
        return [await sign_in(await make_user(name, host=host)) for name in names]

    return make


@pytest.fixture
def a_team(make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession) -> Any:
    """A challenge in its teams phase and the team of its shortlisted idea, led by Ada."""

    async def make(lead: User) -> Team:
        host = await make_user("Hamid", host=True)
        challenge = await make_challenge(host, phase=Phase.TEAMS)
        idea = await make_idea(challenge, lead, title="Compost the leftovers")
        return await rounds.shortlist(session, challenge, idea)

    return make


async def an_idea(make_user: Any, make_challenge: Any, make_idea: Any) -> tuple[Challenge, Idea]:
    challenge = await make_challenge(await make_user("Hamid", host=True))
    idea: Idea = await make_idea(challenge, await make_user("Carl"), title="Shade the yard")
    return challenge, idea


# One arrangement per form that makes something ----------------------------------------


async def idea_form(people: Any, make_user: Any, make_challenge: Any, **_: Any) -> Sent:
    challenge = await make_challenge(await make_user("Hamid", host=True))
    [priya] = await people("Priya")
    data = {"title": "Share leftovers", "summary": "Give what is left to a food bank."}
    return Sent(priya, f"/challenges/{challenge.slug}/ideas/new", data, Idea)


async def build_on_form(
    people: Any, make_user: Any, make_challenge: Any, make_idea: Any, **_: Any
) -> Sent:
    challenge, parent = await an_idea(make_user, make_challenge, make_idea)
    [priya] = await people("Priya")
    data = {
        "title": "Shade and water",
        "summary": "Trees that also catch rain.",
        "builds_on": str(parent.id),
        f"note-{parent.id}": "Added rain barrels.",
    }
    return Sent(priya, f"/challenges/{challenge.slug}/ideas/new", data, IdeaLink)


async def comment_form(
    people: Any, make_user: Any, make_challenge: Any, make_idea: Any, **_: Any
) -> Sent:
    idea = (await an_idea(make_user, make_challenge, make_idea))[1]
    [priya] = await people("Priya")
    return Sent(priya, f"/ideas/{idea.id}/comments", {"body": "Love it."}, Comment)


async def reply_form(
    people: Any,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    session: AsyncSession,
    **_: Any,
) -> Sent:
    idea = (await an_idea(make_user, make_challenge, make_idea))[1]
    first = await post_comment(
        session, idea_id=idea.id, author_id=idea.author_id, body="Thoughts?", now=utcnow()
    )
    [priya] = await people("Priya")
    data = {"body": "Yes!", "parent_id": str(first.id)}
    return Sent(priya, f"/ideas/{idea.id}/comments", data, Comment)


async def idea_report_form(
    people: Any, make_user: Any, make_challenge: Any, make_idea: Any, **_: Any
) -> Sent:
    idea = (await an_idea(make_user, make_challenge, make_idea))[1]
    [priya] = await people("Priya")
    return Sent(priya, f"/ideas/{idea.id}/report", {"reason": "spam", "note": ""}, Report)


async def comment_report_form(
    people: Any,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    session: AsyncSession,
    **_: Any,
) -> Sent:
    idea = (await an_idea(make_user, make_challenge, make_idea))[1]
    comment = await post_comment(
        session, idea_id=idea.id, author_id=idea.author_id, body="Buy my shoes", now=utcnow()
    )
    [priya] = await people("Priya")
    return Sent(priya, f"/comments/{comment.id}/report", {"reason": "spam", "note": ""}, Report)


async def challenge_form(people: Any, **_: Any) -> Sent:
    [hamid] = await people("Hamid", host=True)
    data = {
        "title": "Less food waste in canteens",
        "question": "How might we cut food waste in school canteens?",
        "ideas_opens_at": "2030-03-01T09:00",
        "review_opens_at": "2030-03-15T09:00",
        "closes_at": "2030-04-30T18:00",
    }
    return Sent(hamid, "/challenges/new", data, Challenge)


async def co_host_form(people: Any, make_user: Any, make_challenge: Any, **_: Any) -> Sent:
    [hamid] = await people("Hamid", host=True)
    assert hamid.user is not None
    challenge = await make_challenge(hamid.user)
    zara = await make_user("Zara", host=True)
    url = f"/challenges/{challenge.slug}/hosts"
    return Sent(hamid, url, {"email": zara.email}, HostInvitation)


async def co_author_form(
    people: Any,
    make_user: Any,
    make_challenge: Any,
    session: AsyncSession,
    make_idea: Any,
    **_: Any,
) -> Sent:
    [carl] = await people("Carl")
    assert carl.user is not None
    challenge = await make_challenge(await make_user("Hamid", host=True))
    idea = await make_idea(challenge, carl.user)
    tomas = await make_user("Tomas")
    await post_comment(session, idea_id=idea.id, author_id=tomas.id, body="Idea!", now=utcnow())
    return Sent(carl, f"/ideas/{idea.id}/coauthors", {"user_id": str(tomas.id)}, IdeaCoauthor)


async def shortlist_form(
    people: Any, make_challenge: Any, make_idea: Any, make_user: Any, **_: Any
) -> Sent:
    [hamid] = await people("Hamid", host=True)
    assert hamid.user is not None
    challenge = await make_challenge(hamid.user, phase=Phase.REVIEW)
    idea = await make_idea(challenge, await make_user("Carl"))
    url = f"/challenges/{challenge.slug}/shortlist/{idea.id}"
    return Sent(hamid, url, {"decision": "add", "note": "Strong."}, Team)


async def join_request_form(people: Any, a_team: Any, make_user: Any, **_: Any) -> Sent:
    team = await a_team(await make_user("Ada"))
    [priya] = await people("Priya")
    return Sent(priya, f"/teams/{team.id}/ask", {"message": "I cook.", "skills": ""}, JoinRequest)


async def invitation_form(people: Any, a_team: Any, make_user: Any, **_: Any) -> Sent:
    [ada] = await people("Ada")
    team = await a_team(ada.user)
    priya = await make_user("Priya")
    data = {"email": priya.email, "message": "Join us?"}
    return Sent(ada, f"/teams/{team.id}/invite", data, JoinRequest)


async def team_update_form(people: Any, a_team: Any, **_: Any) -> Sent:
    [ada] = await people("Ada")
    team = await a_team(ada.user)
    return Sent(ada, f"/teams/{team.id}/updates", {"body": "We met the cooks."}, TeamUpdate)


async def team_role_form(people: Any, a_team: Any, **_: Any) -> Sent:
    [ada] = await people("Ada")
    team = await a_team(ada.user)
    data = {"title": "Designer", "description": "", "skills": "drawing"}
    return Sent(ada, f"/teams/{team.id}/roles", data, TeamRole)


async def acceptance_form(
    people: Any, a_team: Any, make_user: Any, session: AsyncSession, **_: Any
) -> Sent:
    [ada] = await people("Ada")
    team = await a_team(ada.user)
    priya = await make_user("Priya")
    asked = await teams.ask_to_join(
        session, team_id=team.id, user_id=priya.id, data=AskInput("Hi", ""), now=utcnow()
    )
    return Sent(ada, f"/teams/{team.id}/requests/{asked.id}/accept", {}, TeamMember)


async def invitation_acceptance_form(
    people: Any, a_team: Any, make_user: Any, session: AsyncSession, **_: Any
) -> Sent:
    ada = await make_user("Ada")
    team = await a_team(ada)
    [priya] = await people("Priya")
    assert priya.user is not None
    invited = await teams.invite(
        session, team_id=team.id, actor_id=ada.id,
        data=InviteInput(priya.user.id, "", ""), now=utcnow(),
    )  # fmt: skip
    return Sent(priya, f"/teams/requests/{invited.id}/accept", {}, TeamMember)


FORMS: dict[str, Arrange] = {
    "idea": idea_form,
    "build-on": build_on_form,
    "comment": comment_form,
    "reply": reply_form,
    "report of an idea": idea_report_form,
    "report of a comment": comment_report_form,
    "challenge": challenge_form,
    "co-host": co_host_form,
    "co-author": co_author_form,
    "shortlisting": shortlist_form,
    "join request": join_request_form,
    "invitation": invitation_form,
    "team update": team_update_form,
    "team role": team_role_form,
    "acceptance of a request": acceptance_form,
    "acceptance of an invitation": invitation_acceptance_form,
}


@pytest.fixture(params=list(FORMS))
async def sent(
    request: pytest.FixtureRequest,
    people: Any,
    a_team: Any,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    session: AsyncSession,
) -> Sent:
    arrange = FORMS[request.param]
    return await arrange(
        people=people,
        a_team=a_team,
        make_user=make_user,
        make_challenge=make_challenge,
        make_idea=make_idea,
        session=session,
    )


# The rule ----------------------------------------------------------------------------


async def test_a_form_sent_twice_makes_one_and_is_answered_as_the_first(
    sent: Sent, session: AsyncSession
) -> None:
    before = await count(session, sent.makes)

    first = await sent.send()
    again = await sent.send()

    assert first.status_code == 303, Page(first).text("main")
    assert again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert await count(session, sent.makes) == before + 1


async def test_the_same_form_with_a_fresh_token_is_a_second_one(
    make_user: Any, make_challenge: Any, people: Any, session: AsyncSession
) -> None:
    """The token, not the text, tells a resend: two ideas typed alike are two ideas."""
    sent = await idea_form(people=people, make_user=make_user, make_challenge=make_challenge)

    first = await sent.person.post(sent.url, {**sent.data, "form_token": TOKEN})
    second = await sent.person.post(sent.url, {**sent.data, "form_token": TOKEN[::-1]})

    assert first.headers["location"] != second.headers["location"]
    assert await count(session, Idea) == 2


async def test_a_token_is_bound_to_the_person_who_sent_it(
    make_user: Any, make_challenge: Any, people: Any, session: AsyncSession
) -> None:
    sent = await idea_form(people=people, make_user=make_user, make_challenge=make_challenge)
    [tomas] = await people("Tomas")

    await sent.send()
    theirs = await tomas.post(sent.url, {**sent.data, "form_token": TOKEN})

    assert theirs.status_code == 303
    assert await count(session, Idea) == 2


async def test_a_comment_sent_twice_by_htmx_gets_the_same_fragment(
    make_user: Any, make_challenge: Any, make_idea: Any, people: Any, session: AsyncSession
) -> None:
    sent = await comment_form(
        people=people, make_user=make_user, make_challenge=make_challenge, make_idea=make_idea
    )

    first = await sent.send(headers=HTMX)
    again = await sent.send(headers=HTMX)

    assert (first.status_code, again.status_code) == (200, 200)
    [comment] = (await session.scalars(select(Comment))).all()
    for answer in (first, again):
        page = Page(answer)
        assert page.one(f"#comment-{comment.id}") is not None
        assert page.text("#comments-heading") == "Comments (1)"
        assert not page.one("#comment-form textarea[name=body]").text


async def test_an_idea_sent_twice_by_htmx_is_sent_to_the_same_page(
    make_user: Any, make_challenge: Any, people: Any, session: AsyncSession
) -> None:
    sent = await idea_form(people=people, make_user=make_user, make_challenge=make_challenge)

    first = await sent.send(headers=HTMX)
    again = await sent.send(headers=HTMX)

    assert first.headers["HX-Redirect"] == again.headers["HX-Redirect"]
    assert await count(session, Idea) == 1


async def test_a_form_without_a_token_still_works(
    make_user: Any, make_challenge: Any, people: Any, session: AsyncSession
) -> None:
    """A page shown before tokens existed, or by a script: made, without the guard."""
    sent = await idea_form(people=people, make_user=make_user, make_challenge=make_challenge)

    response = await sent.person.post(sent.url, sent.data)

    assert response.status_code == 303
    assert await count(session, Idea) == 1


async def test_every_form_that_makes_something_carries_a_fresh_token(
    make_user: Any, make_challenge: Any, make_idea: Any, people: Any
) -> None:
    idea = (await an_idea(make_user, make_challenge, make_idea))[1]
    [priya] = await people("Priya")

    shown = [Page(await priya.get(f"/ideas/{idea.id}/{idea.slug}")) for _ in range(2)]

    tokens = [page.one("#comment-form input[name=form_token]").get("value") for page in shown]
    assert tokens[0] != tokens[1]
    assert all(len(token or "") >= 16 for token in tokens)
    assert shown[0].one(f"#report-idea-{idea.id} input[name=form_token]") is not None


# Tokens are forgotten after a day -------------------------------------------------------


async def test_the_worker_forgets_tokens_used_more_than_a_day_ago(
    make_user: Any, make_challenge: Any, people: Any, database: Database, session: AsyncSession
) -> None:
    sent = await idea_form(people=people, make_user=make_user, make_challenge=make_challenge)
    await sent.send()
    assert await count(session, UsedFormToken) == 1

    soon = await form_tokens.prune(database, utcnow() + timedelta(hours=23))
    later = await form_tokens.prune(database, utcnow() + timedelta(hours=25))

    assert (soon, later) == (0, 1)
    assert await count(session, UsedFormToken) == 0


async def test_a_worker_pass_prunes_the_tokens(database: Database, settings: Any) -> None:
    done = await worker.run_once(database, settings)
    assert done.forgotten_tokens == 0


# At the same moment -------------------------------------------------------------------


@dataclass
class Stage:
    database: Database
    challenge: Challenge
    idea: Idea
    person: User


@asynccontextmanager
async def a_stage(url: str) -> AsyncIterator[Stage]:
    """A challenge taking ideas with one idea in it, and Priya, on a committing database."""
    database = Database.from_url(url)
    try:
        async with database.session() as session:
            now = utcnow()

            async def person(n: int, name: str, host: bool = False) -> User:
                return await create_user(
                    session, display_name=name, email=f"p{n}@example.org", provider="test",
                    subject=f"p-{n}", is_host=host, now=now,
                )  # fmt: skip

            host = await person(0, "Hamid", host=True)
            race = ChallengeInput(
                title="Race", slug="race", question="How might we race?", sponsor="", brief="",
                schedule=schedule_for(Phase.IDEAS, now),
            )  # fmt: skip
            challenge = await create_challenge(session, host_id=host.id, data=race, now=now)
            idea = await post_idea(
                session, challenge_id=challenge.id, author_id=host.id,
                data=IdeaInput(title="First", summary="Short.", body=""), now=now,
            )  # fmt: skip
            priya = await person(1, "Priya")
        yield Stage(database, challenge, idea, priya)
    finally:
        await database.dispose()


async def rows(database: Database, model: type[Any]) -> int:
    async with database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("form", ["idea", "comment"])
async def test_five_sends_of_one_form_at_the_same_moment_make_one(
    committing_database_url: str, form: str
) -> None:
    settings = load_settings({**TEST_ENVIRON, "IDEAS_RATE_LIMITS": "false"})
    async with a_stage(committing_database_url) as stage:
        app = create_app(settings, stage.database)
        async with stage.database.session() as session:
            token, web_session = await sessions.start(
                session, stage.person, now=utcnow(), replacing=None
            )
        if form == "idea":
            url = f"/challenges/{stage.challenge.slug}/ideas/new"
            data = {"title": "Share leftovers", "summary": "To a food bank."}
            model: type[Any] = Idea
        else:
            url, data, model = f"/ideas/{stage.idea.id}/comments", {"body": "Yes."}, Comment
        before = await rows(stage.database, model)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
        ) as client:
            client.cookies.set(cookie_name(settings), token)
            sent = {**data, "csrf_token": web_session.csrf_token, "form_token": TOKEN}
            answers = await asyncio.gather(*(client.post(url, data=sent) for _ in range(5)))

        assert [a.status_code for a in answers] == [303] * 5
        assert len({a.headers["location"] for a in answers}) == 1
        assert await rows(stage.database, model) == before + 1
        assert await rows(stage.database, UsedFormToken) == 1
