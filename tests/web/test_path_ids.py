"""An id in a path that no database row can have is "not found", on every route.

The routes are read from the site's own route table, so a route added later is
checked without anyone having to remember it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.convertors import IntegerConvertor
from starlette.routing import BaseRoute, Mount, Route

from ideas.web.convertors import MAX_ID, IdConvertor
from tests.factories.accounts import Person

PARAM = re.compile(r"{(\w+)(?::\w+)?}")
# Past PostgreSQL's integer, and past SQLite's 64-bit one.
TOO_LARGE = [2**31, 2**63]


def routes_of(app: Starlette) -> Iterator[tuple[str, Route]]:
    """Every route of the site, with the path it is mounted under."""

    def walk(table: list[BaseRoute], prefix: str) -> Iterator[tuple[str, Route]]:
        for route in table:
            if isinstance(route, Mount) and route.routes:
                yield from walk(route.routes, prefix + route.path)
            elif isinstance(route, Route):
                yield prefix, route

    return walk(app.routes, "")


def id_params(route: Route) -> list[str]:
    return [
        name
        for name, convertor in route.param_convertors.items()
        if isinstance(convertor, IdConvertor | IntegerConvertor)
    ]


def test_every_number_in_a_path_is_an_id(app: Starlette) -> None:
    """``:int`` would let any number through to the database; ``:id`` stops at the
    largest id. A parameter named like an id is one."""
    wrong = []
    for prefix, route in routes_of(app):
        for name, convertor in route.param_convertors.items():
            named_like_an_id = name == "id" or name.endswith("_id")
            if isinstance(convertor, IntegerConvertor) or (
                named_like_an_id and not isinstance(convertor, IdConvertor)
            ):
                wrong.append(f"{prefix}{route.path}")
    assert wrong == []
    assert sum(1 for _, route in routes_of(app) if id_params(route)) >= 28


def test_the_largest_id_is_the_smaller_of_the_databases_ranges() -> None:
    convertor = IdConvertor()
    pattern = re.compile(convertor.regex)
    assert pattern.fullmatch(str(MAX_ID))
    assert pattern.fullmatch("1")
    assert not pattern.fullmatch(str(MAX_ID + 1))
    assert not pattern.fullmatch("9" * 10)
    assert not pattern.fullmatch("-1")
    assert not pattern.fullmatch("1e3")
    assert MAX_ID == 2**31 - 1


@pytest.mark.parametrize("too_large", TOO_LARGE)
async def test_an_id_past_what_the_database_holds_is_not_found_anywhere(
    app: Starlette,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    too_large: int,
) -> None:
    host = await make_user(host=True, admin=True)
    challenge = await make_challenge(host)
    idea = await make_idea(challenge, host)
    # Signed in, with a form token: a post is judged on its path, not refused earlier.
    person: Person = await sign_in(host)
    others = {
        "slug": challenge.slug,
        "kind": "idea",
        "provider": "github",
        "dataset": "ideas",
        "fmt": "csv",
        "size": "small",
        "token": "token",
        "path": "anything",
    }
    answers: dict[str, int] = {}
    checked = 0
    for prefix, route in routes_of(app):
        for wrong in id_params(route):

            def value(match: re.Match[str], wrong: str = wrong) -> str:
                name = match.group(1)
                if name == wrong:
                    return str(too_large)
                if name in {"idea_id", "id"}:
                    return str(idea.id)
                if name.endswith("_id"):
                    return str(host.id)
                return str(others[name])

            path = prefix + PARAM.sub(value, route.path)
            for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                if method == "GET":
                    response = await person.get(path)
                else:
                    response = await person.post(path, {})
                answers[f"{method} {path}"] = response.status_code
                checked += 1
    assert {request: status for request, status in answers.items() if status != 404} == {}
    assert checked >= 28
