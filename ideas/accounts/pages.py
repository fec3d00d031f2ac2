"""What the account templates are given: the settings page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ideas.accounts.models import User
from ideas.accounts.providers import Provider
from ideas.accounts.sessions import SessionRow
from ideas.web.forms import Form
from ideas.web.templating import PageContext


@dataclass(frozen=True)
class SettingsPage(PageContext):
    """``accounts/settings.html``: one's profile form, ways to sign in, and data rights."""

    person: User
    sessions: Sequence[SessionRow]  # one's signed-in sessions, the one in use first
    form: Form
    skill_suggestions: list[str]
    providers: Mapping[str, Provider]  # by key: the ways to sign in this site offers
    linkable: Sequence[Provider]  # ways to sign in not linked yet
    notice: str | None
    problem: str | None  # why the last change was refused
    zone_form: Form  # one's time zone
    picture_form: Form  # one's own picture: its problems, if the last upload had any
    browser_zone: str | None  # the zone one's browser reported, if it did
