"""The compare page, where participants answer pairs, and the results page.

Answering is a plain form post answered by a redirect to the compare page,
which then shows the next pair. Sent by htmx, it is answered in place: the
next pair (the ``pair`` block), with a short confirmation for the page's
live region.
"""

from __future__ import annotations

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
from ideas.jury import queries as jury_queries
from ideas.jury.standings import standings
from ideas.policy import Action, Role
from ideas.voting import bridging, compare_services, pairs
from ideas.voting.models import Comparison
from ideas.voting.pages import ComparePage, ResultsPage
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


SORTS = {
    "votes": lazy_gettext("votes"),
    "pairwise": lazy_gettext("pairwise score"),
    "bridging": lazy_gettext("bridging score"),
    "jury": lazy_gettext("jury score"),
    "combined": lazy_gettext("combined rank"),
}


async def results_page(request: Request) -> Response:
    """Every visible idea with its votes, its pairwise score, its bridging score (once
    there is enough data) and, once published (or for the hosts), its jury score and
    combined rank, each with its rank; for the hosts, links to the exports that
    reproduce them. A juror who still
    has ideas to submit in review sees no counts or rankings: they score blind."""
    challenge, roles = await visible_challenge(request, request.path_params["slug"])
    db, now = context.db(request), utcnow()
    host = Role.HOST in roles
    found = await standings(db, challenge, host=host)
    viewer = context.viewer(request)
    blind = False
    if viewer is not None and not host:
        juror = await jury_queries.juror_for(db, challenge.id, viewer)
        if juror is not None:
            jury = await jury_queries.jury(db, challenge.id)
            mine = jury.queues().get(viewer.id, set())
            submitted = {
                s.idea_id for s in jury.scores if s.user_id == viewer.id and s.submitted_at
            }
            blind = policy.juror_is_blind(
                juror=True, unsubmitted=len(mine - submitted), phase=challenge.phase_at(now)
            )
    shown = ["votes", "pairwise"]
    if found.bridging_shown:
        shown.append("bridging")
    if found.jury_shown:
        shown += ["jury", "combined"]
    sorts = {k: SORTS[k] for k in shown}
    by = request.query_params.get("by", "votes")
    if by not in sorts:
        by = "votes"
    unranked = len(found.rows) + 1
    keys = {
        "votes": lambda r: (r.vote_rank, r.group_key, r.pairwise_rank or unranked, -r.idea.id),
        "pairwise": lambda r: (r.pairwise_rank or unranked, r.vote_rank, -r.idea.id),
        "bridging": lambda r: (r.bridging_rank or unranked, r.vote_rank, -r.idea.id),
        "jury": lambda r: (r.jury_rank or unranked, r.vote_rank, -r.idea.id),
        "combined": lambda r: (
            r.combined.rank if r.combined else unranked,
            r.vote_rank,
            -r.idea.id,
        ),
    }
    rows = sorted(found.rows, key=keys[by])
    compared = await db.scalar(
        select(func.count()).select_from(Comparison).where(Comparison.challenge_id == challenge.id)
    )
    path = context.path_for(request, "challenge.results", slug=challenge.slug)
    return render(
        request,
        "voting/results.html",
        ResultsPage(
            challenge=challenge,
            rows=[] if blind else rows,
            standings=found,
            blind=blind,
            by=by,
            sorts=sorts,
            sort_urls={name: f"{path}?by={name}" for name in sorts},
            comparisons=int(compared or 0),
            ranked=sum(1 for r in found.rows if r.pairwise_rank is not None),
            may_compare=policy.may(Action.COMPARE, challenge, roles, now),
            api_url=request.app.state.api_path_for("api.challenge_results", slug=challenge.slug),
            export_urls=(
                {
                    name: context.path_for(
                        request, "challenge.export", slug=challenge.slug, dataset=name, fmt="csv"
                    )
                    for name in ("ideas", "votes", "comparisons")
                }
                if host
                else {}
            ),
            bridging_minimums=(
                bridging.MIN_PEOPLE,
                bridging.MIN_RATINGS_PER_PERSON,
                bridging.MIN_RATINGS_PER_IDEA,
            ),
        ),
    )
