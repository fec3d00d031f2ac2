"""Typed access to what the request context middleware put on the request."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.routing import Route

from ideas.accounts.models import User
from ideas.settings import Settings


def db(request: Request) -> AsyncSession:
    session: AsyncSession = request.state.db
    return session


def viewer(request: Request) -> User | None:
    user: User | None = request.state.user
    return user


def signed_in(request: Request) -> User:
    """The signed-in person; a visitor is sent to sign in by the error handler."""
    from ideas.errors import Forbidden
    from ideas.policy import SIGN_IN

    user = viewer(request)
    if user is None:
        raise Forbidden(SIGN_IN)
    return user


def settings(request: Request) -> Settings:
    value: Settings = request.app.state.settings
    return value


def path_for(request: Request, name: str, /, **params: object) -> str:
    """The path of the route called ``name``.

    Looks the route up by name instead of trying every route in turn, which
    Starlette's url_path_for does; pages build dozens of links.
    """
    app = request.app
    index: dict[str, Route] | None = getattr(app.state, "routes_by_name", None)
    if index is None:
        index = {r.name: r for r in app.routes if isinstance(r, Route)}
        app.state.routes_by_name = index
    route = index.get(name)
    if route is not None:
        return str(route.url_path_for(name, **params))
    return str(app.url_path_for(name, **params))
