"""Typed access to what the request context middleware put on the request."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

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


def site_origin(request: Request) -> str:
    """The site's public origin, for every absolute link: ``IDEAS_BASE_URL``.

    Production cannot start without it. Elsewhere, when it is left empty, the
    origin the request came to (its Host header) stands in, so development works
    on any address; nothing made that way is shared between people there.
    """
    configured = settings(request).base_url
    return configured or f"{request.url.scheme}://{request.url.netloc}"


def path_for(request: Request, name: str, /, **params: object) -> str:
    """The path of the route called ``name``.

    Asks the URL builder the app made from its routes at start-up
    (``ideas.routes.path_builder``), which looks the route up by name.
    """
    build: Callable[..., str] = request.app.state.path_for
    return build(name, **params)
