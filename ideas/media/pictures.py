"""Checking, re-encoding and serving uploaded pictures.

A file is judged by its content, not its name or the type the browser claims:
Pillow must recognise it as JPEG, PNG, WebP or GIF, within a size and a pixel
limit (a small file can still decode to billions of pixels). Accepted pictures
are turned upright, re-encoded as WebP, which drops every piece of metadata
(camera, place, time), and resized to the sizes the pages use.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.errors import Invalid
from ideas.media.models import Picture, PictureFile

MAX_BYTES = 5_000_000
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
# The widths the pages use: a card in a list and the full picture on its page.
SIZES = {"card": 640, "full": 1600}
CONTENT_TYPE = "image/webp"


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


def prepare(data: bytes, *, field: str) -> Prepared:
    """Check an upload and make its sizes; ``Invalid`` (for ``field``) with a clear message."""
    if len(data) > MAX_BYTES:
        raise Invalid({field: f"The picture must be at most {MAX_BYTES // 1_000_000} MB."})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(data))
            if picture.format not in ACCEPTED_FORMATS:
                raise Invalid({field: "Use a JPEG, PNG, WebP or GIF picture."})
            if picture.width * picture.height > MAX_PIXELS:
                raise Invalid({field: "The picture has too many pixels; make it smaller."})
            picture.load()
            upright = ImageOps.exif_transpose(picture).convert("RGB")
    except Invalid:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Invalid({field: "That file is not a picture this site can use."}) from None
    except (OSError, ValueError, SyntaxError):
        raise Invalid({field: "That picture is damaged or incomplete."}) from None
    files = []
    for size, width in SIZES.items():
        copy = upright.copy()
        copy.thumbnail((width, width * 4))
        out = io.BytesIO()
        copy.save(out, format="WEBP", quality=82, method=4)
        files.append(Encoded(size, copy.width, copy.height, out.getvalue()))
    digest = hashlib.sha256(files[-1].data).hexdigest()
    return Prepared(digest, upright.width, upright.height, files)


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
