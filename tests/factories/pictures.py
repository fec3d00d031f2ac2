"""Pictures for tests: small, each unlike any other (the same pixels are stored once)."""

from __future__ import annotations

import io
import itertools
from datetime import datetime

from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.media import pictures
from ideas.submissions.forms import IdeaInput
from ideas.submissions.models import Idea
from ideas.submissions.services import post_idea
from tests.factories.challenges import current
from tests.factories.submissions import posting_moment

_colours = itertools.count(1)


def picture_bytes(size: tuple[int, int] = (120, 90), kind: str = "PNG") -> bytes:
    """An upload as a browser sends it: a file in ``kind``'s format, of a new colour."""
    n = next(_colours)
    out = io.BytesIO()
    Image.new("RGB", size, (n % 256, (n * 7) % 256, (n * 13) % 256)).save(out, format=kind)
    return out.getvalue()


def a_picture() -> pictures.Prepared:
    return pictures.prepare(picture_bytes(), field="picture")


def an_avatar() -> pictures.Prepared:
    return pictures.prepare_avatar(picture_bytes(), field="picture")


async def idea_with_picture(
    session: AsyncSession,
    challenge: Challenge,
    author: User,
    title: str,
    *,
    alt: str = "A sketch",
    now: datetime | None = None,
) -> Idea:
    """An idea with a picture, posted while ``challenge`` takes ideas."""
    challenge = await current(session, challenge)
    return await post_idea(
        session,
        challenge_id=challenge.id,
        author_id=author.id,
        data=IdeaInput(
            title=title, summary=f"About {title}.", body="", image=a_picture(), image_alt=alt
        ),
        now=posting_moment(challenge, 1, now),
    )
