"""Reading a submitted form once, within limits, before the view runs.

The CSRF check needs the form's token, so the form is read there, and the
view is handed what was read (``ideas.web.forms.submitted``) rather than the
body again. Files are spooled to disk as they arrive, so a phone's photo costs
no more memory than a small one.

Two limits, for two kinds of too much. A file longer than the picture limit is
an ordinary mistake: its bytes are read and dropped as they come, and the form
holds a ``TooLarge`` in its place, which the form reports beside the field,
with everything typed kept. A body longer than the body limit is not a form
anyone filled in: reading stops, and the answer is a plain 413.
"""

from __future__ import annotations

import io
from collections.abc import AsyncGenerator
from contextlib import aclosing
from urllib.parse import unquote_plus

from starlette.datastructures import FormData, Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect, Request
from starlette.types import Receive

from ideas.i18n import _

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# A text field as sent: the longest a form takes is 20,000 characters, up to twelve bytes
# each once percent-encoded. Longer than this is no form of ours (400); shorter but too
# long comes back as the form, with the problem beside the field.
MAX_FIELD_BYTES = 1_000_000
MAX_FIELDS = 1000
MAX_FILES = 4


class BodyTooLarge(Exception):
    """The request's body is longer than the site accepts at all."""


class TooLarge(UploadFile):
    """A file longer than the limit, in the place of the file: how long it was, not what."""

    def __init__(self, *, filename: str | None, received: int, limit: int) -> None:
        super().__init__(file=io.BytesIO(), size=0, filename=filename)
        self.received = received
        self.limit = limit

    @property
    def message(self) -> str:
        return _(
            "This file is %(size)s; a picture can be at most %(limit)s. Choose a smaller "
            "one, or a copy the phone makes smaller when it shares it.",
            size=_megabytes(self.received),
            limit=_megabytes(self.limit),
        )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB".replace(".0 MB", " MB")


class _Parser(MultiPartParser):
    """Starlette's parser, keeping each file to ``max_file_bytes``: the rest of a longer
    file is read and dropped, and a ``TooLarge`` stands in the form for it."""

    def __init__(self, headers: Headers, stream: AsyncGenerator[bytes, None], max_file_bytes: int):
        super().__init__(
            headers,
            stream,
            max_files=MAX_FILES,
            max_fields=MAX_FIELDS,
            max_part_size=MAX_FIELD_BYTES,
        )
        self.max_file_bytes = max_file_bytes
        self._received = 0

    def on_part_begin(self) -> None:
        super().on_part_begin()
        self._received = 0

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._current_part
        if part.file is None:
            super().on_part_data(data, start, end)
            return
        self._received += end - start
        if self._received <= self.max_file_bytes:
            super().on_part_data(data, start, end)

    def on_part_end(self) -> None:
        part = self._current_part
        if part.file is None or self._received <= self.max_file_bytes:
            super().on_part_end()
            return
        # What was written of it goes: the file is closed (and its disk space freed).
        self._file_parts_to_write = [(p, d) for p, d in self._file_parts_to_write if p is not part]
        part.file.file.close()
        self.items.append(
            (
                part.field_name,
                TooLarge(
                    filename=part.file.filename,
                    received=self._received,
                    limit=self.max_file_bytes,
                ),
            )
        )


async def read_form(request: Request, *, max_body_bytes: int, max_file_bytes: int) -> FormData:
    """The form in the request's body (empty for any other kind of body).

    ``BodyTooLarge`` past ``max_body_bytes``; ``MultiPartException`` for a body
    that is not a well-formed form within the limits on fields and files;
    ``ClientDisconnect`` when the client leaves before it has sent it all.
    """
    content_type = request.headers.get("Content-Type", "")
    if content_type.startswith("multipart/form-data"):
        async with aclosing(_limited(request, max_body_bytes)) as stream:
            return await _Parser(request.headers, stream, max_file_bytes).parse()
    if content_type.startswith("application/x-www-form-urlencoded"):
        return _urlencoded(await read_body(request.receive, max_body_bytes))
    return FormData()


async def read_body(receive: Receive, limit: int) -> bytes:
    """The whole body, read from ``receive``: ``BodyTooLarge`` past ``limit`` bytes,
    ``ClientDisconnect`` when the client leaves before it has sent it all."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge()
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _urlencoded(body: bytes) -> FormData:
    """The fields of a URL-encoded body, read as Starlette reads them (names and values
    percent-decoded as UTF-8, "+" a space), with the same limits and messages.

    The body is whole already (it is at most the body limit): split at once, not fed
    byte by byte through python-multipart's parser, which is made for a stream and
    cost a vote more than its two statements.
    """
    items: list[tuple[str, str | UploadFile]] = []
    for field in body.split(b"&"):
        if not field:
            continue
        name, _equals, value = field.partition(b"=")
        if len(name) + len(value) > MAX_FIELD_BYTES:
            raise MultiPartException(f"Field exceeded maximum size of {MAX_FIELD_BYTES // 1024}KB.")
        if len(items) == MAX_FIELDS:
            raise MultiPartException(f"Too many fields. Maximum number of fields is {MAX_FIELDS}.")
        items.append((unquote_plus(name.decode("latin-1")), unquote_plus(value.decode("latin-1"))))
    return FormData(items)


async def _limited(request: Request, limit: int) -> AsyncGenerator[bytes, None]:
    received = 0
    async with aclosing(request.stream()) as chunks:
        async for chunk in chunks:
            received += len(chunk)
            if received > limit:
                raise BodyTooLarge()
            yield chunk


__all__ = [
    "FORM_TYPES",
    "BodyTooLarge",
    "MultiPartException",
    "TooLarge",
    "read_body",
    "read_form",
]
