"""The language switcher: on every page, and in the settings.

A visitor follows a link (``GET /language/es``): a cookie keeps the choice,
nothing else changes. A signed-in person sends a small form with its CSRF
token (``POST /language``): the choice is saved with their account, so that
their e-mail is written in it too. Both work without JavaScript and come back
to the page they left.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ideas.accounts import services
from ideas.i18n import LANGUAGES, _
from ideas.web import context
from ideas.web.forms import submitted
from ideas.web.language import cookie_header
from ideas.web.urls import safe_next


def _back(request: Request, target: object, locale: str | None) -> Response:
    response = RedirectResponse(
        safe_next(target if isinstance(target, str) else None), status_code=303
    )
    secure = context.settings(request).secure_cookies
    if locale is None:
        response.headers.append("Set-Cookie", cookie_header("", secure=secure) + "; Max-Age=0")
    else:
        response.headers.append("Set-Cookie", cookie_header(locale, secure=secure))
    response.headers["Cache-Control"] = "no-store"
    return response


async def choose(request: Request) -> Response:
    """A visitor's choice, from a link: kept in a cookie."""
    locale = request.path_params["locale"]
    if locale not in LANGUAGES:
        raise HTTPException(404)
    return _back(request, request.query_params.get("next"), locale)


async def save(request: Request) -> Response:
    """A signed-in person's choice, from a form: saved with their account.

    An empty choice goes back to the browser's language."""
    user = context.signed_in(request)
    form = await submitted(request)
    chosen = form.get("locale")
    if not isinstance(chosen, str) or (chosen and chosen not in LANGUAGES):
        raise HTTPException(400, _("Choose one of the languages offered."))
    locale = chosen or None
    await services.set_locale(context.db(request), user_id=user.id, locale=locale)
    return _back(request, form.get("next"), locale)
