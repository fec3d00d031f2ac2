"""The hosts' duplicates tool: group ideas that say nearly the same thing into a
cluster, take one out, or ungroup a cluster (during ideas and review).

Each action is a plain form (post, then back to the page) that htmx enhances: the
page's section is swapped in place, and a refusal comes back beside the form.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ideas.challenges import queries
from ideas.challenges.loaders import challenge_for
from ideas.challenges.models import Challenge
from ideas.db import utcnow
from ideas.errors import Conflict, Invalid
from ideas.i18n import _
from ideas.policy import Action
from ideas.submissions import cluster_queries, clusters
from ideas.web import context
from ideas.web.forms import Form, submitted
from ideas.web.htmx import is_htmx, redirect
from ideas.web.templating import render

TEMPLATE = "challenges/duplicates.html"
CHOOSE = "ideas"


async def _page(
    request: Request,
    challenge: Challenge,
    form: Form | None = None,
    *,
    status: int = 200,
    done: str = "",
) -> Response:
    db = context.db(request)
    found = await cluster_queries.challenge_clusters(db, challenge.id)
    clustered = {idea_id for cluster in found for idea_id in cluster.member_ids}
    candidates = [
        idea
        for idea in await queries.shortlist_candidates(db, challenge.id)
        if idea.id not in clustered
    ]
    return render(
        request,
        TEMPLATE,
        {
            "challenge": challenge,
            "clusters": found,
            "candidates": candidates,
            "form": form or Form(),
            "chosen": set(form.values.get("chosen", "").split()) if form else set(),
            "done": done,
        },
        block="duplicates",
        status_code=status,
    )


def _back(request: Request, challenge: Challenge) -> Response:
    return redirect(request, context.path_for(request, "challenge.duplicates", slug=challenge.slug))


async def duplicates_page(request: Request) -> Response:
    challenge = await challenge_for(request, Action.GROUP_DUPLICATES)
    return await _page(request, challenge)


async def group_ideas(request: Request) -> Response:
    """Group the ticked ideas into a new cluster."""
    challenge = await challenge_for(request, Action.GROUP_DUPLICATES)
    sent = await submitted(request)
    form = Form.from_submission(sent, ())
    chosen = form.identifiers(sent, CHOOSE, message=_("Choose ideas from the list."))
    form.values["chosen"] = " ".join(str(i) for i in chosen)
    if form.ok:
        try:
            await clusters.group(
                context.db(request),
                challenge_id=challenge.id,
                idea_ids=chosen,
                actor_id=context.signed_in(request).id,
                now=utcnow(),
            )
        except Invalid as error:
            form.errors.update(error.errors)
        except Conflict as error:
            form.refuse(error.message, status=409)
        else:
            if not is_htmx(request):
                return _back(request, challenge)
            return await _page(request, challenge, done=_("The ideas are grouped."))
    return await _page(request, challenge, form, status=form.status if form.problem else 400)


async def ungroup(request: Request) -> Response:
    challenge = await challenge_for(request, Action.GROUP_DUPLICATES)
    await clusters.ungroup(
        context.db(request),
        challenge_id=challenge.id,
        cluster_id=request.path_params["cluster_id"],
        actor_id=context.signed_in(request).id,
        now=utcnow(),
    )
    if not is_htmx(request):
        return _back(request, challenge)
    return await _page(request, challenge, done=_("The cluster is ungrouped."))


async def remove_member(request: Request) -> Response:
    challenge = await challenge_for(request, Action.GROUP_DUPLICATES)
    await clusters.remove_member(
        context.db(request),
        challenge_id=challenge.id,
        cluster_id=request.path_params["cluster_id"],
        idea_id=request.path_params["idea_id"],
        actor_id=context.signed_in(request).id,
        now=utcnow(),
    )
    if not is_htmx(request):
        return _back(request, challenge)
    return await _page(request, challenge, done=_("The idea is out of the cluster."))
