"""The parents picker of the idea form, enhanced by htmx: ideas found by title, and one
chosen idea to add to the list of what the form builds on.

Without JavaScript the same buttons submit the idea form, which comes back with
what was typed (``views.new_idea``, ``views.edit_idea``); these GET fragments only
read, so the form stays as the person left it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ideas.challenges.loaders import visible_challenge
from ideas.errors import NotFound
from ideas.submissions import forms, picker, search
from ideas.web import context
from ideas.web.forms import Form, parse_id
from ideas.web.templating import render


def _chosen(request: Request) -> list[int]:
    """The ideas the form builds on already (its ticked boxes, sent along)."""
    found: list[int] = []
    for raw in request.query_params.getlist("builds_on"):
        if (chosen := parse_id(raw)) is not None and chosen not in found:
            found.append(chosen)
    return found


async def find_parents(request: Request) -> Response:
    """Visible ideas of the challenge whose title holds ``parent_q``; leaves out those the
    form builds on already and the idea being edited (``idea``)."""
    challenge, _ = await visible_challenge(request, request.path_params["slug"])
    query = search.clean(request.query_params.get("parent_q", ""))
    leaving_out = _chosen(request)
    if (editing := parse_id(request.query_params.get("idea"))) is not None:
        leaving_out.append(editing)
    found = (
        await picker.titled(context.db(request), challenge.id, query, leaving_out=leaving_out)
        if query
        else None
    )
    return render(
        request,
        "submissions/_parent_results.html",
        {"challenge": challenge, "parent_query": query, "parents_found": found},
    )


async def parent_item(request: Request) -> Response:
    """The chosen idea as an item of the form's "Builds on" list, ticked, with an empty
    note; nothing when the form builds on it already or on as many as it may."""
    challenge, _ = await visible_challenge(request, request.path_params["slug"])
    idea_id: int = request.path_params["idea_id"]
    chosen = _chosen(request)
    if idea_id in chosen or len(chosen) >= forms.BUILDS_ON_MAX:
        return Response(status_code=200)
    idea = await picker.one_to_add(context.db(request), challenge.id, idea_id)
    if idea is None:
        raise NotFound()
    return render(request, "submissions/_parent.html", {"parent": idea, "form": Form()})
