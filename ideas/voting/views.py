"""Voting for ideas: the vote button on the idea page and on each card of a list.

The button is a plain form: posted without JavaScript, the vote is cast (or
withdrawn) and the person goes back where they were. Sent by htmx, the answer
is the button again in its new state, with the count, and out of band the
"votes left" line of the page; a refusal comes back inside the button's box,
so the page stays as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ideas import policy
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.db import utcnow
from ideas.errors import Forbidden, NotFound
from ideas.policy import Action, Role
from ideas.submissions import queries as idea_queries
from ideas.submissions.models import Idea
from ideas.voting import queries, services
from ideas.voting.pages import CardVotes, VoteAnswer, VoteButton
from ideas.web import context
from ideas.web.errors import Refusal, answer_refusals
from ideas.web.htmx import IDEA_VOTED, is_htmx
from ideas.web.ratelimit import Limit, hit
from ideas.web.templating import render
from ideas.web.urls import safe_next

ACTIONS = ("vote", "withdraw")


def _closed_reason(challenge: Challenge, idea: Idea, roles: frozenset[Role], now: datetime) -> str:
    """Why nobody (or not the viewer) can vote for ``idea`` now; empty if nothing stops it,
    or if signing in would be enough."""
    phase = challenge.phase_at(now)
    if not policy.ALLOWED[Action.VOTE][phase]:
        if phase is Phase.DRAFT:
            return "Voting opens when the challenge opens."
        return f"Voting is closed: the challenge is in its {phase.label.lower()} phase."
    if not idea.is_visible:
        return services.no_votes_for(idea.status.value)
    if Role.VISITOR in roles:
        return ""
    if not policy.may(Action.VOTE, challenge, roles, now):
        return "You cannot vote here."
    return ""


def _votes_left(challenge: Challenge, used: int | None, open_: bool) -> int | None:
    if not open_ or challenge.vote_budget is None or used is None:
        return None
    return max(0, challenge.vote_budget - used)


async def vote_context(
    request: Request, idea: Idea, challenge: Challenge, roles: frozenset[Role]
) -> VoteButton:
    """What the idea page needs to show its vote button. One query for a signed-in viewer.

    ``idea`` needs its co-authors loaded; ``roles`` are the viewer's roles for it.
    """
    now = utcnow()
    viewer = context.viewer(request)
    open_ = idea.is_visible and policy.may(Action.VOTE, challenge, roles, now)
    mine = queries.Standing.empty()
    if viewer is not None and viewer.is_active:
        mine = await queries.standing(
            context.db(request), user_id=viewer.id, challenge=challenge, idea_ids=[idea.id]
        )
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


async def list_vote_context(
    request: Request, challenge: Challenge, roles: frozenset[Role], ideas: Sequence[Idea]
) -> CardVotes:
    """What the cards of a challenge's ideas list need for their vote buttons.

    One query for a signed-in viewer, whatever the number of ideas: which of
    them they voted for, which they co-author, and their votes spent.
    """
    now = utcnow()
    viewer = context.viewer(request)
    open_ = policy.may(Action.VOTE, challenge, roles, now)
    mine = queries.Standing.empty()
    if viewer is not None and viewer.is_active:
        mine = await queries.standing(
            context.db(request),
            user_id=viewer.id,
            challenge=challenge,
            idea_ids=[idea.id for idea in ideas],
            coauthors=True,
        )
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


# Casting and withdrawing ---------------------------------------------------------


async def _idea(request: Request) -> tuple[Idea, Challenge, frozenset[Role]]:
    """The idea of the URL, if the viewer may see it, with its challenge and their roles.

    One query: the vote endpoint is the busiest of all, and a vote needs neither the
    idea's tags nor its people (``services`` checks the rules again in the database).
    """
    viewer = context.viewer(request)
    found = await queries.target(
        context.db(request),
        request.path_params["idea_id"],
        None if viewer is None else viewer.id,
    )
    if found is None:
        raise NotFound()
    roles = policy.roles_from(viewer, host=found.host, author=found.author)
    if not policy.can_see_idea(found.idea, roles):
        raise NotFound()
    return found.idea, found.challenge, roles


def _field(submitted: FormData, name: str) -> str:
    value = submitted.get(name)
    return value if isinstance(value, str) else ""


def _require_visible(idea: Idea) -> None:
    """Authors and hosts still see a withdrawn or hidden idea; it takes no votes."""
    if not idea.is_visible:
        raise Forbidden(services.no_votes_for(idea.status.value))


async def vote(request: Request) -> Response:
    """Vote for an idea (``action=vote``) or withdraw one's vote (``action=withdraw``)."""
    idea, challenge, roles = await _idea(request)
    submitted = await request.form()
    action = _field(submitted, "action")
    if action not in ACTIONS:
        raise HTTPException(400, "Choose to vote or to withdraw your vote.")
    idea_path = context.path_for(request, "idea.detail", idea_id=idea.id, slug=idea.slug)
    next_path = safe_next(_field(submitted, "next") or None, default=f"{idea_path}#vote-{idea.id}")
    now = utcnow()
    db = context.db(request)

    async def refused(refusal: Refusal) -> Response:
        return await _refused(request, idea, challenge, roles, refusal, next_path)

    answer_refusals(request, refused, statuses=(403, 409, 429))
    policy.check(Action.VOTE, challenge, roles, now)
    voter = context.signed_in(request)
    await hit(request, Limit.VOTE)
    if action == "vote":
        _require_visible(idea)
        ballot = await services.cast_vote(
            db, idea_id=idea.id, user_id=voter.id, now=now, challenge_id=challenge.id
        )
    else:
        ballot = await services.withdraw_vote(
            db, idea_id=idea.id, user_id=voter.id, now=now, challenge_id=challenge.id
        )
    if not is_htmx(request):
        return RedirectResponse(next_path, status_code=303)
    button = VoteButton(
        idea=idea,
        challenge=challenge,
        voted=ballot.voted,
        may_vote=True,
        vote_refusal="",
        votes_left=ballot.votes_left,
        vote_budget=challenge.vote_budget,
        vote_next=next_path,
        vote_page=False,
    )
    return render(
        request,
        "voting/_voted.html",
        VoteAnswer(button, vote_count=ballot.vote_count, vote_message=""),
        headers={"HX-Trigger": IDEA_VOTED, "Vary": "HX-Request"},
    )


async def _refused(
    request: Request,
    idea: Idea,
    challenge: Challenge,
    roles: frozenset[Role],
    refusal: Refusal,
    next_path: str,
) -> Response:
    """For htmx: the button as it now stands, with the reason the change was refused."""
    # The refusal is the slow path: the idea again, with the people vote_context needs.
    full = await idea_queries.by_id(context.db(request), idea.id)
    if full is None:
        raise NotFound()
    button = await vote_context(request, full, full.challenge, roles)
    answer = VoteAnswer(
        replace(button, vote_page=False, vote_next=next_path),
        vote_count=await queries.vote_count(context.db(request), idea.id),
        vote_message=refusal.message,
    )
    return render(
        request,
        "voting/_voted.html",
        answer,
        status_code=refusal.status,
        headers={**refusal.headers, "Vary": "HX-Request"},
    )
