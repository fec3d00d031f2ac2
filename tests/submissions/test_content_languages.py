"""What people write carries its language: detected from the text, correctable on the
form, shown as a label and as ``lang``; a challenge reads in the reader's language when
its hosts wrote it so."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import languages
from ideas.challenges.models import ChallengeTranslation
from ideas.comments.models import Comment
from ideas.submissions.models import Idea
from tests.factories.accounts import Person
from tests.factories.queries import count
from tests.html import Page

FRENCH_IDEA = {
    "title": "Des jardins partagés pour les écoles",
    "summary": "Les élèves cultivent des légumes pour la cantine, avec les parents.",
    "body": "",
}
TRANSLATION = {
    "language": "fr",
    "title": "Moins de gaspillage",
    "question": "Comment réduire le gaspillage dans les cantines scolaires ?",
    "brief": "Un tiers est *jeté*.",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Compost bins in every school canteen, emptied weekly by the pupils.", "en"),
        ("Des jardins partagés pour les écoles du quartier.", "fr"),
        ("Menos desperdicio en los comedores escolares de la ciudad.", "es"),
        ("حدائق مدرسية للتسميد في كل مدرسة", "ar"),
        ("Gemeinschaftsgärten für alle Schulen in der Stadt.", "other"),
        ("ok", "en"),
    ],
)
def test_the_language_of_a_text_is_detected(text: str, expected: str) -> None:
    assert languages.detect(text) == expected


def test_a_text_too_short_to_tell_takes_the_fallback() -> None:
    assert languages.detect("Oui!", fallback="fr") == "fr"


async def test_an_idea_posted_in_french_is_marked_french(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    priya = await sign_in(await make_user())

    response = await priya.post(f"/challenges/{challenge.slug}/ideas/new", FRENCH_IDEA)

    assert response.status_code == 303
    idea = (await session.scalars(select(Idea))).one()
    assert idea.language == "fr"
    page = Page(await visitor.get(response.headers["location"]))
    assert page.one("#idea-title").get("lang") == "fr"
    assert page.text(".idea__language") == "Written in Français"
    card = Page(await visitor.get(f"/challenges/{challenge.slug}"))
    assert card.one(".idea-card .card__title").get("lang") == "fr"


async def test_the_author_corrects_the_detected_language(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    priya = await sign_in(await make_user())

    await priya.post(
        f"/challenges/{challenge.slug}/ideas/new", {**FRENCH_IDEA, "language": "other"}
    )

    assert (await session.scalars(select(Idea.language))).one() == "other"


@pytest.mark.parametrize("sent", ["de", "english", "xx-YY"])
async def test_an_idea_in_an_unsupported_language_is_refused_beside_the_field(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession, sent: str
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    priya = await sign_in(await make_user())

    response = await priya.post(
        f"/challenges/{challenge.slug}/ideas/new", {**FRENCH_IDEA, "language": sent}
    )

    page = Page(response)
    assert page.text("#f-language-error") == "Error: Choose a language from the list."
    assert page.field_value("title") == FRENCH_IDEA["title"]
    assert await count(session, Idea) == 0


async def test_a_comment_carries_its_language_and_a_bad_one_is_refused(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    idea = await make_idea(await make_challenge(host), host)
    priya = await sign_in(await make_user())
    url = f"/ideas/{idea.id}/comments"

    refused = await priya.post(
        url, {"body": "Muy buena idea para los comedores.", "language": "zz"}
    )
    assert (
        Page(refused).text("#comment-language-error") == "Error: Choose a language from the list."
    )
    assert await count(session, Comment) == 0

    await priya.post(url, {"body": "Muy buena idea para los comedores escolares."})
    comment = (await session.scalars(select(Comment))).one()
    assert comment.language == "es"
    page = Page(await priya.get(url))
    assert page.one(f"#comment-{comment.id} .comment__body").get("lang") == "es"


async def test_host_writes_the_challenge_in_french_and_a_french_reader_sees_it(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession, visitor: Person
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    hamid = await sign_in(host)

    response = await hamid.post(f"/challenges/{challenge.slug}/translations", TRANSLATION)

    assert response.status_code == 303
    path = f"/challenges/{challenge.slug}"
    french = Page(await visitor.get(path, headers={"Accept-Language": "fr"}))
    english = Page(await visitor.get(path, headers={"Accept-Language": "en"}))
    # No Spanish version: the challenge as written.
    spanish = Page(await visitor.get(path, headers={"Accept-Language": "es"}))
    assert french.text("#challenge-title") == "Moins de gaspillage"
    assert french.one("#challenge-title").get("lang") == "fr"
    assert "jeté" in french.text(".brief")
    assert english.text("#challenge-title") == challenge.title
    assert spanish.text("#challenge-title") == challenge.title


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Choose a language from the list."),
        ("en", "That is the challenge's own language: change its text on the edit page."),
        ("other", "Choose one of the languages in the list."),
    ],
)
async def test_a_translation_into_no_language_we_offer_is_refused(
    make_user: Any,
    make_challenge: Any,
    sign_in: Any,
    session: AsyncSession,
    language: str,
    message: str,
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    hamid = await sign_in(host)

    response = await hamid.post(
        f"/challenges/{challenge.slug}/translations", {**TRANSLATION, "language": language}
    )

    assert response.status_code == 400
    page = Page(response)
    assert page.text("#f-language-error") == f"Error: {message}"
    assert page.field_value("title") == TRANSLATION["title"]
    assert await count(session, ChallengeTranslation) == 0


async def test_only_hosts_write_a_challenge_in_other_languages(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    priya = await sign_in(await make_user())

    response = await priya.post(f"/challenges/{challenge.slug}/translations", TRANSLATION)

    assert response.status_code == 403
    assert await count(session, ChallengeTranslation) == 0
