"""People and the identities they sign in with: creating, linking, roles, deleting.

Each function is one transaction. A provider account is found by
(provider, subject) only, never by its e-mail address.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import audit, policy
from ideas.accounts import names
from ideas.accounts.forms import ProfileInput
from ideas.accounts.models import Identity, Skill, User, UserSkill, UserStatus
from ideas.accounts.providers import ProviderAccount, usable_picture
from ideas.accounts.sessions import end_all_for
from ideas.challenges import hosting
from ideas.db import write
from ideas.errors import Conflict, Forbidden, NotFound
from ideas.i18n import _
from ideas.jury import services as jury
from ideas.media import pictures
from ideas.notifications.services import forget_person
from ideas.teams import invitations as team_invitations
from ideas.teams.membership import take_out_everywhere

DEVELOPMENT_PROVIDER = "development"


async def create_user(
    session: AsyncSession,
    *,
    display_name: str,
    email: str | None,
    provider: str,
    subject: str,
    now: datetime,
    is_host: bool = False,
    is_admin: bool = False,
    bio: str = "",
) -> User:
    """A new person with one identity."""
    async with write(session) as tx:
        user = User(
            display_name=display_name,
            email=email.lower() if email else None,
            bio=bio,
            is_host=is_host,
            is_admin=is_admin,
            created_at=now,
        )
        tx.add(user)
        await tx.flush()
        tx.add(
            Identity(
                user_id=user.id, provider=provider, subject=subject, email=email, created_at=now
            )
        )
        audit.record(
            tx,
            actor_id=user.id,
            action="user.create",
            subject_type="user",
            subject_id=user.id,
            at=now,
            provider=provider,
            roles=[r for r, on in (("host", is_host), ("admin", is_admin)) if on],
        )
    return user


class Role(StrEnum):
    HOST = "host"
    ADMIN = "admin"


def _display_name(account: ProviderAccount) -> str:
    name = " ".join(account.name.split())[:80]
    if name:
        return name
    if account.email:
        return account.email.split("@", 1)[0][:80]
    return "New participant"


async def sign_in_with_provider(
    session: AsyncSession,
    *,
    provider: str,
    account: ProviderAccount,
    admin_emails: list[str],
    now: datetime,
) -> User:
    """The person this provider account belongs to; a new person on first sign-in.

    A verified e-mail address listed in IDEAS_ADMIN_EMAILS makes the person an
    admin. A suspended person is refused.
    """
    verified_email = account.email.lower() if account.email and account.email_verified else None
    async with write(session) as tx:
        identity = await tx.scalar(
            select(Identity)
            .where(Identity.provider == provider, Identity.subject == account.subject)
            .with_for_update()
        )
        if identity is None:
            user = User(
                display_name=_display_name(account),
                email=verified_email,
                avatar_url=usable_picture(account.picture),
                created_at=now,
            )
            tx.add(user)
            await tx.flush()
            tx.add(
                Identity(
                    user_id=user.id,
                    provider=provider,
                    subject=account.subject,
                    email=verified_email,
                    created_at=now,
                    last_used_at=now,
                )
            )
            audit.record(
                tx, actor_id=user.id, action="user.create", subject_type="user",
                subject_id=user.id, at=now, provider=provider,
            )  # fmt: skip
        else:
            user = await tx.get_one(User, identity.user_id, with_for_update=True)
            if user.status is UserStatus.SUSPENDED:
                raise Forbidden(_("This account is suspended."))
            identity.last_used_at = now
            user.avatar_url = user.avatar_url or usable_picture(account.picture)
            if verified_email:
                identity.email = verified_email
                user.email = user.email or verified_email
        if verified_email and verified_email in admin_emails and not user.is_admin:
            user.is_admin = True
            user.is_host = True
            audit.record(
                tx, actor_id=None, action="user.role.grant", subject_type="user",
                subject_id=user.id, at=now, role="admin", reason="IDEAS_ADMIN_EMAILS",
            )  # fmt: skip
    return user


async def link_identity(
    session: AsyncSession, *, user_id: int, provider: str, account: ProviderAccount, now: datetime
) -> None:
    """Let ``user_id`` also sign in with this provider account."""
    async with write(session) as tx:
        existing = await tx.scalar(
            select(Identity).where(
                Identity.provider == provider, Identity.subject == account.subject
            )
        )
        if existing is not None:
            if existing.user_id == user_id:
                return
            raise Conflict(_("That account already signs someone else in here."))
        tx.add(
            Identity(
                user_id=user_id,
                provider=provider,
                subject=account.subject,
                email=account.email if account.email_verified else None,
                created_at=now,
                last_used_at=now,
            )
        )
        audit.record(
            tx, actor_id=user_id, action="user.identity.link", subject_type="user",
            subject_id=user_id, at=now, provider=provider,
        )  # fmt: skip


async def unlink_identity(
    session: AsyncSession, *, user_id: int, identity_id: int, now: datetime
) -> None:
    """Stop ``user_id`` signing in with one of their accounts; never the last one."""
    async with write(session) as tx:
        identities = (
            await tx.scalars(select(Identity).where(Identity.user_id == user_id).with_for_update())
        ).all()
        identity = next((i for i in identities if i.id == identity_id), None)
        if identity is None:
            raise NotFound()
        if len(identities) == 1:
            raise Conflict(_("This is the only way you sign in; link another account first."))
        await tx.delete(identity)
        audit.record(
            tx, actor_id=user_id, action="user.identity.unlink", subject_type="user",
            subject_id=user_id, at=now, provider=identity.provider,
        )  # fmt: skip


async def claim_invitations(
    session: AsyncSession, *, user_id: int, account: ProviderAccount, now: datetime
) -> None:
    """Invitations to a team or to co-host sent to this account's verified e-mail address
    that reached nobody yet (nobody used the address then) reach the person who has
    just signed in or linked it; they hear of each."""
    if not account.email or not account.email_verified:
        return
    async with write(session) as tx:
        await team_invitations.claim(tx, user_id=user_id, address=account.email, now=now)
        await hosting.claim(tx, user_id=user_id, address=account.email, now=now)
        await jury.claim(tx, user_id=user_id, address=account.email, now=now)


async def sign_out_everywhere(session: AsyncSession, *, user_id: int) -> None:
    async with write(session) as tx:
        await end_all_for(tx, user_id)


async def set_role(
    session: AsyncSession,
    *,
    actor_id: int | None,
    email: str | None = None,
    user_id: int | None = None,
    role: Role,
    granted: bool,
    now: datetime,
) -> User:
    """Grant or revoke a role, by e-mail address or id; recorded in the audit log.

    ``actor_id``: the admin who does it; None for the site's operator (the command line).
    """
    async with write(session) as tx:
        actor = None if actor_id is None else await tx.get(User, actor_id)
        query = select(User).where(User.status != UserStatus.DELETED).with_for_update()
        if user_id is not None:
            query = query.where(User.id == user_id)
        else:
            query = query.where(func.lower(User.email) == (email or "").lower())
        found = (await tx.scalars(query)).all()
        if not found:
            raise NotFound(_("Nobody with that e-mail address has signed in yet."))
        if len(found) > 1:
            raise Conflict(
                _("Several people share that e-mail address; change roles on the admin page.")
            )
        user = found[0]
        if actor_id is not None:
            policy.require_change_role(
                actor, user.id, admin_role=role is Role.ADMIN, granted=granted
            )
        attribute = "is_host" if role is Role.HOST else "is_admin"
        if getattr(user, attribute) == granted:
            return user
        setattr(user, attribute, granted)
        audit.record(
            tx, actor_id=actor_id, action="user.role.grant" if granted else "user.role.revoke",
            subject_type="user", subject_id=user.id, at=now, role=role.value,
        )  # fmt: skip
    return user


async def set_suspended(
    session: AsyncSession, *, actor_id: int, user_id: int, suspended: bool, now: datetime
) -> None:
    """Suspend (their sessions end at once) or reinstate a person."""
    async with write(session) as tx:
        policy.require_suspend(await tx.get(User, actor_id), user_id)
        user = await tx.get(User, user_id, with_for_update=True)
        if user is None or user.status is UserStatus.DELETED:
            raise NotFound()
        wanted = UserStatus.SUSPENDED if suspended else UserStatus.ACTIVE
        if user.status is wanted:
            return
        user.status = wanted
        if suspended:
            await end_all_for(tx, user_id)
        audit.record(
            tx, actor_id=actor_id, action="user.suspend" if suspended else "user.reinstate",
            subject_type="user", subject_id=user_id, at=now,
        )  # fmt: skip


async def delete_account(session: AsyncSession, *, user_id: int, now: datetime) -> None:
    """Remove a person's personal data and free the places they hold; what they wrote
    stays, by "a deleted participant".

    Their seats on teams, the teams they led (led on by their longest-standing member),
    their open requests, invitations (to teams and to co-host) and rankings of teams go; so do their
    notifications, follows and the e-mail queued for them. Their votes and comparisons
    stay counted: they were cast while the account was real, a round's results (and
    the winners picked from them) must not change when someone leaves, and once the
    account holds nothing personal they say nothing about anyone.
    """
    async with write(session) as tx:
        await take_out_everywhere(tx, user_id=user_id, now=now)
        await hosting.withdraw_all_of(tx, user_id=user_id, now=now)
        await tx.execute(
            update(User)
            .where(User.id == user_id)
            .values(
                display_name=names.DELETED_PARTICIPANT.capitalize(),
                email=None,
                avatar_url=None,
                avatar_id=None,
                avatar_copied_from=None,
                bio="",
                location="",
                links=[],
                is_host=False,
                is_admin=False,
                status=UserStatus.DELETED,
            )
        )
        await tx.execute(delete(Identity).where(Identity.user_id == user_id))
        await tx.execute(delete(UserSkill).where(UserSkill.user_id == user_id))
        await forget_person(tx, user_id)
        await end_all_for(tx, user_id)
        audit.record(
            tx, actor_id=user_id, action="user.delete", subject_type="user",
            subject_id=user_id, at=now,
        )  # fmt: skip


async def set_time_zone(session: AsyncSession, *, user_id: int, time_zone: str | None) -> None:
    """Save the zone a person reads times in (an IANA name, checked by the form);
    None: the one their browser reports."""
    async with write(session) as tx:
        await tx.execute(update(User).where(User.id == user_id).values(time_zone=time_zone))


async def update_profile(
    session: AsyncSession, *, user_id: int, data: ProfileInput, now: datetime
) -> None:
    """Save a person's profile; skills are shared tags, created when first used."""
    async with write(session) as tx:
        await tx.execute(
            update(User)
            .where(User.id == user_id)
            .values(
                display_name=data.display_name,
                bio=data.bio,
                location=data.location,
                links=data.links,
            )
        )
        keys = {name.casefold(): name for name in data.skills}
        known = {
            skill.key: skill
            for skill in (await tx.scalars(select(Skill).where(Skill.key.in_(keys)))).all()
        }
        for key, name in keys.items():
            if key not in known:
                known[key] = Skill(name=name, key=key)
                tx.add(known[key])
        await tx.flush()
        await tx.execute(delete(UserSkill).where(UserSkill.user_id == user_id))
        tx.add_all(UserSkill(user_id=user_id, skill_id=known[key].id) for key in keys)


async def set_avatar(
    session: AsyncSession, *, user_id: int, picture: pictures.Prepared | None
) -> None:
    """Show ``picture`` (made by ``pictures.prepare_avatar``) beside the person's name, in
    place of their sign-in provider's and of their initials; None: take it away."""
    async with write(session) as tx:
        avatar_id = (
            None if picture is None else await pictures.store(tx, picture, uploaded_by=user_id)
        )
        await tx.execute(update(User).where(User.id == user_id).values(avatar_id=avatar_id))


async def keep_provider_picture(
    session: AsyncSession, *, user_id: int, source: str, picture: pictures.Prepared | None
) -> bool:
    """Remember that the provider's picture at ``source`` was fetched (``picture``) or
    tried in vain (None). A picture becomes the person's only if they still have none:
    one they uploaded meanwhile stays. True if it did."""
    async with write(session) as tx:
        await tx.execute(update(User).where(User.id == user_id).values(avatar_copied_from=source))
        if picture is None:
            return False
        picture_id = await pictures.store(tx, picture, uploaded_by=user_id)
        kept = await tx.execute(
            update(User)
            .where(User.id == user_id, User.avatar_id.is_(None), User.status == UserStatus.ACTIVE)
            .values(avatar_id=picture_id)
        )
        return bool(kept.rowcount)  # type: ignore[attr-defined]


async def set_locale(session: AsyncSession, *, user_id: int, locale: str | None) -> None:
    """The language a person chose (``ideas.i18n.LANGUAGES``); None: their browser's."""
    async with write(session) as tx:
        await tx.execute(update(User).where(User.id == user_id).values(locale=locale))
