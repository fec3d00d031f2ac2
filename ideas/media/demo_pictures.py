"""Pictures for the demo, drawn here: gradients, shapes and initials, never downloaded.

``add_demo_pictures`` gives the demo's challenges covers, some of their ideas a
picture and most people a picture of their own, through what an upload goes
through (``pictures.prepare``, ``pictures.store``, ``accounts.services.set_avatar``),
so the demo shows every size the pages use. The same name always draws the same
picture, so a demo made twice looks the same.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import itertools
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts import services as accounts
from ideas.accounts.models import User, UserStatus, initials_of
from ideas.challenges.models import Challenge
from ideas.db import write
from ideas.media import pictures
from ideas.media.cards import PALETTE, font, gradient
from ideas.submissions.models import Idea

# Lighter colours for shapes drawn over the palette's deep ones.
SHAPES = ((250, 204, 21), (52, 211, 153), (96, 165, 250), (244, 114, 182), (251, 146, 60))


def _random(seed: str) -> random.Random:
    return random.Random(hashlib.sha256(seed.encode()).digest())


def _png(image: Image.Image) -> bytes:
    """The picture as a PNG, compressed lightly: it is decoded and re-encoded as WebP at
    once (``pictures.prepare``), so its size matters less than the time it takes."""
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


def cover_picture(seed: str, size: tuple[int, int] = (1600, 600)) -> bytes:
    """A wide cover: a gradient with rolling hills and a sun, in colours of ``seed``."""
    rng = _random(seed)
    start, end = rng.choice(PALETTE)
    picture = gradient(size, start, end, circles=((rng.randrange(256), rng.randrange(256)),))
    draw = ImageDraw.Draw(picture, "RGBA")
    width, height = size
    sun = rng.choice(SHAPES)
    cx, cy, r = width * rng.uniform(0.6, 0.85), height * rng.uniform(0.2, 0.4), height * 0.14
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*sun, 230))
    for layer in range(3):
        colour = rng.choice(SHAPES)
        base = height * (0.62 + layer * 0.12)
        points: list[tuple[float, float]] = [(0, height)]
        for x in range(0, width + 160, 160):
            points.append((x, base - rng.uniform(0, height * 0.18)))
        points.append((width, height))
        draw.polygon(points, fill=(*colour, 90 + layer * 50))
    return _png(picture)


def idea_picture(seed: str, size: tuple[int, int] = (1200, 900)) -> bytes:
    """A sketch-like picture: a few circles, boxes and joining lines on a light ground."""
    rng = _random(seed)
    width, height = size
    picture = Image.new("RGB", size, (248, 246, 240))
    draw = ImageDraw.Draw(picture, "RGBA")
    for across in range(0, width, 60):  # squared paper
        draw.line((across, 0, across, height), fill=(200, 210, 225, 120), width=1)
    for down in range(0, height, 60):
        draw.line((0, down, width, down), fill=(200, 210, 225, 120), width=1)
    centres = [
        (rng.uniform(0.15, 0.85) * width, rng.uniform(0.15, 0.85) * height) for _ in range(5)
    ]
    for (x1, y1), (x2, y2) in itertools.pairwise(centres):
        draw.line((x1, y1, x2, y2), fill=(40, 50, 70, 200), width=8)
    for n, (x, y) in enumerate(centres):
        colour = rng.choice(SHAPES)
        r: float = rng.uniform(0.06, 0.12) * width
        if n % 2:
            draw.rounded_rectangle((x - r, y - r * 0.7, x + r, y + r * 0.7), radius=24,
                                   fill=(*colour, 235), outline=(40, 50, 70), width=6)  # fmt: skip
        else:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=(*colour, 235),
                         outline=(40, 50, 70), width=6)  # fmt: skip
    return _png(picture)


def avatar_picture(name: str, size: int = 256) -> bytes:
    """A person's picture: their initials, white on a colour of their name."""
    rng = _random(name)
    start, end = rng.choice(PALETTE)
    picture = gradient((size, size), start, end)
    draw = ImageDraw.Draw(picture)
    draw.text((size / 2, size / 2), initials_of(name), font=font("bold", size * 2 // 5),
              fill=(255, 255, 255), anchor="mm")  # fmt: skip
    return _png(picture)


@dataclass(frozen=True)
class Added:
    covers: int
    idea_pictures: int
    avatars: int


async def add_demo_pictures(
    session: AsyncSession, *, ideas_every: int = 3, people_without: int = 4
) -> Added:
    """Covers for every challenge without one; a picture for one idea in ``ideas_every``
    (by id) without one; a picture for every active person without one, but one in
    ``people_without``, who keep showing their initials. Safe to call again: what has a
    picture keeps it."""
    challenges = list(await session.scalars(select(Challenge).where(Challenge.cover_id.is_(None))))
    ideas = [
        idea
        for idea in await session.scalars(select(Idea).where(Idea.image_id.is_(None)))
        if idea.id % ideas_every == 0
    ]
    people = [
        person
        for person in await session.scalars(
            select(User).where(User.avatar_id.is_(None), User.status == UserStatus.ACTIVE)
        )
        if person.id % people_without != 0
    ]
    covers = [
        (c.id, c.created_by_id, await _prepared(cover_picture(f"cover {c.slug}")))
        for c in challenges
    ]
    idea_files = [
        (i.id, i.author_id, await _prepared(idea_picture(f"idea {i.id} {i.title}"))) for i in ideas
    ]
    async with write(session) as tx:
        for challenge_id, host_id, prepared in covers:
            cover_id = await pictures.store(tx, prepared, uploaded_by=host_id)
            await tx.execute(
                update(Challenge).where(Challenge.id == challenge_id).values(cover_id=cover_id)
            )
        for idea_id, author_id, prepared in idea_files:
            image_id = await pictures.store(tx, prepared, uploaded_by=author_id)
            await tx.execute(
                update(Idea)
                .where(Idea.id == idea_id)
                .values(image_id=image_id, image_alt="A sketch: shapes joined by lines.")
            )
    for person in people:
        avatar = await asyncio.to_thread(
            pictures.prepare_avatar, avatar_picture(person.display_name), field="picture"
        )
        await accounts.set_avatar(session, user_id=person.id, picture=avatar)
    return Added(len(covers), len(idea_files), len(people))


async def _prepared(png: bytes) -> pictures.Prepared:
    return await asyncio.to_thread(pictures.prepare, png, field="picture")
