"""What the benchmark says of the machine beside its figures."""

from __future__ import annotations

from bench.__main__ import Load, cpu_times, split_pairs, stolen_note, stolen_share
from bench.signed_in import Pair, Person, SignedIn

STAT = "cpu  {user} 0 {system} {idle} 0 0 0 {steal} 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n"


def stat(user: int, system: int, idle: int, steal: int) -> str:
    return STAT.format(user=user, system=system, idle=idle, steal=steal)


def test_the_stolen_share_is_the_steal_ticks_among_all_ticks_of_the_load() -> None:
    before = cpu_times(stat(100, 50, 800, 50))
    after = cpu_times(stat(160, 70, 900, 70))

    assert before == (1000, 50)
    assert stolen_share(before, after) == 20 / 200


def test_no_share_without_proc_stat_or_without_time_passing() -> None:
    assert cpu_times("") is None
    assert cpu_times("intr 1 2 3\n") is None
    same = cpu_times(stat(1, 1, 1, 1))
    assert stolen_share(None, same) is None
    assert stolen_share(same, same) is None


def test_a_load_notes_steal_from_a_twentieth_of_the_cpu_time() -> None:
    def load(stolen: float | None) -> Load:
        return Load(rps=1, p50_ms=1, p99_ms=1, non_2xx=0, socket_errors=0, stolen=stolen)

    assert stolen_note(load(0.32)) == " (32% of the CPU time stolen by the host)"
    assert stolen_note(load(0.049)) == ""
    assert stolen_note(load(None)) == ""


def test_the_vote_warm_up_takes_the_last_eighth_of_the_pairs_apart_from_those_measured() -> None:
    person = Person(1, "token", "csrf")
    signed_in = SignedIn([person], [Pair(person, idea_id) for idea_id in range(16)])

    measured, warming = split_pairs(signed_in)

    assert [pair.idea_id for pair in measured] == list(range(14))
    assert [pair.idea_id for pair in warming] == [14, 15]
    # However few the pairs, one warms up and the rest are measured.
    few = SignedIn([person], [Pair(person, 1), Pair(person, 2)])
    assert split_pairs(few) == ([Pair(person, 1)], [Pair(person, 2)])
