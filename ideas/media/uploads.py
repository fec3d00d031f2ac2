"""Reading a picture from a submitted form."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import BinaryIO

from starlette.datastructures import FormData, UploadFile

from ideas.errors import Invalid
from ideas.media.pictures import Prepared, prepare
from ideas.web.formdata import TooLarge

Preparer = Callable[..., Prepared]


async def picture_from(
    data: FormData, field: str, *, prepare_with: Preparer = prepare
) -> Prepared | None:
    """The picture uploaded in ``field``, checked and re-encoded; None when none was chosen.

    The form was read within the picture limit: a longer file arrives as a
    ``TooLarge``, which the form already reports beside its field.
    """
    upload = data.get(field)
    if isinstance(upload, TooLarge):
        raise Invalid({field: upload.message})
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    await upload.seek(0)
    # Decoding and resizing take a while: keep the event loop free meanwhile. Pillow
    # reads the spooled file itself, so the picture is never copied whole into memory.
    source: BinaryIO = upload.file
    return await asyncio.to_thread(prepare_with, source, field=field)
