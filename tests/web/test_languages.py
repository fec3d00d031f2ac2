"""Each page in the person's language: their saved choice, else the switcher's cookie,
else their browser's Accept-Language, else the site's default; the caches keep one
copy per language, so nobody is answered in another's."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from jinja2 import Environment
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.app import create_app
from ideas.db import Database
from ideas.i18n import install_gettext, negotiate, use_locale
from ideas.settings import SettingsError, load_settings
from ideas.web.cache import PageCache
from ideas.web.fragments import FragmentCache
from ideas.web.language import COOKIE
from tests.factories.accounts import Person
from tests.factories.web import MakeSite
from tests.html import Page
from tests.support.environ import TEST_ENVIRON

SPANISH = {"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"}


async def locale_of(session: AsyncSession, user: User) -> str | None:
    saved: str | None = await session.scalar(select(User.locale).where(User.id == user.id))
    return saved


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("es-ES,es;q=0.9,en;q=0.5", "es"),
        ("fr-CA", "fr"),
        ("de-DE, ar;q=0.8, fr;q=0.3", "ar"),
        ("en-GB,en;q=0.9", "en"),
        ("de-DE,de;q=0.9", None),
        ("es;q=0, fr;q=0.5", "fr"),
        ("", None),
    ],
)
def test_the_browser_language_is_negotiated_among_those_the_site_speaks(
    header: str, expected: str | None
) -> None:
    assert negotiate(header) == expected


async def test_a_visitor_reads_the_page_in_their_browser_language(visitor: Person) -> None:
    response = await visitor.get("/", headers=SPANISH)
    page = Page(response)

    assert response.headers["Content-Language"] == "es"
    assert "Accept-Language" in response.headers["Vary"]
    assert page.one("html").get("lang") == "es"
    assert page.one("html").get("dir") == "ltr"
    assert page.text("h1") == "Retos"


async def test_arabic_pages_read_right_to_left(visitor: Person) -> None:
    response = await visitor.get("/", headers={"Accept-Language": "ar"})
    html = Page(response).one("html")

    assert (html.get("lang"), html.get("dir")) == ("ar", "rtl")
    assert response.headers["Content-Language"] == "ar"


async def test_without_a_language_the_site_speaks_its_default(make_site: MakeSite) -> None:
    site = make_site(IDEAS_DEFAULT_LOCALE="fr")
    response = await site.client.get("/", headers={"Accept-Language": "de"})

    assert Page(response).one("html").get("lang") == "fr"
    assert Page(response).text("h1") == "Défis"


def test_the_default_language_must_be_one_the_site_speaks() -> None:
    with pytest.raises(SettingsError, match="not a language the site speaks"):
        load_settings({**TEST_ENVIRON, "IDEAS_DEFAULT_LOCALE": "de"})


async def test_a_visitor_chooses_a_language_with_a_link_that_sets_a_cookie(
    visitor: Person,
) -> None:
    chosen = await visitor.get("/language/ar", params={"next": "/search?q=bread"})

    assert chosen.status_code == 303
    assert chosen.headers["Location"] == "/search?q=bread"
    assert f"{COOKIE}=ar" in chosen.headers["Set-Cookie"]
    # The choice beats the browser's language from now on.
    page = Page(await visitor.get("/", headers=SPANISH))
    assert page.one("html").get("lang") == "ar"


async def test_the_switch_never_leads_to_another_site(visitor: Person) -> None:
    chosen = await visitor.get("/language/fr", params={"next": "//evil.example/"})

    assert chosen.headers["Location"] == "/"


async def test_a_language_the_site_does_not_speak_is_not_found(visitor: Person) -> None:
    refused = await visitor.get("/language/de", params={"next": "/"})

    assert refused.status_code == 404
    assert "set-cookie" not in refused.headers or COOKIE not in refused.headers["set-cookie"]


async def test_every_page_offers_every_language(visitor: Person) -> None:
    page = Page(await visitor.get("/"))
    links = {a.get("lang"): a.get("href") for a in page.select(".language-switch a")}

    assert set(links) == {"en", "es", "fr", "ar"}
    assert links["es"] == "/language/es?next=%2F"


async def test_a_person_saves_their_language_and_it_beats_their_browser(
    sign_in: Any, make_user: Any, session: AsyncSession
) -> None:
    user = await make_user("Amal")
    amal = await sign_in(user)

    saved = await amal.post("/language", {"locale": "ar", "next": "/settings"})

    assert saved.status_code == 303
    assert saved.headers["Location"] == "/settings"
    assert await locale_of(session, user) == "ar"
    page = Page(await amal.get("/settings", headers=SPANISH))
    assert page.one("html").get("dir") == "rtl"
    assert page.one("#f-locale option[selected]").get("value") == "ar"


async def test_an_empty_choice_goes_back_to_the_browser_language(
    sign_in: Any, make_user: Any, session: AsyncSession
) -> None:
    user = await make_user()
    person = await sign_in(user)
    await person.post("/language", {"locale": "fr"})

    await person.post("/language", {"locale": ""})

    assert await locale_of(session, user) is None
    page = Page(await person.get("/", headers=SPANISH))
    assert page.one("html").get("lang") == "es"


async def test_saving_a_language_needs_the_form_token(
    sign_in: Any, make_user: Any, session: AsyncSession
) -> None:
    user = await make_user()
    person = await sign_in(user)

    refused = await person.post("/language", {"locale": "ar"}, csrf=False)

    assert refused.status_code == 403
    assert await locale_of(session, user) is None


async def test_a_language_the_site_does_not_speak_is_refused_and_nothing_saved(
    sign_in: Any, make_user: Any, session: AsyncSession
) -> None:
    user = await make_user()
    person = await sign_in(user)

    refused = await person.post("/language", {"locale": "de"})

    assert refused.status_code == 400
    assert await locale_of(session, user) is None


async def test_saving_a_language_needs_signing_in(visitor: Person) -> None:
    refused = await visitor.post("/language", {"locale": "ar"}, csrf=False)

    assert refused.status_code in {302, 303, 403}
    assert "set-cookie" not in refused.headers or COOKIE not in refused.headers["set-cookie"]


async def test_error_pages_and_form_messages_speak_the_language(
    visitor: Person, make_client: Any
) -> None:
    client: httpx.AsyncClient = make_client(raise_app_exceptions=False)
    missing = await client.get("/no-such-page", headers={"Accept-Language": "fr"})

    assert missing.status_code == 404
    assert Page(missing).text("h1") == "Page introuvable"
    assert "Il n\u2019y a rien ici" in missing.text


async def test_the_page_cache_keeps_one_copy_per_language(database: Database) -> None:
    settings = load_settings({**TEST_ENVIRON, "IDEAS_PAGE_CACHE_SECONDS": "60"})
    app = create_app(settings, database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
    ) as client:
        spanish = await client.get("/", headers=SPANISH)
        arabic = await client.get("/", headers={"Accept-Language": "ar"})
        client.cookies.set(COOKIE, "fr")
        cookie = await client.get("/", headers=SPANISH)
        client.cookies.delete(COOKIE)
        again = await client.get("/", headers=SPANISH)

    assert Page(spanish).one("html").get("lang") == "es"
    assert Page(arabic).one("html").get("lang") == "ar"
    assert Page(cookie).one("html").get("lang") == "fr"
    assert Page(again).one("html").get("lang") == "es"
    stack = app.middleware_stack
    while stack is not None and not isinstance(stack, PageCache):
        stack = getattr(stack, "app", None)
    assert stack is not None
    assert {key[3] for key in stack.entries} == {"es", "ar", "fr"}


def test_a_kept_fragment_is_kept_per_language() -> None:
    env = Environment(extensions=[FragmentCache, "jinja2.ext.i18n"], autoescape=True)
    install_gettext(env)
    template = env.from_string('{% cache "k" %}{{ _("Comments") }}{% endcache %}')

    with use_locale("es"):
        spanish = template.render()
    with use_locale("fr"):
        french = template.render()

    assert (spanish, french) == ("Comentarios", "Commentaires")
