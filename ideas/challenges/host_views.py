"""The host's own pages of a challenge: the dashboard and the data exports."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ideas import policy
from ideas.challenges import dashboard, exports
from ideas.challenges.loaders import visible_challenge
from ideas.challenges.models import Challenge
from ideas.challenges.pages import DashboardPage
from ideas.db import Database, utcnow
from ideas.errors import NotFound
from ideas.policy import Action
from ideas.web import context
from ideas.web.templating import render


async def hosted_challenge(request: Request) -> tuple[Challenge, datetime]:
    """The challenge at the path's slug, if the viewer may run it; and the time now."""
    challenge, roles = await visible_challenge(request, request.path_params["slug"])
    now = utcnow()
    policy.check(Action.RUN_CHALLENGE, challenge, roles, now)
    return challenge, now


async def challenge_dashboard(request: Request) -> Response:
    challenge, now = await hosted_challenge(request)
    db = context.db(request)
    phase = challenge.phase_at(now)
    numbers = await dashboard.counts(db, challenge.id)
    activity = await dashboard.activity(db, challenge, phase, now)
    return render(
        request,
        "challenges/dashboard.html",
        DashboardPage(
            challenge=challenge,
            phase=phase,
            counts=numbers,
            activity=activity,
            chart=dashboard.chart(activity.days),
            tasks=dashboard.waiting(challenge, phase, numbers, now),
            datasets=list(exports.DATASETS.values()),
            formats=list(exports.FORMATS.values()),
        ),
    )


async def challenge_export(request: Request) -> Response:
    challenge, now = await hosted_challenge(request)
    dataset = exports.DATASETS.get(request.path_params["dataset"])
    fmt = exports.FORMATS.get(request.path_params["fmt"])
    if dataset is None or fmt is None:
        raise NotFound()
    user = context.signed_in(request)
    await exports.record_export(
        context.db(request),
        challenge_id=challenge.id,
        actor_id=user.id,
        dataset=dataset,
        fmt=fmt,
        now=now,
    )
    site = context.site_origin(request)

    def url_for(name: str, /, **params: object) -> str:
        return site + context.path_for(request, name, **params)

    database: Database = request.app.state.database
    return StreamingResponse(
        exports.stream(database, dataset, fmt, challenge_id=challenge.id, url_for=url_for),
        media_type=fmt.media_type,
        headers={
            "Content-Disposition": (
                f'attachment; filename="{challenge.slug}-{dataset.name}.{fmt.name}"'
            ),
            "Cache-Control": "private, no-store",
        },
    )
