"""Signing in with a provider, and linking another provider to one's account.

The flow: /sign-in/{provider} records what the person wants (sign in, or link
to the account they are signed in to) in their server-side session and sends
them to the provider; /sign-in/{provider}/callback checks the answer. Each
start can be finished once: a replayed or forged callback is refused and
changes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ideas.accounts import services
from ideas.accounts.loaders import render_sign_in
from ideas.accounts.providers import Provider, ProviderError, Providers
from ideas.db import utcnow
from ideas.errors import Forbidden
from ideas.i18n import _
from ideas.web import context
from ideas.web.errors import Refusal, answer_refusals
from ideas.web.ratelimit import Limit, hit
from ideas.web.sessions import NEVER_STORED, ensure_session, sign_in
from ideas.web.urls import safe_next

INTENT = "ideas.sign_in"

View = Callable[[Request], Awaitable[Response]]


def registry(request: Request) -> Providers:
    providers: Providers = request.app.state.providers
    return providers


def _provider(request: Request) -> Provider:
    provider = registry(request).get(request.path_params["provider"])
    if provider is None:
        raise HTTPException(404)
    return provider


def _callback_url(request: Request, provider: Provider) -> str:
    path = context.path_for(request, "sign_in.callback", provider=provider.key)
    return context.site_origin(request) + path


async def _go_to_provider(request: Request, provider: Provider, intent: dict[str, Any]) -> Response:
    await ensure_session(request)
    request.session[INTENT] = {"provider": provider.key, **intent}
    try:
        response: Response = await registry(request).start(
            request,
            provider,
            _callback_url(request, provider),
            choose=intent.get("link_user_id") is not None,
        )
    except ProviderError as error:
        request.session.pop(INTENT, None)
        return await render_sign_in(request, problem=error.message, status_code=502)
    return response


def _never_stored(view: View) -> View:
    """The steps of signing in carry codes and state, and end in a new session:
    no cache, and no browser's history, keeps them."""

    @functools.wraps(view)
    async def answer(request: Request) -> Response:
        response = await view(request)
        response.headers["Cache-Control"] = NEVER_STORED
        return response

    return answer


@_never_stored
async def start(request: Request) -> Response:
    """GET /sign-in/{provider}: off to the provider to sign in."""
    provider = _provider(request)
    await hit(request, Limit.SIGN_IN)
    next_path = safe_next(request.query_params.get("next"))
    return await _go_to_provider(request, provider, {"next": next_path, "link_user_id": None})


@_never_stored
async def link(request: Request) -> Response:
    """POST /settings/identities/link/{provider}: add another way to sign in."""
    user = context.signed_in(request)
    provider = _provider(request)
    await hit(request, Limit.SIGN_IN)
    return await _go_to_provider(
        request, provider, {"next": context.path_for(request, "settings"), "link_user_id": user.id}
    )


@_never_stored
async def callback(request: Request) -> Response:
    """GET /sign-in/{provider}/callback: the provider sends the person back here."""
    provider = _provider(request)
    await hit(request, Limit.SIGN_IN)
    intent = request.session.pop(INTENT, None)
    if not isinstance(intent, dict) or intent.get("provider") != provider.key:
        return await render_sign_in(
            request,
            problem=_("This sign-in has expired or was already used. Please start again."),
            status_code=400,
        )
    try:
        account = await registry(request).finish(request, provider)
    except ProviderError as error:
        return await render_sign_in(
            request, problem=error.message, status_code=502 if error.unreachable else 400
        )
    now = utcnow()
    database = context.db(request)

    async def refused(refusal: Refusal) -> Response:
        """The sign-in page again, saying why."""
        return await render_sign_in(request, problem=refusal.message, status_code=refusal.status)

    if intent.get("link_user_id") is not None:
        user = context.viewer(request)
        if user is None or user.id != intent["link_user_id"]:
            raise Forbidden(_("Sign in again to link another account."))
        answer_refusals(request, refused, statuses=(409,), htmx_only=False)
        await services.link_identity(
            database, user_id=user.id, provider=provider.key, account=account, now=now
        )
        await services.claim_invitations(database, user_id=user.id, account=account, now=now)
        return RedirectResponse(context.path_for(request, "settings"), status_code=303)
    answer_refusals(request, refused, statuses=(403,), htmx_only=False)
    user = await services.sign_in_with_provider(
        database,
        provider=provider.key,
        account=account,
        admin_emails=context.settings(request).admin_emails,
        now=now,
    )
    await services.claim_invitations(database, user_id=user.id, account=account, now=now)
    await sign_in(request, user)
    return RedirectResponse(safe_next(intent.get("next")), status_code=303)
