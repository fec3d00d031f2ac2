"""The language a person reads: gettext catalogs under ``ideas/translations``.

Every string a person reads goes through ``gettext`` (``_``), ``ngettext`` or
``pgettext``, in Python and in templates alike (Jinja2's i18n extension is given
these same functions). The language is chosen once per request, or per e-mail
and notification, with ``use_locale``; code below the web layer never asks the
request for it.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, cast

from babel import Locale, dates, lists, numbers
from babel.core import negotiate_locale
from babel.messages import mofile, pofile
from babel.support import LazyProxy, NullTranslations, Translations

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
DOMAIN = "messages"
DEFAULT_LOCALE = "en"
# The languages the site speaks, each named in itself (for the language switcher).
LANGUAGES: dict[str, str] = {"en": "English", "es": "Español", "fr": "Français", "ar": "العربية"}
# English is written the British way on the site (6 Dec 2026, 14:30).
_FORMAT_LOCALES = {"en": "en_GB"}

_locale: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> NullTranslations:
    """The catalog for ``locale``; English (the source language) has none.

    The ``.po`` files are the source, kept in git; ``make translations`` compiles
    them to ``.mo`` files, which are not. Where a ``.mo`` is missing or older than
    its ``.po`` (a fresh clone, a catalog just edited), the ``.po`` is compiled in
    memory the first time the language is asked for, so the site always speaks
    what the catalogs say.
    """
    if locale == DEFAULT_LOCALE:
        return NullTranslations()
    folder = TRANSLATIONS_DIR / locale / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as compiled:
            return Translations(compiled, DOMAIN)
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as source:
        catalog = pofile.read_po(source, locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    mofile.write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, DOMAIN)


def current_locale() -> str:
    return _locale.get()


def current_babel_locale() -> Locale:
    return _babel_locale(_locale.get())


@cache
def _babel_locale(locale: str) -> Locale:
    return Locale.parse(_FORMAT_LOCALES.get(locale, locale))


def text_direction(locale: str | None = None) -> str:
    """``rtl`` for Arabic, ``ltr`` for the others: the ``dir`` of the page."""
    return _babel_locale(locale or _locale.get()).text_direction


def known(locale: str | None) -> str | None:
    """``locale`` if the site speaks it, else None (``es-MX`` and ``es_MX`` are ``es``)."""
    if not locale:
        return None
    code = locale.strip().replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else None


def negotiate(accept_language: str | None) -> str | None:
    """The best language of ``Accept-Language`` the site speaks, by Babel; None if none."""
    if not accept_language:
        return None
    wanted: list[tuple[float, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        name, _sep, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if name and name != "*" and quality > 0:
            wanted.append((-quality + position * 1e-6, name.strip()))
    preferred = [name.replace("_", "-") for _order, name in sorted(wanted)]
    found = negotiate_locale(preferred, list(LANGUAGES), sep="-")
    return found or next((code for name in preferred if (code := known(name))), None)


# Dates, times, numbers and lists, the way the current language writes them.


def format_moment(moment: datetime) -> str:
    """A date and time of day, like “6 Dec 2026, 14:30” (the zone is added by the caller)."""
    locale = current_babel_locale()
    day = dates.format_skeleton("yMMMd", moment, locale=locale)
    time = dates.format_time(moment, "HH:mm", locale=locale)
    return str(locale.datetime_formats["medium"]).format(time, day)


def format_day(value: date | datetime, skeleton: str = "yMMMd") -> str:
    """A day, by a CLDR skeleton: ``yMMMd`` (6 Dec 2026), ``MMMd`` (6 Dec), ``yMMMEd``."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return dates.format_skeleton(skeleton, value, locale=current_babel_locale())


def format_relative(value: datetime, now: datetime) -> str:
    """How long ago or how soon, in whole days, hours or minutes: “3 days ago”, “in 1 hour”."""
    seconds = int((value - now).total_seconds())
    future = seconds > 0
    seconds = abs(seconds)
    for size in (86400, 3600, 60):
        if seconds >= size:
            return _whole_units(_locale.get(), (seconds // size) * size, future)
    return gettext("in a moment") if future else gettext("just now")


@lru_cache(maxsize=4096)
def _whole_units(locale: str, seconds: int, future: bool) -> str:
    """Babel's words for a whole number of days, hours or minutes: a list shows the
    same few many times over, and Babel takes a while to find them."""
    whole = timedelta(seconds=seconds)
    return dates.format_timedelta(
        whole if future else -whole,
        threshold=1,
        add_direction=True,
        locale=_babel_locale(locale),
    )


def format_number(value: float) -> str:
    return numbers.format_decimal(value, locale=current_babel_locale())


def format_list(items: list[Any]) -> str:
    """“a, b and c” in the current language."""
    return lists.format_list([str(item) for item in items], locale=current_babel_locale())


def status_word(status: object) -> str:
    """The status of an idea or a comment as a word inside a sentence (“a withdrawn idea”)."""
    value = str(getattr(status, "value", status))
    words = {
        "published": gettext("published"),
        "shortlisted": gettext("shortlisted"),
        "winner": gettext("winner"),
        "withdrawn": gettext("withdrawn"),
        "hidden": gettext("hidden"),
        "deleted": gettext("deleted"),
    }
    return words.get(value, value)


def install_gettext(env: Any) -> None:
    """Give a Jinja2 environment (with ``jinja2.ext.i18n``) the current language."""
    env.install_gettext_callables(
        template_gettext, template_ngettext, newstyle=True, pgettext=template_pgettext
    )


@contextlib.contextmanager
def use_locale(locale: str) -> Iterator[None]:
    """Speak ``locale`` within the block (an e-mail to one person, one request)."""
    token = _locale.set(locale)
    try:
        yield
    finally:
        _locale.reset(token)


def gettext(message: str, **variables: object) -> str:
    text = translations(_locale.get()).ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(_locale.get()).ungettext(singular, plural, n)
    return text % {"num": n, **variables}


def pgettext(context: str, message: str, **variables: object) -> str:
    text = translations(_locale.get()).upgettext(context, message)
    return text % variables if variables else text


def lazy_gettext(message: str, **variables: object) -> str:
    """For strings defined at import time (labels of choices, error texts): translated
    each time it is read, in the language of that moment. Typed as the ``str`` it
    stands for (a ``LazyProxy`` behaves as one: formatting, comparing, joining)."""
    return cast(str, LazyProxy(gettext, message, enable_cache=False, **variables))


_ = gettext


# For Jinja2's i18n extension, which formats the text itself (and escapes the values).
def template_gettext(message: str) -> str:
    return translations(_locale.get()).ugettext(message)


def template_ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_locale.get()).ungettext(singular, plural, n)


def template_pgettext(context: str, message: str) -> str:
    return translations(_locale.get()).upgettext(context, message)
