"""What the idea templates are given: the idea page, the form to post or edit an idea,
and an idea's history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType

from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.comments.pages import Thread
from ideas.impact.queries import IdeaImpact
from ideas.similarity.queries import Similar
from ideas.submissions.cluster_queries import ClusterSection
from ideas.submissions.history import FieldDiff
from ideas.submissions.lineage import LinkedIdea, Neighbour
from ideas.submissions.models import Idea, IdeaRevision
from ideas.voting.pages import VoteButton
from ideas.web.forms import Form
from ideas.web.templating import PageContext


@dataclass(frozen=True)
class IdeaPage(PageContext):
    """``submissions/detail.html``: an idea with its links, its people, what the viewer may
    do with it, its vote button and its comments."""

    idea: Idea
    challenge: Challenge
    phase: Phase
    # Tuples, as the sections showing them are kept by them (ideas.web.fragments).
    parents: tuple[Neighbour, ...]  # what it builds on, as far as visible
    children: tuple[Neighbour, ...]  # what builds on it, as far as visible
    alike: tuple[Similar, ...]  # listed ideas of the challenge that say what it says
    show_shortlist_note: bool
    may_edit: bool
    may_withdraw: bool
    may_build: bool
    may_manage_coauthors: bool
    may_report: bool
    may_moderate: bool  # hide or restore it: the challenge's hosts, the admins
    coauthor_candidates: Sequence[User]  # commenters the author may add
    follows_idea: bool | None  # None: a visitor, who gets no button
    is_visitor: bool
    vote: VoteButton
    comments: Thread
    impact: IdeaImpact  # its team's progress after the round, and its descendants'
    cluster: ClusterSection  # the duplicates it is grouped with, requests to group it


@dataclass(frozen=True)
class IdeaFormPage(PageContext):
    """``submissions/new.html`` and ``edit.html``: the form, with what it builds on."""

    challenge: Challenge
    form: Form
    idea: Idea | None  # None: a new idea
    chosen_tags: list[int]
    parents: Sequence[Idea | LinkedIdea]  # what it builds on: their ids and titles
    preview: str | None  # the body as HTML, when "Preview" was pressed
    limits: ModuleType  # the form's limits (ideas.submissions.forms)
    parent_query: str = ""  # typed in the parents picker
    parents_found: Sequence[Idea] | None = None  # None: nothing searched for
    similar: Sequence[Similar] = ()  # ideas like the one typed, when the form comes back


@dataclass(frozen=True)
class HistoryPage(PageContext):
    """``submissions/history.html``: every revision, and what changed between two."""

    idea: Idea
    challenge: Challenge
    revisions: Sequence[IdeaRevision]
    older: IdeaRevision
    newer: IdeaRevision
    changes: list[FieldDiff]
