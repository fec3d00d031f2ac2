"""The invitations to co-host that reached a person, and their answers."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ideas import policy
from ideas.challenges import hosting, queries
from ideas.db import utcnow
from ideas.web import context
from ideas.web.htmx import redirect
from ideas.web.templating import render


async def invitations_page(request: Request) -> Response:
    """Invitations to co-host, open and answered, newest first."""
    user = context.signed_in(request)
    return render(
        request,
        "challenges/host_invitations.html",
        {
            "invitations": await queries.host_invitations_of(context.db(request), user.id),
            "may_cohost": policy.may_cohost(user),
            "refusal": policy.COHOST_REFUSAL,
        },
    )


async def accept(request: Request) -> Response:
    """The invitee co-hosts from now on, and goes to the challenge."""
    user = context.signed_in(request)
    challenge = await hosting.accept_host_invitation(
        context.db(request),
        invitation_id=request.path_params["invitation_id"],
        user_id=user.id,
        now=utcnow(),
    )
    return redirect(request, context.path_for(request, "challenge.detail", slug=challenge.slug))


async def decline(request: Request) -> Response:
    user = context.signed_in(request)
    await hosting.decline_host_invitation(
        context.db(request),
        invitation_id=request.path_params["invitation_id"],
        user_id=user.id,
        now=utcnow(),
    )
    return redirect(request, context.path_for(request, "hosting.invitations"))
