"""The current phase is a pure function of schedule, hand switch and clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ideas.challenges.phases import HandSwitch, Phase, Schedule, current_phase, next_change

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
SCHEDULE = Schedule(ideas=T0, review=T0 + 10 * DAY, teams=T0 + 20 * DAY, closed=T0 + 30 * DAY)


@pytest.mark.parametrize(
    ("at", "phase"),
    [
        (T0 - DAY, Phase.DRAFT),
        (T0, Phase.IDEAS),
        (T0 + 9 * DAY, Phase.IDEAS),
        (T0 + 10 * DAY, Phase.REVIEW),
        (T0 + 25 * DAY, Phase.TEAMS),
        (T0 + 30 * DAY, Phase.CLOSED),
        (T0 + 400 * DAY, Phase.CLOSED),
    ],
)
def test_phase_follows_the_schedule(at: datetime, phase: Phase) -> None:
    assert current_phase(SCHEDULE, None, at) is phase


def test_an_unscheduled_challenge_stays_in_draft() -> None:
    assert current_phase(Schedule(), None, T0) is Phase.DRAFT


def test_opening_early_by_hand_holds_until_the_next_scheduled_phase() -> None:
    opened = HandSwitch(Phase.IDEAS, T0 - 5 * DAY)
    assert current_phase(SCHEDULE, opened, T0 - 4 * DAY) is Phase.IDEAS
    assert current_phase(SCHEDULE, opened, T0 + 10 * DAY) is Phase.REVIEW


def test_reopening_a_closed_round_is_not_overruled_by_dates_already_passed() -> None:
    reopened = HandSwitch(Phase.TEAMS, T0 + 35 * DAY)
    assert current_phase(SCHEDULE, reopened, T0 + 36 * DAY) is Phase.TEAMS


def test_closing_early_by_hand_stays_closed() -> None:
    closed = HandSwitch(Phase.CLOSED, T0 + 2 * DAY)
    assert current_phase(SCHEDULE, closed, T0 + 25 * DAY) is Phase.CLOSED


def test_a_hand_switch_in_the_future_does_not_apply_yet() -> None:
    later = HandSwitch(Phase.CLOSED, T0 + 5 * DAY)
    assert current_phase(SCHEDULE, later, T0 + DAY) is Phase.IDEAS


def test_moving_back_a_phase_holds_until_the_next_scheduled_start() -> None:
    back = HandSwitch(Phase.REVIEW, T0 + 22 * DAY)
    assert current_phase(SCHEDULE, back, T0 + 21 * DAY) is Phase.TEAMS
    assert current_phase(SCHEDULE, back, T0 + 23 * DAY) is Phase.REVIEW
    assert current_phase(SCHEDULE, back, T0 + 30 * DAY) is Phase.CLOSED


def test_schedule_out_of_order_is_reported_per_phase() -> None:
    schedule = Schedule(ideas=T0, review=T0 - DAY, teams=T0 + DAY, closed=T0 + DAY)
    problems = schedule.problems()
    assert set(problems) == {Phase.REVIEW, Phase.CLOSED}
    assert problems[Phase.REVIEW] == "must be after the start of the Ideas phase"
    assert problems[Phase.CLOSED] == "must be after the start of the Teams phase"


def test_next_change_names_the_coming_phase_and_when() -> None:
    assert next_change(SCHEDULE, Phase.IDEAS, T0 + DAY) == (Phase.REVIEW, T0 + 10 * DAY)
    assert next_change(SCHEDULE, Phase.CLOSED, T0 + 40 * DAY) is None
