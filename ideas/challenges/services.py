"""What hosts do to challenges. Each function is one transaction.

Who may do it, and in which phase, is asked of ``policy`` here, inside the
transaction, after its locks: a service refuses on its own.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import audit, form_tokens, markdown, policy
from ideas.accounts.models import User
from ideas.challenges import queries
from ideas.challenges.forms import RESERVED_SLUGS, ChallengeInput
from ideas.challenges.models import Challenge, ChallengeHost, ChallengeTag
from ideas.challenges.phases import Phase
from ideas.db import write
from ideas.errors import Conflict, Invalid, NotFound
from ideas.form_tokens import Once
from ideas.i18n import _, lazy_gettext, status_word
from ideas.live import events as live
from ideas.media import pictures
from ideas.notifications import events as notification_events
from ideas.policy import Action
from ideas.submissions import lineage
from ideas.submissions.models import Idea, IdeaStatus
from ideas.teams.models import Team, TeamMember

SLUG_TAKEN = lazy_gettext("That address is already used by another challenge; choose another.")
# How often creating a challenge tries the next free address when another host's
# challenge took the one it chose between its check and its insert.
SLUG_ATTEMPTS = 5
ADDRESS_FIXED = lazy_gettext("The address stays as it is once the challenge has opened.")


async def require_allowed(
    tx: AsyncSession,
    action: Action,
    challenge_id: int,
    actor_id: int,
    now: datetime,
) -> Challenge:
    """The challenge, once ``policy`` lets ``actor_id`` do ``action`` there at ``now``."""
    challenge = await queries.for_policy(tx, challenge_id)
    if challenge is None:
        raise NotFound()
    roles = policy.challenge_roles(await tx.get(User, actor_id), challenge)
    policy.check(action, challenge, roles, now)
    return challenge


async def _slug_taken(session: AsyncSession, slug: str, *, other_than: int | None = None) -> bool:
    query = exists().where(Challenge.slug == slug)
    if other_than is not None:
        query = query.where(Challenge.id != other_than)
    return bool(await session.scalar(select(query)))


async def _free_slug(session: AsyncSession, base: str, *, other_than: int | None = None) -> str:
    """The first of ``base``, ``base-2``, ``base-3``… no other challenge uses (and no
    reserved word): the address of a challenge whose address field was left empty."""
    query = select(Challenge.slug).where(
        (Challenge.slug == base) | Challenge.slug.startswith(f"{base}-", autoescape=True)
    )
    if other_than is not None:
        query = query.where(Challenge.id != other_than)
    used = set(await session.scalars(query)) | RESERVED_SLUGS
    if base not in used:
        return base
    suffix = 2
    while f"{base}-{suffix}" in used:
        suffix += 1
    return f"{base}-{suffix}"


def _apply(challenge: Challenge, data: ChallengeInput, slug: str) -> None:
    challenge.slug = slug
    challenge.title = data.title
    challenge.question = data.question
    challenge.sponsor = data.sponsor
    challenge.brief = data.brief
    challenge.brief_html = markdown.render(data.brief)
    challenge.ideas_opens_at = data.schedule.ideas
    challenge.review_opens_at = data.schedule.review
    challenge.teams_opens_at = data.schedule.teams
    challenge.closes_at = data.schedule.closed
    challenge.vote_budget = data.vote_budget
    challenge.team_capacity = data.team_capacity
    challenge.one_team_per_participant = data.one_team_per_participant
    challenge.report_threshold = data.report_threshold
    challenge.allow_self_votes = data.allow_self_votes
    challenge.cover_alt = data.cover_alt
    challenge.time_zone = data.time_zone
    challenge.language = data.language
    if data.remove_cover:
        challenge.cover_id = None


async def _set_cover(tx: AsyncSession, challenge: Challenge, data: ChallengeInput, by: int) -> None:
    if data.cover is not None:
        challenge.cover_id = await pictures.store(tx, data.cover, uploaded_by=by)


async def _set_tags(tx: AsyncSession, challenge_id: int, names: tuple[str, ...]) -> None:
    """Make the offered tags exactly ``names``, in that order."""
    existing = {
        tag.name: tag
        for tag in await tx.scalars(
            select(ChallengeTag).where(ChallengeTag.challenge_id == challenge_id)
        )
    }
    gone = [tag.id for name, tag in existing.items() if name not in names]
    if gone:
        await tx.execute(delete(ChallengeTag).where(ChallengeTag.id.in_(gone)))
    for position, name in enumerate(names):
        tag = existing.get(name)
        if tag is None:
            tx.add(ChallengeTag(challenge_id=challenge_id, name=name, position=position))
        else:
            tag.position = position


async def create_challenge(
    session: AsyncSession,
    *,
    host_id: int,
    data: ChallengeInput,
    now: datetime,
    once: Once | None = None,
) -> Challenge:
    """A new challenge in draft, hosted by its creator.

    A typed address that another challenge uses is refused; an address derived from
    the title (the field left empty) becomes the first free one, ``-2``, ``-3``…
    The unique constraint decides between two hosts creating at once: the one that
    loses tries the next free address.
    """
    for attempt in range(SLUG_ATTEMPTS):
        try:
            return await _create(session, host_id=host_id, data=data, now=now, once=once)
        except IntegrityError:
            # Another host took the address between our check and our insert.
            if data.slug_typed or attempt == SLUG_ATTEMPTS - 1:
                raise Invalid({"slug": SLUG_TAKEN}) from None
    raise AssertionError("unreachable")  # pragma: no cover


async def _create(
    session: AsyncSession, *, host_id: int, data: ChallengeInput, now: datetime, once: Once | None
) -> Challenge:
    async with write(session) as tx:
        policy.require_create_challenge(await tx.get(User, host_id))
        if (made_id := await form_tokens.claim(tx, once, "challenge", now)) is not None:
            return await form_tokens.earlier(tx, Challenge, made_id)
        if not data.slug_typed:
            slug = await _free_slug(tx, data.slug)
        elif await _slug_taken(tx, data.slug):
            raise Invalid({"slug": SLUG_TAKEN})
        else:
            slug = data.slug
        challenge = Challenge(created_by_id=host_id, created_at=now, updated_at=now)
        _apply(challenge, data, slug)
        await _set_cover(tx, challenge, data, host_id)
        tx.add(challenge)
        await tx.flush()
        await _set_tags(tx, challenge.id, data.tags)
        tx.add(ChallengeHost(challenge_id=challenge.id, user_id=host_id, added_at=now))
        await form_tokens.made(tx, once, challenge.id)
        audit.record(
            tx,
            actor_id=host_id,
            action="challenge.create",
            subject_type="challenge",
            subject_id=challenge.id,
            challenge_id=challenge.id,
            at=now,
            slug=slug,
        )
    return challenge


async def update_challenge(
    session: AsyncSession, *, challenge_id: int, actor_id: int, data: ChallengeInput, now: datetime
) -> Challenge:
    """Save a host's edit of the brief, schedule, tags and settings."""
    try:
        async with write(session) as tx:
            challenge = await tx.get(Challenge, challenge_id, with_for_update=True)
            if challenge is None:
                raise NotFound()
            await require_allowed(tx, Action.EDIT_CHALLENGE, challenge_id, actor_id, now)
            slug = data.slug
            if not data.slug_typed and slug != challenge.slug:
                slug = await _free_slug(tx, slug, other_than=challenge_id)
            if slug != challenge.slug and not policy.may_change_address(challenge, now):
                raise Invalid({"slug": ADDRESS_FIXED})
            if slug != challenge.slug and await _slug_taken(tx, slug, other_than=challenge_id):
                raise Invalid({"slug": SLUG_TAKEN})
            changed = sorted(
                name
                for name, before in _snapshot(challenge).items()
                if before != getattr(data, name, before)
            )
            public_before = policy.may_announce(challenge.phase_at(now))
            _apply(challenge, data, slug)
            if policy.may_announce(challenge.phase_at(now)) != public_before:
                await lineage.recount_around(tx, challenge_id, now)
            await _set_cover(tx, challenge, data, actor_id)
            challenge.updated_at = now
            await _set_tags(tx, challenge_id, data.tags)
            audit.record(
                tx,
                actor_id=actor_id,
                action="challenge.edit",
                subject_type="challenge",
                subject_id=challenge_id,
                challenge_id=challenge_id,
                at=now,
                changed=changed,
            )
    except IntegrityError:
        raise Invalid({"slug": SLUG_TAKEN}) from None
    return challenge


def _snapshot(challenge: Challenge) -> dict[str, object]:
    return {
        "slug": challenge.slug,
        "title": challenge.title,
        "question": challenge.question,
        "sponsor": challenge.sponsor,
        "brief": challenge.brief,
        "schedule": challenge.schedule,
        "vote_budget": challenge.vote_budget,
        "team_capacity": challenge.team_capacity,
        "one_team_per_participant": challenge.one_team_per_participant,
        "report_threshold": challenge.report_threshold,
        "allow_self_votes": challenge.allow_self_votes,
    }


# Phases ----------------------------------------------------------------------


async def switch_phase(
    session: AsyncSession,
    *,
    challenge_id: int,
    to: Phase,
    actor_id: int,
    now: datetime,
    expected: Phase | None = None,
) -> Phase:
    """Set the phase by hand; returns the phase it was in. Recorded in the audit log.

    ``expected`` is the phase the host saw when they chose: if another host
    switched meanwhile, nothing changes, so two hosts pressing "next phase" at
    once move the round on by one phase, not two.
    """
    async with write(session) as tx:
        challenge = await tx.get(Challenge, challenge_id, with_for_update=True)
        if challenge is None:
            raise NotFound()
        await require_allowed(tx, Action.SWITCH_PHASE, challenge_id, actor_id, now)
        # ``now`` was read before this transaction waited for the row lock; a host
        # who switched meanwhile may have stamped a later time. Time must not run
        # backwards past their switch, or it would seem not to have happened yet.
        if challenge.phase_switched_at is not None and challenge.phase_switched_at > now:
            now = challenge.phase_switched_at
        before = challenge.phase_at(now)
        if expected is not None and before is not expected:
            raise Conflict(
                _(
                    "The challenge is now in the %(phase)s phase: someone switched it "
                    "meanwhile. Nothing was changed; look again and choose.",
                    phase=before.label,
                )
            )
        if before is to:
            raise Conflict(_("The challenge is already in the %(phase)s phase.", phase=to.label))
        challenge.phase_switched_to = to
        challenge.phase_switched_at = now
        challenge.updated_at = now
        audit.record(
            tx,
            actor_id=actor_id,
            action="challenge.phase",
            subject_type="challenge",
            subject_id=challenge.id,
            challenge_id=challenge.id,
            at=now,
            before=before.value,
            after=to.value,
        )
        if policy.may_announce(before) != policy.may_announce(to):
            await lineage.recount_around(tx, challenge.id, now)
        live.phase_switched(tx, challenge_id=challenge.id, before=before, after=to)
        await notification_events.on_phase_switched(
            tx, challenge=challenge, before=before, actor_id=actor_id, now=now
        )
    return before


# Co-hosts --------------------------------------------------------------------


async def remove_host(
    session: AsyncSession, *, challenge_id: int, user_id: int, actor_id: int, now: datetime
) -> None:
    """Remove a co-host. A challenge always keeps at least one host."""
    async with write(session) as tx:
        # Lock the challenge so two hosts removing each other cannot leave none.
        if await tx.get(Challenge, challenge_id, with_for_update=True) is None:
            raise NotFound()
        await require_allowed(tx, Action.MANAGE_HOSTS, challenge_id, actor_id, now)
        hosts = (
            await tx.scalars(
                select(ChallengeHost.user_id).where(ChallengeHost.challenge_id == challenge_id)
            )
        ).all()
        if user_id not in hosts:
            raise NotFound()
        if len(hosts) == 1:
            raise Conflict(_("A challenge needs at least one host; add another before leaving."))
        await tx.execute(
            delete(ChallengeHost).where(
                ChallengeHost.challenge_id == challenge_id, ChallengeHost.user_id == user_id
            )
        )
        audit.record(
            tx,
            actor_id=actor_id,
            action="challenge.host.remove",
            subject_type="user",
            subject_id=user_id,
            challenge_id=challenge_id,
            at=now,
        )


# Shortlist and winners -------------------------------------------------------


async def _idea_of(tx: AsyncSession, challenge_id: int, idea_id: int) -> Idea:
    idea = await tx.get(Idea, idea_id, with_for_update=True)
    if idea is None or idea.challenge_id != challenge_id:
        raise NotFound()
    return idea


def _record(tx: AsyncSession, action: str, idea: Idea, actor_id: int, now: datetime) -> None:
    audit.record(
        tx,
        actor_id=actor_id,
        action=action,
        subject_type="idea",
        subject_id=idea.id,
        challenge_id=idea.challenge_id,
        at=now,
    )


async def shortlist(
    session: AsyncSession,
    *,
    challenge_id: int,
    idea_id: int,
    note: str,
    actor_id: int,
    now: datetime,
    once: Once | None = None,
) -> None:
    """Put a published idea on the shortlist, with an optional note to its authors."""
    async with write(session) as tx:
        if await form_tokens.claim(tx, once, "shortlisting", now) is not None:
            return
        idea = await _idea_of(tx, challenge_id, idea_id)
        await require_allowed(tx, Action.SHORTLIST, challenge_id, actor_id, now)
        if idea.status is IdeaStatus.SHORTLISTED:
            raise Conflict(_("That idea is already on the shortlist."))
        if idea.status is not IdeaStatus.PUBLISHED:
            raise Conflict(
                _("A %(status)s idea cannot be shortlisted.", status=status_word(idea.status))
            )
        idea.status = IdeaStatus.SHORTLISTED
        idea.shortlist_note = note
        idea.shortlisted_at = now
        # Its team, led by the author, is ready for when the teams phase begins.
        team = Team(
            challenge_id=challenge_id,
            idea_id=idea.id,
            lead_id=idea.author_id,
            member_count=1,
            created_at=now,
        )
        tx.add(team)
        await tx.flush()
        tx.add(
            TeamMember(
                team_id=team.id,
                user_id=idea.author_id,
                challenge_id=challenge_id,
                role_title="Lead",
                joined_at=now,
            )
        )
        await form_tokens.made(tx, once, idea.id)
        _record(tx, "idea.shortlist", idea, actor_id, now)
        await notification_events.on_idea_shortlisted(tx, idea=idea, actor_id=actor_id, now=now)


async def unshortlist(
    session: AsyncSession, *, challenge_id: int, idea_id: int, actor_id: int, now: datetime
) -> None:
    """Take an idea off the shortlist."""
    async with write(session) as tx:
        idea = await _idea_of(tx, challenge_id, idea_id)
        await require_allowed(tx, Action.SHORTLIST, challenge_id, actor_id, now)
        if idea.status is not IdeaStatus.SHORTLISTED:
            raise Conflict(_("That idea is not on the shortlist."))
        idea.status = IdeaStatus.PUBLISHED
        idea.shortlist_note = ""
        idea.shortlisted_at = None
        # Shortlisting ends before teams form, so the team is only its lead.
        await tx.execute(delete(Team).where(Team.idea_id == idea.id))
        _record(tx, "idea.unshortlist", idea, actor_id, now)


async def pick_winner(
    session: AsyncSession,
    *,
    challenge_id: int,
    idea_id: int,
    citation: str,
    actor_id: int,
    now: datetime,
) -> None:
    """Name a shortlisted idea a winner, with a short citation."""
    async with write(session) as tx:
        idea = await _idea_of(tx, challenge_id, idea_id)
        await require_allowed(tx, Action.ANNOUNCE_WINNERS, challenge_id, actor_id, now)
        if idea.status is IdeaStatus.WINNER:
            raise Conflict(_("That idea is already a winner."))
        if idea.status is not IdeaStatus.SHORTLISTED:
            raise Conflict(_("Only shortlisted ideas can win."))
        idea.status = IdeaStatus.WINNER
        idea.citation = citation
        idea.won_at = now
        _record(tx, "idea.win", idea, actor_id, now)
        await notification_events.on_idea_won(tx, idea=idea, actor_id=actor_id, now=now)


async def unpick_winner(
    session: AsyncSession, *, challenge_id: int, idea_id: int, actor_id: int, now: datetime
) -> None:
    """Take a win back; the idea stays on the shortlist."""
    async with write(session) as tx:
        idea = await _idea_of(tx, challenge_id, idea_id)
        await require_allowed(tx, Action.ANNOUNCE_WINNERS, challenge_id, actor_id, now)
        if idea.status is not IdeaStatus.WINNER:
            raise Conflict(_("That idea is not a winner."))
        idea.status = IdeaStatus.SHORTLISTED
        idea.citation = ""
        idea.won_at = None
        _record(tx, "idea.unwin", idea, actor_id, now)
