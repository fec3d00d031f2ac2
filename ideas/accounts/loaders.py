"""The sign-in page, shown by the sign-in views and by the provider flow when it fails."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ideas.accounts import queries
from ideas.web import context
from ideas.web.sessions import ensure_session
from ideas.web.templating import render
from ideas.web.urls import safe_next


async def render_sign_in(
    request: Request, *, problem: str | None = None, status_code: int = 200
) -> Response:
    """The sign-in page: a button per provider, and the demo personas in development."""
    personas = []
    if context.settings(request).is_development:
        await ensure_session(request)
        personas = list(await queries.development_personas(request.state.db))
    return render(
        request,
        "accounts/sign_in.html",
        {
            "providers": list(request.app.state.providers),
            "personas": personas,
            "next": safe_next(request.query_params.get("next")),
            "problem": problem,
        },
        status_code=status_code,
    )
