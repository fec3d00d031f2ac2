"""Casting and withdrawing votes. Each function makes one change, committed whole.

A participant has one vote per idea (the unique constraint on votes backs it)
and, when the challenge sets a vote budget, that many votes in the challenge.
The budget holds under concurrency: where there is one, the voter's own row is
locked before their votes are counted, so two votes by the same person are
decided one after the other (on SQLite the write lock already does this). A
vote is a single INSERT ... SELECT that checks every rule in the database; only
when it inserts nothing are the rules read one by one to say which refused it.
An idea's ``vote_count`` moves in the same transaction as the vote, by an
UPDATE that adds to the column, never by a count read into Python and written
back. The statements are written once, for a plain connection
(``cast_if_allowed``, ``_withdraw``), and run inside ``write`` like every
other change.

What the rules ask of the idea, its challenge and the voter is read first, as
the request reads (``_target``); then the change. On PostgreSQL a vote where
the challenge sets no budget, and any withdrawal, is one statement that commits
by itself (``write``'s ``alone``); with a budget, the lock and the vote make
one transaction. Under READ COMMITTED, as the site runs, each statement saw
what was committed when it began, inside a transaction or not: the read and
the change see what they saw before. On SQLite the change waits for the write
lock after the read, not before it. The notice of a milestone the vote reached
is written next, in a transaction of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from ideas import policy
from ideas.accounts.models import User, UserStatus
from ideas.challenges.models import Challenge, ChallengeHost
from ideas.challenges.phases import HandSwitch, Phase, Schedule, current_phase
from ideas.db import UTCDateTime, on_connection, rows_of, write
from ideas.errors import AlreadyDone, Conflict, DomainError, Forbidden, NotFound
from ideas.i18n import _, lazy_gettext, status_word
from ideas.live import events as live
from ideas.notifications import events as notification_events
from ideas.policy import Action
from ideas.submissions.models import VISIBLE_STATUSES, Idea, IdeaCoauthor
from ideas.voting.models import Vote

ALREADY_VOTED = lazy_gettext("You have already voted for this idea.")
NOT_VOTED = lazy_gettext("You have not voted for this idea, so there is no vote to withdraw.")


def budget_spent(budget: int) -> str:
    """Why the vote over the budget is refused, and what to do about it."""
    if budget == 1:
        return _(
            "You have used your only vote in this challenge. Withdraw it to vote for another idea."
        )
    return _(
        "You have used all %(budget)s of your votes in this challenge. "
        "Withdraw one to vote for another idea.",
        budget=budget,
    )


def no_votes_for(status: str) -> str:
    return _("This idea is %(status)s, so it takes no votes.", status=status_word(status))


@dataclass(frozen=True)
class Ballot:
    """A participant's vote on an idea as it stands after a change."""

    idea_id: int
    voted: bool
    vote_count: int
    # The votes the participant has spent in the challenge and how many they have;
    # both None when the challenge sets no budget.
    votes_used: int | None
    vote_budget: int | None

    @property
    def votes_left(self) -> int | None:
        if self.vote_budget is None or self.votes_used is None:
            return None
        return max(0, self.vote_budget - self.votes_used)


class Counted(NamedTuple):
    """What a vote or a withdrawal leaves: the idea's count, and the challenge's budget
    with the voter's votes spent against it."""

    vote_count: int
    budget: int | None
    used: int | None


# The statements of the vote endpoint, the busiest of all, are built once, on the
# tables, with bound parameters: building an ORM statement costs more than running
# a Core one from the compiled cache.

_ideas = cast(Table, Idea.__table__)
_votes = cast(Table, Vote.__table__)
_challenges = cast(Table, Challenge.__table__)
_users = cast(Table, User.__table__)
_coauthors = cast(Table, IdeaCoauthor.__table__)
# Named unlike any column: an UPDATE would set a column whose name a parameter has.
_IDEA_ID = bindparam("target_idea", type_=Integer)
_USER_ID = bindparam("voter", type_=Integer)
_CHALLENGE_ID = bindparam("in_challenge", type_=Integer)
_NOW = bindparam("at", type_=UTCDateTime())


def counted_votes() -> Select[Any]:
    """The votes of the voter (parameter ``voter``) that count against the budget of
    the challenge (parameter ``in_challenge``).

    A vote for an idea that was since withdrawn or hidden does not count: its
    voter can no longer reach the idea to take the vote back.
    """
    counted = _ideas.alias("counted")
    return (
        select(func.count())
        .select_from(_votes.join(counted, counted.c.id == _votes.c.idea_id))
        .where(
            _votes.c.challenge_id == _CHALLENGE_ID,
            _votes.c.user_id == _USER_ID,
            counted.c.status.in_(VISIBLE_STATUSES),
        )
    )


def _vote_if_allowed(insert: Any, *, unbudgeted: bool = False) -> Any:
    """One statement that casts the vote only if every rule allows it.

    The idea is of the challenge and visible; the voter is active; the voter is
    not one of its authors unless the challenge allows self-votes; the voter has
    not spent the challenge's budget; and has not voted for it already (ON
    CONFLICT). When nothing comes back, ``vote_refusal`` says which rule stopped
    it. The two are the same rules written twice, once in SQL (which holds under
    concurrency) and once in Python (``policy.may_vote_for`` and
    ``vote_refusal``); tests/voting/test_vote_rules_agree.py runs every case
    through both. ``unbudgeted``: only while the challenge sets no budget.
    """
    coauthor = exists().where(_coauthors.c.idea_id == _ideas.c.id, _coauthors.c.user_id == _USER_ID)
    voter_active = exists().where(_users.c.id == _USER_ID, _users.c.status == UserStatus.ACTIVE)
    within_budget: ColumnElement[bool] = _challenges.c.vote_budget.is_(None)
    if not unbudgeted:
        within_budget = or_(
            within_budget, counted_votes().scalar_subquery() < _challenges.c.vote_budget
        )
    allowed = (
        select(_IDEA_ID, _USER_ID, _CHALLENGE_ID, _NOW)
        .select_from(_ideas.join(_challenges, _challenges.c.id == _ideas.c.challenge_id))
        .where(
            _ideas.c.id == _IDEA_ID,
            _ideas.c.challenge_id == _CHALLENGE_ID,
            _ideas.c.status.in_(VISIBLE_STATUSES),
            voter_active,
            or_(
                _challenges.c.allow_self_votes,
                and_(_ideas.c.author_id != _USER_ID, ~coauthor),
            ),
            within_budget,
        )
    )
    return (
        insert(_votes)
        .from_select(["idea_id", "user_id", "challenge_id", "created_at"], allowed)
        .on_conflict_do_nothing(index_elements=["idea_id", "user_id"])
        .returning(_votes.c.idea_id)
    )


_CAST_SQLITE = _vote_if_allowed(sqlite_insert)
_LOCK_VOTER = select(_users.c.id).where(_users.c.id == _USER_ID).with_for_update(key_share=True)
_WITHDRAW = (
    delete(_votes)
    .where(
        _votes.c.idea_id == _IDEA_ID,
        _votes.c.user_id == _USER_ID,
        _votes.c.challenge_id == _CHALLENGE_ID,
    )
    .returning(_votes.c.idea_id)
)
# SQLite: the vote, then its count, then where the voter stands (SQLite cannot name
# other tables in RETURNING). PostgreSQL does all three in one statement
# (``_cast_and_count``, ``_withdraw_and_count``).
_BUDGET = select(_challenges.c.vote_budget).where(_challenges.c.id == _CHALLENGE_ID)


def _used(change: Any = 0) -> Any:
    """The votes spent against the budget, counted only where there is one."""
    return case(
        (_BUDGET.scalar_subquery().is_not(None), counted_votes().scalar_subquery() + change),
        else_=None,
    ).label("used")


_STANDING = (_BUDGET.scalar_subquery().label("budget"), _used())


def _count(change: int) -> Any:
    values: dict[str, Any] = {"vote_count": _ideas.c.vote_count + change}
    if change > 0:
        values["last_activity_at"] = _NOW
    return (
        update(_ideas).where(_ideas.c.id == _IDEA_ID).values(values).returning(_ideas.c.vote_count)
    )


_COUNT_UP = _count(+1)
_COUNT_DOWN = _count(-1)
_READ_STANDING = select(*_STANDING)


def _cast_and_count(*, unbudgeted: bool = False) -> Any:
    """PostgreSQL: the vote and its count in one statement. The INSERT runs as a
    data-modifying WITH; the UPDATE of the count joins what it inserted, so nothing
    is counted when nothing was cast. Both parts see the database as the statement
    began, so the votes used are those counted before plus this one."""
    cast = _vote_if_allowed(pg_insert, unbudgeted=unbudgeted).cte("cast")
    return (
        update(_ideas)
        .where(_ideas.c.id == cast.c.idea_id)
        .values(vote_count=_ideas.c.vote_count + 1, last_activity_at=_NOW)
        .returning(
            _ideas.c.vote_count,
            _BUDGET.scalar_subquery().label("budget"),
            _used(1),
        )
    )


_CAST_AND_COUNT = _cast_and_count()
_CAST_AND_COUNT_UNBUDGETED = _cast_and_count(unbudgeted=True)


def _withdraw_and_count() -> Any:
    """PostgreSQL: the withdrawal and its count in one statement, as for a vote. The
    votes used were counted before the DELETE, so the withdrawn one is taken off when
    its idea is one whose votes count."""
    withdrawn = _WITHDRAW.cte("withdrawn")
    counts = case((_ideas.c.status.in_(VISIBLE_STATUSES), 1), else_=0)
    return (
        update(_ideas)
        .where(_ideas.c.id == withdrawn.c.idea_id)
        .values(vote_count=_ideas.c.vote_count - 1)
        .returning(
            _ideas.c.vote_count,
            _BUDGET.scalar_subquery().label("budget"),
            _used(-counts),
        )
    )


_WITHDRAW_AND_COUNT = _withdraw_and_count()


_hosts = cast(Table, ChallengeHost.__table__)
# Everything a change of vote reads before it writes, in one read: the idea (what its
# vote button shows, and whether it is listed), its challenge's schedule, last hand
# switch and vote budget, and who the voter is to them (whether they host the
# challenge, author or co-author the idea, and their account's standing), for
# ``policy`` to say whether they may vote there now.
_TARGET = (
    select(
        _ideas.c.challenge_id,
        _ideas.c.slug,
        _ideas.c.title,
        _ideas.c.status,
        _ideas.c.vote_count,
        _challenges.c.vote_budget,
        _challenges.c.ideas_opens_at,
        _challenges.c.review_opens_at,
        _challenges.c.teams_opens_at,
        _challenges.c.closes_at,
        _challenges.c.phase_switched_to,
        _challenges.c.phase_switched_at,
        exists()
        .where(_hosts.c.challenge_id == _ideas.c.challenge_id, _hosts.c.user_id == _USER_ID)
        .label("host"),
        or_(
            _ideas.c.author_id == _USER_ID,
            exists().where(_coauthors.c.idea_id == _ideas.c.id, _coauthors.c.user_id == _USER_ID),
        ).label("author"),
        _users.c.status.label("voter_status"),
        _users.c.is_admin.label("voter_admin"),
    )
    .select_from(_ideas.join(_challenges, _challenges.c.id == _ideas.c.challenge_id))
    .outerjoin(_users, _users.c.id == _USER_ID)
    .where(_ideas.c.id == _IDEA_ID)
)


@dataclass(frozen=True)
class Target:
    """What a change of vote read of the idea, its challenge and the voter."""

    idea: Idea  # not in any session: only the columns a vote button shows
    challenge: Challenge  # not in any session: its id and vote budget
    phase: Phase
    roles: frozenset[policy.Role]  # the voter's, for the idea

    @property
    def budgeted(self) -> bool:
        return self.challenge.vote_budget is not None


async def _target(
    tx: AsyncSession,
    params: dict[str, Any],
    now: datetime,
    *,
    as_seen: bool = False,
    vote: bool = False,
) -> Target:
    """Read what the change needs, and let ``policy`` say whether the voter may vote (or
    withdraw a vote) in the challenge at ``now``. ``params["in_challenge"]``, when given,
    is the challenge the idea must belong to; it is set from the idea otherwise.

    ``as_seen``: as the vote endpoint asks, which shows the idea only to who may see it
    (NotFound otherwise) and, for a ``vote``, refuses an idea that is not listed
    before it asks about the phase.

    The budget is read in the same query: where there is none, a vote on PostgreSQL
    is one statement, and on SQLite there is no standing to read after it. (The vote's
    statement checks the budget again as it inserts: one set meanwhile still holds.)
    """
    rows = await rows_of(tx, _TARGET, params)
    row = rows[0] if rows else None
    if row is None or params["in_challenge"] not in (None, row.challenge_id):
        raise NotFound()
    params["in_challenge"] = row.challenge_id
    idea = Idea.of_columns(
        id=params["target_idea"],
        challenge_id=row.challenge_id,
        slug=row.slug,
        title=row.title,
        status=row.status,
        vote_count=row.vote_count,
    )
    challenge = Challenge.of_columns(id=row.challenge_id, vote_budget=row.vote_budget)
    voter = None
    if row.voter_status is not None:
        voter = User.of_columns(
            id=params["voter"], status=row.voter_status, is_admin=row.voter_admin
        )
    roles = policy.roles_from(voter, host=bool(row.host), author=bool(row.author))
    if as_seen and not policy.can_see_idea(idea, roles):
        raise NotFound()
    if as_seen and vote and not idea.is_visible:
        # Authors and hosts still see a withdrawn or hidden idea; it takes no votes.
        raise Forbidden(no_votes_for(idea.status.value))
    switch = None
    if row.phase_switched_to is not None and row.phase_switched_at is not None:
        switch = HandSwitch(row.phase_switched_to, row.phase_switched_at)
    schedule = Schedule(row.ideas_opens_at, row.review_opens_at, row.teams_opens_at, row.closes_at)
    phase = current_phase(schedule, switch, now)
    policy.check_in(Action.VOTE, phase, policy.roles_from(voter, host=bool(row.host), author=False))
    return Target(idea, challenge, phase, roles)


def _standing(connection: Connection, params: dict[str, Any], budgeted: bool) -> tuple[Any, Any]:
    """SQLite: the challenge's budget and the votes spent against it, read only where
    there is one."""
    return tuple(connection.execute(_READ_STANDING, params).one()) if budgeted else (None, None)


def cast_if_allowed(
    connection: Connection, params: dict[str, Any], budgeted: bool = True
) -> Counted | None:
    """Cast the vote if every rule allows it, and count it; None when a rule refused it.

    ``budgeted``: whether the challenge set a budget when the vote's target was read.

    On PostgreSQL a challenge without a budget takes the vote in one statement,
    which may be sent alone (``write``'s ``alone``). With a budget the voter's
    row is locked first, in the transaction, so that one person's votes queue
    there: two of them could otherwise both count the same votes spent and both
    pass the budget. (The first statement casts only while the challenge has no
    budget, so a budget removed meanwhile takes the vote there; one set
    meanwhile refuses it, rather than counting it without the lock.) On SQLite
    the write lock already serialises every write; ``budgeted`` False leaves out
    the read of the votes spent.
    """
    if connection.dialect.name == "postgresql":
        row = connection.execute(_CAST_AND_COUNT_UNBUDGETED, params).one_or_none()
        if row is None and budgeted:
            connection.execute(_LOCK_VOTER, params)
            row = connection.execute(_CAST_AND_COUNT, params).one_or_none()
        return None if row is None else Counted(*row)
    if connection.scalar(_CAST_SQLITE, params) is None:
        return None
    vote_count = connection.scalar(_COUNT_UP, params)
    return Counted(vote_count, *_standing(connection, params, budgeted))


def _withdraw(connection: Connection, params: dict[str, Any], budgeted: bool) -> Counted | None:
    """Take the vote back and uncount it; None when there was none."""
    if connection.dialect.name == "postgresql":
        row = connection.execute(_WITHDRAW_AND_COUNT, params).one_or_none()
        return None if row is None else Counted(*row)
    if connection.scalar(_WITHDRAW, params) is None:
        return None
    vote_count = connection.scalar(_COUNT_DOWN, params)
    return Counted(vote_count, *_standing(connection, params, budgeted))


async def vote_refusal(
    tx: AsyncSession, *, idea_id: int, user_id: int, challenge_id: int
) -> DomainError | None:
    """Why the rules refuse the vote, read one by one; None when they allow it.

    The slow path, taken only when the vote's INSERT refused it, to say why: the
    same rules as ``_vote_if_allowed`` checks in SQL, in Python.
    """
    voter = await tx.get(User, user_id)
    if voter is None or not voter.is_active:
        return Forbidden(policy.SIGN_IN)
    idea = await tx.scalar(
        select(Idea)
        .options(joinedload(Idea.challenge), selectinload(Idea.coauthors))
        .where(Idea.id == idea_id)
    )
    if idea is None or idea.challenge_id != challenge_id:
        return NotFound()
    if idea.status not in VISIBLE_STATUSES:
        return Conflict(no_votes_for(idea.status.value))
    if not policy.may_vote_for(voter, idea.challenge, idea):
        return Forbidden(policy.VOTE_FOR_OWN_IDEA)
    already = await tx.scalar(
        select(Vote.id).where(Vote.idea_id == idea_id, Vote.user_id == user_id)
    )
    if already is not None:
        return AlreadyDone(ALREADY_VOTED)
    budget = idea.challenge.vote_budget
    if budget is not None:
        used = await tx.scalar(counted_votes(), {"voter": user_id, "in_challenge": challenge_id})
        if int(used or 0) >= budget:
            return Conflict(budget_spent(budget))
    return None


def _ballot(idea_id: int, voted: bool, counted: Counted) -> Ballot:
    return Ballot(
        idea_id=idea_id,
        voted=voted,
        vote_count=int(counted.vote_count),
        votes_used=None if counted.budget is None or counted.used is None else int(counted.used),
        vote_budget=counted.budget,
    )


async def _cast(tx: AsyncSession, params: dict[str, Any], target: Target) -> Counted:
    counted = await on_connection(tx, cast_if_allowed, params, target.budgeted)
    if counted is None:
        refusal = await vote_refusal(
            tx, idea_id=target.idea.id, user_id=params["voter"], challenge_id=target.challenge.id
        )
        # A rule the INSERT found broken and Python did not: say the likeliest.
        raise refusal or Conflict(ALREADY_VOTED)
    # The INSERT took the vote only for a visible idea.
    live.vote_changed(
        tx,
        challenge_id=target.challenge.id,
        idea_id=target.idea.id,
        phase=target.phase,
        idea_visible=True,
    )
    return counted


async def _uncast(tx: AsyncSession, params: dict[str, Any], target: Target) -> Counted:
    counted = await on_connection(tx, _withdraw, params, target.budgeted)
    if counted is None:
        raise AlreadyDone(NOT_VOTED)
    live.vote_changed(
        tx,
        challenge_id=target.challenge.id,
        idea_id=target.idea.id,
        phase=target.phase,
        # Read in this transaction, before the withdrawal, which leaves it as it was.
        idea_visible=target.idea.is_visible,
    )
    return counted


def _params(idea_id: int, user_id: int, now: datetime, challenge_id: int | None) -> dict[str, Any]:
    return {"target_idea": idea_id, "voter": user_id, "in_challenge": challenge_id, "at": now}


def _alone(target: Target, vote: bool) -> bool:
    """Whether the change is one statement (``write``'s ``alone``): a withdrawal always;
    a vote where the challenge sets no budget (with one, the voter's row is locked
    first). SQLite's statements make a transaction either way."""
    return not (vote and target.budgeted)


async def _told_of_milestone(session: AsyncSession, ballot: Ballot, now: datetime) -> None:
    """The idea's authors hear of a milestone the vote reached, in a transaction of its own
    after the vote's: only where the count is one (``notification_events``)."""
    if ballot.voted and notification_events.is_vote_milestone(ballot.vote_count):
        async with write(session) as tx:
            await notification_events.on_vote_cast(tx, ballot.idea_id, ballot.vote_count, now)


async def cast_vote(
    session: AsyncSession,
    *,
    idea_id: int,
    user_id: int,
    now: datetime,
    challenge_id: int | None = None,
) -> Ballot:
    """Vote for a visible idea of someone else (or one's own, where the challenge allows it).

    ``challenge_id``, when given, is the challenge the idea must belong to.
    Refused with ``Conflict`` when the participant already voted for the idea
    or has spent the challenge's vote budget; nothing changes then.

    One read of what ``policy`` asks, then the vote: one INSERT that checks
    every rule itself and an UPDATE of the count that also says where the
    voter stands: the change holds its locks as briefly as it can.
    """
    params = _params(idea_id, user_id, now, challenge_id)
    target = await _target(session, params, now)
    async with write(session, alone=_alone(target, vote=True)) as tx:
        counted = await _cast(tx, params, target)
    ballot = _ballot(idea_id, True, counted)
    await _told_of_milestone(session, ballot, now)
    return ballot


async def withdraw_vote(
    session: AsyncSession,
    *,
    idea_id: int,
    user_id: int,
    now: datetime,
    challenge_id: int | None = None,
) -> Ballot:
    """Take back one's vote for an idea; ``AlreadyDone`` if there is none to take back."""
    params = _params(idea_id, user_id, now, challenge_id)
    target = await _target(session, params, now)
    async with write(session, alone=_alone(target, vote=False)) as tx:
        counted = await _uncast(tx, params, target)
    return _ballot(idea_id, False, counted)


@dataclass(frozen=True)
class VoteChange:
    """What the vote endpoint's change read and left."""

    target: Target
    ballot: Ballot | None  # None: nothing to change (voted already, or no vote to withdraw)


async def change_vote(
    session: AsyncSession, *, idea_id: int, user_id: int, vote: bool, now: datetime
) -> VoteChange:
    """Vote for the idea (``vote``) or withdraw one's vote, as the vote endpoint asks: the
    idea read with what ``policy`` needs, then the change.

    NotFound for an idea the voter may not see; Forbidden for a vote for one that
    is not listed, or where ``policy`` refuses; Conflict as ``cast_vote``. A vote
    that stands already, or a withdrawal with no vote to take back, changes
    nothing and says so (``ballot`` None): the same form sent twice.
    """
    params = _params(idea_id, user_id, now, None)
    target = await _target(session, params, now, as_seen=True, vote=vote)
    try:
        async with write(session, alone=_alone(target, vote)) as tx:
            if vote:
                counted = await _cast(tx, params, target)
            else:
                counted = await _uncast(tx, params, target)
    except AlreadyDone:
        return VoteChange(target, None)
    ballot = _ballot(idea_id, vote, counted)
    await _told_of_milestone(session, ballot, now)
    return VoteChange(target, ballot)
