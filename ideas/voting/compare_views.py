"""The compare page, where participants answer pairs, and the results page.

Answering is a plain form post answered by a redirect to the compare page,
which then shows the next pair. Sent by htmx, it is answered in place: the
next pair (the ``pair`` block), with a short confirmation for the page's
live region.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from sqlalchemy import func, select
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ideas import policy
from ideas.challenges.loaders import visible_challenge, visible_challenge_alone
from ideas.challenges.models import Challenge
from ideas.db import utcnow
from ideas.errors import AlreadyDone
from ideas.i18n import lazy_gettext
from ideas.policy import Action, Role
from ideas.submissions.models import VISIBLE_STATUSES, Idea
from ideas.voting import compare_services, pairs
from ideas.voting.models import Comparison
from ideas.voting.pages import ComparePage, Result, ResultsPage
from ideas.web import context
from ideas.web.forms import Form, submitted
from ideas.web.htmx import is_htmx, redirect
from ideas.web.templating import render

SAVED = lazy_gettext("Saved. Here is the next pair.")
NOT_SHOWN = lazy_gettext(
    "That answer is not for a pair this page showed you, so it was not saved. "
    "Go back to the compare page and answer the pair shown there."
)
NO_CHOICE = lazy_gettext("Choose the left idea, the right idea or “Can't decide”.")


def _compare_path(request: Request, challenge: Challenge) -> str:
    return context.path_for(request, "challenge.compare", slug=challenge.slug)


async def _pair_context(request: Request, challenge: Challenge, user_id: int) -> ComparePage:
    """The next pair for the participant, its token and how many pairs they answered."""
    db = context.db(request)
    answered = await pairs.answered_pairs(db, challenge.id, user_id)
    pair = await pairs.next_pair(db, challenge.id, user_id, answered=answered)
    token = ""
    if pair is not None:
        secret = context.settings(request).effective_secret_key
        token = pairs.sign(secret, challenge_id=challenge.id, user_id=user_id, pair=pair.key)
    return ComparePage(
        challenge=challenge,
        pair=pair,
        token=token,
        answered=len(answered),
        saved=False,
        notice="",
        sign_in_url="",
    )


async def compare_page(request: Request) -> Response:
    """Two ideas side by side and three buttons; for htmx, the pair block alone.

    Visitors are asked to sign in, while the phase allows comparing at all.
    """
    challenge, roles = await visible_challenge_alone(request, request.path_params["slug"])
    now = utcnow()
    phase_allows = bool(policy.ALLOWED[Action.COMPARE][challenge.phase_at(now)])
    if Role.VISITOR in roles and phase_allows:
        path = _compare_path(request, challenge)
        query = urlencode({"next": path})
        return render(
            request,
            "voting/compare.html",
            ComparePage(
                challenge=challenge,
                pair=None,
                token="",
                answered=0,
                saved=False,
                notice="",
                sign_in_url=f"{context.path_for(request, 'sign_in')}?{query}",
            ),
            block="pair",
        )
    policy.check(Action.COMPARE, challenge, roles, now)
    user = context.signed_in(request)
    page = await _pair_context(request, challenge, user.id)
    if request.query_params.get("done") == "saved":
        page = replace(page, notice=SAVED)
    return render(request, "voting/compare.html", page, block="pair")


@dataclass(frozen=True)
class Answer:
    first_id: int
    second_id: int
    winner_id: int | None
    token: str


def _answer(form: Form) -> Answer:
    """The pair and the choice posted; 400 when they cannot be one of our forms."""

    def idea_id(name: str) -> int:
        raw = form.values[name]
        if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
            raise HTTPException(400, NOT_SHOWN)
        return int(raw)

    first_id, second_id = idea_id("first"), idea_id("second")
    if not first_id < second_id:
        raise HTTPException(400, NOT_SHOWN)
    choice = form.values["winner"]
    if choice == "none":
        winner_id = None
    elif choice in (str(first_id), str(second_id)):
        winner_id = int(choice)
    else:
        raise HTTPException(400, NO_CHOICE)
    return Answer(first_id, second_id, winner_id, form.values["token"])


async def compare_answer(request: Request) -> Response:
    """Record which of the two shown ideas the participant prefers, then the next pair."""
    challenge, roles = await visible_challenge_alone(request, request.path_params["slug"])
    now = utcnow()
    policy.check(Action.COMPARE, challenge, roles, now)
    user = context.signed_in(request)
    form = Form.from_submission(await submitted(request), ("first", "second", "winner", "token"))
    answer = _answer(form)
    secret = context.settings(request).effective_secret_key
    shown = pairs.verify(
        secret,
        answer.token,
        challenge_id=challenge.id,
        user_id=user.id,
        pair=(answer.first_id, answer.second_id),
    )
    if not shown:
        raise HTTPException(400, NOT_SHOWN)
    db = context.db(request)
    try:
        recorded: compare_services.Recorded | None = await compare_services.record_comparison(
            db,
            challenge_id=challenge.id,
            user_id=user.id,
            first_id=answer.first_id,
            second_id=answer.second_id,
            winner_id=answer.winner_id,
            now=now,
        )
    except AlreadyDone:
        recorded = None  # the same answer sent again: answered as the first time
    if is_htmx(request):
        page = replace(await _pair_context(request, challenge, user.id), saved=True, notice=SAVED)
        response = render(request, "voting/compare.html", page, block="pair")
    else:
        response = redirect(request, _compare_path(request, challenge) + "?done=saved")
    if recorded is not None and recorded.refit_due:
        response.background = BackgroundTask(
            compare_services.refit_after_response, db, challenge.id
        )
    return response


# Results ------------------------------------------------------------------------


def _ranks(values: Sequence[tuple[int, float | None]]) -> dict[int, int]:
    """Competition ranks ("1, 2, 2, 4") of (idea id, value) by value, highest first.

    Ideas without a value get no rank.
    """
    ranked = sorted(
        ((value, idea_id) for idea_id, value in values if value is not None),
        key=lambda item: item[0],
        reverse=True,
    )
    ranks: dict[int, int] = {}
    previous: float | None = None
    rank = 0
    for position, (value, idea_id) in enumerate(ranked, start=1):
        if value != previous:
            rank, previous = position, value
        ranks[idea_id] = rank
    return ranks


SORTS = {"votes": lazy_gettext("votes"), "pairwise": lazy_gettext("pairwise score")}


async def results_page(request: Request) -> Response:
    """Every visible idea with its votes and its pairwise score, each with its rank."""
    challenge, roles = await visible_challenge(request, request.path_params["slug"])
    by = request.query_params.get("by", "votes")
    if by not in SORTS:
        by = "votes"
    db = context.db(request)
    ideas = (
        await db.scalars(
            select(Idea).where(Idea.challenge_id == challenge.id, Idea.status.in_(VISIBLE_STATUSES))
        )
    ).all()
    compared = await db.scalar(
        select(func.count()).select_from(Comparison).where(Comparison.challenge_id == challenge.id)
    )
    vote_ranks = _ranks([(i.id, i.vote_count) for i in ideas])
    pairwise_ranks = _ranks([(i.id, i.pairwise_score) for i in ideas])
    results = [Result(i, vote_ranks[i.id], pairwise_ranks.get(i.id)) for i in ideas]
    unranked = len(ideas) + 1
    if by == "pairwise":
        results.sort(key=lambda r: (r.pairwise_rank or unranked, r.vote_rank, -r.idea.id))
    else:
        results.sort(key=lambda r: (r.vote_rank, r.pairwise_rank or unranked, -r.idea.id))
    path = context.path_for(request, "challenge.results", slug=challenge.slug)
    return render(
        request,
        "voting/results.html",
        ResultsPage(
            challenge=challenge,
            results=results,
            by=by,
            sorts=SORTS,
            sort_urls={name: f"{path}?by={name}" for name in SORTS},
            comparisons=int(compared or 0),
            ranked=len(pairwise_ranks),
            may_compare=policy.may(Action.COMPARE, challenge, roles, utcnow()),
        ),
    )
