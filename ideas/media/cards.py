"""The picture a shared link shows when what it links to has none of its own.

A social site or a chat previews a link with the page's ``og:image``. A
challenge with a cover and an idea with a picture give theirs; everything else
gets a card drawn here with Pillow, 1200 by 630 pixels (the shape those previews
use): a colour of its own, what it belongs to, its title wrapped onto a few
lines, its counts and the site's name.

Fonts are Debian's DejaVu or Liberation, found through a list of places, and
Pillow's own font when none is installed. With Pillow's complex text layout
(libraqm) a right-to-left title (Arabic, Hebrew) is shaped and set from the
right; without it, it still draws, unshaped.

A card is drawn once for each version of its words (``Card.key``) and kept
(``CardCache``), so a link shared widely is drawn once per process.
"""

from __future__ import annotations

import hashlib
import io
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Literal

from PIL import Image, ImageDraw, ImageFont, features

from ideas.db import utcnow

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
CONTENT_TYPE = "image/png"
# Part of every card's key: drawing them differently makes every card new.
DRAWING = "2"
KEPT = 256

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
Weight = Literal["bold", "regular"]

# Where Debian, other Linux systems and macOS keep fonts that cover Latin, Greek,
# Cyrillic, Arabic and Hebrew; a bare name is looked for in the system's font folders.
FONT_FILES: dict[Weight, tuple[str, ...]] = {
    "bold": (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
        "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
        "/Library/Fonts/Arial Bold.ttf",
        "DejaVuSans-Bold.ttf",
    ),
    "regular": (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/Library/Fonts/Arial.ttf",
        "DejaVuSans.ttf",
    ),
}

# Deep colours under white words (contrast above 7:1 with white), one chosen per card.
PALETTE = (
    ((30, 64, 120), (12, 36, 80)),
    ((22, 96, 84), (10, 56, 52)),
    ((112, 40, 96), (64, 20, 64)),
    ((128, 52, 20), (80, 28, 12)),
    ((52, 52, 120), (24, 24, 72)),
    ((20, 84, 120), (8, 48, 76)),
)
WHITE = (255, 255, 255)
SOFT = (226, 232, 240)


@dataclass(frozen=True)
class Card:
    """What a card says: ``context`` above the title (the challenge it belongs to),
    ``lines`` below it (its counts), ``site`` at its foot."""

    title: str
    context: str
    lines: tuple[str, ...]
    site: str

    @property
    def key(self) -> str:
        """Names every word and how they are drawn: the same key, the same picture."""
        words = "\x1f".join((DRAWING, self.title, self.context, *self.lines, self.site))
        return hashlib.sha256(words.encode()).hexdigest()[:32]


@lru_cache(maxsize=32)
def font(weight: Weight, size: int) -> Font:
    """The first font of ``FONT_FILES`` that opens, at ``size`` pixels; Pillow's own
    otherwise. Complex layout (shaping, right to left) where Pillow has it."""
    engine = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
    for path in FONT_FILES[weight]:
        try:
            return ImageFont.truetype(path, size, layout_engine=engine)
        except OSError:
            continue
    return ImageFont.load_default(size)


def direction_of(text: str) -> Literal["rtl", "ltr"]:
    """Right to left when the first letter with a direction is Arabic or Hebrew."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in {"R", "AL"}:
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def _complex(face: Font) -> bool:
    """Whether ``face`` lays text out with libraqm: shaped, in its own direction."""
    return isinstance(face, ImageFont.FreeTypeFont) and face.layout_engine == ImageFont.Layout.RAQM


def _length(text: str, face: Font, direction: str) -> float:
    if _complex(face):
        return face.getlength(text, direction=direction)
    return face.getlength(text)


def wrap(text: str, face: Font, width: float, *, most: int) -> list[str]:
    """``text`` in lines no wider than ``width``, at most ``most`` of them, the last
    ending in an ellipsis when some was left out. A word too long for a line (or a
    script written without spaces) is broken between letters."""
    direction = direction_of(text)
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}" if line else word
        if _length(trial, face, direction) <= width:
            line = trial
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:
            if _length(line + char, face, direction) > width and line:
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    if len(lines) <= most:
        return lines
    kept = lines[:most]
    last = kept[-1]
    while last and _length(last + "…", face, direction) > width:
        last = last[:-1]
    kept[-1] = last.rstrip() + "…"
    return kept


def _background(seed: str) -> Image.Image:
    """A diagonal gradient in one of the palette's colours, with two soft circles."""
    digest = hashlib.sha256(seed.encode()).digest()
    start, end = PALETTE[digest[0] % len(PALETTE)]
    return gradient((WIDTH, HEIGHT), start, end, circles=((digest[1], digest[2]),))


@lru_cache(maxsize=32)
def _ramp(start: tuple[int, int, int], end: tuple[int, int, int]) -> tuple[tuple[int, ...], ...]:
    """The pixels of a 64 by 64 picture fading from ``start`` to ``end``, row by row:
    worked out once for each pair of colours (the palette has a few)."""
    return tuple(
        tuple(round(a + (b - a) * (x + y) / 126) for a, b in zip(start, end, strict=True))
        for y in range(64)
        for x in range(64)
    )


def gradient(
    size: tuple[int, int],
    start: tuple[int, int, int],
    end: tuple[int, int, int],
    *,
    circles: Sequence[tuple[int, int]] = (),
) -> Image.Image:
    """A picture of ``size`` fading from ``start`` (top left) to ``end`` (bottom right),
    with a translucent circle for each pair of bytes in ``circles`` (where, how big)."""
    width, height = size
    # A small gradient scaled up: smooth, and quick to make at any size.
    small = Image.new("RGB", (64, 64))
    small.putdata(_ramp(start, end))
    picture = small.resize(size, Image.Resampling.BICUBIC).convert("RGBA")
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for where, big in circles:
        radius = height * (0.35 + (big % 64) / 128)
        cx = width * (0.55 + (where % 100) / 220)
        cy = height * (0.1 + (where % 7) / 10)
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=(255, 255, 255, 22))
        inner = radius * 0.62
        draw.ellipse((cx - inner, cy - inner, cx + inner, cy + inner), fill=(255, 255, 255, 16))
    return Image.alpha_composite(picture, overlay).convert("RGB")


def _text(
    draw: ImageDraw.ImageDraw, y: float, text: str, face: Font, fill: tuple[int, int, int]
) -> None:
    """One line set from the start of its own direction: the right for Arabic."""
    direction = direction_of(text)
    rtl = direction == "rtl"
    x = WIDTH - MARGIN if rtl else MARGIN
    options: dict[str, str] = {"anchor": "ra" if rtl else "la"}
    if _complex(face):
        options["direction"] = direction
    draw.text((x, y), text, font=face, fill=fill, **options)  # type: ignore[arg-type]


def render(card: Card) -> bytes:
    """The card as a PNG of 1200 by 630 pixels."""
    picture = _background(card.title + card.context)
    draw = ImageDraw.Draw(picture)
    inner = WIDTH - 2 * MARGIN
    y: float = MARGIN
    if card.context:
        context_face = font("regular", 34)
        _text(draw, y, wrap(card.context, context_face, inner, most=1)[0], context_face, SOFT)
        y += 64
    # The largest size at which the title fits on four lines.
    for size in (72, 62, 54, 46):
        title_face = font("bold", size)
        lines = wrap(card.title, title_face, inner, most=4)
        if len(lines) < 4 or not lines[-1].endswith("…"):
            break
    step = size * 1.25
    for line in lines:
        _text(draw, y, line, title_face, WHITE)
        y += step
    foot = HEIGHT - MARGIN - 40
    stats_face = font("regular", 32)
    if card.lines:
        _text(draw, foot - 56, wrap("  •  ".join(card.lines), stats_face, inner, most=1)[0],
              stats_face, SOFT)  # fmt: skip
    draw.line((MARGIN, foot - 14, WIDTH - MARGIN, foot - 14), fill=(255, 255, 255), width=2)
    _text(draw, foot, card.site, font("bold", 34), WHITE)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


@dataclass(frozen=True)
class Rendered:
    png: bytes
    etag: str
    made_at: datetime


class CardCache:
    """The cards drawn lately, by key, the oldest forgotten first past ``size``."""

    def __init__(self, size: int = KEPT) -> None:
        self.size = size
        self.kept: OrderedDict[str, Rendered] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Rendered | None:
        with self.lock:
            found = self.kept.get(key)
            if found is not None:
                self.kept.move_to_end(key)
            return found

    def made(self, card: Card) -> Rendered:
        """The card drawn, or the one kept for its key."""
        kept = self.get(card.key)
        if kept is not None:
            return kept
        rendered = Rendered(render(card), f'"card-{card.key}"', utcnow().replace(microsecond=0))
        with self.lock:
            self.kept[card.key] = rendered
            while len(self.kept) > self.size:
                self.kept.popitem(last=False)
        return rendered


CARDS = CardCache()
