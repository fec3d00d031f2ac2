"""Reading a picture from a submitted form."""

from __future__ import annotations

import asyncio

from starlette.datastructures import FormData, UploadFile

from ideas.errors import Invalid
from ideas.media.pictures import MAX_BYTES, Prepared, prepare


async def picture_from(data: FormData, field: str) -> Prepared | None:
    """The picture uploaded in ``field``, checked and re-encoded; None when none was chosen."""
    upload = data.get(field)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    content = await upload.read(MAX_BYTES + 1)
    if not content:
        return None
    if len(content) > MAX_BYTES:
        raise Invalid({field: f"The picture must be at most {MAX_BYTES // 1_000_000} MB."})
    # Decoding and resizing take a while: keep the event loop free meanwhile.
    return await asyncio.to_thread(prepare, content, field=field)
