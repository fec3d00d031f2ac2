"""Starlette's router, asking only the routes a path's first segment can match.

Starlette tries every route in turn until one matches: a regular expression
each. With the site's 140 routes that was 60 µs for an idea's page or its vote,
near the end of the table. A route whose path starts with a fixed segment
(``/ideas/…``, ``/challenges/…``, a mount at ``/static``) can only match paths
that start with the same one, so each first segment gets its own router over
those routes and the ones that could match anything (a path starting with a
parameter, a mount at the root, a host), in the table's order. What matches,
what answers 405, what redirects to the path with or without its trailing
slash and what is not found are Starlette's own, over fewer routes.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.routing import BaseRoute, Mount, Route, Router, WebSocketRoute
from starlette.types import Receive, Scope, Send

ANY = None  # the segment of a route that may match a path starting with anything


def first_segment(path: str) -> str:
    """``ideas`` for ``/ideas/7/vote``; ``""`` for ``/``."""
    return path[1:].partition("/")[0]


def _segment_of(route: BaseRoute) -> str | None:
    if isinstance(route, Route | WebSocketRoute | Mount):
        segment = first_segment(route.path)
        if "{" not in segment and (segment or not isinstance(route, Mount)):
            return segment
    return ANY


class SegmentRouter(Router):
    """A router that hands each request to the router of its path's first segment."""

    _indexed: tuple[int, int] = (0, -1)  # the id and length of the routes indexed
    _by_segment: dict[str, Router]
    _anywhere: Router

    def _index(self) -> None:
        segments = {s for route in self.routes if (s := _segment_of(route)) is not ANY}

        def router(routes: Sequence[BaseRoute]) -> Router:
            return Router(
                list(routes), redirect_slashes=self.redirect_slashes, default=self.default
            )

        self._by_segment = {
            segment: router([r for r in self.routes if _segment_of(r) in (segment, ANY)])
            for segment in segments
        }
        self._anywhere = router([r for r in self.routes if _segment_of(r) is ANY])
        self._indexed = (id(self.routes), len(self.routes))

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await super().app(scope, receive, send)
            return
        # Routes added since (tests put theirs first) are indexed again.
        if self._indexed != (id(self.routes), len(self.routes)):
            self._index()
        # ``url_for`` and ``path_for`` find names in every route, not only these.
        scope.setdefault("router", self)
        chosen = self._by_segment.get(first_segment(route_path(scope)), self._anywhere)
        await chosen.app(scope, receive, send)


def route_path(scope: Scope) -> str:
    """The path the routes match: without the prefix the site is served under, if any,
    as Starlette's routes take it."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if root_path and path.startswith(root_path):
        if path == root_path:
            return ""
        if path[len(root_path)] == "/":
            return path[len(root_path) :]
    return path
