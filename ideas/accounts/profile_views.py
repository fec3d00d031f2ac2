"""Profiles, the settings page, data rights, and the admin's list of people."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ideas import policy, zones
from ideas.accounts import export, forms, queries, services, sessions
from ideas.accounts.models import User
from ideas.accounts.pages import SettingsPage
from ideas.db import utcnow
from ideas.errors import Invalid, NotFound
from ideas.i18n import _
from ideas.impact import queries as impact_queries
from ideas.media.pictures import prepare_avatar
from ideas.media.uploads import picture_from
from ideas.web import context
from ideas.web.errors import Refusal, answer_refusals
from ideas.web.forms import Form, submitted, within_limit
from ideas.web.htmx import redirect
from ideas.web.ratelimit import Limit
from ideas.web.sessions import idle_time, lifetime, sign_out
from ideas.web.templating import render

DELETE_CONFIRMATION = "delete my account"


def _profile_form(user: User) -> Form:
    return Form(
        values={
            "display_name": user.display_name,
            "bio": user.bio,
            "location": user.location,
            "skills": ", ".join(skill.name for skill in user.skills),
            "links": "\n".join(user.links),
        }
    )


async def _settings_page(
    request: Request,
    user: User,
    *,
    form: Form | None = None,
    zone_form: Form | None = None,
    picture_form: Form | None = None,
    notice: str | None = None,
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    db = context.db(request)
    linked = {identity.provider for identity in user.identities}
    settings = context.settings(request)
    return render(
        request,
        "accounts/settings.html",
        SettingsPage(
            person=user,
            sessions=await sessions.sessions_of(
                db,
                user.id,
                current=request.state.web_session,
                now=utcnow(),
                idle=idle_time(settings),
                lifetime=lifetime(settings),
            ),
            form=form or _profile_form(user),
            skill_suggestions=await queries.popular_skills(db),
            providers={p.key: p for p in request.app.state.providers},
            linkable=[p for p in request.app.state.providers if p.key not in linked],
            notice=notice,
            problem=problem,
            zone_form=zone_form or Form(values={"time_zone": user.time_zone or ""}),
            picture_form=picture_form or Form(),
            browser_zone=request.cookies.get(zones.COOKIE)
            if zones.zone_named(request.cookies.get(zones.COOKIE))
            else None,
        ),
        block="profile_form"
        if form is not None
        else ("zone_form" if zone_form else ("picture_form" if picture_form else None)),
        status_code=picture_form.status if picture_form is not None else status_code,
        headers=picture_form.headers if picture_form is not None else None,
    )


async def _me(request: Request) -> User:
    viewer = context.signed_in(request)
    user = await queries.profile(context.db(request), viewer.id)
    if user is None:
        raise NotFound()
    return user


async def settings_page(request: Request) -> Response:
    user = await _me(request)
    notice = {
        "saved": _("Your profile is saved."),
        "email": _("Your e-mail choice is saved."),
        "session": _("That session is signed out."),
        "zone": _("Your time zone is saved."),
        "picture": _("Your picture is saved."),
        "no-picture": _("Your picture is removed."),
    }.get(request.query_params.get("done", ""))
    return await _settings_page(request, user, notice=notice)


async def update_profile(request: Request) -> Response:
    user = await _me(request)
    form, data = forms.parse(await submitted(request))
    if data is None:
        return await _settings_page(request, user, form=form)
    await services.update_profile(context.db(request), user_id=user.id, data=data, now=utcnow())
    return redirect(request, context.path_for(request, "settings") + "?done=saved")


async def update_picture(request: Request) -> Response:
    """Upload one's own picture, shown beside one's name; or take it away (initials show)."""
    user = await _me(request)
    sent = await submitted(request)
    form = Form.from_submission(sent, ("remove_picture",))
    if form.ok and await within_limit(request, Limit.POST, form):
        remove = form.checked("remove_picture")
        try:
            chosen = (
                None if remove else await picture_from(sent, "picture", prepare_with=prepare_avatar)
            )
            if chosen is None and not remove:
                raise Invalid({"picture": _("Choose a picture, or tick “Remove my picture”.")})
        except Invalid as error:
            form.errors.update(error.errors)
        else:
            await services.set_avatar(context.db(request), user_id=user.id, picture=chosen)
            done = "no-picture" if chosen is None else "picture"
            settings = context.path_for(request, "settings")
            return redirect(request, f"{settings}?done={done}#picture")
    return await _settings_page(request, user, picture_form=form)


async def update_time_zone(request: Request) -> Response:
    """Choose the zone times are shown and typed in; empty: follow the browser's."""
    user = await _me(request)
    form = Form.from_submission(await submitted(request), ("time_zone",))
    zone = form.zone("time_zone", label=_("Your time zone"))
    if not form.ok:
        return await _settings_page(request, user, zone_form=form, status_code=400)
    await services.set_time_zone(
        context.db(request), user_id=user.id, time_zone=zone.key if zone else None
    )
    return redirect(request, context.path_for(request, "settings") + "?done=zone#time-zone")


async def unlink(request: Request) -> Response:
    user = await _me(request)

    async def refused(refusal: Refusal) -> Response:
        return await _settings_page(
            request, user, problem=refusal.message, status_code=refusal.status
        )

    answer_refusals(request, refused, statuses=(409,), htmx_only=False)
    await services.unlink_identity(
        context.db(request),
        user_id=user.id,
        identity_id=request.path_params["identity_id"],
        now=utcnow(),
    )
    return RedirectResponse(context.path_for(request, "settings"), status_code=303)


async def end_session(request: Request) -> Response:
    """Sign out one of one's own sessions; the one in use, like signing out."""
    user = context.signed_in(request)
    ended = await sessions.end_one_of(context.db(request), user.id, request.path_params["handle"])
    current = request.state.web_session
    if current is not None and ended.id == current.id:
        await sign_out(request)
        return RedirectResponse(context.path_for(request, "home"), status_code=303)
    return redirect(request, context.path_for(request, "settings") + "?done=session#sessions")


async def sign_out_everywhere(request: Request) -> Response:
    user = context.signed_in(request)
    await services.sign_out_everywhere(context.db(request), user_id=user.id)
    await sign_out(request)
    return RedirectResponse(context.path_for(request, "home"), status_code=303)


async def download_data(request: Request) -> Response:
    user = context.signed_in(request)
    data = await export.export(context.db(request), user.id)
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="ideas-{user.id}.json"',
            "Cache-Control": "private, no-store",
        },
    )


async def delete_account(request: Request) -> Response:
    user = context.signed_in(request)
    form = Form()
    if request.method == "POST":
        form = Form.from_submission(await submitted(request), ("confirm",))
        if form.values["confirm"].strip().lower() != DELETE_CONFIRMATION:
            form.errors["confirm"] = _("Type “%(word)s” to confirm.", word=DELETE_CONFIRMATION)
        else:
            await services.delete_account(context.db(request), user_id=user.id, now=utcnow())
            await sign_out(request)
            return RedirectResponse(context.path_for(request, "home"), status_code=303)
    return render(
        request,
        "accounts/delete.html",
        {"form": form, "confirmation": DELETE_CONFIRMATION},
    )


async def profile(request: Request) -> Response:
    db = context.db(request)
    person = await queries.profile(db, request.path_params["user_id"])
    viewer = context.viewer(request)
    if person is None or not policy.may_see_profile(person, viewer):
        raise NotFound()
    now = utcnow()
    ideas = [
        idea
        for idea in await queries.ideas_by(db, person.id)
        if policy.may(
            policy.Action.SEE_CHALLENGE,
            idea.challenge,
            policy.challenge_roles(viewer, idea.challenge),
            now,
        )
        and policy.can_see_idea(idea, policy.idea_roles(viewer, idea.challenge, idea))
    ]
    return render(
        request,
        "accounts/profile.html",
        {
            "person": person,
            "ideas": ideas,
            "credit": await queries.built_on_credit(db, person.id),
            "implemented_credit": await impact_queries.led_to_implemented(
                db, person.id, viewer=viewer, now=now
            ),
            "is_me": viewer is not None and viewer.id == person.id,
        },
    )


# Admin ----------------------------------------------------------------------


async def people(request: Request) -> Response:
    policy.require_admin(context.viewer(request))
    search = request.query_params.get("q", "").strip()[:100]
    return render(
        request,
        "admin/people.html",
        {"people": await queries.people(context.db(request), search), "search": search},
        block="people",
    )


async def change_role(request: Request) -> Response:
    admin = context.signed_in(request)
    policy.require_admin(admin)
    form = await submitted(request)
    role, action = form.get("role"), form.get("action")
    if role not in {"host", "admin"} or action not in {"grant", "revoke"}:
        raise HTTPException(400, _("Choose a role and whether to grant or revoke it."))
    await services.set_role(
        context.db(request),
        actor_id=admin.id,
        user_id=request.path_params["user_id"],
        role=services.Role(role),
        granted=action == "grant",
        now=utcnow(),
    )
    return redirect(request, context.path_for(request, "admin.people"))


async def suspend(request: Request) -> Response:
    admin = context.signed_in(request)
    policy.require_admin(admin)
    action = (await submitted(request)).get("action")
    if action not in {"suspend", "reinstate"}:
        raise HTTPException(400, _("Choose to suspend or reinstate."))
    await services.set_suspended(
        context.db(request),
        actor_id=admin.id,
        user_id=request.path_params["user_id"],
        suspended=action == "suspend",
        now=utcnow(),
    )
    return redirect(request, context.path_for(request, "admin.people"))
