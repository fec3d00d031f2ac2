"""The host's own pages of a challenge: the dashboard and the data exports."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ideas import policy
from ideas.challenges import dashboard, exports
from ideas.challenges.loaders import visible_challenge
from ideas.challenges.models import Challenge
from ideas.challenges.pages import DashboardPage, ThemeRename
from ideas.db import Database, utcnow
from ideas.errors import Invalid, NotFound
from ideas.i18n import _
from ideas.policy import Action
from ideas.themes import queries as theme_queries
from ideas.themes import services as theme_services
from ideas.web import context
from ideas.web.forms import Form, submitted
from ideas.web.htmx import is_htmx, redirect
from ideas.web.templating import render

# Long enough to tell someone how much too long their name is; the service holds the limit.
THEME_NAME_TYPED = 1000


async def hosted_challenge(request: Request) -> tuple[Challenge, datetime]:
    """The challenge at the path's slug, if the viewer may run it; and the time now."""
    challenge, roles = await visible_challenge(request, request.path_params["slug"])
    now = utcnow()
    policy.check(Action.RUN_CHALLENGE, challenge, roles, now)
    return challenge, now


async def challenge_dashboard(request: Request) -> Response:
    challenge, now = await hosted_challenge(request)
    return await _dashboard(request, challenge, now)


async def _dashboard(
    request: Request,
    challenge: Challenge,
    now: datetime,
    rename: ThemeRename | None = None,
    *,
    status: int = 200,
) -> Response:
    """The dashboard; for htmx, after a theme was named (or not), only its themes section."""
    db = context.db(request)
    phase = challenge.phase_at(now)
    roles = policy.challenge_roles(context.viewer(request), challenge)
    themes = await theme_queries.dashboard_themes(db, challenge.id, now)
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
            themes=themes,
            may_name_themes=policy.may(Action.NAME_THEMES, challenge, roles, now),
            rename=rename,
        ),
        block="themes" if rename is not None else None,
        status_code=status,
    )


async def rename_theme(request: Request) -> Response:
    """A host names a theme of the challenge (the name of its words when left empty)."""
    challenge, roles = await visible_challenge(request, request.path_params["slug"])
    now = utcnow()
    policy.check(Action.NAME_THEMES, challenge, roles, now)
    theme_id = request.path_params["theme_id"]
    sent = await submitted(request)
    form = Form.from_submission(sent, ("name",))
    name = form.text(
        "name", label=theme_services.name_label(), max_length=THEME_NAME_TYPED, required=False
    )
    if form.ok:
        try:
            await theme_services.rename_theme(
                context.db(request),
                challenge_id=challenge.id,
                theme_id=theme_id,
                name=name,
                actor_id=context.signed_in(request).id,
                now=now,
            )
        except Invalid as error:
            form.errors.update(error.errors)
        else:
            if not is_htmx(request):
                path = context.path_for(request, "challenge.dashboard", slug=challenge.slug)
                return redirect(request, f"{path}#theme-{theme_id}")
            return await _dashboard(
                request,
                challenge,
                now,
                ThemeRename(theme_id, Form(), done=_("The theme is renamed.")),
            )
    return await _dashboard(
        request,
        challenge,
        now,
        ThemeRename(theme_id, form),
        status=400 if form.status == 200 else form.status,
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
