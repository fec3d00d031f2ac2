"""A challenge in several languages: its hosts write its title, question and brief in
languages other than its own, and each reader gets the version in their language.

``shown_text`` is the one place that picks what a reader sees. A machine
translation, if one is ever added, would be asked for there when no host wrote
one; none is made today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, String, bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from ideas import audit, languages, markdown
from ideas.challenges.forms import BRIEF_MAX, QUESTION_MAX, TITLE_MAX
from ideas.challenges.models import Challenge, ChallengeTranslation
from ideas.challenges.services import require_allowed
from ideas.db import write
from ideas.errors import Invalid
from ideas.i18n import gettext as _
from ideas.policy import Action
from ideas.web.forms import Form

FIELDS = ("language", "title", "question", "brief")


@dataclass(frozen=True)
class ChallengeText:
    """What a reader sees of a challenge's own words, and the language they are in."""

    title: str
    question: str
    brief_html: str
    language: str


@dataclass(frozen=True)
class TranslationInput:
    language: str
    title: str
    question: str
    brief: str


def original(challenge: Challenge) -> ChallengeText:
    return ChallengeText(
        challenge.title, challenge.question, challenge.brief_html, challenge.language
    )


# Built once: a challenge's page asks it for every reader in another language.
_TRANSLATION = select(ChallengeTranslation).where(
    ChallengeTranslation.challenge_id == bindparam("challenge_id", type_=Integer),
    ChallengeTranslation.language == bindparam("language", type_=String),
)


async def shown_text(session: AsyncSession, challenge: Challenge, reader: str) -> ChallengeText:
    """The challenge's words in ``reader``'s language when its hosts wrote them so,
    else as written. Reading it in its own language asks the database nothing."""
    if reader == challenge.language or reader not in languages.SUPPORTED:
        return original(challenge)
    found = await session.scalar(_TRANSLATION, {"challenge_id": challenge.id, "language": reader})
    if found is None:
        return original(challenge)
    return ChallengeText(found.title, found.question, found.brief_html, found.language)


async def of_challenge(session: AsyncSession, challenge_id: int) -> list[ChallengeTranslation]:
    return list(
        await session.scalars(
            select(ChallengeTranslation)
            .where(ChallengeTranslation.challenge_id == challenge_id)
            .order_by(ChallengeTranslation.language)
        )
    )


def blank(language: str = "", existing: ChallengeTranslation | None = None) -> Form:
    if existing is not None:
        return Form(
            values={
                "language": existing.language,
                "title": existing.title,
                "question": existing.question,
                "brief": existing.brief,
            }
        )
    return Form(values={"language": language, "title": "", "question": "", "brief": ""})


def parse(data: FormData, challenge: Challenge) -> tuple[Form, TranslationInput | None]:
    form = Form.from_submission(data, FIELDS)
    language = form.language("language")
    if language and language not in languages.SUPPORTED:
        form.errors["language"] = _("Choose one of the languages in the list.")
    elif language == challenge.language:
        form.errors["language"] = _(
            "That is the challenge's own language: change its text on the edit page."
        )
    title = form.text("title", label=_("Title"), max_length=TITLE_MAX)
    question = form.text("question", label=_("Question"), max_length=QUESTION_MAX)
    brief = form.text(
        "brief", label=_("Brief"), max_length=BRIEF_MAX, required=False, multiline=True
    )
    if not form.ok:
        return form, None
    return form, TranslationInput(language, title, question, brief)


async def save_translation(
    session: AsyncSession,
    *,
    challenge_id: int,
    actor_id: int,
    data: TranslationInput,
    now: datetime,
) -> ChallengeTranslation:
    """Add the challenge's words in another language, or replace those it had."""
    async with write(session) as tx:
        challenge = await require_allowed(tx, Action.EDIT_CHALLENGE, challenge_id, actor_id, now)
        if data.language == challenge.language or data.language not in languages.SUPPORTED:
            raise Invalid({"language": _("Choose one of the languages in the list.")})
        found = await tx.scalar(
            select(ChallengeTranslation)
            .where(
                ChallengeTranslation.challenge_id == challenge_id,
                ChallengeTranslation.language == data.language,
            )
            .with_for_update()
        )
        if found is None:
            found = ChallengeTranslation(challenge_id=challenge_id, language=data.language)
            tx.add(found)
        found.title = data.title
        found.question = data.question
        found.brief = data.brief
        found.brief_html = markdown.render(data.brief)
        found.updated_at = now
        audit.record(
            tx,
            actor_id=actor_id,
            action="challenge.translate",
            subject_type="challenge",
            subject_id=challenge_id,
            challenge_id=challenge_id,
            at=now,
            language=data.language,
        )
    return found


async def remove_translation(
    session: AsyncSession, *, challenge_id: int, actor_id: int, language: str, now: datetime
) -> None:
    async with write(session) as tx:
        await require_allowed(tx, Action.EDIT_CHALLENGE, challenge_id, actor_id, now)
        await tx.execute(
            delete(ChallengeTranslation).where(
                ChallengeTranslation.challenge_id == challenge_id,
                ChallengeTranslation.language == language,
            )
        )
        audit.record(
            tx,
            actor_id=actor_id,
            action="challenge.untranslate",
            subject_type="challenge",
            subject_id=challenge_id,
            challenge_id=challenge_id,
            at=now,
            language=language,
        )
