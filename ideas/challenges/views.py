"""Home page, challenge pages and the host's actions on them."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ideas import policy
from ideas.challenges import forms, queries, services
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase, next_change
from ideas.db import utcnow
from ideas.errors import Invalid, NotFound
from ideas.policy import Action
from ideas.submissions import queries as idea_queries
from ideas.web import context
from ideas.web.forms import Form
from ideas.web.htmx import redirect
from ideas.web.ratelimit import Limit, hit
from ideas.web.templating import render


async def home(request: Request) -> Response:
    user = context.viewer(request)
    listing = await queries.for_home(context.db(request), user, utcnow())
    return render(
        request,
        "home.html",
        {"listing": listing, "may_create": policy.may_create_challenge(user)},
    )


async def new_challenge(request: Request) -> Response:
    user = context.signed_in(request)
    policy.require_create_challenge(user)
    form = Form()
    if request.method == "POST":
        await hit(request, Limit.POST)
        zone = context.settings(request).zone
        form, data = forms.parse(await request.form(), zone)
        if data is not None:
            try:
                challenge = await services.create_challenge(
                    context.db(request), host_id=user.id, data=data, now=utcnow()
                )
            except Invalid as error:
                form.errors.update(error.errors)
            else:
                return redirect(
                    request, context.path_for(request, "challenge.detail", slug=challenge.slug)
                )
    return render(request, "challenges/new.html", {"form": form}, block="form")


def viewer_roles(request: Request, challenge: Challenge) -> frozenset[policy.Role]:
    """The viewer's roles in ``challenge``; NotFound if they may not even see it."""
    roles = policy.challenge_roles(context.viewer(request), challenge)
    if not policy.may(Action.SEE_CHALLENGE, challenge, roles, utcnow()):
        raise NotFound()
    return roles


async def visible_challenge(
    request: Request, slug: str
) -> tuple[Challenge, frozenset[policy.Role]]:
    """The challenge at ``slug`` and the viewer's roles in it; 404 if they may not see it."""
    challenge = await queries.by_slug(context.db(request), slug)
    if challenge is None:
        raise NotFound()
    return challenge, viewer_roles(request, challenge)


async def challenge_detail(request: Request) -> Response:
    challenge, roles = await visible_challenge(request, request.path_params["slug"])
    now = utcnow()
    try:
        sort = idea_queries.Sort(request.query_params.get("sort", idea_queries.Sort.TOP))
    except ValueError:
        sort = idea_queries.Sort.TOP
    ideas = await idea_queries.for_challenge(context.db(request), challenge.id, sort=sort)
    phase = challenge.phase_at(now)
    return render(
        request,
        "challenges/detail.html",
        {
            "challenge": challenge,
            "phase": phase,
            "next_change": next_change(challenge.schedule, phase, now),
            "ideas": ideas,
            "sort": sort,
            "sorts": list(idea_queries.Sort),
            "may_post": policy.may(Action.POST_IDEA, challenge, roles, now),
            "may_switch": policy.may(Action.SWITCH_PHASE, challenge, roles, now),
            "is_visitor": policy.Role.VISITOR in roles,
        },
        block="ideas",
    )


async def switch_phase(request: Request) -> Response:
    challenge, roles = await visible_challenge(request, request.path_params["slug"])
    now = utcnow()
    policy.check(Action.SWITCH_PHASE, challenge, roles, now)
    raw = (await request.form()).get("phase")
    try:
        to = Phase(raw if isinstance(raw, str) else "")
    except ValueError:
        raise HTTPException(400, "Choose a phase to switch to.") from None
    user = context.signed_in(request)
    await services.switch_phase(
        context.db(request), challenge_id=challenge.id, to=to, actor_id=user.id, now=now
    )
    return redirect(request, context.path_for(request, "challenge.detail", slug=challenge.slug))
