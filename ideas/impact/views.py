"""Impact's pages: a team's progress and pledges, a round's progress, check-ins and
follow-ups. Every action is a plain form post answered by a redirect (or, with a
problem, by the page again with the problem beside its field and what was typed)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from ideas import policy
from ideas.accounts.models import User
from ideas.challenges.loaders import challenge_for, visible_challenge
from ideas.challenges.models import Challenge
from ideas.db import utcnow
from ideas.errors import Conflict, Invalid, NotFound
from ideas.i18n import _
from ideas.impact import forms, queries, services
from ideas.impact.models import ImpactStatus, Pledge
from ideas.impact.pages import DatedCheckIn, RoundImpactPage, TeamImpactPage
from ideas.media.uploads import picture_from
from ideas.policy import Action, Role
from ideas.submissions.models import Idea, IdeaStatus
from ideas.teams import queries as team_queries
from ideas.teams.models import Team
from ideas.web import context
from ideas.web.forms import Form, once, submitted
from ideas.web.htmx import redirect
from ideas.web.templating import render

NOTICES = {
    "posted": "Your update is posted.",
    "pledged": "Thank you: your pledge is made.",
    "withdrawn": "Your pledge is withdrawn.",
    "honoured": "The pledge is marked honoured.",
    "check-ins": "The check-in dates are saved.",
}


def _notice(request: Request) -> str:
    key = request.query_params.get("done", "")
    return _(NOTICES[key]) if key in NOTICES else ""


@dataclass(frozen=True)
class Loaded:
    team: Team
    idea: Idea
    challenge: Challenge
    roles: frozenset[Role]


async def _load(request: Request) -> Loaded:
    """The team of the URL, if the viewer may see its idea; 404 otherwise."""
    idea = await team_queries.team_idea(context.db(request), request.path_params["team_id"])
    if idea is None or idea.team is None:
        raise NotFound()
    roles = policy.idea_roles(context.viewer(request), idea.challenge, idea)
    if not policy.may(Action.SEE_CHALLENGE, idea.challenge, roles, utcnow()):
        raise NotFound()
    if not policy.can_see_idea(idea, roles):
        raise NotFound()
    return Loaded(idea.team, idea, idea.challenge, roles)


def _team_path(request: Request, team_id: int, done: str = "") -> str:
    path = context.path_for(request, "impact.team", team_id=team_id)
    return f"{path}?done={done}" if done else path


async def _team_page(
    request: Request,
    loaded: Loaded,
    *,
    update_form: Form | None = None,
    pledge_form: Form | None = None,
    status_code: int = 200,
) -> Response:
    db = context.db(request)
    now = utcnow()
    viewer = context.viewer(request)
    pledges = await queries.pledges_to(db, loaded.team.id)
    mine = [p for p in pledges if viewer is not None and p.user_id == viewer.id]
    pledge_roles = policy.challenge_roles(viewer, loaded.challenge)
    page = TeamImpactPage(
        challenge=loaded.challenge,
        idea=loaded.idea,
        team=loaded.team,
        updates=await queries.updates_of(db, loaded.idea.id),
        built_on_reached=await queries.reach_of_descendants(
            db, loaded.idea, viewer=viewer, now=now
        ),
        pledges=pledges,
        statuses=tuple(ImpactStatus),
        update_form=update_form or Form(),
        pledge_form=pledge_form or Form(values={"kind": "time"}),
        may_post=policy.may(Action.POST_IMPACT, loaded.challenge, loaded.roles, now),
        may_pledge=policy.may(Action.PLEDGE, loaded.challenge, pledge_roles, now),
        may_honour=policy.may(Action.HONOUR_PLEDGE, loaded.challenge, loaded.roles, now)
        and policy.is_lead(viewer, loaded.team),
        withdrawable=frozenset(
            p.id
            for p in mine
            if policy.may_withdraw_pledge(
                viewer,
                pledger_id=p.user_id,
                met=p.met_at is not None,
                honoured=p.honoured_at is not None,
            )
        ),
        pledged=bool(mine),
        figure_rows=forms.FIGURES_MAX,
        picture_rows=forms.PICTURES_MAX,
        notice=_notice(request),
    )
    return render(request, "impact/team.html", page, status_code=status_code)


async def team_impact(request: Request) -> Response:
    return await _team_page(request, await _load(request))


async def post_update(request: Request) -> Response:
    loaded = await _load(request)
    now = utcnow()
    policy.check(Action.POST_IMPACT, loaded.challenge, loaded.roles, now)
    sent = await submitted(request)
    try:
        chosen = [await picture_from(sent, forms.picture_fields(n)[0])
                  for n in range(forms.PICTURES_MAX)]  # fmt: skip
    except Invalid as refused:
        form, _data = forms.parse_update(sent)
        form.errors |= refused.errors
        return await _team_page(request, loaded, update_form=form, status_code=400)
    form, data = forms.parse_update(sent, chosen)
    if data is None:
        return await _team_page(request, loaded, update_form=form, status_code=form.status
                                if form.status != 200 else 400)  # fmt: skip
    await services.post_update(
        context.db(request), idea_id=loaded.idea.id, author_id=context.signed_in(request).id,
        data=data, now=now, once=once(request, sent),
    )  # fmt: skip
    return redirect(request, _team_path(request, loaded.team.id, "posted"))


async def make_pledge(request: Request) -> Response:
    loaded = await _load(request)
    form, data = forms.parse_pledge(await submitted(request))
    if data is None:
        return await _team_page(request, loaded, pledge_form=form, status_code=400)
    try:
        await services.pledge(
            context.db(request), team_id=loaded.team.id, user_id=context.signed_in(request).id,
            data=data, now=utcnow(),
        )  # fmt: skip
    except Invalid as refused:
        form.errors |= refused.errors
        return await _team_page(request, loaded, pledge_form=form, status_code=400)
    except Conflict as refused:
        form.refuse(str(refused), status=409)
        return await _team_page(request, loaded, pledge_form=form, status_code=409)
    return redirect(request, _team_path(request, loaded.team.id, "pledged"))


async def _pledge_team(request: Request) -> tuple[Pledge, User]:
    db = context.db(request)
    found = await db.get(Pledge, request.path_params["pledge_id"])
    if found is None or found.team_id != request.path_params["team_id"]:
        raise NotFound()
    return found, context.signed_in(request)


async def withdraw_pledge(request: Request) -> Response:
    loaded = await _load(request)
    found, user = await _pledge_team(request)
    await services.withdraw_pledge(
        context.db(request), pledge_id=found.id, user_id=user.id, now=utcnow()
    )
    return redirect(request, _team_path(request, loaded.team.id, "withdrawn"))


async def honour_pledge(request: Request) -> Response:
    loaded = await _load(request)
    found, user = await _pledge_team(request)
    await services.honour_pledge(
        context.db(request), pledge_id=found.id, actor_id=user.id, now=utcnow()
    )
    return redirect(request, _team_path(request, loaded.team.id, "honoured"))


# A round's impact ----------------------------------------------------------------------


def _round_path(request: Request, challenge: Challenge, done: str = "") -> str:
    path = context.path_for(request, "impact.round", slug=challenge.slug)
    return f"{path}?done={done}" if done else path


async def _round_page(
    request: Request,
    challenge: Challenge,
    roles: frozenset[Role],
    *,
    check_in_form: Form | None = None,
    follow_up_form: Form | None = None,
    status_code: int = 200,
) -> Response:
    db = context.db(request)
    now = utcnow()
    carryable = list(
        await db.scalars(
            select(Idea)
            .where(
                Idea.challenge_id == challenge.id,
                Idea.status.in_((IdeaStatus.SHORTLISTED, IdeaStatus.WINNER)),
            )
            .order_by(Idea.status.desc(), Idea.id)
        )
    )
    teams = dict(
        (
            await db.execute(select(Team.idea_id, Team.id).where(Team.challenge_id == challenge.id))
        ).all()
    )
    zone = services.round_zone(challenge, context.settings(request).zone)
    check_ins = [
        DatedCheckIn(c, services.due_day(c, zone))
        for c in await queries.check_ins(db, challenge.id)
    ]
    dates = "\n".join(c.day.isoformat() for c in check_ins if c.check_in.due_at > now)
    page = RoundImpactPage(
        challenge=challenge,
        progress=await queries.progress_in(db, challenge.id),
        teams=teams,
        check_ins=check_ins,
        zone=zone.key,
        rounds=await queries.rounds_around(
            db, challenge.id, viewer=context.viewer(request), now=now
        ),
        carryable=carryable,
        check_in_form=check_in_form or Form(values={"dates": dates}),
        follow_up_form=follow_up_form
        or Form(values={"title": _("%(title)s: the next round", title=challenge.title)[:120]}),
        may_set_check_ins=policy.may(Action.SET_CHECK_INS, challenge, roles, now),
        may_follow_up=policy.may(Action.OPEN_FOLLOW_UP, challenge, roles, now),
        notice=_notice(request),
    )
    return render(request, "impact/round.html", page, status_code=status_code)


async def round_impact(request: Request) -> Response:
    challenge, roles = await visible_challenge(request, request.path_params["slug"])
    return await _round_page(request, challenge, roles)


async def save_check_ins(request: Request) -> Response:
    challenge = await challenge_for(request, Action.SET_CHECK_INS)
    roles = policy.challenge_roles(context.viewer(request), challenge)
    form, days = forms.parse_check_ins(await submitted(request))
    if days is None:
        return await _round_page(request, challenge, roles, check_in_form=form, status_code=400)
    await services.set_check_ins(
        context.db(request), challenge_id=challenge.id, days=days,
        actor_id=context.signed_in(request).id, now=utcnow(),
        site_zone=context.settings(request).zone,
    )  # fmt: skip
    return redirect(request, _round_path(request, challenge, "check-ins"))


async def open_follow_up(request: Request) -> Response:
    challenge = await challenge_for(request, Action.OPEN_FOLLOW_UP)
    roles = policy.challenge_roles(context.viewer(request), challenge)
    sent = await submitted(request)
    offered = list(
        await context.db(request).scalars(
            select(Idea.id).where(
                Idea.challenge_id == challenge.id,
                Idea.status.in_((IdeaStatus.SHORTLISTED, IdeaStatus.WINNER)),
            )
        )
    )
    form, data = forms.parse_follow_up(sent, offered)
    if data is None:
        return await _round_page(request, challenge, roles, follow_up_form=form, status_code=400)
    try:
        follow = await services.open_follow_up(
            context.db(request), challenge_id=challenge.id,
            actor_id=context.signed_in(request).id, data=data, now=utcnow(),
            once=once(request, sent),
        )  # fmt: skip
    except Invalid as refused:
        form.errors |= refused.errors
        return await _round_page(request, challenge, roles, follow_up_form=form, status_code=400)
    return redirect(request, context.path_for(request, "challenge.detail", slug=follow.slug))
