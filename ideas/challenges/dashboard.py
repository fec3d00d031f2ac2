"""What a host sees of a challenge: counts, activity per day, and what waits for them.

Every number comes from a fixed handful of queries whatever the size of the
round: counts are sums of the counter columns kept on each idea, and days are
bucketed in SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase, next_change
from ideas.i18n import _, ngettext
from ideas.moderation.models import Report
from ideas.submissions.models import VISIBLE_STATUSES, Idea, IdeaStatus

ACTIVITY_DAYS = 60  # the chart shows at most this many days, the latest ones


# Counts ---------------------------------------------------------------------


def _participant_sources(challenge_id: int) -> list[Select[int]]:
    """One select of person ids per way of taking part in the challenge.

    Everyone who appears in any of them counts once. Voting, commenting and
    comparing add their own select here when they exist.
    """
    return [
        select(Idea.author_id.label("person_id")).where(Idea.challenge_id == challenge_id),
    ]


async def participant_count(session: AsyncSession, challenge_id: int) -> int:
    """Distinct people who took part in the challenge, in one query."""
    # UNION of one select is that select alone, not de-duplicated: count distinct ids.
    people = union(*_participant_sources(challenge_id)).subquery()
    query = select(func.count(people.c.person_id.distinct()))
    return int(await session.scalar(query) or 0)


@dataclass(frozen=True)
class Counts:
    participants: int
    ideas: int  # visible ones: published, shortlisted and winners
    by_status: dict[IdeaStatus, int]
    votes: int
    comments: int
    build_ons: int
    open_reports: int = 0  # reports on its ideas and comments that wait for a decision

    @property
    def shortlisted(self) -> int:
        """Shortlisted ideas, winners included: winners come from the shortlist."""
        return self.by_status[IdeaStatus.SHORTLISTED] + self.by_status[IdeaStatus.WINNER]

    @property
    def winners(self) -> int:
        return self.by_status[IdeaStatus.WINNER]

    @property
    def withdrawn(self) -> int:
        return self.by_status[IdeaStatus.WITHDRAWN]

    @property
    def hidden(self) -> int:
        return self.by_status[IdeaStatus.HIDDEN]

    @property
    def published(self) -> int:
        return self.by_status[IdeaStatus.PUBLISHED]


async def counts(session: AsyncSession, challenge_id: int) -> Counts:
    """The challenge's numbers in two queries: ideas per status with their sums, and people.

    Votes, comments and build-ons are summed over every idea of the round,
    withdrawn and hidden ones too: they were cast all the same.
    """
    # Open reports ride along on every row: a challenge without ideas has none.
    open_reports = (
        select(func.count())
        .select_from(Report)
        .where(Report.challenge_id == challenge_id, Report.resolved_at.is_(None))
        .scalar_subquery()
    )
    rows = await session.execute(
        select(
            Idea.status,
            func.count(),
            func.coalesce(func.sum(Idea.vote_count), 0),
            func.coalesce(func.sum(Idea.comment_count), 0),
            func.coalesce(func.sum(Idea.build_count), 0),
            open_reports,
        )
        .where(Idea.challenge_id == challenge_id)
        .group_by(Idea.status)
    )
    by_status = dict.fromkeys(IdeaStatus, 0)
    votes = comments = build_ons = reports = 0
    for status, ideas, status_votes, status_comments, status_builds, waiting in rows:
        by_status[status] = int(ideas)
        votes += int(status_votes)
        comments += int(status_comments)
        build_ons += int(status_builds)
        reports = int(waiting)
    return Counts(
        participants=await participant_count(session, challenge_id),
        ideas=sum(by_status[status] for status in VISIBLE_STATUSES),
        by_status=by_status,
        votes=votes,
        comments=comments,
        build_ons=build_ons,
        open_reports=reports,
    )


# Activity per day -----------------------------------------------------------


def utc_day(column: Any, dialect_name: str) -> ColumnElement[Any]:
    """The UTC calendar day of a timestamp column, computed by the database.

    SQLite keeps timestamps as UTC text, so ``date()`` already gives the UTC
    day; PostgreSQL's ``timestamptz`` is turned into UTC wall time first, so the
    day does not depend on the connection's time zone.
    """
    if dialect_name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)


def _as_date(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(value[:10])


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass(frozen=True)
class Day:
    day: date
    ideas: int


@dataclass(frozen=True)
class Activity:
    days: Sequence[Day]

    @property
    def total(self) -> int:
        return sum(day.ideas for day in self.days)

    @property
    def busiest(self) -> Day | None:
        return max(self.days, key=lambda day: day.ideas, default=None)


def _round_end(challenge: Challenge, phase: Phase, now: datetime) -> datetime:
    """When the round's activity stops: now, or the moment a closed round closed."""
    if phase is not Phase.CLOSED:
        return now
    switch = challenge.hand_switch
    # A hand switch to closed is only possible from another phase, so it is the moment
    # the round closed; otherwise the schedule closed it.
    closed_at = switch.at if switch is not None and switch.phase is Phase.CLOSED else None
    closed_at = closed_at or challenge.closes_at or now
    return min(closed_at, now)


def _round_start(challenge: Challenge, now: datetime) -> datetime | None:
    """The earliest moment the round was known to be open for ideas."""
    candidates = [
        moment
        for moment in (challenge.ideas_opens_at, challenge.phase_switched_at)
        if moment is not None and moment <= now
    ]
    return min(candidates, default=None)


async def activity(
    session: AsyncSession, challenge: Challenge, phase: Phase, now: datetime
) -> Activity:
    """Ideas posted per UTC day over the round so far (at most the last 60 days), in one query.

    Days on which nothing was posted are there with zero. A round still in
    draft has no activity yet; a closed one ends on the day it closed, or on its
    last day of activity if that came later.
    """
    if phase is Phase.DRAFT:
        return Activity(days=())
    today = now.astimezone(UTC).date()
    ends = _round_end(challenge, phase, now).astimezone(UTC).date()
    dialect = session.get_bind().dialect.name
    day = utc_day(Idea.created_at, dialect).label("day")
    rows = await session.execute(
        select(day, func.count())
        .where(
            Idea.challenge_id == challenge.id,
            Idea.created_at >= _start_of(ends - timedelta(days=ACTIVITY_DAYS - 1)),
            Idea.created_at < _start_of(today + timedelta(days=1)),
        )
        .group_by(day)
    )
    posted = {_as_date(value): int(ideas) for value, ideas in rows}
    last = max([ends, *posted])
    opened = _round_start(challenge, now)
    first = min([last, *posted, *([opened.astimezone(UTC).date()] if opened else [])])
    first = max(first, last - timedelta(days=ACTIVITY_DAYS - 1))
    return Activity(
        days=[
            Day(day=first + timedelta(days=n), ideas=posted.get(first + timedelta(days=n), 0))
            for n in range((last - first).days + 1)
        ]
    )


@dataclass(frozen=True)
class Bar:
    day: Day
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    """The bars of the activity chart, in the SVG's own units.

    Each day gets a slot ``SLOT`` wide and the tallest bar is ``HEIGHT`` high;
    the SVG stretches to the width of the page, and its axis labels are HTML
    beside it so they stay readable at any size.
    """

    SLOT = 10
    HEIGHT = 100

    peak: int
    bars: Sequence[Bar]

    @property
    def width(self) -> int:
        return max(len(self.bars), 1) * self.SLOT


def chart(days: Sequence[Day]) -> Chart:
    peak = max((day.ideas for day in days), default=0)
    bar_width = Chart.SLOT * 0.7
    bars = []
    for n, day in enumerate(days):
        height = Chart.HEIGHT * day.ideas / peak if peak else 0.0
        bars.append(
            Bar(
                day=day,
                x=round(n * Chart.SLOT + (Chart.SLOT - bar_width) / 2, 2),
                y=round(Chart.HEIGHT - height, 2),
                width=round(bar_width, 2),
                height=round(height, 2),
            )
        )
    return Chart(peak=peak, bars=bars)


# What waits for the host ----------------------------------------------------


@dataclass(frozen=True)
class Task:
    """Something that needs the host: what, why, and where to do it.

    ``page`` names the route (taking the challenge's slug) where it is done;
    ``when`` is the moment the task is about, if it has one.
    """

    title: str
    detail: str
    link_text: str
    page: str = "challenge.detail"
    when: datetime | None = None


def _open_round(challenge: Challenge, numbers: Counts) -> Task:
    opens = challenge.ideas_opens_at
    return Task(
        title=_("Open the challenge for ideas"),
        detail=(
            _("It opens by itself at the scheduled time, or open it by hand now.")
            if opens is not None
            else _("No opening time is scheduled: open it by hand when the brief is ready.")
        ),
        link_text=_("Open it from the challenge page"),
        when=opens,
    )


def _shortlist(challenge: Challenge, numbers: Counts) -> Task:
    return Task(
        title=_("Shortlist the strongest ideas"),
        detail=(
            ngettext("%(num)d idea waiting", "%(num)d ideas waiting", numbers.published)
            + ", "
            + ngettext(
                "%(num)d shortlisted so far.", "%(num)d shortlisted so far.", numbers.shortlisted
            )
        ),
        link_text=_("Go to the shortlist"),
        page="challenge.shortlist",
    )


def _pick_winners(challenge: Challenge, numbers: Counts) -> Task:
    return Task(
        title=_("Pick the winners"),
        detail=(
            _(
                "%(winners)s chosen from %(shortlisted)s.",
                winners=ngettext("%(num)d winner", "%(num)d winners", numbers.winners),
                shortlisted=ngettext(
                    "%(num)d shortlisted idea", "%(num)d shortlisted ideas", numbers.shortlisted
                ),
            )
        ),
        link_text=_("Go to the winners"),
        page="challenge.winners",
    )


TaskFor = Callable[[Challenge, Counts], Task | None]

# For each phase, what the host is asked to do, in order.
TASKS_BY_PHASE: dict[Phase, tuple[TaskFor, ...]] = {
    Phase.DRAFT: (_open_round,),
    Phase.IDEAS: (_shortlist,),
    Phase.REVIEW: (_shortlist,),
    Phase.TEAMS: (_pick_winners,),
    Phase.CLOSED: (_pick_winners,),
}


def waiting(challenge: Challenge, phase: Phase, numbers: Counts, now: datetime) -> list[Task]:
    """What needs the host now, from the phase, the counts and the schedule."""
    tasks = [task(challenge, numbers) for task in TASKS_BY_PHASE[phase]]
    if numbers.open_reports:
        tasks.insert(
            0,
            Task(
                title=_("Review reported items"),
                detail=ngettext(
                    "%(num)d open report waits for a decision.",
                    "%(num)d open reports wait for a decision.",
                    numbers.open_reports,
                ),
                link_text=_("Go to the moderation queue"),
                page="challenge.moderation",
            ),
        )
    coming = next_change(challenge.schedule, phase, now)
    if coming is not None and phase is not Phase.DRAFT:
        upcoming, when = coming
        tasks.append(
            Task(
                title=_("The %(phase)s phase begins", phase=upcoming.label),
                detail=_("The %(phase)s phase ends then.", phase=phase.label),
                link_text=_("See the schedule"),
                when=when,
            )
        )
    return [task for task in tasks if task is not None]
