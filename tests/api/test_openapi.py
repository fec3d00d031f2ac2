"""The OpenAPI document is valid, served, complete, and true of real responses."""

from __future__ import annotations

import re
from typing import Any

from openapi_spec_validator import validate
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.routing import Route

from ideas.api import views
from ideas.api.openapi import DOCUMENT
from ideas.challenges.phases import Phase
from tests.api.schema import PREFIX, assert_conforms
from tests.factories import challenges as rounds
from tests.factories.accounts import Person


def test_the_document_is_valid_openapi_3_1() -> None:
    assert DOCUMENT["openapi"].startswith("3.1.")
    validate(DOCUMENT)


def test_the_document_describes_every_route_of_the_api_and_no_other() -> None:
    routed = {
        re.sub(r":\w+}", "}", route.path)  # /ideas/{id:id} is documented as /ideas/{id}
        for route in views.routes()
        if isinstance(route, Route) and route.name != "api.not_found"
    }
    assert DOCUMENT["servers"] == [{"url": PREFIX}]
    assert set(DOCUMENT["paths"]) == routed


async def test_the_document_is_served(visitor: Person) -> None:
    response = await visitor.get(f"{PREFIX}/openapi.json")

    assert response.status_code == 200
    assert response.json() == DOCUMENT
    assert_conforms(response, "/openapi.json")


async def test_the_list_answers_as_documented(
    make_user: Any, make_challenge: Any, visitor: Person
) -> None:
    host = await make_user(host=True)
    for phase in Phase:
        await make_challenge(host, phase=phase)

    full = await visitor.get(f"{PREFIX}/challenges")
    paged = await visitor.get(f"{PREFIX}/challenges?limit=1")
    bad = await visitor.get(f"{PREFIX}/challenges?limit=1000")

    assert (full.status_code, paged.status_code, bad.status_code) == (200, 200, 400)
    assert len(full.json()["items"]) == 4
    assert paged.json()["next"] is not None
    for response in (full, paged, bad):
        assert_conforms(response, "/challenges")


async def test_a_challenge_answers_as_documented(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    session: AsyncSession,
    visitor: Person,
) -> None:
    host = await make_user(host=True)
    in_teams = await make_challenge(host, phase=Phase.TEAMS)
    closed = await make_challenge(host, phase=Phase.CLOSED)
    draft = await make_challenge(host, phase=Phase.DRAFT)
    idea = await make_idea(in_teams, await make_user())
    await rounds.shortlist(session, in_teams, idea)
    await rounds.pick_winner(session, in_teams, idea, citation="The best.")

    with_winner = await visitor.get(f"{PREFIX}/challenges/{in_teams.slug}")
    without_next_change = await visitor.get(f"{PREFIX}/challenges/{closed.slug}")
    hidden = await visitor.get(f"{PREFIX}/challenges/{draft.slug}")

    assert with_winner.json()["winners"][0]["id"] == idea.id
    assert without_next_change.json()["next_change"] is None
    assert hidden.status_code == 404
    for response in (with_winner, without_next_change, hidden):
        assert_conforms(response, "/challenges/{slug}")


async def test_a_refused_method_answers_as_documented(make_user: Any, sign_in: Any) -> None:
    priya = await sign_in(await make_user())

    response = await priya.post(f"{PREFIX}/challenges")

    assert response.status_code == 405
    assert_conforms(response, "/challenges")
