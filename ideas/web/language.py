"""Which language each request is answered in, and the switch between languages.

A person's saved choice (``users.locale``) comes first; then, for anyone, the
language picked with the switcher (a cookie, so that visitors can choose too);
then the browser's ``Accept-Language`` as Babel negotiates it; then the site's
default (``IDEAS_DEFAULT_LOCALE``). The answer says which (``Content-Language``)
and that it varies with those headers; the visitors' page cache and the
fragment cache keep one copy per language.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ideas.i18n import known, negotiate, use_locale
from ideas.settings import Settings

COOKIE = "ideas_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
VARY = ("Accept-Language", "Cookie")
# Answers with words in them, which differ by language.
WORDS = (
    b"text/html",
    b"text/plain",
    b"application/json",
    b"application/problem+json",
    b"application/atom+xml",
)


def _header(headers: Iterable[tuple[bytes, bytes]], wanted: bytes) -> str:
    for name, value in headers:
        if name == wanted:
            return value.decode("latin-1")
    return ""


def cookie_choice(cookie_header: str) -> str | None:
    for part in cookie_header.split(";"):
        name, _sep, value = part.strip().partition("=")
        if name == COOKIE:
            return known(value)
    return None


def visitor_locale(headers: Iterable[tuple[bytes, bytes]], default: str) -> str:
    """The language of someone not signed in (or who chose none): by the switcher's
    cookie, else their browser, else the site's."""
    headers = list(headers)
    return (
        cookie_choice(_header(headers, b"cookie"))
        or negotiate(_header(headers, b"accept-language"))
        or default
    )


def locale_of(scope: Scope, default: str) -> str:
    """The language to answer this request in."""
    user = scope.get("state", {}).get("user")
    saved = known(getattr(user, "locale", None)) if user is not None else None
    return saved or visitor_locale(scope.get("headers", []), default)


def request_locale(connection: HTTPConnection) -> str:
    """The language a request was answered in (error pages ask again after a failure)."""
    chosen = connection.scope.get("state", {}).get("locale")
    if isinstance(chosen, str):
        return chosen
    settings: Settings = connection.app.state.settings
    return locale_of(connection.scope, settings.default_locale)


def _saying_language(
    headers: Sequence[tuple[bytes, bytes]], locale: str
) -> Sequence[tuple[bytes, bytes]]:
    """An answer's headers (ASGI's: lower-case names), saying the answer's language, unless
    it says one already, and that it varies with what chose it; as they were for an
    answer without words (a picture, a download of data)."""
    said: list[tuple[bytes, bytes]] = []
    vary: list[str] = []
    content_type = b""
    language = locale.encode("latin-1")
    for name, value in headers:
        if name == b"vary":
            vary += [v.strip() for v in value.decode("latin-1").split(",") if v.strip()]
            continue
        if name == b"content-type":
            content_type = value
        elif name == b"content-language":
            language = b""
        said.append((name, value))
    if not content_type.startswith(WORDS):
        return headers
    if language:
        said.append((b"content-language", language))
    varies = {v.lower() for v in vary}
    vary += [name for name in VARY if name.lower() not in varies]
    said.append((b"vary", ", ".join(vary).encode("latin-1")))
    return said


def cookie_header(locale: str, *, secure: bool) -> str:
    parts = [f"{COOKIE}={locale}", "Path=/", f"Max-Age={COOKIE_MAX_AGE}", "SameSite=Lax"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


class LanguageMiddleware:
    """Answer each request in its language (``ideas.i18n.use_locale``), saying so."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.default = settings.default_locale

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        locale = locale_of(scope, self.default)
        scope.setdefault("state", {})["locale"] = locale

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _saying_language(message.get("headers", ()), locale)
            await send(message)

        with use_locale(locale):
            await self.app(scope, receive, send_with_language)
