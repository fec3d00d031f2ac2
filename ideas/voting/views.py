"""Voting for ideas: the vote button on the idea page and on each card of a list.

The button is a plain form: posted without JavaScript, the vote is cast (or
withdrawn) and the person goes back where they were. Sent by htmx, the answer
is the button again in its new state, with the count, and out of band the
"votes left" line of the page; a refusal comes back inside the button's box,
so the page stays as it was.
"""

from __future__ import annotations

from dataclasses import replace

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ideas import policy
from ideas.challenges.models import Challenge
from ideas.db import utcnow
from ideas.errors import NotFound
from ideas.i18n import _
from ideas.policy import Role
from ideas.submissions import queries as idea_queries
from ideas.submissions.models import Idea
from ideas.voting import queries, services
from ideas.voting.loaders import vote_context
from ideas.voting.pages import VoteAnswer, VoteButton
from ideas.web import context
from ideas.web.errors import Refusal, answer_refusals, error_response
from ideas.web.forms import submitted
from ideas.web.htmx import IDEA_VOTED, is_htmx
from ideas.web.ratelimit import Limit, hit
from ideas.web.templating import render
from ideas.web.urls import safe_next

ACTIONS = ("vote", "withdraw")


# Casting and withdrawing ---------------------------------------------------------


async def _idea(request: Request) -> tuple[Idea, Challenge, frozenset[Role]]:
    """The idea of the URL, if the viewer may see it, with its challenge and their roles.

    One query, without the idea's tags or people: for the count, and for a visitor's
    vote (a participant's vote reads the idea in its own transaction).
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


def _next_path(request: Request, sent: FormData, idea: Idea) -> str:
    """Where a plain form post goes back to: the form's ``next``, else the idea's button."""
    idea_path = context.path_for(request, "idea.detail", idea_id=idea.id, slug=idea.slug)
    return safe_next(_field(sent, "next") or None, default=f"{idea_path}#vote-{idea.id}")


async def vote(request: Request) -> Response:
    """Vote for an idea (``action=vote``) or withdraw one's vote (``action=withdraw``).

    The idea is read with what the rules ask, then changed (``services.change_vote``),
    on the request's own connection where the database allows: the vote endpoint is
    the busiest of all.
    """
    idea_id: int = request.path_params["idea_id"]
    if context.viewer(request) is None:
        # A visitor is told an idea they may not see is not there, before signing in.
        await _idea(request)
    sent = await submitted(request)
    action = _field(sent, "action")
    if action not in ACTIONS:
        raise HTTPException(400, _("Choose to vote or to withdraw your vote."))

    async def refused(refusal: Refusal) -> Response:
        return await _refused(request, idea_id, refusal, sent)

    answer_refusals(request, refused, statuses=(403, 409, 429), htmx_only=False)
    # Whether voting is open now is the services' to say (``policy`` asked in their
    # transaction); a refusal is answered by ``refused``.
    voter = context.signed_in(request)
    await hit(request, Limit.VOTE)
    change = await services.change_vote(
        context.db(request), idea_id=idea_id, user_id=voter.id, vote=action == "vote", now=utcnow()
    )
    idea = change.target.idea
    next_path = _next_path(request, sent, idea)
    if not is_htmx(request):
        return RedirectResponse(next_path, status_code=303)
    ballot = change.ballot
    if ballot is None:
        # The vote stands (or is gone) already, as asked: a form sent twice is answered
        # as the first time, with the button as it is now.
        return await _refused(request, idea_id, None, sent)
    challenge = change.target.challenge
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


async def vote_count(request: Request) -> Response:
    """An idea's vote count alone, as its vote box shows it: fetched by a page that heard
    the count changed, as whoever may see the idea."""
    idea, _challenge, _roles = await _idea(request)
    return render(
        request,
        "voting/_count.html",
        {"count": idea.vote_count},
    )


async def _refused(
    request: Request, idea_id: int, refusal: Refusal | None, sent: FormData
) -> Response:
    """The button as it now stands, with the reason the change was refused (None: nothing
    was refused). For htmx the button alone; without JavaScript, for a vote refused for
    now (429), a page with the button, to send again once the wait is over; any other
    refusal without JavaScript gets the error page."""
    if refusal is not None and not is_htmx(request) and refusal.status != 429:
        return error_response(request, refusal.status, refusal.message)
    # The refusal is the slow path: the idea again, with the people vote_context needs.
    db = context.db(request)
    full = await idea_queries.by_id(db, idea_id)
    if full is None:
        raise NotFound()
    viewer = context.viewer(request)
    roles = policy.roles_from(
        viewer,
        host=policy.hosts_challenge(viewer, full.challenge),
        author=viewer is not None and policy.is_author(viewer, full),
    )
    if not policy.can_see_idea(full, roles):
        raise NotFound()
    button = await vote_context(request, full, full.challenge, roles)
    answer = VoteAnswer(
        replace(button, vote_page=False, vote_next=_next_path(request, sent, full)),
        vote_count=await queries.vote_count(db, idea_id),
        vote_message="" if refusal is None else refusal.message,
    )
    return render(
        request,
        "voting/_voted.html" if is_htmx(request) else "voting/refused.html",
        answer,
        status_code=200 if refusal is None else refusal.status,
        headers={
            **({"HX-Trigger": IDEA_VOTED} if refusal is None else refusal.headers),
            "Vary": "HX-Request",
        },
    )
