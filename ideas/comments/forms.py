"""The comment form: a Markdown body, kept as typed when it comes back with a problem."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import FormData

from ideas.errors import NotFound
from ideas.web.forms import Form

BODY_MAX = 5_000


def blank() -> Form:
    return Form(values={"body": ""})


def filled(body: str) -> Form:
    return Form(values={"body": body})


def parse(data: FormData | Mapping[str, str]) -> tuple[Form, str | None]:
    """The checked body, or None with the problem beside the field."""
    form = Form.from_submission(data, ("body",))
    body = form.text("body", label="Your comment", max_length=BODY_MAX, multiline=True)
    return form, (body if form.ok else None)


def parent_id(data: FormData | Mapping[str, str]) -> int | None:
    """The comment a reply answers, if the form names one (a hidden field)."""
    raw = data.get("parent_id")
    if not isinstance(raw, str) or not raw.strip():
        return None
    if not raw.strip().isdigit():
        raise NotFound()
    return int(raw)
