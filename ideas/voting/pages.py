"""What the voting templates are given: the vote button and the cards' votes (parts of
the idea and challenge pages), the compare page and the results page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ideas.challenges.models import Challenge
from ideas.jury.standings import Standing, Standings
from ideas.submissions.models import Idea
from ideas.voting.pairs import Pair
from ideas.web.templating import PageContext


@dataclass(frozen=True)
class VoteButton(PageContext):
    """``voting/_vote.html``: one idea's vote button and count."""

    idea: Idea
    challenge: Challenge
    voted: bool
    may_vote: bool
    vote_refusal: str  # why there is no button, when there is none
    votes_left: int | None  # None: no budget, or voting is closed
    vote_budget: int | None
    vote_next: str  # where a plain form post comes back to
    vote_page: bool  # on the idea page: a sign-in link, and the votes left below


@dataclass(frozen=True)
class VoteAnswer(PageContext):
    """``voting/_voted.html``: the answer to a vote sent by htmx."""

    button: VoteButton
    vote_count: int  # fresher than the idea's
    vote_message: str  # why the change was refused; empty when it was made


@dataclass(frozen=True)
class CardVotes(PageContext):
    """What the cards of a challenge's ideas need for their vote buttons."""

    voted_ids: frozenset[int]
    votable_ids: frozenset[int]
    vote_refusals: Mapping[int, str]
    votes_left: int | None
    vote_budget: int | None
    vote_next: str


@dataclass(frozen=True)
class ComparePage(PageContext):
    """``voting/compare.html``: the next pair to compare, or the invitation to sign in."""

    challenge: Challenge
    pair: Pair | None  # None: no pair left, or a visitor
    token: str  # vouches that this page showed ``pair`` to this person
    answered: int
    saved: bool
    notice: str
    sign_in_url: str  # for visitors; empty for participants


@dataclass(frozen=True)
class ResultsPage(PageContext):
    """``voting/results.html``: every visible idea with each of its rankings."""

    challenge: Challenge
    rows: list[Standing]
    standings: Standings
    blind: bool  # a juror still scoring: no counts, no rankings
    by: str  # the ranking the list is sorted by
    sorts: Mapping[str, str]
    sort_urls: Mapping[str, str]
    comparisons: int
    ranked: int  # ideas with a pairwise rank
    may_compare: bool
    api_url: str
    export_urls: Mapping[str, str]  # the hosts' CSV exports by dataset; empty for others
    bridging_minimums: tuple[int, int, int]  # people, ratings per person, per idea
