"""Team matching pages: people looking for a team, ranking teams, and the host's
suggested teams."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ideas import policy
from ideas.accounts.models import User
from ideas.challenges.loaders import challenge_for, visible_challenge
from ideas.challenges.models import Challenge
from ideas.db import utcnow
from ideas.errors import Invalid, NotFound
from ideas.i18n import _
from ideas.policy import Action
from ideas.teams import matching
from ideas.teams import queries as team_queries
from ideas.teams.models import Team
from ideas.teams.pages import LookingPage, PreferencesPage
from ideas.web import context
from ideas.web.forms import Form, parse_id, submitted
from ideas.web.htmx import is_htmx, redirect
from ideas.web.templating import render

# Routes of the team pages, linked to where the site has them.
TEAM_ROUTE = "team.detail"
INVITE_ROUTE = "team.invite"
REPORTED_MAX = 200  # people named in the report after applying a suggestion


def _path(request: Request, name: str, challenge: Challenge) -> str:
    return context.path_for(request, name, slug=challenge.slug)


# Looking for a team -----------------------------------------------------------


async def looking_page(request: Request) -> Response:
    """Who is looking for a team, and the viewer's own flag and matching teams.

    POST raises or changes the viewer's flag (``decision=look``, with a note),
    in the teams phase only, or lowers it (``decision=stop``) at any time.
    """
    challenge, roles = await visible_challenge(request, request.path_params["slug"])
    now = utcnow()
    db = context.db(request)
    viewer = context.viewer(request)
    form = Form(values={"note": ""})
    if request.method == "POST":
        user = context.signed_in(request)
        form = Form.from_submission(await submitted(request), ("decision", "note"))
        here = _path(request, "team.looking", challenge)
        if form.values["decision"] == "stop":
            # Taking one's name off the list needs no phase: it only removes what they said.
            await matching.stop_looking(db, challenge_id=challenge.id, user_id=user.id)
            return redirect(request, here + "?done=stopped")
        policy.check(Action.JOIN_TEAM, challenge, roles, now)
        note = form.text(
            "note", label=_("Note"), max_length=matching.NOTE_MAX, required=False, multiline=True
        )
        if form.ok:
            await matching.start_looking(
                db, challenge_id=challenge.id, user_id=user.id, note=note, now=now
            )
            return redirect(request, here + "?done=looking")

    mine = None
    my_skills: list[Any] = []
    matches: list[matching.TeamMatch] = []
    on_team = False
    if viewer is not None:
        mine = await matching.seeker_of(db, challenge.id, viewer.id)
        if mine is not None and request.method == "GET":
            form = Form(values={"note": mine.note})
        my_skills = await matching.skills_of(db, viewer.id)
        on_team = challenge.one_team_per_participant and bool(
            await matching.teams_of_person(db, challenge.id, viewer.id)
        )
        if my_skills and not on_team:
            matches = await matching.teams_for(db, challenge, viewer.id)
    notice = {
        "looking": _("You are on the list of people looking for a team."),
        "stopped": _("You are off the list of people looking for a team."),
    }.get(request.query_params.get("done", ""))
    return render(
        request,
        "teams/looking.html",
        LookingPage(
            challenge=challenge,
            phase=challenge.phase_at(now),
            listing=await matching.seekers(db, challenge),
            mine=mine,
            my_skills=my_skills,
            matches=matches,
            on_team=on_team,
            may_look=policy.may(Action.JOIN_TEAM, challenge, roles, now) and not on_team,
            team_pages=has_route(request, TEAM_ROUTE),
            form=form,
            notice=notice,
            limits={"note": matching.NOTE_MAX},
        ),
    )


def has_route(request: Request, name: str) -> bool:
    return any(isinstance(r, Route) and r.name == name for r in request.app.routes)


def may_invite(request: Request, challenge: Challenge, team: Team) -> bool:
    """The lead invites, in the teams phase, while the team has room and the site has
    an invitation form to post to."""
    viewer = context.viewer(request)
    return (
        viewer is not None
        and viewer.is_active
        and viewer.id == team.lead_id
        and team.member_count < challenge.team_capacity
        and policy.may(
            Action.JOIN_TEAM, challenge, policy.challenge_roles(viewer, challenge), utcnow()
        )
        and has_route(request, INVITE_ROUTE)
    )


async def suggestions_context(request: Request, challenge: Challenge, team: Team) -> dict[str, Any]:
    """What ``teams/_suggestions.html`` reads, besides ``team`` and ``challenge``."""
    return {
        "suggested_people": await matching.suggested_people(context.db(request), team),
        "can_invite": may_invite(request, challenge, team),
    }


async def team_suggestions(request: Request) -> Response:
    """People looking for a team who match a team's open roles: a fragment for htmx to
    load into the team page. Outside htmx, the team page (or the list of everyone
    looking, where the site has no team pages)."""
    challenge, _roles = await visible_challenge(request, request.path_params["slug"])
    # The team of an idea the viewer may not see (hidden, withdrawn) is not there for them.
    idea = await team_queries.team_idea(context.db(request), request.path_params["team_id"])
    if idea is None or idea.team is None or idea.challenge_id != challenge.id:
        raise NotFound()
    if not policy.can_see_idea(idea, policy.idea_roles(context.viewer(request), challenge, idea)):
        raise NotFound()
    team = idea.team
    if not is_htmx(request):
        if has_route(request, TEAM_ROUTE):
            response = redirect(request, context.path_for(request, TEAM_ROUTE, team_id=team.id))
        else:
            response = redirect(request, _path(request, "team.looking", challenge))
        response.headers["Vary"] = "HX-Request"
        return response
    return render(
        request,
        "teams/_suggestions.html",
        {
            "challenge": challenge,
            "team": team,
            **await suggestions_context(request, challenge, team),
        },
        headers={"Vary": "HX-Request"},
    )


# Ranking teams ----------------------------------------------------------------


def parse_choices(form: Form) -> list[int]:
    """The chosen team ids, first choice first; problems go beside their field.

    Whether each is one of the challenge's teams is the service's to check,
    against what is saved.
    """
    chosen: list[int] = []
    seen: dict[int, str] = {}
    gap: str | None = None
    for name in matching.CHOICE_FIELDS:
        raw = form.values.get(name, "").strip()
        if not raw:
            gap = gap or name
            continue
        team_id = parse_id(raw)
        if team_id is None:
            form.errors[name] = _("Choose a team from the list.")
            continue
        if gap is not None:
            form.errors[name] = _(
                "Choose a %(earlier)s choice before a %(later)s one.",
                earlier=_ordinal(gap),
                later=_ordinal(name),
            )
        elif team_id in seen:
            form.errors[name] = _(
                "You chose this team already as your %(ordinal)s choice; choose another, or none.",
                ordinal=_ordinal(seen[team_id]),
            )
        else:
            seen[team_id] = name
            chosen.append(team_id)
    return chosen


async def preferences_page(request: Request) -> Response:
    """A participant ranks up to three teams, for the hosts' suggested teams."""
    challenge, roles = await visible_challenge(request, request.path_params["slug"])
    now = utcnow()
    policy.check(Action.JOIN_TEAM, challenge, roles, now)
    user = context.signed_in(request)
    db = context.db(request)
    options = await matching.team_options(db, challenge)
    if request.method == "POST":
        form = Form.from_submission(await submitted(request), matching.CHOICE_FIELDS)
        team_ids = parse_choices(form)
        if form.ok:
            try:
                await matching.save_preferences(
                    db, challenge_id=challenge.id, user_id=user.id, team_ids=team_ids, now=now
                )
            except Invalid as error:
                form.errors.update(error.errors)
            else:
                path = _path(request, "team.preferences", challenge)
                return redirect(request, path + "?done=saved")
    else:
        ranked = await matching.ranking_of(db, challenge.id, user.id)
        form = Form(
            values={
                name: str(team_id)
                for name, team_id in zip(matching.CHOICE_FIELDS, ranked, strict=False)
            }
        )
    own = await matching.teams_of_person(db, challenge.id, user.id)
    return render(
        request,
        "teams/preferences.html",
        PreferencesPage(
            challenge=challenge,
            options=options,
            own=own,
            on_team=challenge.one_team_per_participant and bool(own),
            form=form,
            fields=matching.CHOICE_FIELDS,
            notice=(
                _("Your choices are saved.")
                if request.query_params.get("done") == "saved"
                else None
            ),
        ),
    )


# Suggested teams (hosts) --------------------------------------------------------


async def _suggesting(request: Request) -> Challenge:
    """The challenge, if the viewer hosts it and it is in the teams phase."""
    return await challenge_for(request, Action.SUGGEST_TEAMS)


def _ids(request: Request, name: str) -> list[int]:
    raw = request.query_params.get(name, "")
    ids = [chosen for part in raw.split(",") if (chosen := parse_id(part)) is not None]
    return ids[:REPORTED_MAX]


async def suggest_teams(request: Request) -> Response:
    """The suggested assignment of people to the teams they ranked; POST applies it.

    Nothing changes until the host confirms: the POST works the suggestion out
    again from what is saved at that moment and applies that, reporting anyone
    who joined a team, or whose team filled, in the meantime.
    """
    challenge = await _suggesting(request)
    db = context.db(request)
    here = _path(request, "team.suggest", challenge)
    if request.method == "POST":
        applied = await matching.apply_suggestion(
            db, challenge=challenge, actor_id=context.signed_in(request).id, now=utcnow()
        )
        query = f"?applied={len(applied.placed)}"
        for why in matching.Skip:
            ids = [str(user_id) for user_id, _team, w in applied.skipped if w is why]
            if ids:
                query += f"&{why.value}={','.join(ids[:REPORTED_MAX])}"
        return redirect(request, here + query)

    report: dict[str, Any] | None = None
    applied_raw = request.query_params.get("applied", "")
    if applied_raw.isascii() and applied_raw.isdigit():
        skipped = {why: _ids(request, why.value) for why in matching.Skip}
        wanted = {user_id for ids in skipped.values() for user_id in ids}
        people = (
            {u.id: u for u in await db.scalars(select(User).where(User.id.in_(wanted)))}
            if wanted
            else {}
        )
        report = {
            "placed": int(applied_raw),
            "joined": [people[i] for i in skipped[matching.Skip.JOINED] if i in people],
            "full": [people[i] for i in skipped[matching.Skip.FULL] if i in people],
        }
    return render(
        request,
        "teams/suggest.html",
        {
            "challenge": challenge,
            "proposal": await matching.propose(db, challenge),
            "report": report,
            "team_pages": has_route(request, TEAM_ROUTE),
        },
    )


def _ordinal(field: str) -> str:
    """“first”, “second” or “third”, the choice a ranking field names, in words."""
    words = {"first": _("first"), "second": _("second"), "third": _("third")}
    return words.get(field, field)
