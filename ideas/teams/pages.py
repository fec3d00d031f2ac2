"""What the team templates are given: the team page (and its parts, for htmx), and the
matching pages where people look for a team and rank the teams."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ideas.accounts.models import Skill, User
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.submissions.models import Idea
from ideas.teams.matching import SeekerList, Suggestion, TeamMatch, TeamOption
from ideas.teams.models import JoinRequest, Team, TeamMember, TeamSeeker, TeamUpdate
from ideas.web.forms import Form
from ideas.web.templating import PageContext


@dataclass(frozen=True)
class TeamPage(PageContext):
    """``teams/detail.html`` and, for htmx, ``teams/_changed.html``: a team with its
    members, open roles and updates, and what the viewer may do there."""

    team: Team
    idea: Idea
    challenge: Challenge
    members: Sequence[TeamMember]
    member_names: Mapping[int, str]
    updates: Sequence[TeamUpdate]
    is_lead: bool
    is_member: bool
    open_now: bool  # people join and the team changes: the teams phase, a shortlisted idea
    is_full: bool
    join_state: str  # where the viewer stands with joining (see teams.views._join_state)
    pending: JoinRequest | None  # the viewer's open request or invitation
    other_team: Idea | None  # the idea of the viewer's team, where one team is the rule
    requests_waiting: list[JoinRequest]  # for the lead
    invitations_out: list[JoinRequest]  # for the lead
    seekers: Sequence[User]  # people looking, whom the lead may invite
    suggested_people: list[Suggestion]  # whose skills the open roles ask for
    can_invite: bool
    may_post_update: bool
    may_fill: Mapping[int, bool]  # by role id: may the viewer take, give or open it
    forms: Mapping[str, Form]  # forms sent back with their problems, by part
    limits: Mapping[str, int]
    notice: str  # what the last change did, for the status region
    primary: str | None  # for htmx: the part the form belongs to
    changed: Collection[str]  # for htmx: the other parts the change touched
    now: datetime


@dataclass(frozen=True)
class LookingPage(PageContext):
    """``teams/looking.html``: who is looking for a team, and the viewer's own flag with
    the teams whose open roles match their skills."""

    challenge: Challenge
    phase: Phase
    listing: SeekerList
    mine: TeamSeeker | None
    my_skills: list[Skill]
    matches: list[TeamMatch]
    on_team: bool
    may_look: bool
    team_pages: bool  # the site has team pages to link to
    form: Form
    notice: str | None
    limits: Mapping[str, int]


@dataclass(frozen=True)
class PreferencesPage(PageContext):
    """``teams/preferences.html``: a participant's ranking of up to three teams."""

    challenge: Challenge
    options: list[TeamOption]
    own: set[int]  # the teams the participant is on
    on_team: bool
    form: Form
    fields: Sequence[str]
    notice: str | None
