"""The phases of a challenge and how the current one is derived.

The phase is a pure function of the schedule, the last hand switch and the
clock: nothing polls, nothing is stored when a scheduled time passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ideas.i18n import gettext, lazy_gettext


class Phase(StrEnum):
    DRAFT = "draft"
    IDEAS = "ideas"
    REVIEW = "review"
    TEAMS = "teams"
    CLOSED = "closed"

    @property
    def order(self) -> int:
        return PHASES.index(self)

    @property
    def label(self) -> str:
        return PHASE_LABELS[self]

    def next(self) -> Phase | None:
        i = self.order + 1
        return PHASES[i] if i < len(PHASES) else None


PHASES: tuple[Phase, ...] = tuple(Phase)
SCHEDULED_PHASES: tuple[Phase, ...] = PHASES[1:]  # draft has no start: it is where a round begins
PHASE_LABELS = {
    Phase.DRAFT: lazy_gettext("Draft"),
    Phase.IDEAS: lazy_gettext("Ideas"),
    Phase.REVIEW: lazy_gettext("Review"),
    Phase.TEAMS: lazy_gettext("Teams"),
    Phase.CLOSED: lazy_gettext("Closed"),
}


@dataclass(frozen=True)
class Schedule:
    """When each phase after draft starts; ``None`` means not scheduled."""

    ideas: datetime | None = None
    review: datetime | None = None
    teams: datetime | None = None
    closed: datetime | None = None

    def start_of(self, phase: Phase) -> datetime | None:
        if phase is Phase.DRAFT:
            return None
        start: datetime | None = getattr(self, phase.value)
        return start

    def problems(self) -> dict[Phase, str]:
        """Each phase whose start is not after the start of an earlier phase."""
        problems: dict[Phase, str] = {}
        previous: tuple[Phase, datetime] | None = None
        for phase in SCHEDULED_PHASES:
            start = self.start_of(phase)
            if start is None:
                continue
            if previous is not None and start <= previous[1]:
                problems[phase] = gettext(
                    "must be after the start of the %(phase)s phase", phase=previous[0].label
                )
            else:
                previous = (phase, start)
        return problems


@dataclass(frozen=True)
class HandSwitch:
    """A host set the phase by hand at a moment."""

    phase: Phase
    at: datetime


def scheduled_phase(schedule: Schedule, now: datetime) -> Phase:
    current = Phase.DRAFT
    for phase in SCHEDULED_PHASES:
        start = schedule.start_of(phase)
        if start is not None and start <= now:
            current = phase
    return current


def current_phase(schedule: Schedule, switch: HandSwitch | None, now: datetime) -> Phase:
    """The phase at ``now``.

    A hand switch holds until the schedule reaches a later phase whose start
    falls after the switch; so a host who opens early or reopens a closed round
    is not overruled by a date that already passed, but a phase scheduled for
    later still begins on time.
    """
    if switch is None or switch.at > now:
        return scheduled_phase(schedule, now)
    current = switch.phase
    for phase in SCHEDULED_PHASES:
        start = schedule.start_of(phase)
        if start is not None and switch.at < start <= now and phase.order > current.order:
            current = phase
    return current


def next_change(schedule: Schedule, phase: Phase, now: datetime) -> tuple[Phase, datetime] | None:
    """The next scheduled phase after ``phase`` and when it starts, if any."""
    for later in SCHEDULED_PHASES[phase.order :]:
        start = schedule.start_of(later)
        if later.order > phase.order and start is not None and start > now:
            return later, start
    return None
