"""Search in each language: ideas are indexed in the language they are written in,
accents do not matter, and Arabic words are words (on SQLite and PostgreSQL alike)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from tests.factories.accounts import Person
from tests.factories.rounds import add_ideas, listed

FRENCH = {
    "title": "Des jardins partagés pour les écoles",
    "summary": "Les élèves cultivent des légumes à la cantine.",
    "language": "fr",
}
SPANISH = {
    "title": "Huertos escolares",
    "summary": "Los alumnos cultivan verduras para el comedor.",
    "language": "es",
}
ARABIC = {
    "title": "حدائق مدرسية",
    "summary": "يزرع التلاميذ الخضروات من أجل المقصف",
    "language": "ar",
}
ENGLISH = {"title": "Compost bins", "summary": "Every class composts its scraps.", "language": "en"}


async def test_search_finds_a_french_idea_by_a_french_word_without_its_accents(
    session: AsyncSession, make_challenge: Any, host: User, author: User, visitor: Person
) -> None:
    challenge = await make_challenge(host)
    await add_ideas(session, challenge, author, FRENCH, SPANISH, ARABIC, ENGLISH)
    base = f"/challenges/{challenge.slug}?sort=newest&q="

    assert await listed(visitor, base + "ecoles") == [FRENCH["title"]]
    assert await listed(visitor, base + "eleves+legumes") == [FRENCH["title"]]
    # Typed with their accents, they find it too.
    assert await listed(visitor, base + "écoles") == [FRENCH["title"]]
    assert await listed(visitor, base + "partages") == [FRENCH["title"]]


async def test_search_finds_an_arabic_idea_by_an_arabic_word(
    session: AsyncSession, make_challenge: Any, host: User, author: User, visitor: Person
) -> None:
    challenge = await make_challenge(host)
    await add_ideas(session, challenge, author, FRENCH, SPANISH, ARABIC, ENGLISH)
    base = f"/challenges/{challenge.slug}?sort=newest&q="

    assert await listed(visitor, base + "حدائق") == [ARABIC["title"]]
    assert await listed(visitor, base + "الخضروات") == [ARABIC["title"]]
    assert await listed(visitor, base + "حدائق+بيتزا") == []


async def test_search_stems_each_language_with_its_own_words(
    session: AsyncSession, make_challenge: Any, host: User, author: User, visitor: Person
) -> None:
    challenge = await make_challenge(host)
    await add_ideas(session, challenge, author, FRENCH, SPANISH, ARABIC, ENGLISH)
    base = f"/challenges/{challenge.slug}?sort=newest&q="

    assert await listed(visitor, base + "huerto") == [SPANISH["title"]]
    assert await listed(visitor, base + "composting") == [ENGLISH["title"]]
    assert await listed(visitor, base + "jardin") == [FRENCH["title"]]
