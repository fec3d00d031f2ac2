"""Signing in and out."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ideas.accounts import queries
from ideas.accounts.loaders import render_sign_in
from ideas.i18n import _
from ideas.settings import Settings
from ideas.web.forms import parse_id, submitted
from ideas.web.sessions import sign_in, sign_out
from ideas.web.urls import safe_next


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def sign_in_page(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("next"))
    if request.state.user is not None:
        return RedirectResponse(next_path, status_code=303)
    return await render_sign_in(request)


async def development_sign_in(request: Request) -> Response:
    """Act as a demo persona. Exists only when IDEAS_ENV=development."""
    if not _settings(request).is_development:
        raise HTTPException(404)
    form = await submitted(request)
    chosen = parse_id(form.get("user_id"))
    user = None
    if chosen is not None:
        user = await queries.development_persona(request.state.db, chosen)
    if user is None:
        raise HTTPException(400, _("Choose one of the demo personas."))
    await sign_in(request, user)
    next_field = form.get("next")
    return RedirectResponse(
        safe_next(next_field if isinstance(next_field, str) else None), status_code=303
    )


async def sign_out_view(request: Request) -> Response:
    await sign_out(request)
    return RedirectResponse("/", status_code=303)
