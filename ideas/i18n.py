"""The language a person reads: gettext catalogs under ``ideas/translations``.

Every string a person reads goes through ``gettext`` (``_``), ``ngettext`` or
``pgettext``, in Python and in templates alike (Jinja2's i18n extension is given
these same functions). The language is chosen once per request, or per e-mail
and notification, with ``use_locale``; code below the web layer never asks the
request for it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale
from babel.support import LazyProxy, NullTranslations, Translations

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
DOMAIN = "messages"
DEFAULT_LOCALE = "en"

_locale: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalog for ``locale``; English (the source language) has none."""
    if locale == DEFAULT_LOCALE:
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [locale], DOMAIN)


def current_locale() -> str:
    return _locale.get()


def current_babel_locale() -> Locale:
    return Locale.parse(_locale.get())


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


def lazy_gettext(message: str, **variables: object) -> LazyProxy:
    """For strings defined at import time (labels of choices, error texts)."""
    return LazyProxy(gettext, message, enable_cache=False, **variables)


_ = gettext


# For Jinja2's i18n extension, which formats the text itself (and escapes the values).
def template_gettext(message: str) -> str:
    return translations(_locale.get()).ugettext(message)


def template_ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_locale.get()).ungettext(singular, plural, n)


def template_pgettext(context: str, message: str) -> str:
    return translations(_locale.get()).upgettext(context, message)
