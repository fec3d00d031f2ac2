"""A form refused by a rate limit comes back as the form: 429, Retry-After, the
message at its top, and everything typed still in it. Nothing is saved."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request

from ideas.challenges.models import Challenge, ChallengeHost
from ideas.challenges.phases import Phase
from ideas.comments.models import Comment
from ideas.comments.services import post_comment
from ideas.db import utcnow
from ideas.moderation.models import Report
from ideas.submissions.models import Idea
from ideas.teams.models import JoinRequest, Team, TeamUpdate
from ideas.web.ratelimit import Limit, hit
from tests.factories import challenges as rounds
from tests.factories.accounts import Person
from tests.factories.queries import count
from tests.html import Page


@dataclass
class Typed:
    """A form filled in: where it goes, what was typed, where each value shows again."""

    person: Person
    url: str
    data: dict[str, str]
    limit: Limit
    shown: dict[str, str]  # element id → the value typed in it
    problem: str  # where the form's problem shows
    saved: type[Any]
    headers: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def use_up(app: Starlette) -> Callable[[Person, Limit], Awaitable[None]]:
    """``await use_up(person, limit)``: they did that as often as allowed for now."""

    async def use_up(person: Person, limit: Limit) -> None:
        scope = {
            "type": "http", "method": "POST", "path": "/", "headers": [], "app": app,
            "client": ("127.0.0.1", 50000), "state": {"user": person.user},
        }  # fmt: skip
        request = Request(scope)
        with pytest.raises(HTTPException) as refused:  # noqa: PT012 - hit until it refuses
            for _ in range(10_000):
                await hit(request, limit)
        assert refused.value.status_code == 429

    return use_up


Arrange = Callable[..., Awaitable[Typed]]


async def idea_new(people: Any, challenge: Any, **_: Any) -> Typed:
    [priya] = await people("Priya")
    text = {"title": "Share leftovers", "summary": "To a food bank.", "body": "Every *Friday*."}
    return Typed(
        priya, f"/challenges/{challenge.slug}/ideas/new", text, Limit.POST,
        {f"f-{k}": v for k, v in text.items()}, "#idea-form .form-problem", Idea,
    )  # fmt: skip


async def idea_edit(people: Any, challenge: Any, make_idea: Any, **_: Any) -> Typed:
    [priya] = await people("Priya")
    idea = await make_idea(challenge, priya.user)
    text = {"title": "Share more", "summary": "To two food banks.", "body": "And *Mondays*."}
    return Typed(
        priya, f"/ideas/{idea.id}/edit", text, Limit.POST,
        {f"f-{k}": v for k, v in text.items()}, "#idea-form .form-problem", Idea,
    )  # fmt: skip


CHALLENGE = {
    "title": "Less food waste in canteens",
    "question": "How might we cut food waste in school canteens?",
    "brief": "Canteens throw away a **third** of what they cook.",
    "ideas_opens_at": "2030-03-01T09:00",
    "review_opens_at": "2030-03-15T09:00",
    "closes_at": "2030-04-30T18:00",
    "team_capacity": "6",
    "report_threshold": "3",
}
CHALLENGE_SHOWN = {f"f-{k}": CHALLENGE[k] for k in ("title", "question", "brief")}


async def challenge_new(people: Any, **_: Any) -> Typed:
    [hamid] = await people("Hamid", host=True)
    return Typed(
        hamid, "/challenges/new", CHALLENGE, Limit.POST, CHALLENGE_SHOWN,
        "#challenge-form .form-problem", Challenge,
    )  # fmt: skip


async def challenge_edit(people: Any, make_challenge: Any, **_: Any) -> Typed:
    [hamid] = await people("Hamid", host=True)
    draft = await make_challenge(hamid.user, phase=Phase.DRAFT)
    return Typed(
        hamid, f"/challenges/{draft.slug}/edit", {**CHALLENGE, "slug": draft.slug}, Limit.POST,
        CHALLENGE_SHOWN, "#challenge-form .form-problem", Challenge,
    )  # fmt: skip


async def co_host(people: Any, challenge: Any, make_user: Any, host: Any, **_: Any) -> Typed:
    zara = await make_user("Zara", host=True)
    return Typed(
        host, f"/challenges/{challenge.slug}/hosts", {"email": zara.email}, Limit.POST,
        {"f-email": zara.email}, "#hosts .form-problem", ChallengeHost,
    )  # fmt: skip


async def comment(people: Any, idea: Any, **_: Any) -> Typed:
    [priya] = await people("Priya")
    return Typed(
        priya, f"/ideas/{idea.id}/comments", {"body": "Love *this*."}, Limit.COMMENT,
        {"comment-body": "Love *this*."}, "#comment-form .form-problem", Comment,
    )  # fmt: skip


async def comment_in_place(people: Any, idea: Any, **_: Any) -> Typed:
    typed = await comment(people=people, idea=idea)
    typed.headers = {"HX-Request": "true"}
    return typed


async def comment_edit(people: Any, idea: Any, session: AsyncSession, **_: Any) -> Typed:
    [priya] = await people("Priya")
    assert priya.user is not None
    mine = await post_comment(
        session, idea_id=idea.id, author_id=priya.user.id, body="Frist", now=utcnow()
    )
    return Typed(
        priya, f"/comments/{mine.id}/edit", {"body": "First!"}, Limit.COMMENT,
        {f"edit-{mine.id}-body": "First!"}, f"#edit-{mine.id}-form .form-problem", Comment,
    )  # fmt: skip


async def idea_report(people: Any, idea: Any, **_: Any) -> Typed:
    [priya] = await people("Priya")
    dom = f"report-idea-{idea.id}"
    return Typed(
        priya, f"/ideas/{idea.id}/report", {"reason": "other", "note": "Copied."}, Limit.REPORT,
        {f"{dom}-note": "Copied."}, f"#{dom} .form-problem", Report,
    )  # fmt: skip


async def comment_report(people: Any, idea: Any, session: AsyncSession, **_: Any) -> Typed:
    [priya] = await people("Priya")
    theirs = await post_comment(
        session, idea_id=idea.id, author_id=idea.author_id, body="Buy shoes", now=utcnow()
    )
    dom = f"report-comment-{theirs.id}"
    return Typed(
        priya, f"/comments/{theirs.id}/report", {"reason": "other", "note": "An ad."},
        Limit.REPORT, {f"{dom}-note": "An ad."}, f"#{dom} .form-problem", Report,
    )  # fmt: skip


async def _team(
    host: Any, make_challenge: Any, make_idea: Any, lead: Any, session: AsyncSession
) -> Team:
    challenge = await make_challenge(host.user, phase=Phase.TEAMS)
    idea = await make_idea(challenge, lead, title="Compost the leftovers")
    return await rounds.shortlist(session, challenge, idea)


async def ask_to_join(
    people: Any, host: Any, make_challenge: Any, make_idea: Any, make_user: Any, session: Any,
    **_: Any,
) -> Typed:  # fmt: skip
    team = await _team(host, make_challenge, make_idea, await make_user("Ada"), session)
    [priya] = await people("Priya")
    text = {"message": "I cook for sixty.", "skills": "cooking"}
    return Typed(
        priya, f"/teams/{team.id}/ask", text, Limit.POST,
        {f"ask-{k}": v for k, v in text.items()}, "#team-join .form-problem", JoinRequest,
    )  # fmt: skip


async def invite(
    people: Any, host: Any, make_challenge: Any, make_idea: Any, make_user: Any, session: Any,
    **_: Any,
) -> Typed:  # fmt: skip
    [ada] = await people("Ada")
    team = await _team(host, make_challenge, make_idea, ada.user, session)
    priya = await make_user("Priya")
    text = {"email": priya.email, "message": "Join us?"}
    return Typed(
        ada, f"/teams/{team.id}/invite", text, Limit.POST,
        {f"invite-{k}": v for k, v in text.items()}, "#team-lead .form-problem", JoinRequest,
    )  # fmt: skip


async def team_update(
    people: Any, host: Any, make_challenge: Any, make_idea: Any, session: Any, **_: Any
) -> Typed:
    [ada] = await people("Ada")
    team = await _team(host, make_challenge, make_idea, ada.user, session)
    return Typed(
        ada, f"/teams/{team.id}/updates", {"body": "We met the *cooks*."}, Limit.POST,
        {"update-body": "We met the *cooks*."}, "#team-updates .form-problem", TeamUpdate,
    )  # fmt: skip


FORMS: dict[str, Arrange] = {
    "new idea": idea_new,
    "edit idea": idea_edit,
    "new challenge": challenge_new,
    "edit challenge": challenge_edit,
    "co-host": co_host,
    "comment": comment,
    "comment by htmx": comment_in_place,
    "edit comment": comment_edit,
    "report of an idea": idea_report,
    "report of a comment": comment_report,
    "ask to join": ask_to_join,
    "invitation": invite,
    "team update": team_update,
}


@pytest.fixture(params=list(FORMS))
async def typed(
    request: pytest.FixtureRequest,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
) -> Typed:
    async def people(*names: str, host: bool = False) -> list[Person]:
        return [await sign_in(await make_user(name, host=host)) for name in names]

    host = await sign_in(await make_user("Hamid", host=True))
    challenge = await make_challenge(host.user)
    idea = await make_idea(challenge, await make_user("Carl"), title="Shade the yard")
    return await FORMS[request.param](
        people=people,
        host=host,
        challenge=challenge,
        idea=idea,
        make_user=make_user,
        make_challenge=make_challenge,
        make_idea=make_idea,
        session=session,
    )


def shown_value(page: Page, element_id: str) -> str:
    element = page.one(f"#{element_id}")
    if element.tag == "textarea":
        return element.text or ""
    return str(element.get("value", ""))


async def test_a_rate_limited_form_comes_back_as_typed_with_429(
    typed: Typed, use_up: Any, session: AsyncSession
) -> None:
    await use_up(typed.person, typed.limit)
    before = await count(session, typed.saved)

    response = await typed.person.post(typed.url, typed.data, headers=typed.headers or None)

    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    page = Page(response)
    assert "Wait" in page.text(typed.problem)
    for element_id, value in typed.shown.items():
        assert shown_value(page, element_id) == value, element_id
    assert await count(session, typed.saved) == before


async def test_before_the_limit_the_same_forms_are_saved(
    typed: Typed, session: AsyncSession
) -> None:
    """The refusal above is the limit's doing: the same form, within it, goes through."""
    response = await typed.person.post(typed.url, typed.data, headers=typed.headers or None)

    assert response.status_code in {200, 303}
    assert isinstance(response, httpx.Response)
    assert Page(response).select(typed.problem) == []
