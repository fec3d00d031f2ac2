"""Posting and reading ideas."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ideas import policy
from ideas.challenges.views import viewer_roles, visible_challenge
from ideas.db import utcnow
from ideas.errors import NotFound
from ideas.policy import Action
from ideas.submissions import forms, queries, services
from ideas.submissions.models import Idea
from ideas.web import context
from ideas.web.forms import Form
from ideas.web.htmx import redirect
from ideas.web.ratelimit import Limit, hit
from ideas.web.templating import render


def idea_path(request: Request, idea: Idea) -> str:
    return context.path_for(request, "idea.detail", idea_id=idea.id, slug=idea.slug)


async def new_idea(request: Request) -> Response:
    challenge, roles = await visible_challenge(request, request.path_params["slug"])
    now = utcnow()
    if request.method == "GET" and context.viewer(request) is None:
        query = urlencode({"next": request.url.path})
        return RedirectResponse(f"{context.path_for(request, 'sign_in')}?{query}", status_code=303)
    policy.check(Action.POST_IDEA, challenge, roles, now)
    form = Form()
    if request.method == "POST":
        await hit(request, Limit.POST)
        form, data = forms.parse(await request.form())
        if data is not None:
            idea = await services.post_idea(
                context.db(request),
                challenge_id=challenge.id,
                author_id=context.signed_in(request).id,
                data=data,
                now=now,
            )
            return redirect(request, idea_path(request, idea))
    return render(
        request,
        "submissions/new.html",
        {"challenge": challenge, "form": form, "limits": forms},
        block="form",
    )


async def idea_detail(request: Request) -> Response:
    idea = await queries.by_id(context.db(request), request.path_params["idea_id"])
    if idea is None:
        raise NotFound()
    challenge = idea.challenge
    viewer_roles(request, challenge)
    roles = policy.idea_roles(context.viewer(request), challenge, idea)
    if not policy.can_see_idea(idea, roles):
        raise NotFound()
    if request.path_params.get("slug") != idea.slug:
        return RedirectResponse(idea_path(request, idea), status_code=301)
    now = utcnow()
    return render(
        request,
        "submissions/detail.html",
        {
            "idea": idea,
            "challenge": challenge,
            "phase": challenge.phase_at(now),
        },
    )
