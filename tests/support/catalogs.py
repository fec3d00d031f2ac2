"""The words of the site as the code and templates hold them now, and as each
language's catalog holds them: extracted afresh with ``babel.cfg`` (as
``make translations`` does) into a temporary template."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from ideas.i18n import LANGUAGES, TRANSLATIONS_DIR

TRANSLATED = tuple(code for code in LANGUAGES if code != "en")


def extract(root: Path, into: Path) -> Catalog:
    """Every string people read, from ``root``'s Python and templates."""
    pot = into / "messages.pot"
    CommandLineInterface().run(  # type: ignore[no-untyped-call]
        [
            "pybabel",
            "--quiet",
            "extract",
            "-F",
            str(root / "babel.cfg"),
            "-k",
            "lazy_gettext",
            "--no-location",
            "-o",
            str(pot),
            str(root),
        ]
    )
    with pot.open("rb") as source:
        return read_po(source)


def catalog(locale: str) -> Catalog:
    with (TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=locale)
