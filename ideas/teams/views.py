"""Team pages, and everything a team does.

The team page is made of parts (about, members, open roles, joining, the lead's
desk, updates), each in a template of its own. Every action is a plain form
post answered by a redirect to the part it changed. Sent by htmx, it is
answered in place: the part the form belongs to, the other parts the change
touched (out of band), and a line for the status region that screen readers
announce. A form with a problem comes back with the problem beside the field
and what was typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ideas import policy
from ideas.accounts.models import User
from ideas.accounts.names import public_name
from ideas.challenges.loaders import visible_challenge
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.db import utcnow
from ideas.errors import Invalid, NotFound
from ideas.i18n import _
from ideas.policy import Action, Role
from ideas.submissions.models import Idea
from ideas.teams import forms, matching, queries, services
from ideas.teams.models import JoinRequest, RequestKind, Team
from ideas.teams.pages import TeamPage
from ideas.web import context
from ideas.web.forms import Form, once, submitted, within_limit
from ideas.web.htmx import is_htmx, redirect
from ideas.web.ratelimit import Limit
from ideas.web.templating import render
from ideas.web.timing import evenly

PARTS = ("about", "members", "roles", "join", "lead", "updates")


@dataclass(frozen=True)
class Loaded:
    """A team with the idea it works on, its challenge, and the viewer's roles there."""

    team: Team
    idea: Idea
    challenge: Challenge
    roles: frozenset[Role]


async def _load(request: Request, team_id: int) -> Loaded:
    """The team, if the viewer may see its idea; 404 otherwise."""
    idea = await queries.team_idea(context.db(request), team_id)
    if idea is None or idea.team is None:
        raise NotFound()
    challenge = idea.challenge
    roles = policy.idea_roles(context.viewer(request), challenge, idea)
    if not policy.may(Action.SEE_CHALLENGE, challenge, roles, utcnow()):
        raise NotFound()
    if not policy.can_see_idea(idea, roles):
        raise NotFound()
    return Loaded(idea.team, idea, challenge, roles)


async def _for_action(request: Request) -> tuple[Loaded, User, datetime]:
    """The team of the URL, if the viewer may act on teams now (the teams phase)."""
    loaded = await _load(request, request.path_params["team_id"])
    now = utcnow()
    policy.check(Action.JOIN_TEAM, loaded.challenge, loaded.roles, now)
    return loaded, context.signed_in(request), now


def team_path(request: Request, team_id: int, part: str | None = None) -> str:
    path = context.path_for(request, "team.detail", team_id=team_id)
    return f"{path}#team-{part}" if part else path


def _join_state(
    viewer: User | None,
    loaded: Loaded,
    *,
    member: bool,
    open_now: bool,
    pending: JoinRequest | None,
    other_team: Idea | None,
    now: datetime,
) -> str:
    """Where the viewer stands with joining: what the "join" part shows them."""
    team, challenge = loaded.team, loaded.challenge
    if member:
        return "member"
    if not loaded.idea.is_shortlisted:
        return "not shortlisted"
    if not open_now:
        if viewer is None and challenge.phase_at(now) is Phase.TEAMS:
            return "visitor"
        return "closed"
    if pending is not None:
        return "invited" if pending.kind is RequestKind.INVITATION else "asked"
    if team.member_count >= challenge.team_capacity:
        return "full"
    if team.lead_id is None:
        return "no lead"
    if other_team is not None:
        return "other team"
    return "can ask"


async def _context(
    request: Request,
    loaded: Loaded,
    now: datetime,
    *,
    part_forms: dict[str, Form] | None = None,
    notice: str = "",
) -> TeamPage:
    """Everything the team page and its parts show. A fixed number of queries."""
    db = context.db(request)
    viewer = context.viewer(request)
    team, challenge = loaded.team, loaded.challenge
    lead = policy.may_manage_team(viewer, team)
    member = viewer is not None and policy.is_member(viewer, team)
    open_now = loaded.idea.is_shortlisted and policy.may(
        Action.JOIN_TEAM, challenge, loaded.roles, now
    )
    part_forms = dict(part_forms or {})
    pending = other_team = None
    if viewer is not None and not member:
        pending = await queries.pending_of(db, team.id, viewer.id)
        if challenge.one_team_per_participant:
            other_team = await queries.other_team_idea(db, challenge.id, viewer.id, team.id)
    join_state = _join_state(
        viewer,
        loaded,
        member=member,
        open_now=open_now,
        pending=pending,
        other_team=other_team,
        now=now,
    )
    if join_state == "can ask" and viewer is not None and "ask" not in part_forms:
        part_forms["ask"] = forms.ask_blank(await queries.skill_names(db, viewer.id))
    open_requests = await queries.open_requests(db, team.id) if lead else []
    return TeamPage(
        team=team,
        idea=loaded.idea,
        challenge=challenge,
        members=team.members,
        member_names={m.user_id: public_name(m.user) for m in team.members},
        updates=await queries.updates(db, team.id),
        is_lead=lead,
        is_member=member,
        open_now=open_now,
        is_full=team.member_count >= challenge.team_capacity,
        join_state=join_state,
        pending=pending,
        other_team=other_team,
        requests_waiting=[r for r in open_requests if r.kind is RequestKind.REQUEST],
        invitations_out=[r for r in open_requests if r.kind is RequestKind.INVITATION],
        seekers=(await queries.seekers(db, challenge, team.id)) if lead and open_now else [],
        suggested_people=await matching.suggested_people(db, team) if lead and open_now else [],
        can_invite=lead and open_now,
        may_post_update=open_now and policy.may_post_team_update(viewer, team),
        may_fill={
            role.id: open_now
            and viewer is not None
            and policy.may_fill_role(
                viewer,
                team,
                filled_by=role.filled_by_id,
                to=None if role.filled_by_id == viewer.id else viewer.id,
            )
            for role in team.roles
        },
        forms=part_forms,
        limits=forms.LIMITS,
        notice=notice,
        primary=None,
        changed=(),
        now=now,
    )


async def _answer(
    request: Request,
    team_id: int,
    now: datetime,
    *,
    part: str,
    changed: Iterable[str] = (),
    notice: str = "",
    part_forms: dict[str, Form] | None = None,
) -> Response:
    """After an action: back to the page (a redirect, or the page with the form's
    problem), or for htmx the changed parts of it."""
    if not is_htmx(request) and not part_forms:
        return redirect(request, team_path(request, team_id, part))
    # What the request read before the change is out of date: read the team again.
    loaded = await _load(request, team_id)
    page = await _context(request, loaded, now, part_forms=part_forms, notice=notice)
    # A form that comes back says with its status why (a 429 with its Retry-After).
    status, headers = 200, {}
    for form in (part_forms or {}).values():
        if form.status != 200:
            status, headers = form.status, form.headers
    if not is_htmx(request):
        return render(request, "teams/detail.html", page, status_code=status, headers=headers)
    touched = tuple(p for p in PARTS if p in set(changed) and p != part)
    return render(
        request,
        "teams/_changed.html",
        replace(page, primary=part, changed=touched),
        status_code=status,
        headers=headers,
    )


# Pages ------------------------------------------------------------------------------


async def team_page(request: Request) -> Response:
    """A team: its idea, lead and members, open roles, updates, and what the viewer
    can do there. For htmx, the team's parts without the page around them."""
    loaded = await _load(request, request.path_params["team_id"])
    page = await _context(request, loaded, utcnow())
    return render(request, "teams/detail.html", page, block="team")


async def challenge_teams(request: Request) -> Response:
    """Every team of a challenge, with its lead, how full it is and its open roles."""
    challenge, _ignored = await visible_challenge(request, request.path_params["slug"])
    teams = await queries.challenge_teams(context.db(request), challenge.id)
    return render(request, "teams/list.html", {"challenge": challenge, "teams": teams})


async def my_requests(request: Request) -> Response:
    """The viewer's requests to join and invitations, in every challenge."""
    user = context.signed_in(request)
    rows = await queries.requests_of(context.db(request), user.id)
    return render(request, "teams/requests.html", _requests_context(user, rows), block="list")


def _requests_context(
    user: User, rows: list[queries.RequestRow], notice: str = ""
) -> dict[str, Any]:
    now = utcnow()
    roles = policy.site_roles(user)
    return {
        "rows": rows,
        "open_challenges": {
            row.challenge.id
            for row in rows
            if policy.may(Action.JOIN_TEAM, row.challenge, roles, now)
        },
        "notice": notice,
        "now": now,
    }


# Asking to join and answering -------------------------------------------------------


async def ask_to_join(request: Request) -> Response:
    loaded, user, now = await _for_action(request)
    sent = await submitted(request)
    form, data = forms.parse_ask(sent)
    if data is None or not await within_limit(request, Limit.POST, form):
        return await _answer(request, loaded.team.id, now, part="join", part_forms={"ask": form})
    await services.ask_to_join(
        context.db(request),
        team_id=loaded.team.id,
        user_id=user.id,
        data=data,
        now=now,
        once=once(request, sent),
    )
    return await _answer(
        request, loaded.team.id, now, part="join", notice=_("Your request was sent to the lead.")
    )


async def accept_request(request: Request) -> Response:
    """The lead lets someone who asked join."""
    loaded, user, now = await _for_action(request)
    accepted = await services.accept_request(
        context.db(request),
        team_id=loaded.team.id,
        request_id=request.path_params["request_id"],
        actor_id=user.id,
        now=now,
        once=once(request, await submitted(request)),
    )
    person = await context.db(request).get(User, accepted.user_id)
    name = person.display_name if person is not None else "They"
    return await _answer(
        request,
        loaded.team.id,
        now,
        part="lead",
        changed=("members", "roles"),
        notice=_("%(name)s joined the team.", name=name),
    )


async def decline_request(request: Request) -> Response:
    """The lead says no to a request, with an optional reason."""
    loaded, user, now = await _for_action(request)
    request_id: int = request.path_params["request_id"]
    form, reason = forms.parse_reason(await submitted(request))
    if reason is None:
        return await _answer(
            request, loaded.team.id, now, part="lead", part_forms={f"decline-{request_id}": form}
        )
    await services.decline_request(
        context.db(request),
        team_id=loaded.team.id,
        request_id=request_id,
        actor_id=user.id,
        reason=reason,
        now=now,
    )
    return await _answer(request, loaded.team.id, now, part="lead", notice=_("Request declined."))


async def invite(request: Request) -> Response:
    """The lead invites someone looking for a team, or anyone by e-mail address."""
    loaded, user, now = await _for_action(request)
    sent = await submitted(request)
    form, data = forms.parse_invite(sent)
    if data is not None and await within_limit(request, Limit.POST, form):
        try:
            # By address, the answer must not tell whether anyone uses it: the same
            # words, and the same time.
            async with evenly():
                invitation = await services.invite(
                    context.db(request),
                    team_id=loaded.team.id,
                    actor_id=user.id,
                    data=data,
                    now=now,
                    once=once(request, sent),
                )
        except Invalid as error:
            form.errors.update(error.errors)
        else:
            if invitation.email is not None:
                notice = _("If someone uses that address, they have been invited.")
            else:
                person = await context.db(request).get(User, invitation.user_id)
                notice = (
                    _("%(name)s is invited.", name=person.display_name)
                    if person
                    else _("They are invited.")
                )
            return await _answer(request, loaded.team.id, now, part="lead", notice=notice)
    return await _answer(request, loaded.team.id, now, part="lead", part_forms={"invite": form})


async def withdraw_request(request: Request) -> Response:
    """The person takes back a request they made."""
    user = context.signed_in(request)
    request_id: int = request.path_params["request_id"]
    await services.withdraw_request(
        context.db(request), request_id=request_id, user_id=user.id, now=utcnow()
    )
    return await _request_answered(request, user, request_id, notice=_("Request withdrawn."))


async def _invitation_for(request: Request) -> tuple[User, int, datetime]:
    """The viewer's invitation of the URL, if they may answer it now."""
    user = context.signed_in(request)
    request_id: int = request.path_params["request_id"]
    row = await queries.request_of(context.db(request), user.id, request_id)
    if row is None or row.request.kind is not RequestKind.INVITATION:
        raise NotFound()
    now = utcnow()
    policy.check(Action.JOIN_TEAM, row.challenge, policy.site_roles(user), now)
    return user, request_id, now


async def accept_invitation(request: Request) -> Response:
    user, request_id, now = await _invitation_for(request)
    await services.accept_invitation(
        context.db(request),
        request_id=request_id,
        user_id=user.id,
        now=now,
        once=once(request, await submitted(request)),
    )
    if not is_htmx(request):
        row = await queries.request_of(context.db(request), user.id, request_id)
        if row is not None:
            return redirect(request, team_path(request, row.request.team_id, "members"))
    # Joining may have ended other invitations and requests: show the whole list again.
    rows = await queries.requests_of(context.db(request), user.id)
    return render(
        request,
        "teams/requests.html",
        _requests_context(user, rows, notice=_("You joined the team.")),
        block="list",
    )


async def decline_invitation(request: Request) -> Response:
    user, request_id, now = await _invitation_for(request)
    await services.decline_invitation(
        context.db(request), request_id=request_id, user_id=user.id, now=now
    )
    return await _request_answered(request, user, request_id, notice=_("Invitation declined."))


async def _request_answered(
    request: Request, user: User, request_id: int, *, notice: str
) -> Response:
    path = context.path_for(request, "team.requests")
    if not is_htmx(request):
        return redirect(request, f"{path}#request-{request_id}")
    row = await queries.request_of(context.db(request), user.id, request_id)
    if row is None:
        raise NotFound()
    values = _requests_context(user, [row], notice=notice)
    return render(
        request, "teams/requests.html", {**values, "row": row, "row_only": True}, block="row"
    )


# Members ----------------------------------------------------------------------------


async def leave(request: Request) -> Response:
    loaded, user, now = await _for_action(request)
    await services.leave_team(context.db(request), team_id=loaded.team.id, user_id=user.id, now=now)
    return await _answer(
        request,
        loaded.team.id,
        now,
        part="members",
        changed=PARTS,
        notice=_("You left the team."),
    )


async def remove_member(request: Request) -> Response:
    loaded, user, now = await _for_action(request)
    user_id: int = request.path_params["user_id"]
    name = next((m.user.display_name for m in loaded.team.members if m.user_id == user_id), "")
    await services.remove_member(
        context.db(request), team_id=loaded.team.id, actor_id=user.id, user_id=user_id, now=now
    )
    return await _answer(
        request,
        loaded.team.id,
        now,
        part="members",
        changed=("roles", "lead"),
        notice=_("%(name)s is no longer on the team.", name=name),
    )


async def hand_over(request: Request) -> Response:
    loaded, user, now = await _for_action(request)
    to = forms.person_id(await submitted(request))
    name = next((m.user.display_name for m in loaded.team.members if m.user_id == to), "")
    await services.hand_over(
        context.db(request), team_id=loaded.team.id, actor_id=user.id, to_user_id=to, now=now
    )
    return await _answer(
        request,
        loaded.team.id,
        now,
        part="members",
        changed=PARTS,
        notice=_("%(name)s leads the team now.", name=name),
    )


# Open roles -------------------------------------------------------------------------


async def add_role(request: Request) -> Response:
    loaded, user, now = await _for_action(request)
    sent = await submitted(request)
    form, data = forms.parse_role(sent)
    if data is None:
        return await _answer(
            request, loaded.team.id, now, part="roles", part_forms={"role-new": form}
        )
    await services.add_role(
        context.db(request),
        team_id=loaded.team.id,
        actor_id=user.id,
        data=data,
        now=now,
        once=once(request, sent),
    )
    return await _answer(
        request,
        loaded.team.id,
        now,
        part="roles",
        notice=_("The role “%(role)s” is open.", role=data.title),
    )


async def edit_role(request: Request) -> Response:
    loaded, user, now = await _for_action(request)
    role_id: int = request.path_params["role_id"]
    form, data = forms.parse_role(await submitted(request))
    if data is None:
        return await _answer(
            request, loaded.team.id, now, part="roles", part_forms={f"role-{role_id}": form}
        )
    await services.edit_role(
        context.db(request),
        team_id=loaded.team.id,
        role_id=role_id,
        actor_id=user.id,
        data=data,
        now=now,
    )
    return await _answer(request, loaded.team.id, now, part="roles", notice=_("Role saved."))


async def remove_role(request: Request) -> Response:
    loaded, user, now = await _for_action(request)
    await services.remove_role(
        context.db(request),
        team_id=loaded.team.id,
        role_id=request.path_params["role_id"],
        actor_id=user.id,
        now=now,
    )
    return await _answer(request, loaded.team.id, now, part="roles", notice=_("Role removed."))


async def fill_role(request: Request) -> Response:
    """Say which member fills a role (a member takes an open one), or open it again."""
    loaded, user, now = await _for_action(request)
    filled_by = forms.optional_person_id(await submitted(request))
    await services.fill_role(
        context.db(request),
        team_id=loaded.team.id,
        role_id=request.path_params["role_id"],
        actor_id=user.id,
        filled_by=filled_by,
        now=now,
    )
    return await _answer(
        request,
        loaded.team.id,
        now,
        part="roles",
        changed=("members",),
        notice=_("Role filled.") if filled_by is not None else _("The role is open again."),
    )


# Updates and "about" ----------------------------------------------------------------


async def post_update(request: Request) -> Response:
    loaded, user, now = await _for_action(request)
    sent = await submitted(request)
    form, body = forms.parse_update(sent)
    if body is None or not await within_limit(request, Limit.POST, form):
        return await _answer(
            request, loaded.team.id, now, part="updates", part_forms={"update": form}
        )
    await services.post_update(
        context.db(request),
        team_id=loaded.team.id,
        author_id=user.id,
        body=body,
        now=now,
        once=once(request, sent),
    )
    return await _answer(request, loaded.team.id, now, part="updates", notice=_("Update posted."))


async def edit_about(request: Request) -> Response:
    loaded, user, now = await _for_action(request)
    form, about = forms.parse_about(await submitted(request))
    if about is None:
        return await _answer(request, loaded.team.id, now, part="about", part_forms={"about": form})
    await services.edit_about(
        context.db(request), team_id=loaded.team.id, actor_id=user.id, about=about, now=now
    )
    return await _answer(request, loaded.team.id, now, part="about", notice="Saved.")
