"""What people do in teams. Each function is one write transaction.

Every way into a team ends in ``membership.join``, after ``membership.lock_team``.
Rows are locked in one order everywhere: the team, then the person joining,
then their request or invitation. ``join`` expires a person's other pending
requests (one team per challenge) and a full team's, so it must never wait for
a row that a transaction holding the person's lock could want first.

Who may do what is asked of ``policy`` here, under the locks, so that it holds
at the moment of the change (the lead is still the lead), and so are the
checks the change needs (the request is still open). In which phase teams form
is asked by the views before they call here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from ideas import audit, form_tokens, markdown, policy
from ideas.accounts.models import Skill, User
from ideas.challenges import queries as challenge_queries
from ideas.challenges.models import Challenge
from ideas.db import write
from ideas.errors import Conflict, Invalid, NotFound
from ideas.form_tokens import Once
from ideas.i18n import _, lazy_gettext, ngettext
from ideas.notifications import events as notification_events
from ideas.policy import Action
from ideas.submissions.models import Idea
from ideas.teams import invitations
from ideas.teams.forms import AskInput, InviteInput, RoleInput
from ideas.teams.membership import is_on_a_team, join, leave, lock_team
from ideas.teams.models import (
    JoinRequest,
    RequestKind,
    RequestStatus,
    Team,
    TeamMember,
    TeamRole,
    TeamRoleSkill,
    TeamUpdate,
)

NO_LONGER_OPEN = lazy_gettext("That request is no longer open.")
ROLES_MAX = 20
NO_LEAD = lazy_gettext("Nobody is on this team now, so nobody can answer a request to join.")


# Pieces ---------------------------------------------------------------------------


async def _open_team(tx: AsyncSession, team_id: int) -> tuple[Team, Challenge]:
    """The team, locked, if its idea is (still) shortlisted; NotFound otherwise."""
    team = await lock_team(tx, team_id)
    idea = await tx.get(Idea, team.idea_id)
    challenge = await tx.get(Challenge, team.challenge_id)
    if idea is None or not idea.is_shortlisted or challenge is None:
        raise NotFound()
    return team, challenge


async def _lock_person(tx: AsyncSession, user_id: int) -> User:
    person = await tx.scalar(select(User).where(User.id == user_id).with_for_update(key_share=True))
    if person is None:
        raise NotFound()
    return person


async def _lock_request(tx: AsyncSession, request_id: int) -> JoinRequest:
    request = await tx.get(JoinRequest, request_id, with_for_update=True, populate_existing=True)
    if request is None:
        raise NotFound()
    return request


async def _require_participant(tx: AsyncSession, team: Team, person_id: int, now: datetime) -> None:
    """``person_id`` may take part in the teams of ``team``'s challenge now."""
    challenge = await challenge_queries.for_policy(tx, team.challenge_id)
    if challenge is None:
        raise NotFound()
    roles = policy.challenge_roles(await tx.get(User, person_id), challenge)
    policy.check(Action.JOIN_TEAM, challenge, roles, now)


async def _require_lead(tx: AsyncSession, team: Team, actor_id: int, now: datetime) -> None:
    """The actor leads ``team`` now: a hand-over may have happened since the page was read."""
    await _require_participant(tx, team, actor_id, now)
    policy.require_manage_team(await tx.get(User, actor_id), team)


async def _load_members(tx: AsyncSession, team: Team) -> None:
    """Fill in ``team.members``, which the policy reads to tell members apart."""
    members = (await tx.scalars(select(TeamMember).where(TeamMember.team_id == team.id))).all()
    set_committed_value(team, "members", list(members))


async def _pending(tx: AsyncSession, team_id: int, user_id: int) -> JoinRequest | None:
    pending: JoinRequest | None = await tx.scalar(
        select(JoinRequest).where(
            JoinRequest.team_id == team_id,
            JoinRequest.user_id == user_id,
            JoinRequest.status == RequestStatus.PENDING,
        )
    )
    return pending


def _full(challenge: Challenge) -> Conflict:
    return Conflict(
        ngettext(
            "The team is full: it has %(num)d member.",
            "The team is full: it has %(num)d members.",
            challenge.team_capacity,
        )
    )


def _record(
    tx: AsyncSession, action: str, team: Team, actor_id: int, now: datetime, **data: object
) -> None:
    audit.record(
        tx,
        actor_id=actor_id,
        action=action,
        subject_type="team",
        subject_id=team.id,
        challenge_id=team.challenge_id,
        at=now,
        **data,
    )


async def _skills_named(tx: AsyncSession, names: Sequence[str]) -> list[Skill]:
    """The shared skill tags with these names, created when first used (as on profiles)."""
    keys = {name.casefold(): name for name in names}
    if not keys:
        return []
    known = {
        skill.key: skill for skill in await tx.scalars(select(Skill).where(Skill.key.in_(keys)))
    }
    for key, name in keys.items():
        if key not in known:
            known[key] = Skill(name=name, key=key)
            tx.add(known[key])
    await tx.flush()
    return [known[key] for key in keys]


# Asking to join -------------------------------------------------------------------


async def ask_to_join(
    session: AsyncSession,
    *,
    team_id: int,
    user_id: int,
    data: AskInput,
    now: datetime,
    once: Once | None = None,
) -> JoinRequest:
    """A participant asks the lead to let them join, with a message and their skills."""
    try:
        async with write(session) as tx:
            if (made_id := await form_tokens.claim(tx, once, "join request", now)) is not None:
                return await form_tokens.earlier(tx, JoinRequest, made_id)
            team, challenge = await _open_team(tx, team_id)
            await _require_participant(tx, team, user_id, now)
            await _lock_person(tx, user_id)
            if await tx.get(TeamMember, (team.id, user_id)) is not None:
                raise Conflict(_("You are already on this team."))
            pending = await _pending(tx, team.id, user_id)
            if pending is not None and pending.kind is RequestKind.INVITATION:
                raise Conflict(_("The lead has already invited you: answer the invitation."))
            if pending is not None:
                raise Conflict(_("You have already asked to join this team; the lead will answer."))
            if team.member_count >= challenge.team_capacity:
                raise _full(challenge)
            if team.lead_id is None:
                raise Conflict(NO_LEAD)
            if challenge.one_team_per_participant and await is_on_a_team(tx, challenge.id, user_id):
                raise Conflict(
                    _(
                        "You are already on another team in this challenge, and each "
                        "participant joins one team."
                    )
                )
            request = JoinRequest(
                team_id=team.id,
                user_id=user_id,
                kind=RequestKind.REQUEST,
                message=data.message,
                skills=data.skills,
                created_at=now,
            )
            tx.add(request)
            await tx.flush()
            await form_tokens.made(tx, once, request.id)
            await notification_events.on_team_event(tx, request=request, actor_id=user_id, now=now)
    except IntegrityError:
        # The index that allows one open request per person and team.
        raise Conflict(
            _("You have already asked to join this team; the lead will answer.")
        ) from None
    return request


async def withdraw_request(
    session: AsyncSession, *, request_id: int, user_id: int, now: datetime
) -> None:
    """The person takes back their own request while it is open, in any phase: it only
    removes what they asked."""
    async with write(session) as tx:
        team_id = await tx.scalar(
            select(JoinRequest.team_id).where(
                JoinRequest.id == request_id,
                JoinRequest.user_id == user_id,
                JoinRequest.kind == RequestKind.REQUEST,
            )
        )
        if team_id is None:
            raise NotFound()
        await lock_team(tx, team_id)
        request = await _lock_request(tx, request_id)
        if request.status is not RequestStatus.PENDING:
            raise Conflict(NO_LONGER_OPEN)
        request.status = RequestStatus.WITHDRAWN
        request.decided_at = now


async def accept_request(
    session: AsyncSession,
    *,
    team_id: int,
    request_id: int,
    actor_id: int,
    now: datetime,
    once: Once | None = None,
) -> JoinRequest:
    """The lead lets the person who asked join the team."""
    async with write(session) as tx:
        if (made_id := await form_tokens.claim(tx, once, "acceptance", now)) is not None:
            return await form_tokens.earlier(tx, JoinRequest, made_id)
        team, _ignored = await _open_team(tx, team_id)
        await _require_lead(tx, team, actor_id, now)
        user_id = await tx.scalar(
            select(JoinRequest.user_id).where(
                JoinRequest.id == request_id,
                JoinRequest.team_id == team.id,
                JoinRequest.kind == RequestKind.REQUEST,
            )
        )
        if user_id is None:
            raise NotFound()
        await _lock_person(tx, user_id)
        request = await _lock_request(tx, request_id)
        if request.status is not RequestStatus.PENDING:
            raise Conflict(NO_LONGER_OPEN)
        request.status = RequestStatus.ACCEPTED
        request.decided_at = now
        await tx.flush()
        await join(tx, team=team, user_id=user_id, now=now)
        await form_tokens.made(tx, once, request.id)
        _record(tx, "team.accept", team, actor_id, now, user_id=user_id, request_id=request_id)
        await notification_events.on_team_event(tx, request=request, actor_id=actor_id, now=now)
    return request


async def decline_request(
    session: AsyncSession,
    *,
    team_id: int,
    request_id: int,
    actor_id: int,
    reason: str,
    now: datetime,
) -> JoinRequest:
    """The lead says no, with an optional reason the person sees."""
    async with write(session) as tx:
        team = await lock_team(tx, team_id)
        await _require_lead(tx, team, actor_id, now)
        request = await _lock_request(tx, request_id)
        if request.team_id != team.id or request.kind is not RequestKind.REQUEST:
            raise NotFound()
        if request.status is not RequestStatus.PENDING:
            raise Conflict(NO_LONGER_OPEN)
        request.status = RequestStatus.DECLINED
        request.reason = reason
        request.decided_at = now
        _record(
            tx, "team.decline", team, actor_id, now, user_id=request.user_id, request_id=request_id
        )
        await notification_events.on_team_event(tx, request=request, actor_id=actor_id, now=now)
    return request


# Invitations ----------------------------------------------------------------------


async def invite(
    session: AsyncSession,
    *,
    team_id: int,
    actor_id: int,
    data: InviteInput,
    now: datetime,
    once: Once | None = None,
) -> JoinRequest:
    """The lead invites a participant (chosen from the people looking for a team) or
    whoever uses an e-mail address; they join when they accept.

    An invitation by address answers the same whether anyone uses the address
    (``ideas.teams.invitations``): it names nobody and refuses nothing about them.
    """
    async with write(session) as tx:
        if (made_id := await form_tokens.claim(tx, once, "invitation", now)) is not None:
            return await form_tokens.earlier(tx, JoinRequest, made_id)
        team, challenge = await _open_team(tx, team_id)
        await _require_lead(tx, team, actor_id, now)
        if team.member_count >= challenge.team_capacity:
            raise _full(challenge)
        if data.user_id is None:
            invitation = await invitations.invite_address(
                tx,
                team=team,
                challenge=challenge,
                actor_id=actor_id,
                address=data.email,
                message=data.message,
                now=now,
            )
            await form_tokens.made(tx, once, invitation.id)
            _record(
                tx, "team.invite", team, actor_id, now, email=invitation.email,
                user_id=invitation.user_id, request_id=invitation.id,
            )  # fmt: skip
            return invitation
        person = await tx.get(User, data.user_id)
        if person is None or not person.is_active:
            raise Invalid({"user_id": _("Choose someone from the list.")})
        await _lock_person(tx, person.id)
        name = person.display_name
        if await tx.get(TeamMember, (team.id, person.id)) is not None:
            raise Invalid({"user_id": _("%(name)s is already on this team.", name=name)})
        pending = await _pending(tx, team.id, person.id)
        if pending is not None and pending.kind is RequestKind.REQUEST:
            raise Invalid(
                {
                    "user_id": _(
                        "%(name)s has already asked to join: answer their request.", name=name
                    )
                }
            )
        if pending is not None:
            raise Invalid(
                {"user_id": _("%(name)s is already invited and has not answered yet.", name=name)}
            )
        if challenge.one_team_per_participant and await is_on_a_team(tx, challenge.id, person.id):
            raise Invalid(
                {"user_id": _("%(name)s is already on another team in this challenge.", name=name)}
            )
        invitation = JoinRequest(
            team_id=team.id,
            user_id=person.id,
            kind=RequestKind.INVITATION,
            message=data.message,
            created_at=now,
        )
        tx.add(invitation)
        await tx.flush()
        await form_tokens.made(tx, once, invitation.id)
        _record(tx, "team.invite", team, actor_id, now, user_id=person.id, request_id=invitation.id)
        await notification_events.on_team_event(tx, request=invitation, actor_id=actor_id, now=now)
    return invitation


async def _invitation_team(tx: AsyncSession, request_id: int, user_id: int) -> int:
    team_id = await tx.scalar(
        select(JoinRequest.team_id).where(
            JoinRequest.id == request_id,
            JoinRequest.user_id == user_id,
            JoinRequest.kind == RequestKind.INVITATION,
        )
    )
    if team_id is None:
        raise NotFound()
    return team_id


async def accept_invitation(
    session: AsyncSession,
    *,
    request_id: int,
    user_id: int,
    now: datetime,
    once: Once | None = None,
) -> JoinRequest:
    """The invitee says yes and joins the team."""
    async with write(session) as tx:
        if (made_id := await form_tokens.claim(tx, once, "acceptance", now)) is not None:
            return await form_tokens.earlier(tx, JoinRequest, made_id)
        team, challenge = await _open_team(tx, await _invitation_team(tx, request_id, user_id))
        await _require_participant(tx, team, user_id, now)
        await _lock_person(tx, user_id)
        invitation = await _lock_request(tx, request_id)
        if invitation.status is not RequestStatus.PENDING:
            raise Conflict(NO_LONGER_OPEN)
        if challenge.one_team_per_participant and await is_on_a_team(tx, challenge.id, user_id):
            raise Conflict(
                _(
                    "You are already on another team in this challenge; leave it first to "
                    "join this one."
                )
            )
        invitation.status = RequestStatus.ACCEPTED
        invitation.decided_at = now
        await tx.flush()
        await join(tx, team=team, user_id=user_id, now=now)
        await form_tokens.made(tx, once, invitation.id)
        _record(tx, "team.accept", team, user_id, now, user_id=user_id, request_id=request_id)
        await notification_events.on_team_event(tx, request=invitation, actor_id=user_id, now=now)
    return invitation


async def decline_invitation(
    session: AsyncSession, *, request_id: int, user_id: int, now: datetime
) -> JoinRequest:
    """The invitee says no."""
    async with write(session) as tx:
        team = await lock_team(tx, await _invitation_team(tx, request_id, user_id))
        await _require_participant(tx, team, user_id, now)
        invitation = await _lock_request(tx, request_id)
        if invitation.status is not RequestStatus.PENDING:
            raise Conflict(NO_LONGER_OPEN)
        invitation.status = RequestStatus.DECLINED
        invitation.decided_at = now
        _record(tx, "team.decline", team, user_id, now, user_id=user_id, request_id=request_id)
        await notification_events.on_team_event(tx, request=invitation, actor_id=user_id, now=now)
    return invitation


# Members --------------------------------------------------------------------------


async def _reopen_roles_of(tx: AsyncSession, team_id: int, user_id: int) -> None:
    await tx.execute(
        update(TeamRole)
        .where(TeamRole.team_id == team_id, TeamRole.filled_by_id == user_id)
        .values(filled_by_id=None)
    )


async def leave_team(session: AsyncSession, *, team_id: int, user_id: int, now: datetime) -> None:
    """A member leaves; the roles they filled are open again."""
    async with write(session) as tx:
        team = await lock_team(tx, team_id)
        await _require_participant(tx, team, user_id, now)
        await leave(tx, team=team, user_id=user_id)
        await _reopen_roles_of(tx, team.id, user_id)
        _record(tx, "team.leave", team, user_id, now, user_id=user_id)


async def remove_member(
    session: AsyncSession, *, team_id: int, actor_id: int, user_id: int, now: datetime
) -> None:
    """The lead takes a member off the team."""
    async with write(session) as tx:
        team = await lock_team(tx, team_id)
        await _require_lead(tx, team, actor_id, now)
        await leave(tx, team=team, user_id=user_id)
        await _reopen_roles_of(tx, team.id, user_id)
        _record(tx, "team.remove", team, actor_id, now, user_id=user_id)


async def hand_over(
    session: AsyncSession, *, team_id: int, actor_id: int, to_user_id: int, now: datetime
) -> None:
    """The lead makes another member the lead; they stay on the team as a member."""
    async with write(session) as tx:
        team = await lock_team(tx, team_id)
        await _require_lead(tx, team, actor_id, now)
        if to_user_id == team.lead_id:
            raise Conflict(_("You already lead this team."))
        successor = await tx.get(TeamMember, (team.id, to_user_id))
        person = await tx.get(User, to_user_id)
        if successor is None or person is None or not person.is_active:
            raise Conflict(_("Only a member of the team can lead it."))
        predecessor = await tx.get(TeamMember, (team.id, team.lead_id))
        if predecessor is not None and predecessor.role_title == "Lead":
            predecessor.role_title = ""
        successor.role_title = "Lead"
        before = team.lead_id
        team.lead_id = to_user_id
        _record(tx, "team.hand_over", team, actor_id, now, before=before, after=to_user_id)


# Open roles -----------------------------------------------------------------------


async def _set_role_skills(tx: AsyncSession, role_id: int, names: Sequence[str]) -> None:
    await tx.execute(delete(TeamRoleSkill).where(TeamRoleSkill.role_id == role_id))
    tx.add_all(
        TeamRoleSkill(role_id=role_id, skill_id=skill.id)
        for skill in await _skills_named(tx, names)
    )


async def _role_of(tx: AsyncSession, team: Team, role_id: int) -> TeamRole:
    role = await tx.get(TeamRole, role_id)
    if role is None or role.team_id != team.id:
        raise NotFound()
    return role


async def add_role(
    session: AsyncSession,
    *,
    team_id: int,
    actor_id: int,
    data: RoleInput,
    now: datetime,
    once: Once | None = None,
) -> TeamRole:
    """The lead describes a role the team wants filled, with the skills it asks for."""
    async with write(session) as tx:
        if (made_id := await form_tokens.claim(tx, once, "role", now)) is not None:
            return await form_tokens.earlier(tx, TeamRole, made_id)
        team = await lock_team(tx, team_id)
        await _require_lead(tx, team, actor_id, now)
        roles = await tx.scalar(
            select(func.count()).select_from(TeamRole).where(TeamRole.team_id == team.id)
        )
        if (roles or 0) >= ROLES_MAX:
            raise Conflict(
                _("A team lists at most %(most)s roles; remove one first.", most=ROLES_MAX)
            )
        role = TeamRole(
            team_id=team.id, title=data.title, description=data.description, created_at=now
        )
        tx.add(role)
        await tx.flush()
        await _set_role_skills(tx, role.id, data.skills)
        await form_tokens.made(tx, once, role.id)
    return role


async def edit_role(
    session: AsyncSession,
    *,
    team_id: int,
    role_id: int,
    actor_id: int,
    data: RoleInput,
    now: datetime,
) -> None:
    async with write(session) as tx:
        team = await lock_team(tx, team_id)
        await _require_lead(tx, team, actor_id, now)
        role = await _role_of(tx, team, role_id)
        role.title = data.title
        role.description = data.description
        await _set_role_skills(tx, role.id, data.skills)


async def remove_role(
    session: AsyncSession, *, team_id: int, role_id: int, actor_id: int, now: datetime
) -> None:
    async with write(session) as tx:
        team = await lock_team(tx, team_id)
        await _require_lead(tx, team, actor_id, now)
        await tx.delete(await _role_of(tx, team, role_id))


async def fill_role(
    session: AsyncSession,
    *,
    team_id: int,
    role_id: int,
    actor_id: int,
    filled_by: int | None,
    now: datetime,
) -> None:
    """Say which member fills a role, or (``filled_by`` None) open it again."""
    async with write(session) as tx:
        team = await lock_team(tx, team_id)
        await _load_members(tx, team)
        role = await _role_of(tx, team, role_id)
        await _require_participant(tx, team, actor_id, now)
        actor = await tx.get(User, actor_id)
        policy.require_fill_role(actor, team, filled_by=role.filled_by_id, to=filled_by)
        if filled_by is not None and not any(m.user_id == filled_by for m in team.members):
            raise Conflict(_("Only a member of the team can fill a role."))
        role.filled_by_id = filled_by


# Updates and "about" --------------------------------------------------------------


async def post_update(
    session: AsyncSession,
    *,
    team_id: int,
    author_id: int,
    body: str,
    now: datetime,
    once: Once | None = None,
) -> TeamUpdate:
    """A member tells everyone how the team is getting on (Markdown)."""
    async with write(session) as tx:
        if (made_id := await form_tokens.claim(tx, once, "team update", now)) is not None:
            return await form_tokens.earlier(tx, TeamUpdate, made_id)
        team = await tx.get(Team, team_id)
        if team is None:
            raise NotFound()
        await _load_members(tx, team)
        await _require_participant(tx, team, author_id, now)
        policy.require_post_team_update(await tx.get(User, author_id), team)
        posted = TeamUpdate(
            team_id=team.id,
            author_id=author_id,
            body=body,
            body_html=markdown.render(body),
            created_at=now,
        )
        tx.add(posted)
        await tx.flush()
        await form_tokens.made(tx, once, posted.id)
    return posted


async def edit_about(
    session: AsyncSession, *, team_id: int, actor_id: int, about: str, now: datetime
) -> None:
    """The lead says in a few words what the team is doing and who it needs."""
    async with write(session) as tx:
        team = await lock_team(tx, team_id)
        await _require_lead(tx, team, actor_id, now)
        team.about = about
