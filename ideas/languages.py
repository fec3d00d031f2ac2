"""The languages people write in: of challenges, ideas and comments.

Distinct from the language the interface speaks (``ideas.i18n``): a person
reading the site in French may post an idea in Spanish. What people write
carries the language it was written in, detected from the text
(``detect``) and corrected by its author on the form; the page marks it with
``lang`` so that screen readers speak it right and search uses the right
stemmer.

Detection uses py3langid (a maintained fork of langid.py): a naive Bayes
model over byte n-grams, shipped inside the package (4.5 MB on disk,
no download), numpy only, about 0.1 ms per text once loaded (loading takes
about two seconds, once per process). lingua is more accurate on very short
texts but much larger; langdetect is unmaintained since 2021.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache
from typing import Any

from ideas.i18n import current_locale, lazy_gettext

ENGLISH = "en"
OTHER = "other"
# The languages whose text search stems words; anything else is "other".
SUPPORTED = ("en", "es", "fr", "ar")
CONTENT_LANGUAGES = (*SUPPORTED, OTHER)
# Each language by its own name, as a person looks for it in a list.
NAMES: dict[str, Any] = {
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "ar": "العربية",
    OTHER: lazy_gettext("Another language"),
}
UNSUPPORTED = lazy_gettext("Choose a language from the list.")

# Text shorter than this says too little about its language: the fallback is used.
MIN_LETTERS = 12
# Below this confidence in a language we do not support, the text may well be in one we do.
OTHER_CONFIDENCE = 0.6
# Varieties the model tells apart that we write and search as one.
_ALIASES = {"ary": "ar", "arz": "ar", "acm": "ar", "apc": "ar", "ajp": "ar", "arq": "ar"}


def name_of(code: str) -> str:
    return str(NAMES.get(code, NAMES[OTHER]))


def html_lang(code: str) -> str | None:
    """The ``lang`` attribute for text in ``code``: none for a language we do not know."""
    return code if code in SUPPORTED else None


def parse(raw: object) -> str | None:
    """A language chosen on a form; None for one we do not offer."""
    return raw if isinstance(raw, str) and raw in CONTENT_LANGUAGES else None


def reader_language() -> str:
    """The language the person at hand reads the site in, as a content language: what a
    text of theirs too short to tell is taken to be in."""
    locale = current_locale().split("_")[0]
    return locale if locale in SUPPORTED else ENGLISH


_loading = threading.Lock()


@cache
def _identifier() -> Callable[[str], tuple[str, float]]:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    classify: Callable[[str], tuple[str, float]] = identifier.classify
    return classify


def load() -> None:
    """Load the model now (about two seconds), rather than at the first post."""
    _classify()


def _classify() -> Callable[[str], tuple[str, float]]:
    # One load, even when a first post comes while start-up is loading it.
    with _loading:
        return _identifier()


def detect(text: str, *, fallback: str = ENGLISH) -> str:
    """The language ``text`` is written in: one of ``CONTENT_LANGUAGES``.

    ``fallback`` (the writer's interface language, say) when the text is too
    short to tell, or the model is unsure between a language we do not support
    and one we do.
    """
    if sum(char.isalpha() for char in text) < MIN_LETTERS:
        return fallback
    found, confidence = _classify()(text[:2000])
    found = _ALIASES.get(found, found)
    if found in SUPPORTED:
        return found
    return OTHER if confidence >= OTHER_CONFIDENCE else fallback


def chosen_or_detected(chosen: str, text: str, *, fallback: str) -> str:
    """The language the author chose on the form, or, left on "detect", the detected one."""
    return chosen if chosen in CONTENT_LANGUAGES else detect(text, fallback=fallback)
