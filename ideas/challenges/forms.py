"""The challenge form: what a host types to create or edit a round."""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from slugify import slugify
from starlette.datastructures import FormData

from ideas.challenges.phases import Schedule
from ideas.web.forms import Form

FIELDS = (
    "title",
    "slug",
    "question",
    "sponsor",
    "brief",
    "ideas_opens_at",
    "review_opens_at",
    "teams_opens_at",
    "closes_at",
)
SCHEDULE_FIELDS = {
    "ideas": "ideas_opens_at",
    "review": "review_opens_at",
    "teams": "teams_opens_at",
    "closed": "closes_at",
}
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RESERVED_SLUGS = frozenset({"new", "edit", "api", "static", "admin"})


@dataclass(frozen=True)
class ChallengeInput:
    title: str
    slug: str
    question: str
    sponsor: str
    brief: str
    schedule: Schedule


def make_slug(text: str) -> str:
    return slugify(text, max_length=60, word_boundary=True) or "challenge"


def parse(data: FormData, zone: ZoneInfo) -> tuple[Form, ChallengeInput | None]:
    form = Form.from_submission(data, FIELDS)
    title = form.text("title", label="Title", max_length=120)
    question = form.text("question", label="Question", max_length=300)
    sponsor = form.text("sponsor", label="Sponsor", max_length=120, required=False)
    brief = form.text("brief", label="Brief", max_length=20_000, required=False, multiline=True)
    slug = form.text("slug", label="Address", max_length=80, required=False).lower()
    if not slug and title:
        slug = make_slug(title)
    if slug and not SLUG_PATTERN.fullmatch(slug):
        form.errors["slug"] = "Use lowercase letters, digits and single hyphens, like food-waste."
    elif slug in RESERVED_SLUGS:
        form.errors["slug"] = "That address is reserved; choose another."
    starts = {
        phase: form.moment(name, label=f"Start of the {phase} phase", zone=zone)
        for phase, name in SCHEDULE_FIELDS.items()
    }
    schedule = Schedule(**starts)
    for phase, problem in schedule.problems().items():
        form.errors.setdefault(SCHEDULE_FIELDS[phase.value], f"This {problem}.")
    if not form.ok:
        return form, None
    return form, ChallengeInput(
        title=title, slug=slug, question=question, sponsor=sponsor, brief=brief, schedule=schedule
    )
