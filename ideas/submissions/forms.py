"""The idea form: text, tags from the challenge, and the ideas it builds on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from starlette.datastructures import FormData

from ideas import languages
from ideas.i18n import _, lazy_gettext
from ideas.media.pictures import Prepared
from ideas.submissions.lineage import NOTE_MAX, LinkInput
from ideas.web.forms import Form

FIELDS = ("title", "summary", "body", "image_alt", "remove_image", "language")
TITLE_MAX = 120
SUMMARY_MAX = 300
BODY_MAX = 20_000
BUILDS_ON_MAX = 10
NO_PARENT = lazy_gettext(
    "That is not an idea this one can build on. Reload the page and choose again."
)


@dataclass(frozen=True)
class IdeaInput:
    title: str
    summary: str
    body: str
    tag_ids: tuple[int, ...] = ()
    builds_on: tuple[LinkInput, ...] = field(default_factory=tuple)
    image: Prepared | None = None
    image_alt: str = ""
    remove_image: bool = False
    # One of ideas.languages.CONTENT_LANGUAGES; "" to detect it from the text.
    language: str = ""


def parse(
    data: FormData, *, offered_tags: Sequence[int] = ()
) -> tuple[Form, IdeaInput | None, list[int], list[int]]:
    """Check a submitted idea; also returns the chosen tag ids and build-on ids as typed.

    Each idea it builds on comes as a ``builds_on`` value with its note in
    ``note-<id>``, so the form keeps both when it comes back with problems.
    """
    chosen = Form()  # the ticked boxes, read first: they name the note fields
    tag_ids = [
        tag
        for tag in chosen.identifiers(data, "tags", message=_("Choose tags from the list."))
        if tag in offered_tags
    ]
    parent_ids = chosen.identifiers(data, "builds_on", message=NO_PARENT)
    notes = tuple(f"note-{parent}" for parent in parent_ids)
    form = Form.from_submission(data, FIELDS + notes)
    form.errors.update(chosen.errors)
    title = form.text("title", label=_("Title"), max_length=TITLE_MAX)
    summary = form.text("summary", label=_("Summary"), max_length=SUMMARY_MAX)
    body = form.text("body", label=_("Body"), max_length=BODY_MAX, required=False, multiline=True)
    image_alt = form.text(
        "image_alt", label=_("The picture's description"), max_length=200, required=False
    )
    language = form.language("language", detect=True)
    if not language and form.ok:
        language = languages.detect(
            f"{title}\n{summary}\n{body}", fallback=languages.reader_language()
        )
    links = []
    for parent in parent_ids:
        note = form.text(f"note-{parent}", label=_("The note"), max_length=NOTE_MAX, required=False)
        links.append(LinkInput(parent_id=parent, note=note))
    if len(parent_ids) > BUILDS_ON_MAX:
        form.errors["builds_on"] = _(
            "An idea can build on at most %(most)s ideas.", most=BUILDS_ON_MAX
        )
    if not form.ok:
        return form, None, tag_ids, parent_ids
    return (
        form,
        IdeaInput(
            title=title,
            summary=summary,
            body=body,
            tag_ids=tuple(tag_ids),
            builds_on=tuple(links),
            image_alt=image_alt,
            remove_image=form.checked("remove_image"),
            language=language,
        ),
        tag_ids,
        parent_ids,
    )
