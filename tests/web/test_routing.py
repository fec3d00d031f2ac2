"""The site's router answers every path as Starlette's own router does, asking only the
routes that the path's first segment can match (ideas.web.routing)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route, Router
from starlette.types import ASGIApp, Scope

from ideas.web.routing import SegmentRouter, first_segment


def _named(name: str) -> Any:
    async def endpoint(request: Request) -> Response:
        found = request.url_for("item", item_id=7).path
        return PlainTextResponse(f"{name} {dict(request.path_params)} {found}")

    return endpoint


class Asked(Route):
    """A route that notes every path it is asked to match."""

    def __init__(self, *args: Any, asked: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asked = asked

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        self.asked.append(scope["path"])
        return super().matches(scope)


def table(asked: list[str]) -> list[BaseRoute]:
    return [
        Route("/", _named("home")),
        Route("/items", _named("items")),
        Route("/items/new", _named("new item")),
        Route("/items/{item_id:int}", _named("item"), name="item"),
        Route("/items/{item_id:int}/vote", _named("vote"), methods=["POST"]),
        Route("/folders/", _named("folders")),
        Asked("/people/{name}", _named("person"), asked=asked),
        Mount("/files", routes=[Route("/{path:path}", _named("file"))]),
        # Its first segment is a parameter: it may match a path starting with anything.
        Route("/{lang}/about", _named("about")),
    ]


def client(app: ASGIApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://testserver",
    )


PATHS = [
    ("GET", "/"),
    ("GET", "/items"),
    ("GET", "/items/"),  # redirected to the path without the slash
    ("GET", "/items/new"),
    ("GET", "/items/7"),
    ("GET", "/items/seven"),
    ("POST", "/items/7/vote"),
    ("GET", "/items/7/vote"),  # 405: the route takes posts only
    ("GET", "/folders"),  # redirected to the path with the slash
    ("GET", "/people/ada"),
    ("GET", "/files/a/b.txt"),
    ("GET", "/files"),
    ("GET", "/fr/about"),
    ("GET", "/items/about"),  # the parameter route, in its place in the table
    ("GET", "/nowhere"),
    ("GET", "/nowhere/"),
]


@pytest.mark.parametrize(("method", "path"), PATHS)
async def test_each_path_is_answered_as_starlettes_router_answers_it(
    method: str, path: str
) -> None:
    async with client(Router(table([]))) as theirs, client(SegmentRouter(table([]))) as ours:
        expected = await theirs.request(method, path)
        answered = await ours.request(method, path)

    assert (answered.status_code, answered.text) == (expected.status_code, expected.text)
    assert answered.headers.get("location") == expected.headers.get("location")


async def test_a_path_asks_only_the_routes_its_first_segment_can_match() -> None:
    asked: list[str] = []
    async with client(SegmentRouter(table(asked))) as ours:
        assert (await ours.get("/items/7")).text == "item {'item_id': 7} /items/7"
        assert (await ours.get("/fr/about")).status_code == 200
        assert asked == []
        assert (await ours.get("/people/ada")).status_code == 200
        assert asked == ["/people/ada"]


async def test_routes_added_after_the_first_request_are_found_in_their_place() -> None:
    router = SegmentRouter(table([]))
    async with client(router) as ours:
        assert (await ours.get("/items/new")).text.startswith("new item")

        router.routes.insert(0, Route("/items/new", _named("first")))

        assert (await ours.get("/items/new")).text.startswith("first")


@pytest.mark.parametrize(
    ("path", "segment"), [("/", ""), ("/ideas", "ideas"), ("/ideas/7/vote", "ideas"), ("", "")]
)
def test_first_segment(path: str, segment: str) -> None:
    assert first_segment(path) == segment
