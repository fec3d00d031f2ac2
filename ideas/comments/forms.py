"""The comment form: a Markdown body, kept as typed when it comes back with a problem."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.datastructures import FormData

from ideas import languages
from ideas.i18n import _, lazy_gettext
from ideas.web.forms import Form

BODY_MAX = 5_000
NO_PARENT = lazy_gettext("That comment cannot be answered here. Reload the page and try again.")


def blank() -> Form:
    return Form(values={"body": "", "language": ""})


def filled(body: str, language: str = "") -> Form:
    return Form(values={"body": body, "language": language})


def parse(data: FormData | Mapping[str, Any]) -> tuple[Form, str | None, int | None]:
    """The checked body, or None with the problem beside the field; and the comment a
    reply answers, if the form names one (a hidden field)."""
    form = Form.from_submission(data, ("body", "parent_id", "language"))
    body = form.text("body", label=_("Your comment"), max_length=BODY_MAX, multiline=True)
    form.language("language", detect=True)
    parent_id = form.identifier("parent_id", message=NO_PARENT)
    return form, (body if form.ok else None), parent_id


def language_of(form: Form, body: str) -> str:
    """The language the author chose for the comment, or, left on "detect", its text's."""
    return form.values.get("language", "") or languages.detect(
        body, fallback=languages.reader_language()
    )
