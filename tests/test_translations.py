"""Every string a person reads is translated in every language, and no catalog keeps
a string the site no longer says. When one fails: `make translations`, then
translate what it lists (each catalog's empty or fuzzy entries)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from tests.support.catalogs import TRANSLATED, catalog, extract


@pytest.fixture(scope="module")
def template(project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return extract(project_root, tmp_path_factory.mktemp("pot"))


def _ids(found: Catalog) -> set[str | tuple[str, ...]]:
    return {
        message.id if isinstance(message.id, str) else tuple(message.id)
        for message in found
        if message.id
    }


def test_the_extraction_finds_the_strings_of_python_templates_and_e_mails(
    template: Catalog,
) -> None:
    ids = _ids(template)
    assert "Skip to main content" in ids  # templates/base.html
    assert "%(label)s is required." in ids  # ideas/web/forms.py
    assert "Hello %(name)s," in ids  # templates/email/digest.txt
    assert ("%(num)d idea", "%(num)d ideas") in ids  # a plural


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_string_is_translated(template: Catalog, locale: str) -> None:
    theirs = catalog(locale)
    untranslated = []
    for message in template:
        if not message.id:
            continue
        found = theirs.get(message.id)
        strings = (
            found.string
            if found is not None and isinstance(found.string, tuple)
            else (found.string if found is not None else "",)
        )
        if found is None or found.fuzzy or not all(strings):
            untranslated.append(message.id)
    assert not untranslated, f"{len(untranslated)} untranslated in {locale}: {untranslated[:20]}"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_no_catalog_keeps_a_string_the_site_no_longer_says(template: Catalog, locale: str) -> None:
    theirs = catalog(locale)
    gone = _ids(theirs) - _ids(template)
    assert not gone, f"{locale} still has: {sorted(map(str, gone))[:20]}"
    assert not theirs.obsolete, f"{locale} keeps obsolete entries: {list(theirs.obsolete)[:20]}"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_keep_the_placeholders_and_plural_forms(locale: str) -> None:
    theirs = catalog(locale)
    problems = [(message.id, [str(e) for e in errors]) for message, errors in theirs.check()]
    assert not problems, problems[:10]
    plurals = [m for m in theirs if m.id and isinstance(m.id, tuple)]
    assert plurals
    assert all(len(m.string or ()) == theirs.num_plurals for m in plurals)


def test_arabic_has_six_plural_forms() -> None:
    assert catalog("ar").num_plurals == 6
