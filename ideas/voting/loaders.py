"""What pages need to show vote buttons: the idea page's and each card's of a list.

The challenge page and the idea page borrow these; the vote endpoint answers
with the same button (``vote_context``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from starlette.requests import Request

from ideas import policy
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.db import utcnow
from ideas.i18n import _
from ideas.policy import Action, Role
from ideas.submissions.listing import ListedIdea
from ideas.submissions.models import Idea
from ideas.voting import queries, services
from ideas.voting.pages import CardVotes, VoteButton
from ideas.web import context


def _closed_reason(challenge: Challenge, idea: Idea, roles: frozenset[Role], now: datetime) -> str:
    """Why nobody (or not the viewer) can vote for ``idea`` now; empty if nothing stops it,
    or if signing in would be enough."""
    phase = challenge.phase_at(now)
    if not policy.ALLOWED[Action.VOTE][phase]:
        if phase is Phase.DRAFT:
            return _("Voting opens when the challenge opens.")
        return _(
            "Voting is closed: the challenge is in its %(phase)s phase.", phase=phase.label.lower()
        )
    if not idea.is_visible:
        return services.no_votes_for(idea.status.value)
    if Role.VISITOR in roles:
        return ""
    if not policy.may(Action.VOTE, challenge, roles, now):
        return _("You cannot vote here.")
    return ""


def _votes_left(challenge: Challenge, used: int | None, open_: bool) -> int | None:
    if not open_ or challenge.vote_budget is None or used is None:
        return None
    return max(0, challenge.vote_budget - used)


async def vote_context(
    request: Request, idea: Idea, challenge: Challenge, roles: frozenset[Role]
) -> VoteButton:
    """What an idea's vote button needs. One query for a signed-in viewer.

    ``idea`` needs its co-authors loaded; ``roles`` are the viewer's roles for it.
    """
    viewer = context.viewer(request)
    mine = queries.Standing.empty()
    if viewer is not None and viewer.is_active:
        mine = await queries.standing(
            context.db(request), user_id=viewer.id, challenge=challenge, idea_ids=[idea.id]
        )
    return vote_button(request, idea, challenge, roles, mine)


def vote_button(
    request: Request,
    idea: Idea,
    challenge: Challenge,
    roles: frozenset[Role],
    mine: queries.Standing,
) -> VoteButton:
    """An idea's vote button, given where the viewer stands (``queries.standing``,
    or rows of its parts read with what else the page asks: no query here)."""
    now = utcnow()
    viewer = context.viewer(request)
    open_ = idea.is_visible and policy.may(Action.VOTE, challenge, roles, now)
    voted = idea.id in mine.voted_ids
    allowed = policy.may_vote_for(viewer, challenge, idea)
    refusal = _closed_reason(challenge, idea, roles, now)
    if open_ and not voted and not allowed and viewer is not None:
        refusal = policy.VOTE_FOR_OWN_IDEA
    return VoteButton(
        idea=idea,
        challenge=challenge,
        voted=voted,
        may_vote=open_ and (voted or allowed),
        vote_refusal=refusal,
        votes_left=_votes_left(challenge, mine.votes_used, open_),
        vote_budget=challenge.vote_budget,
        vote_next=context.path_for(request, "idea.detail", idea_id=idea.id, slug=idea.slug),
        vote_page=True,
    )


def list_vote_context(
    request: Request,
    challenge: Challenge,
    roles: frozenset[Role],
    ideas: Sequence[ListedIdea],
    mine: queries.Standing,
) -> CardVotes:
    """What the cards of a challenge's ideas list need for their vote buttons, given where
    the viewer stands (``queries.standing`` with co-authors, or rows of its parts read with
    what else the page asks: no query here).
    """
    now = utcnow()
    viewer = context.viewer(request)
    open_ = policy.may(Action.VOTE, challenge, roles, now)
    votable: set[int] = set()
    refusals: dict[int, str] = {}
    for idea in ideas:
        if not open_ or not idea.is_visible:
            continue
        if idea.id in mine.voted_ids or policy.may_vote_for(
            viewer, challenge, idea, coauthor=idea.id in mine.coauthored_ids
        ):
            votable.add(idea.id)
        elif viewer is not None:
            refusals[idea.id] = policy.VOTE_FOR_OWN_IDEA
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return CardVotes(
        voted_ids=mine.voted_ids,
        votable_ids=frozenset(votable),
        vote_refusals=refusals,
        votes_left=_votes_left(challenge, mine.votes_used, open_),
        vote_budget=challenge.vote_budget,
        vote_next=path,
    )
