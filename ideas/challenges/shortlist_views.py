"""The host's shortlist (during ideas and review) and winners (teams and closed)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ideas.challenges import queries, services
from ideas.challenges.loaders import challenge_for
from ideas.challenges.models import Challenge
from ideas.db import utcnow
from ideas.errors import NotFound
from ideas.i18n import _
from ideas.policy import Action
from ideas.submissions import queries as idea_queries
from ideas.web import context
from ideas.web.forms import Form, once, submitted
from ideas.web.htmx import is_htmx, redirect
from ideas.web.templating import render

NOTE_MAX = 1_000
CITATION_MAX = 300


async def _page(
    request: Request,
    challenge: Challenge,
    template: str,
    row_forms: dict[int, Form] | None = None,
) -> Response:
    candidates = await queries.shortlist_candidates(context.db(request), challenge.id)
    return render(
        request,
        template,
        {
            "challenge": challenge,
            "candidates": candidates,
            "row_forms": row_forms or {},
            "limits": {"note": NOTE_MAX, "citation": CITATION_MAX},
        },
    )


async def _row(
    request: Request, challenge: Challenge, template: str, idea_id: int, form: Form | None
) -> Response:
    """After a change: the idea's row for htmx, else back to the whole list."""
    if not is_htmx(request) and form is None:
        path = context.path_for(request, _PAGE[template], slug=challenge.slug)
        return redirect(request, f"{path}#idea-{idea_id}")
    idea = await idea_queries.by_id(context.db(request), idea_id)
    if idea is None or idea.challenge_id != challenge.id:
        raise NotFound()
    forms = {idea_id: form} if form is not None else {}
    if not is_htmx(request):
        return await _page(request, challenge, template, forms)
    # The row, and the page's counter as it now stands (swapped out of band).
    return render(
        request,
        template,
        {
            "challenge": challenge,
            "idea": idea,
            "row_forms": forms,
            "limits": {"note": NOTE_MAX, "citation": CITATION_MAX},
            "count_now": await queries.shortlist_count(context.db(request), challenge.id),
        },
        block="row",
    )


_PAGE = {
    "challenges/shortlist.html": "challenge.shortlist",
    "challenges/winners.html": "challenge.winners",
}


async def shortlist_page(request: Request) -> Response:
    challenge = await challenge_for(request, Action.SHORTLIST)
    return await _page(request, challenge, "challenges/shortlist.html")


async def shortlist_idea(request: Request) -> Response:
    """Add an idea to the shortlist (with an optional note to its authors) or take it off."""
    challenge = await challenge_for(request, Action.SHORTLIST)
    idea_id: int = request.path_params["idea_id"]
    sent = await submitted(request)
    form = Form.from_submission(sent, ("decision", "note"))
    actor = context.signed_in(request).id
    db, now = context.db(request), utcnow()
    if form.values["decision"] == "remove":
        await services.unshortlist(
            db, challenge_id=challenge.id, idea_id=idea_id, actor_id=actor, now=now
        )
        return await _row(request, challenge, "challenges/shortlist.html", idea_id, None)
    note = form.text("note", label=_("Note"), max_length=NOTE_MAX, required=False, multiline=True)
    if not form.ok:
        return await _row(request, challenge, "challenges/shortlist.html", idea_id, form)
    await services.shortlist(
        db,
        challenge_id=challenge.id,
        idea_id=idea_id,
        note=note,
        actor_id=actor,
        now=now,
        once=once(request, sent),
    )
    return await _row(request, challenge, "challenges/shortlist.html", idea_id, None)


async def winners_page(request: Request) -> Response:
    challenge = await challenge_for(request, Action.ANNOUNCE_WINNERS)
    return await _page(request, challenge, "challenges/winners.html")


async def award_idea(request: Request) -> Response:
    """Name a shortlisted idea a winner with a citation, or take the win back."""
    challenge = await challenge_for(request, Action.ANNOUNCE_WINNERS)
    idea_id: int = request.path_params["idea_id"]
    form = Form.from_submission(await submitted(request), ("decision", "citation"))
    actor = context.signed_in(request).id
    db, now = context.db(request), utcnow()
    if form.values["decision"] == "revoke":
        await services.unpick_winner(
            db, challenge_id=challenge.id, idea_id=idea_id, actor_id=actor, now=now
        )
        return await _row(request, challenge, "challenges/winners.html", idea_id, None)
    citation = form.text("citation", label=_("Citation"), max_length=CITATION_MAX)
    if not form.ok:
        return await _row(request, challenge, "challenges/winners.html", idea_id, form)
    await services.pick_winner(
        db, challenge_id=challenge.id, idea_id=idea_id, citation=citation, actor_id=actor, now=now
    )
    return await _row(request, challenge, "challenges/winners.html", idea_id, None)
