"""The idea form."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import FormData

from ideas.web.forms import Form

FIELDS = ("title", "summary", "body")
TITLE_MAX = 120
SUMMARY_MAX = 300
BODY_MAX = 20_000


@dataclass(frozen=True)
class IdeaInput:
    title: str
    summary: str
    body: str


def parse(data: FormData) -> tuple[Form, IdeaInput | None]:
    form = Form.from_submission(data, FIELDS)
    title = form.text("title", label="Title", max_length=TITLE_MAX)
    summary = form.text("summary", label="Summary", max_length=SUMMARY_MAX)
    body = form.text("body", label="Body", max_length=BODY_MAX, required=False, multiline=True)
    if not form.ok:
        return form, None
    return form, IdeaInput(title=title, summary=summary, body=body)
