"""What happens after a round. Each function is one write transaction.

Who may do what, in which phase, is asked of ``policy`` here, inside the transaction.
A pledge locks its team's row first (``lock_team``), as everything done to a team
does: two people pledging at once are counted one after the other, so a condition is
met by exactly one pledge and told once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import audit, form_tokens, markdown, policy, zones
from ideas.accounts.models import User
from ideas.challenges import queries as challenge_queries
from ideas.challenges.models import Challenge, ChallengeHost
from ideas.challenges.services import _free_slug
from ideas.db import Database, write
from ideas.errors import Conflict, Invalid, NotFound
from ideas.form_tokens import Once
from ideas.impact import events
from ideas.impact.forms import FollowUpInput, PledgeInput, UpdateInput
from ideas.impact.models import CheckIn, FollowUp, ImpactPicture, ImpactUpdate, Pledge
from ideas.media import pictures
from ideas.policy import Action
from ideas.submissions import lineage
from ideas.submissions.models import Idea, IdeaCoauthor, IdeaLink, IdeaRevision, IdeaStatus
from ideas.submissions.services import make_slug
from ideas.teams.membership import lock_team
from ideas.teams.models import Team, TeamMember

CARRIED_NOTE = "Carried over from the round “{title}”."


def _record(
    tx: AsyncSession, action: str, kind: str, subject_id: int, challenge_id: int,
    actor_id: int | None, now: datetime, **data: object,
) -> None:  # fmt: skip
    audit.record(
        tx, actor_id=actor_id, action=action, subject_type=kind, subject_id=subject_id,
        challenge_id=challenge_id, at=now, **data,
    )  # fmt: skip


async def _challenge(tx: AsyncSession, challenge_id: int) -> Challenge:
    challenge = await challenge_queries.for_policy(tx, challenge_id)
    if challenge is None:
        raise NotFound()
    return challenge


async def _members(tx: AsyncSession, team_id: int) -> set[int]:
    return set(await tx.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team_id)))


async def _team_of(tx: AsyncSession, team_id: int) -> tuple[Team, Idea, Challenge]:
    """The team, locked, with its idea (shortlisted or a winner) and challenge."""
    team = await lock_team(tx, team_id)
    idea = await tx.get(Idea, team.idea_id)
    if idea is None or not idea.is_shortlisted:
        raise NotFound()
    return team, idea, await _challenge(tx, team.challenge_id)


# Impact updates --------------------------------------------------------------------


async def post_update(
    session: AsyncSession,
    *,
    idea_id: int,
    author_id: int,
    data: UpdateInput,
    now: datetime,
    once: Once | None = None,
) -> ImpactUpdate:
    """A member of the idea's team reports where it stands; followers of the idea and
    of its challenge are told."""
    async with write(session) as tx:
        if (made_id := await form_tokens.claim(tx, once, "impact update", now)) is not None:
            return await form_tokens.earlier(tx, ImpactUpdate, made_id)
        idea = await tx.get(Idea, idea_id)
        team = await tx.scalar(select(Team).where(Team.idea_id == idea_id))
        if idea is None or team is None:
            raise NotFound()
        challenge = await _challenge(tx, idea.challenge_id)
        author = await tx.get(User, author_id)
        roles = policy.roles_from(
            author,
            host=policy.hosts_challenge(author, challenge),
            author=False,
            team_member=idea.is_shortlisted and author_id in await _members(tx, team.id),
        )
        policy.check(Action.POST_IMPACT, challenge, roles, now)
        posted = ImpactUpdate(
            challenge_id=challenge.id,
            idea_id=idea.id,
            team_id=team.id,
            author_id=author_id,
            status=data.status,
            body=data.body,
            body_html=markdown.render(data.body),
            links=list(data.links),
            figures=[figure.as_data() for figure in data.figures],
            created_at=now,
        )
        tx.add(posted)
        await tx.flush()
        for position, chosen in enumerate(data.pictures):
            picture_id = await pictures.store(tx, chosen.picture, uploaded_by=author_id)
            tx.add(
                ImpactPicture(
                    update_id=posted.id, position=position, picture_id=picture_id, alt=chosen.alt
                )
            )
        await form_tokens.made(tx, once, posted.id)
        _record(tx, "impact.update", "idea", idea.id, challenge.id, author_id, now,
                status=data.status.value)  # fmt: skip
        await events.on_update(tx, update=posted, idea=idea, now=now)
    return posted


def round_zone(challenge: Challenge, site_zone: ZoneInfo) -> ZoneInfo:
    """The zone a round's hosts type its dates in: its own, or the site's."""
    return zones.zone_of(challenge.time_zone, site_zone)


def due_moment(day: date, zone: ZoneInfo) -> datetime:
    """A check-in date is due once that day is over in the round's zone: teams have
    the whole of it to report, wherever the round takes place."""
    return zones.end_of_day(day, zone)


def due_day(check_in: CheckIn, zone: ZoneInfo) -> date:
    """The date the hosts set, in the round's zone, for a check-in."""
    return zones.day_ended_at(check_in.due_at, zone)


async def set_check_ins(
    session: AsyncSession,
    *,
    challenge_id: int,
    days: Sequence[date],
    actor_id: int,
    now: datetime,
    site_zone: ZoneInfo,
) -> None:
    """The hosts ask for news by these dates, in the round's zone: the check-ins not yet
    passed are replaced by those of ``days`` still to come; those passed stay, as the
    history of reminders."""
    async with write(session) as tx:
        challenge = await _challenge(tx, challenge_id)
        zone = round_zone(challenge, site_zone)
        roles = policy.challenge_roles(await tx.get(User, actor_id), challenge)
        policy.check(Action.SET_CHECK_INS, challenge, roles, now)
        for check_in in await tx.scalars(
            select(CheckIn).where(CheckIn.challenge_id == challenge_id, CheckIn.due_at > now)
        ):
            await tx.delete(check_in)
        for day in sorted(set(days)):
            if (due := due_moment(day, zone)) > now:
                tx.add(CheckIn(challenge_id=challenge_id, due_at=due, created_at=now))
        _record(tx, "impact.check_ins", "challenge", challenge_id, challenge_id, actor_id, now,
                days=[day.isoformat() for day in sorted(set(days))])  # fmt: skip


async def remind_check_ins(database: Database, now: datetime, site_zone: ZoneInfo) -> int:
    """Each check-in that has passed and was not yet dealt with: every team of the round
    with no update since the check-in before it (or ever) is reminded, once. The worker
    runs this. Returns how many teams were reminded."""
    reminded = 0
    async with database.session() as session:
        due = list(
            await session.scalars(
                select(CheckIn.id).where(CheckIn.due_at <= now, CheckIn.reminded_at.is_(None))
            )
        )
        for check_in_id in due:
            async with write(session) as tx:
                check_in = await tx.get(CheckIn, check_in_id, with_for_update=True)
                if check_in is None or check_in.reminded_at is not None:
                    continue
                check_in.reminded_at = now
                before = await tx.scalar(
                    select(func.max(CheckIn.due_at)).where(
                        CheckIn.challenge_id == check_in.challenge_id,
                        CheckIn.due_at < check_in.due_at,
                    )
                )
                challenge = await _challenge(tx, check_in.challenge_id)
                reminded += await events.remind_teams(
                    tx,
                    check_in=check_in,
                    due=due_day(check_in, round_zone(challenge, site_zone)),
                    since=before,
                    now=now,
                )
    return reminded


# Pledges ---------------------------------------------------------------------------


def check_condition(condition: int | None) -> None:
    if condition is not None and not 1 <= condition <= policy.PLEDGE_CONDITION_MAX:
        raise Invalid(
            {
                "condition": f"A pledge can wait for 1 to {policy.PLEDGE_CONDITION_MAX} "
                "others, no fewer and no more."
            }
        )


async def _meet_conditions(tx: AsyncSession, team: Team, actor_id: int, now: datetime) -> None:
    """Every waiting pledge to ``team`` whose condition the standing pledges now meet is
    met; its people and the lead are told. Called with the team locked."""
    standing = list(
        await tx.scalars(
            select(Pledge).where(Pledge.team_id == team.id, Pledge.withdrawn_at.is_(None))
        )
    )
    others = len(standing) - 1
    met = [p for p in standing if p.waiting and p.condition is not None and p.condition <= others]
    if not met:
        return
    for pledge in met:
        pledge.met_at = now
    await tx.flush()
    await events.on_pledges_met(tx, team=team, met=met, actor_id=actor_id, now=now)


async def pledge(
    session: AsyncSession, *, team_id: int, user_id: int, data: PledgeInput, now: datetime
) -> Pledge:
    """``user_id`` promises the team something; with a condition, only once that many
    others have pledged to it too."""
    check_condition(data.condition)
    async with write(session) as tx:
        team, _idea, challenge = await _team_of(tx, team_id)
        person = await tx.get(User, user_id)
        policy.check(Action.PLEDGE, challenge, policy.pledge_roles(person, challenge), now)
        already = await tx.scalar(
            select(Pledge.id).where(
                Pledge.team_id == team.id, Pledge.user_id == user_id, Pledge.withdrawn_at.is_(None)
            )
        )
        if already is not None:
            raise Conflict(policy.PLEDGED_ALREADY)
        made = Pledge(
            challenge_id=team.challenge_id,
            team_id=team.id,
            user_id=user_id,
            kind=data.kind,
            what=data.what,
            condition=data.condition,
            created_at=now,
        )
        tx.add(made)
        try:
            await tx.flush()
        except IntegrityError:
            raise Conflict(policy.PLEDGED_ALREADY) from None
        _record(tx, "pledge.make", "team", team.id, team.challenge_id, user_id, now,
                pledge_id=made.id, condition=data.condition)  # fmt: skip
        await _meet_conditions(tx, team, user_id, now)
    return made


async def _pledge_of(tx: AsyncSession, pledge_id: int) -> tuple[Pledge, Team, Challenge]:
    found = await tx.get(Pledge, pledge_id)
    if found is None:
        raise NotFound()
    team, _idea, challenge = await _team_of(tx, found.team_id)
    await tx.refresh(found)
    return found, team, challenge


async def withdraw_pledge(
    session: AsyncSession, *, pledge_id: int, user_id: int, now: datetime
) -> None:
    """Its author takes a pledge back, until its condition is met."""
    async with write(session) as tx:
        found, team, challenge = await _pledge_of(tx, pledge_id)
        person = await tx.get(User, user_id)
        policy.check(Action.PLEDGE, challenge, policy.challenge_roles(person, challenge), now)
        if found.withdrawn_at is not None:
            raise Conflict("That pledge was withdrawn already.")
        policy.require_withdraw_pledge(
            person,
            pledger_id=found.user_id,
            met=found.met_at is not None,
            honoured=found.honoured_at is not None,
        )
        found.withdrawn_at = now
        _record(tx, "pledge.withdraw", "team", team.id, team.challenge_id, user_id, now,
                pledge_id=found.id)  # fmt: skip


async def honour_pledge(
    session: AsyncSession, *, pledge_id: int, actor_id: int, now: datetime
) -> None:
    """The lead says a pledge was kept. A waiting pledge is not due yet."""
    async with write(session) as tx:
        found, team, challenge = await _pledge_of(tx, pledge_id)
        actor = await tx.get(User, actor_id)
        roles = policy.roles_from(
            actor,
            host=policy.hosts_challenge(actor, challenge),
            author=False,
            team_member=actor_id in await _members(tx, team.id),
        )
        policy.check(Action.HONOUR_PLEDGE, challenge, roles, now)
        policy.require_honour_pledge(actor, team)
        if found.withdrawn_at is not None or found.waiting:
            raise Conflict("Only a pledge that stands, its condition met, can be honoured.")
        if found.honoured_at is not None:
            raise Conflict("That pledge was honoured already.")
        found.honoured_at = now
        _record(tx, "pledge.honour", "team", team.id, team.challenge_id, actor_id, now,
                pledge_id=found.id)  # fmt: skip


# Follow-up rounds ------------------------------------------------------------------


async def open_follow_up(
    session: AsyncSession,
    *,
    challenge_id: int,
    actor_id: int,
    data: FollowUpInput,
    now: datetime,
    once: Once | None = None,
) -> Challenge:
    """A new challenge, in draft, opened from a closed one by one of its hosts, who host
    it too. Each chosen idea (shortlisted or a winner) becomes an idea of the new round
    that builds on the original, by the same authors; its team is told to carry on."""
    async with write(session) as tx:
        if (made_id := await form_tokens.claim(tx, once, "follow-up", now)) is not None:
            return await form_tokens.earlier(tx, Challenge, made_id)
        source = await _challenge(tx, challenge_id)
        actor = await tx.get(User, actor_id)
        policy.check(Action.OPEN_FOLLOW_UP, source, policy.challenge_roles(actor, source), now)
        carried = list(
            await tx.scalars(
                select(Idea)
                .where(
                    Idea.challenge_id == challenge_id,
                    Idea.id.in_(data.idea_ids),
                    Idea.status.in_((IdeaStatus.SHORTLISTED, IdeaStatus.WINNER)),
                )
                .order_by(Idea.id)
            )
        )
        if len(carried) != len(set(data.idea_ids)):
            raise Invalid({"carry": "Only the round's shortlisted and winning ideas carry over."})
        follow = Challenge(
            slug=await _free_slug(tx, make_slug(data.title)),
            title=data.title,
            question=source.question,
            brief=source.brief,
            brief_html=source.brief_html,
            sponsor=source.sponsor,
            created_by_id=actor_id,
            vote_budget=source.vote_budget,
            team_capacity=source.team_capacity,
            one_team_per_participant=source.one_team_per_participant,
            report_threshold=source.report_threshold,
            allow_self_votes=source.allow_self_votes,
            time_zone=source.time_zone,
            language=source.language,
            idea_count=len(carried),
            created_at=now,
            updated_at=now,
        )
        tx.add(follow)
        await tx.flush()
        tx.add(FollowUp(challenge_id=follow.id, from_id=source.id, created_at=now))
        for host in source.hosts:
            tx.add(ChallengeHost(challenge_id=follow.id, user_id=host.user_id, added_at=now))
        note = CARRIED_NOTE.format(title=source.title)[: lineage.NOTE_MAX]
        made: list[tuple[Idea, Idea]] = []
        for original in carried:
            idea = Idea(
                challenge_id=follow.id,
                author_id=original.author_id,
                title=original.title,
                slug=original.slug,
                summary=original.summary,
                body=original.body,
                body_html=original.body_html,
                language=original.language,
                image_id=original.image_id,
                image_alt=original.image_alt,
                created_at=now,
                updated_at=now,
                last_activity_at=now,
            )
            tx.add(idea)
            made.append((original, idea))
        await tx.flush()
        for original, idea in made:
            tx.add(IdeaRevision(idea_id=idea.id, number=1, editor_id=original.author_id,
                                title=idea.title, summary=idea.summary, body=idea.body,
                                created_at=now))  # fmt: skip
            tx.add(IdeaLink(child_id=idea.id, parent_id=original.id, note=note, created_at=now))
            for user_id in await tx.scalars(
                select(IdeaCoauthor.user_id).where(IdeaCoauthor.idea_id == original.id)
            ):
                tx.add(IdeaCoauthor(idea_id=idea.id, user_id=user_id, added_at=now))
        await tx.flush()
        originals = {original.id for original, _ in made}
        ancestors = set(originals)
        for original_id in originals:
            ancestors |= await lineage.ancestors(tx, original_id)
        await lineage.recount(tx, ancestors, now)
        await tx.execute(update(Idea).where(Idea.id.in_(originals)).values(last_activity_at=now))
        await form_tokens.made(tx, once, follow.id)
        _record(tx, "challenge.follow_up", "challenge", follow.id, follow.id, actor_id, now,
                from_challenge=source.id, carried=sorted(originals))  # fmt: skip
        await events.on_follow_up(tx, source=source, follow=follow, carried=made,
                                  actor_id=actor_id, now=now)  # fmt: skip
    return follow
