"""The profile form."""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.datastructures import FormData

from ideas.i18n import _
from ideas.web.forms import Form

FIELDS = ("display_name", "bio", "location", "skills", "links")
MAX_SKILLS = 15
MAX_LINKS = 5
LINK_MAX = 300
SKILL = re.compile(r"^[\w][\w .+#/&-]{0,39}$")


@dataclass(frozen=True)
class ProfileInput:
    display_name: str
    bio: str
    location: str
    skills: list[str]
    links: list[str]


def split_skills(text: str) -> list[str]:
    """Comma-separated skills, each once (case-insensitively), in the order typed."""
    seen: dict[str, str] = {}
    for part in text.split(","):
        name = " ".join(part.split())
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return list(seen.values())


def parse(data: FormData) -> tuple[Form, ProfileInput | None]:
    form = Form.from_submission(data, FIELDS)
    display_name = form.text("display_name", label=_("Name"), max_length=80)
    bio = form.text("bio", label=_("About you"), max_length=2_000, required=False, multiline=True)
    location = form.text("location", label=_("Location"), max_length=120, required=False)
    skills = split_skills(form.values.get("skills", ""))
    if len(skills) > MAX_SKILLS:
        form.errors["skills"] = _(
            "List at most %(most)s skills (there are %(count)s).",
            most=MAX_SKILLS,
            count=len(skills),
        )
    elif bad := [s for s in skills if not SKILL.fullmatch(s)]:
        form.errors["skills"] = _(
            "“%(skill)s” is not a skill name: use up to 40 letters, digits and spaces.",
            skill=bad[0],
        )
    links = form.web_addresses("links", label=_("Links"), most=MAX_LINKS, max_length=LINK_MAX)
    if not form.ok:
        return form, None
    return form, ProfileInput(display_name, bio, location, skills, links)
