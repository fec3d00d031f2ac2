"""Voting for ideas: the vote button on the idea page and on each card of a list.

The button is a plain form: posted without JavaScript, the vote is cast (or
withdrawn) and the person goes back where they were. Sent by htmx, the answer
is the button again in its new state, with the count, and out of band the
"votes left" line of the page; a refusal comes back inside the button's box,
so the page stays as it was.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ideas import policy
from ideas.challenges.models import Challenge
from ideas.db import utcnow
from ideas.errors import AlreadyDone, DomainError, Forbidden, NotFound
from ideas.policy import Action, Role
from ideas.submissions import queries as idea_queries
from ideas.submissions.models import Idea
from ideas.voting import queries, services
from ideas.voting.loaders import _widget, vote_context
from ideas.web import context
from ideas.web.errors import DOMAIN_STATUS
from ideas.web.forms import submitted
from ideas.web.htmx import IDEA_VOTED, is_htmx
from ideas.web.ratelimit import Limit, hit
from ideas.web.templating import render
from ideas.web.urls import safe_next

ACTIONS = ("vote", "withdraw")


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
    sent = await submitted(request)
    action = _field(sent, "action")
    if action not in ACTIONS:
        raise HTTPException(400, "Choose to vote or to withdraw your vote.")
    idea_path = context.path_for(request, "idea.detail", idea_id=idea.id, slug=idea.slug)
    next_path = safe_next(_field(sent, "next") or None, default=f"{idea_path}#vote-{idea.id}")
    now = utcnow()
    db = context.db(request)
    try:
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
    except AlreadyDone:
        # The vote stands (or is gone) already, as asked: a form sent twice is answered
        # as the first time, with the button as it is now.
        if not is_htmx(request):
            return RedirectResponse(next_path, status_code=303)
        return await _refused(request, idea, challenge, roles, None, next_path)
    except (DomainError, HTTPException) as refusal:
        limited = isinstance(refusal, HTTPException) and refusal.status_code == 429
        if isinstance(refusal, NotFound) or not (is_htmx(request) or limited):
            raise
        return await _refused(request, idea, challenge, roles, refusal, next_path)
    if not is_htmx(request):
        return RedirectResponse(next_path, status_code=303)
    return render(
        request,
        "voting/_voted.html",
        _widget(
            idea,
            challenge,
            voted=ballot.voted,
            may_vote=True,
            refusal="",
            votes_left=ballot.votes_left,
            next_path=next_path,
        )
        | {"vote_count": ballot.vote_count, "vote_message": ""},
        headers={"HX-Trigger": IDEA_VOTED, "Vary": "HX-Request"},
    )


async def _refused(
    request: Request,
    idea: Idea,
    challenge: Challenge,
    roles: frozenset[Role],
    refusal: DomainError | HTTPException | None,
    next_path: str,
) -> Response:
    """The button as it now stands, with the reason the change was refused (None: nothing
    was refused). For htmx the button alone; without JavaScript, for a vote refused for
    now (429), a page with the button, to send again once the wait is over."""
    if refusal is None:
        status, message, headers = 200, "", {"HX-Trigger": IDEA_VOTED}
    elif isinstance(refusal, HTTPException):
        status, message, headers = refusal.status_code, refusal.detail, dict(refusal.headers or {})
    else:
        status = next(code for kind, code in DOMAIN_STATUS.items() if isinstance(refusal, kind))
        message, headers = refusal.message, {}
    # The refusal is the slow path: the idea again, with the people vote_context needs.
    full = await idea_queries.by_id(context.db(request), idea.id)
    if full is None:
        raise NotFound()
    state = await vote_context(request, full, full.challenge, roles)
    state.update(
        vote_page=False,
        vote_next=next_path,
        vote_count=await queries.vote_count(context.db(request), idea.id),
        vote_message=message,
    )
    return render(
        request,
        "voting/_voted.html" if is_htmx(request) else "voting/refused.html",
        state,
        status_code=status,
        headers={**headers, "Vary": "HX-Request"},
    )
