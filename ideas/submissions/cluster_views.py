"""Authors group duplicates by consent: on another idea's page, an author asks to group
one of their own ideas with it; its authors accept or decline on their idea's page.

Plain forms (post, then back to the idea's page, at its cluster section) that htmx
enhances by following the same redirect; a refusal is the site's error page, or for
htmx the message in place.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ideas.db import utcnow
from ideas.errors import Invalid
from ideas.i18n import _
from ideas.submissions import clusters
from ideas.submissions.loaders import idea_path
from ideas.submissions.models import ClusterRequest, Idea
from ideas.web import context
from ideas.web.forms import Form, submitted
from ideas.web.htmx import redirect
from ideas.web.ratelimit import Limit, hit

DECISIONS = {"accept": True, "decline": False}


async def ask_to_group(request: Request) -> Response:
    """Ask the authors of the idea of the URL to group one of the asker's ideas with it."""
    other_id: int = request.path_params["idea_id"]
    sent = await submitted(request)
    form = Form.from_submission(sent, ("idea",))
    mine = form.identifier("idea", message=_("Choose one of your ideas."), required=True)
    if mine is None:
        raise Invalid(form.errors)
    # A request tells other people: it counts as a post against the asker's limits.
    await hit(request, Limit.POST)
    db = context.db(request)
    await clusters.ask_to_group(
        db,
        idea_id=mine,
        other_idea_id=other_id,
        actor_id=context.signed_in(request).id,
        now=utcnow(),
    )
    other = await db.get(Idea, other_id)
    assert other is not None  # the service found it
    return redirect(request, idea_path(request, other) + "#cluster")


async def answer_request(request: Request) -> Response:
    """Accept or decline a request to group another idea with one's own."""
    request_id: int = request.path_params["request_id"]
    form = Form.from_submission(await submitted(request), ("decision",))
    decision = DECISIONS.get(form.values["decision"])
    if decision is None:
        raise Invalid({"decision": _("Choose to accept or decline.")})
    db = context.db(request)
    await clusters.answer_request(
        db,
        request_id=request_id,
        accept=decision,
        actor_id=context.signed_in(request).id,
        now=utcnow(),
    )
    found = await db.get(ClusterRequest, request_id)
    other = await db.get(Idea, found.other_idea_id) if found is not None else None
    assert other is not None  # the service found both
    return redirect(request, idea_path(request, other) + "#cluster")
