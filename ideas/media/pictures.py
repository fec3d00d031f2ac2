"""Checking, re-encoding and serving uploaded pictures.

A file is judged by its content, not its name or the type the browser claims:
Pillow must recognise it as JPEG, PNG, WebP or GIF, within a pixel limit (a
small file can still decode to billions of pixels). Accepted pictures are
turned upright, re-encoded as WebP, which drops every piece of metadata
(camera, place, time), and resized to the sizes the pages use.

A phone's photo is a large JPEG (12 to 200 million pixels). It is decoded at
once at a half, a quarter or an eighth of its size, as large as the largest
size the pages use needs (``draft``), so a 48-megapixel photo takes a few
tens of megabytes to prepare, not hundreds. Other formats are decoded whole,
so they keep a tighter pixel limit.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.errors import Invalid
from ideas.i18n import _, lazy_gettext
from ideas.media.models import Picture, PictureFile

# Decoded whole: PNG, WebP and GIF. A JPEG is decoded reduced, up to 178 million pixels
# (Pillow's own hard limit is about that), so a 108- or 200-megapixel photo of a
# phone's full-resolution mode is refused with a message, not decoded.
MAX_PIXELS = 40_000_000
MAX_JPEG_PIXELS = 178_000_000
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# The widths the pages use: a card in a list and the full picture on its page.
SIZES = {"card": 640, "full": 1600}
# A person's picture: one square size, shown from 24 to 96 pixels wide (twice that on
# dense screens).
AVATAR_SIZE = "avatar"
AVATAR_PIXELS = 192
SERVED_SIZES = frozenset({*SIZES, AVATAR_SIZE})
CONTENT_TYPE = "image/webp"
# EXIF orientations that turn the picture a quarter: its stored height is its width.
QUARTER_TURNS = frozenset({5, 6, 7, 8})
ORIENTATION = 0x0112  # the EXIF tag
TOO_MANY_PIXELS = lazy_gettext("The picture has too many pixels; make it smaller.")


@dataclass(frozen=True)
class Encoded:
    size: str
    width: int
    height: int
    data: bytes


@dataclass(frozen=True)
class Prepared:
    digest: str
    width: int
    height: int
    files: list[Encoded]


def prepare(source: bytes | BinaryIO, *, field: str) -> Prepared:
    """Check an upload and make its sizes; ``Invalid`` (for ``field``) with a clear message."""
    upright = _upright(source, field=field)
    files = []
    for size, width in SIZES.items():
        copy = upright.copy()
        copy.thumbnail((width, width * 4))
        files.append(_encoded(size, copy))
    digest = hashlib.sha256(files[-1].data).hexdigest()
    return Prepared(digest, upright.width, upright.height, files)


def prepare_avatar(source: bytes | BinaryIO, *, field: str) -> Prepared:
    """A person's picture: checked as any upload, cut to a square around its middle."""
    upright = _upright(source, field=field)
    square = ImageOps.fit(upright, (AVATAR_PIXELS, AVATAR_PIXELS), Image.Resampling.LANCZOS)
    encoded = _encoded(AVATAR_SIZE, square)
    digest = hashlib.sha256(encoded.data).hexdigest()
    return Prepared(digest, square.width, square.height, [encoded])


def _encoded(size: str, image: Image.Image) -> Encoded:
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=82, method=4)
    return Encoded(size, image.width, image.height, out.getvalue())


def _upright(source: bytes | BinaryIO, *, field: str) -> Image.Image:
    """The upload decoded, turned upright, in RGB, no larger than the largest size made."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        with warnings.catch_warnings():
            # The pixel limits below say it in words; Pillow's warning would only say less.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            picture = Image.open(stream, formats=ACCEPTED_FORMATS)
            pixels = picture.width * picture.height
            if pixels > (MAX_JPEG_PIXELS if picture.format == "JPEG" else MAX_PIXELS):
                raise Invalid({field: TOO_MANY_PIXELS})
            turned = picture.getexif().get(ORIENTATION) in QUARTER_TURNS
            if picture.format == "JPEG":
                _reduce_while_decoding(picture, turned=turned)
            picture.load()
            # Down to the largest size made from it before anything is copied.
            widest = max(SIZES.values())
            picture.thumbnail((widest * 4, widest) if turned else (widest, widest * 4))
            return ImageOps.exif_transpose(picture).convert("RGB")
    except Invalid:
        raise
    except Image.DecompressionBombError:
        raise Invalid({field: TOO_MANY_PIXELS}) from None
    except UnidentifiedImageError:
        raise Invalid({field: _("That file is not a picture this site can use.")}) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise Invalid({field: _("That picture is damaged or incomplete.")}) from None


def _reduce_while_decoding(picture: Image.Image, *, turned: bool) -> None:
    """Have the JPEG decoder scale down as it decodes (by 2, 4 or 8), keeping the picture
    at least as wide, once upright, as the largest size made from it."""
    widest = max(SIZES.values())
    picture.draft("RGB", (1, widest) if turned else (widest, 1))


async def store(tx: AsyncSession, prepared: Prepared, *, uploaded_by: int) -> int:
    """Save a prepared picture in the caller's transaction; the same picture is stored once."""
    existing = await tx.scalar(select(Picture.id).where(Picture.digest == prepared.digest))
    if existing is not None:
        return existing
    picture = Picture(
        digest=prepared.digest,
        width=prepared.width,
        height=prepared.height,
        uploaded_by_id=uploaded_by,
    )
    tx.add(picture)
    await tx.flush()
    for encoded in prepared.files:
        tx.add(
            PictureFile(
                picture_id=picture.id,
                size=encoded.size,
                width=encoded.width,
                height=encoded.height,
                content_type=CONTENT_TYPE,
                data=encoded.data,
            )
        )
    return picture.id


async def file_of(session: AsyncSession, picture_id: int, size: str) -> PictureFile | None:
    found: PictureFile | None = await session.scalar(
        select(PictureFile).where(PictureFile.picture_id == picture_id, PictureFile.size == size)
    )
    return found


def picture_path(picture_id: int, size: str) -> str:
    """The path the app serves a picture at (the route named "picture"), for the few
    places that show one without a request at hand: a person's picture, from a macro
    any template imports."""
    return f"/pictures/{picture_id}/{size}.webp"
