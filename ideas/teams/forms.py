"""The team forms: asking to join, answering, inviting, open roles, updates, "about".

Each ``parse_*`` returns the form (what was typed, and the problem beside each
field) and the checked input, or None when something needs fixing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from starlette.datastructures import FormData

from ideas.accounts.forms import SKILL, split_skills
from ideas.errors import NotFound
from ideas.i18n import _
from ideas.web.forms import Form, parse_id

MESSAGE_MAX = 1_000
SKILLS_MAX = 300
REASON_MAX = 500
ROLE_TITLE_MAX = 80
ROLE_DESCRIPTION_MAX = 300
ROLE_SKILLS_MAX = 10
UPDATE_MAX = 2_000
ABOUT_MAX = 500

LIMITS = {
    "message": MESSAGE_MAX,
    "skills": SKILLS_MAX,
    "reason": REASON_MAX,
    "title": ROLE_TITLE_MAX,
    "description": ROLE_DESCRIPTION_MAX,
    "update": UPDATE_MAX,
    "about": ABOUT_MAX,
}

Submitted = FormData | Mapping[str, str]


@dataclass(frozen=True)
class AskInput:
    message: str
    skills: str


@dataclass(frozen=True)
class InviteInput:
    """Whom to invite: someone picked from the people looking for a team, or an e-mail."""

    user_id: int | None
    email: str
    message: str

    @property
    def field(self) -> str:
        """The form field a problem with the person belongs beside."""
        return "user_id" if self.user_id is not None else "email"


@dataclass(frozen=True)
class RoleInput:
    title: str
    description: str
    skills: list[str]


def ask_blank(skills: list[str]) -> Form:
    """The "ask to join" form, with the person's profile skills filled in."""
    return Form(values={"message": "", "skills": ", ".join(skills)})


def parse_ask(data: Submitted) -> tuple[Form, AskInput | None]:
    form = Form.from_submission(data, ("message", "skills"))
    message = form.text(
        "message", label=_("Your message to the lead"), max_length=MESSAGE_MAX, multiline=True
    )
    skills = form.text("skills", label=_("Your skills"), max_length=SKILLS_MAX, required=False)
    if not form.ok:
        return form, None
    return form, AskInput(message, ", ".join(split_skills(skills)))


def parse_reason(data: Submitted) -> tuple[Form, str | None]:
    """Why the lead declines a request; optional."""
    form = Form.from_submission(data, ("reason",))
    reason = form.text(
        "reason", label=_("Reason"), max_length=REASON_MAX, required=False, multiline=True
    )
    return form, (reason if form.ok else None)


def parse_invite(data: Submitted) -> tuple[Form, InviteInput | None]:
    form = Form.from_submission(data, ("user_id", "email", "message"))
    email = form.email("email", label=_("E-mail address"), required=False)
    message = form.text(
        "message", label=_("Message"), max_length=MESSAGE_MAX, required=False, multiline=True
    )
    user_id = form.identifier("user_id", message=_("Choose someone from the list."))
    if (
        user_id is None
        and "user_id" not in form.errors
        and not email
        and "email" not in form.errors
    ):
        form.errors["email"] = _(
            "Choose someone looking for a team, or give the e-mail address they sign in with."
        )
    if not form.ok:
        return form, None
    return form, InviteInput(user_id, "" if user_id is not None else email, message)


def role_values(title: str, description: str, skills: list[str]) -> Form:
    return Form(values={"title": title, "description": description, "skills": ", ".join(skills)})


def parse_role(data: Submitted) -> tuple[Form, RoleInput | None]:
    form = Form.from_submission(data, ("title", "description", "skills"))
    title = form.text("title", label=_("Role"), max_length=ROLE_TITLE_MAX)
    description = form.text(
        "description",
        label=_("What the role does"),
        max_length=ROLE_DESCRIPTION_MAX,
        required=False,
        multiline=True,
    )
    skills = split_skills(form.values["skills"])
    if len(skills) > ROLE_SKILLS_MAX:
        form.errors["skills"] = _(
            "List at most %(most)s skills (there are %(count)s).",
            most=ROLE_SKILLS_MAX,
            count=len(skills),
        )
    elif bad := [s for s in skills if not SKILL.fullmatch(s)]:
        form.errors["skills"] = _(
            "“%(skill)s” is not a skill name: use up to 40 letters, digits and spaces.",
            skill=bad[0],
        )
    if not form.ok:
        return form, None
    return form, RoleInput(title, description, skills)


def parse_update(data: Submitted) -> tuple[Form, str | None]:
    form = Form.from_submission(data, ("body",))
    body = form.text("body", label=_("Your update"), max_length=UPDATE_MAX, multiline=True)
    return form, (body if form.ok else None)


def parse_about(data: Submitted) -> tuple[Form, str | None]:
    form = Form.from_submission(data, ("about",))
    about = form.text(
        "about", label=_("About the team"), max_length=ABOUT_MAX, required=False, multiline=True
    )
    return form, (about if form.ok else None)


def optional_person_id(data: Submitted, name: str = "user_id") -> int | None:
    """A person chosen in a form (a select or a hidden field), or None for nobody;
    404 for anything else."""
    raw = data.get(name)
    if not isinstance(raw, str) or not raw.strip():
        return None
    chosen = parse_id(raw)
    if chosen is None:
        raise NotFound()
    return chosen


def person_id(data: Submitted, name: str = "user_id") -> int:
    """A person chosen in a form; 404 without one."""
    chosen = optional_person_id(data, name)
    if chosen is None:
        raise NotFound()
    return chosen
