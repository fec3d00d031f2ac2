"""What the challenge templates are given: the challenge page and the hosts' dashboard."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ideas.challenges.dashboard import Activity, Chart, Counts, Task
from ideas.challenges.exports import Dataset, Format
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.challenges.translations import ChallengeText
from ideas.impact.queries import Rounds, TeamTimeline
from ideas.jury.queries import JuryNotice
from ideas.submissions.cluster_queries import Cluster
from ideas.submissions.listing import ListedIdea
from ideas.submissions.models import Idea, IdeaStatus
from ideas.submissions.queries import Filters, Sort
from ideas.themes.queries import DashboardThemes, ThemeChoice
from ideas.voting.pages import CardVotes
from ideas.web.forms import Form
from ideas.web.templating import PageContext


@dataclass(frozen=True)
class ChallengePage(PageContext):
    """``challenges/detail.html``: the brief, the winners, and a page of the ideas list
    with its sorts and filters; what the viewer may do here; the cards' vote buttons."""

    challenge: Challenge
    text: ChallengeText  # its title, question and brief in the reader's language, if written
    phase: Phase
    next_change: tuple[Phase, datetime] | None
    ideas: Sequence[ListedIdea]
    builds_on: Mapping[int, int]  # how many ideas each idea shown builds on
    more_url: str | None  # the next page of ideas
    first_url: str | None  # back to the first page, from a later one
    clear_url: str | None  # the list without its filters, while filtering
    filters: Filters
    tag_options: tuple[tuple[int, str], ...]  # the tags the list can be narrowed to: id, name
    matching: int | None  # ideas that pass the filters, while filtering
    statuses: Collection[IdeaStatus]
    winners: list[Idea]
    sort: Sort
    sort_chosen: bool
    sorts: Sequence[Sort]
    sort_urls: Mapping[Sort, str]
    may_post: bool
    may_switch: bool
    may_edit: bool
    may_run: bool
    may_shortlist: bool
    may_award: bool
    may_join_teams: bool
    may_compare: bool
    may_suggest_teams: bool
    is_visitor: bool
    host_names: tuple[str, ...]  # its hosts' public names
    follows_challenge: bool | None  # None: no button (a visitor, or a fragment)
    show_teams: bool
    votes: CardVotes
    jury: JuryNotice  # the jury's published weighting, and whether the viewer is a juror
    rounds: Rounds  # the round this one follows up, and its follow-ups
    clusters: Mapping[int, Cluster]  # the duplicates cluster of each card that stands for one
    may_group: bool  # the duplicates tool
    themes: tuple[ThemeChoice, ...] = ()  # the ideas list's filter by theme
    # What the teams did after the round (teams and closed phases; None: no section).
    progress: Sequence[TeamTimeline] | None = None


@dataclass(frozen=True)
class DashboardPage(PageContext):
    """``challenges/dashboard.html``: the hosts' numbers, activity, tasks and exports."""

    challenge: Challenge
    phase: Phase
    counts: Counts
    activity: Activity
    chart: Chart
    tasks: list[Task]
    datasets: list[Dataset]
    formats: list[Format]
    themes: DashboardThemes
    may_name_themes: bool
    rename: ThemeRename | None = None  # the theme a host just named, or tried to


@dataclass(frozen=True)
class ThemeRename:
    """A host's name for a theme as sent: the form (as typed, with its problems), or what
    was done."""

    theme_id: int
    form: Form
    done: str = ""
