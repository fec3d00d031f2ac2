"""What the impact templates are given."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from ideas.challenges.models import Challenge
from ideas.impact.models import CheckIn, ImpactStatus, ImpactUpdate, Pledge
from ideas.impact.queries import Progress, Rounds
from ideas.submissions.models import Idea
from ideas.teams.models import Team
from ideas.web.forms import Form
from ideas.web.templating import PageContext


@dataclass(frozen=True)
class TeamImpactPage(PageContext):
    """``impact/team.html``: a team's progress after the round and its pledges."""

    challenge: Challenge
    idea: Idea
    team: Team
    updates: list[ImpactUpdate]
    built_on_reached: ImpactStatus | None
    pledges: list[Pledge]
    statuses: tuple[ImpactStatus, ...]
    update_form: Form
    pledge_form: Form
    may_post: bool
    may_pledge: bool
    may_honour: bool
    withdrawable: frozenset[int]  # ids of the viewer's pledges they may still withdraw
    pledged: bool  # the viewer has a standing pledge here
    figure_rows: int
    picture_rows: int
    notice: str


@dataclass(frozen=True)
class DatedCheckIn:
    """A check-in with the date the hosts set for it, in the round's zone."""

    check_in: CheckIn
    day: date


@dataclass(frozen=True)
class RoundImpactPage(PageContext):
    """``impact/round.html``: a round's progress, its check-ins, its follow-ups."""

    challenge: Challenge
    progress: list[Progress]
    teams: Mapping[int, int]  # idea id → team id
    check_ins: list[DatedCheckIn]
    zone: str  # the round's time zone, in which check-in dates are typed and shown
    rounds: Rounds
    carryable: list[Idea]
    check_in_form: Form
    follow_up_form: Form
    may_set_check_ins: bool
    may_follow_up: bool
    notice: str
