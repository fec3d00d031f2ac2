"""The profile form."""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.datastructures import FormData

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
    display_name = form.text("display_name", label="Name", max_length=80)
    bio = form.text("bio", label="About you", max_length=2_000, required=False, multiline=True)
    location = form.text("location", label="Location", max_length=120, required=False)
    skills = split_skills(form.values.get("skills", ""))
    if len(skills) > MAX_SKILLS:
        form.errors["skills"] = f"List at most {MAX_SKILLS} skills (there are {len(skills)})."
    elif bad := [s for s in skills if not SKILL.fullmatch(s)]:
        form.errors["skills"] = (
            f"“{bad[0]}” is not a skill name: use up to 40 letters, digits and spaces."
        )
    links = form.web_addresses("links", label="Links", most=MAX_LINKS, max_length=LINK_MAX)
    if not form.ok:
        return form, None
    return form, ProfileInput(display_name, bio, location, skills, links)
