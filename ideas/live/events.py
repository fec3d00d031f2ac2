"""What services tell open pages, once their transaction has committed.

A service calls one of these inside its write transaction; the event leaves
only after the commit (``ideas.db.after_commit``), so a change rolled back is
never heard of. ``policy.may_announce`` decides whether a change may be told
at all: only what everyone who may open the page may see. An event carries a
name and an idea's public id, never who did it; the page fetches what it
shows through its usual routes, which ask ``policy`` for that viewer.

Topics (who hears): ``challenge:<id>`` (its page: votes, new ideas),
``idea:<id>`` (its page: votes, comments), ``phase:<challenge id>`` (both
pages), ``user:<id>`` (a signed-in person's notification badge).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from ideas import policy
from ideas.challenges.phases import Phase
from ideas.db import Database, after_commit
from ideas.live.hub import Event

VOTED = "voted"  # an idea's vote count changed: "voted-<idea id>"
IDEA_POSTED = "idea-posted"  # a new idea in the challenge
COMMENTED = "commented"  # a new comment on the idea: "commented-<idea id>"
PHASE_CHANGED = "phase-changed"  # a host switched the challenge's phase
NOTIFIED = "notified"  # the person's unread notifications changed


def challenge_topic(challenge_id: int) -> str:
    return f"challenge:{challenge_id}"


def idea_topic(idea_id: int) -> str:
    return f"idea:{idea_id}"


def phase_topic(challenge_id: int) -> str:
    return f"phase:{challenge_id}"


def user_topic(user_id: int) -> str:
    return f"user:{user_id}"


def announce(tx: AsyncSession, event: Event) -> None:
    """Publish ``event`` once ``tx`` commits (nothing if the site tells no page)."""
    database: Database | None = tx.info.get("database")
    hub = None if database is None else database.live
    if hub is not None:
        after_commit(tx, lambda: hub.publish(event))


def vote_changed(
    tx: AsyncSession, *, challenge_id: int, idea_id: int, phase: Phase, idea_visible: bool
) -> None:
    if policy.may_announce(phase, idea_visible=idea_visible):
        topics = (challenge_topic(challenge_id), idea_topic(idea_id))
        announce(tx, Event(VOTED, topics, idea_id))


def idea_posted(tx: AsyncSession, *, challenge_id: int, phase: Phase) -> None:
    if policy.may_announce(phase):
        announce(tx, Event(IDEA_POSTED, (challenge_topic(challenge_id),)))


def commented(tx: AsyncSession, *, idea_id: int, phase: Phase, idea_visible: bool) -> None:
    if policy.may_announce(phase, idea_visible=idea_visible):
        announce(tx, Event(COMMENTED, (idea_topic(idea_id),), idea_id))


def phase_switched(tx: AsyncSession, *, challenge_id: int, before: Phase, after: Phase) -> None:
    # Told when either side is public: a page open before a round went back to its
    # draft hears that it changed (and, reloaded, that it is gone), nothing more.
    if policy.may_announce(before) or policy.may_announce(after):
        announce(tx, Event(PHASE_CHANGED, (phase_topic(challenge_id),)))


def notified(tx: AsyncSession, user_ids: Iterable[int]) -> None:
    """Each person's badge fetches its own count again; the event says nothing more."""
    topics = tuple(sorted({user_topic(user_id) for user_id in user_ids}))
    if topics:
        announce(tx, Event(NOTIFIED, topics))
