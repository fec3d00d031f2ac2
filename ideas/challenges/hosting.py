"""Co-hosts: a host invites by e-mail address; whoever uses it accepts or declines.

The hosts who invite learn nothing about who uses an address: the invitation
is kept by its address and shown to them by it, whatever happens next. It
reaches the person who uses the address, if someone does (a notification
tells them); otherwise it waits, and reaches whoever signs in with that
address, verified, later (``claim``). Accepting needs the host role, which an
admin gives. Each function is one transaction, but ``claim``, which runs in
the caller's.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import audit, form_tokens, policy
from ideas.accounts.models import User, UserStatus
from ideas.challenges.models import Challenge, ChallengeHost, HostInvitation, InvitationStatus
from ideas.challenges.services import require_allowed
from ideas.db import write
from ideas.errors import Conflict, Forbidden, Invalid, NotFound
from ideas.form_tokens import Once
from ideas.i18n import lazy_gettext
from ideas.notifications.services import notify
from ideas.policy import Action

ALREADY_INVITED = lazy_gettext("That address is already invited and has not answered yet.")
NO_LONGER_OPEN = lazy_gettext("That invitation is no longer open.")


def normalized(address: str) -> str:
    return address.strip().lower()


async def _tell(
    tx: AsyncSession, invitation: HostInvitation, challenge: Challenge, now: datetime
) -> None:
    await notify(
        tx,
        user_ids=[invitation.user_id],
        kind="host.invitation",
        actor_id=invitation.invited_by_id,
        challenge_id=challenge.id,
        data={
            "invitation_id": invitation.id,
            "challenge_title": challenge.title,
            "challenge_slug": challenge.slug,
        },
        now=now,
    )


async def _reach(
    tx: AsyncSession, invitation: HostInvitation, challenge: Challenge, user_id: int, now: datetime
) -> None:
    """Hand the invitation to ``user_id`` unless they host the challenge already."""
    if await tx.get(ChallengeHost, (challenge.id, user_id)) is not None:
        return
    invitation.user_id = user_id
    await tx.flush()
    await _tell(tx, invitation, challenge, now)


async def invite_host(
    session: AsyncSession,
    *,
    challenge_id: int,
    email: str,
    actor_id: int,
    now: datetime,
    once: Once | None = None,
) -> HostInvitation:
    """Invite whoever uses ``email`` to co-host; Invalid only for what the hosts know
    already: the address is invited and has not answered. The same form sent again
    (``once``) answers with the invitation it made."""
    address = normalized(email)
    try:
        async with write(session) as tx:
            if (made_id := await form_tokens.claim(tx, once, "co-host", now)) is not None:
                return await form_tokens.earlier(tx, HostInvitation, made_id)
            await require_allowed(tx, Action.MANAGE_HOSTS, challenge_id, actor_id, now)
            challenge = await tx.get(Challenge, challenge_id, with_for_update=True)
            if challenge is None:
                raise NotFound()
            already = await tx.scalar(
                select(HostInvitation.id).where(
                    HostInvitation.challenge_id == challenge_id,
                    HostInvitation.email == address,
                    HostInvitation.status == InvitationStatus.PENDING,
                )
            )
            if already is not None:
                raise Invalid({"email": ALREADY_INVITED})
            invitation = HostInvitation(
                challenge_id=challenge_id,
                email=address,
                invited_by_id=actor_id,
                created_at=now,
            )
            tx.add(invitation)
            await tx.flush()
            owner = await tx.scalar(
                select(User.id)
                .where(func.lower(User.email) == address, User.status == UserStatus.ACTIVE)
                .order_by(User.id)
                .limit(1)
            )
            if owner is not None:
                await _reach(tx, invitation, challenge, owner, now)
            await form_tokens.made(tx, once, invitation.id)
            audit.record(
                tx, actor_id=actor_id, action="challenge.host.invite",
                subject_type="challenge", subject_id=challenge_id, challenge_id=challenge_id,
                at=now, email=address, user_id=invitation.user_id,
            )  # fmt: skip
    except IntegrityError:
        # Two hosts invited the same address at the same moment.
        raise Invalid({"email": ALREADY_INVITED}) from None
    return invitation


async def claim(tx: AsyncSession, *, user_id: int, address: str, now: datetime) -> int:
    """Invitations sent to ``address`` that reached nobody reach ``user_id``, who has just
    signed in with it, verified. Returns how many reached them."""
    waiting = list(
        await tx.scalars(
            select(HostInvitation)
            .where(
                HostInvitation.email == normalized(address),
                HostInvitation.user_id.is_(None),
                HostInvitation.status == InvitationStatus.PENDING,
            )
            .order_by(HostInvitation.id)
            .with_for_update()
        )
    )
    reached = 0
    for invitation in waiting:
        challenge = await tx.get(Challenge, invitation.challenge_id)
        if challenge is None:
            continue
        await _reach(tx, invitation, challenge, user_id, now)
        reached += invitation.user_id == user_id
    return reached


async def _answerable(tx: AsyncSession, invitation_id: int, user_id: int) -> HostInvitation:
    invitation = await tx.get(HostInvitation, invitation_id, with_for_update=True)
    if invitation is None or invitation.user_id != user_id:
        raise NotFound()
    if invitation.status is not InvitationStatus.PENDING:
        raise Conflict(NO_LONGER_OPEN)
    return invitation


async def accept_host_invitation(
    session: AsyncSession, *, invitation_id: int, user_id: int, now: datetime
) -> Challenge:
    """The invitee becomes a co-host, if they hold the host role."""
    async with write(session) as tx:
        challenge_id = await tx.scalar(
            select(HostInvitation.challenge_id).where(HostInvitation.id == invitation_id)
        )
        if challenge_id is None:
            raise NotFound()
        challenge = await tx.get(Challenge, challenge_id, with_for_update=True)
        invitation = await _answerable(tx, invitation_id, user_id)
        if challenge is None:
            raise NotFound()
        if not policy.may_cohost(await tx.get(User, user_id)):
            raise Forbidden(policy.COHOST_REFUSAL)
        invitation.status = InvitationStatus.ACCEPTED
        invitation.decided_at = now
        await _add_host(tx, challenge_id=challenge.id, user_id=user_id, actor_id=user_id, now=now)
    return challenge


async def decline_host_invitation(
    session: AsyncSession, *, invitation_id: int, user_id: int, now: datetime
) -> None:
    async with write(session) as tx:
        invitation = await _answerable(tx, invitation_id, user_id)
        invitation.status = InvitationStatus.DECLINED
        invitation.decided_at = now
        audit.record(
            tx, actor_id=user_id, action="challenge.host.decline", subject_type="challenge",
            subject_id=invitation.challenge_id, challenge_id=invitation.challenge_id, at=now,
        )  # fmt: skip


async def _add_host(
    tx: AsyncSession, *, challenge_id: int, user_id: int, actor_id: int, now: datetime
) -> None:
    if await tx.get(ChallengeHost, (challenge_id, user_id)) is not None:
        return
    tx.add(ChallengeHost(challenge_id=challenge_id, user_id=user_id, added_at=now))
    audit.record(
        tx, actor_id=actor_id, action="challenge.host.add", subject_type="user",
        subject_id=user_id, challenge_id=challenge_id, at=now,
    )  # fmt: skip


async def withdraw_all_of(tx: AsyncSession, *, user_id: int, now: datetime) -> None:
    """Inside the transaction that deletes an account: its open invitations go."""
    await tx.execute(
        update(HostInvitation)
        .where(HostInvitation.user_id == user_id, HostInvitation.status == InvitationStatus.PENDING)
        .values(status=InvitationStatus.WITHDRAWN, decided_at=now)
    )
