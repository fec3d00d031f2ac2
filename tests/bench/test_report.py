"""What the benchmark says of its figures: the targets met or missed against the bare
stack, and the machine beside them."""

from __future__ import annotations

from bench.__main__ import (
    SIMILAR_LOADED,
    TARGET_RATIO,
    Load,
    judge,
    outcome,
    queue_floor_ms,
    ratio,
    split_pairs,
    stolen_note,
)
from bench.machine import cpu_times, stolen_share
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


def test_each_stack_votes_on_half_the_pairs_and_warms_up_on_the_last_eighth_of_its_half() -> None:
    person = Person(1, "token", "csrf")
    signed_in = SignedIn([person], [Pair(person, idea_id) for idea_id in range(32)])

    app, bare = split_pairs(signed_in)

    assert [pair.idea_id for pair in app.measured] == list(range(14))
    assert [pair.idea_id for pair in app.warming] == [14, 15]
    assert [pair.idea_id for pair in bare.measured] == list(range(16, 30))
    assert [pair.idea_id for pair in bare.warming] == [30, 31]
    # However few the pairs, each stack warms up on one and measures the rest.
    few = SignedIn([person], [Pair(person, n) for n in range(4)])
    app, bare = split_pairs(few)
    assert (app.measured, app.warming) == ([Pair(person, 0)], [Pair(person, 1)])
    assert (bare.measured, bare.warming) == ([Pair(person, 2)], [Pair(person, 3)])


def load(
    rps: float, p99_ms: float = 50, *, non_2xx: int = 0, statuses: dict[str, int] | None = None
) -> Load:
    return Load(
        rps=rps,
        p50_ms=p99_ms / 2,
        p99_ms=p99_ms,
        non_2xx=non_2xx,
        socket_errors=0,
        requests=int(rps * 10),
        statuses=statuses or {},
    )


def test_the_ratio_is_the_apps_requests_per_second_over_the_bare_stacks() -> None:
    assert ratio(load(300), load(400)) == 0.75
    assert ratio(load(300), None) is None
    assert ratio(load(300), load(0)) is None


def test_a_signed_in_page_meets_its_target_at_65_percent_of_the_bare_stack_within_250ms() -> None:
    assert TARGET_RATIO == 0.65
    target, missed = judge("challenge, top", load(650, 250), load(1000, 40))

    assert missed == []
    assert target == "≥65% of the bare stack's req/s, p99 ≤250ms"
    assert outcome(target, missed) == "met"
    assert judge("idea", load(650, 250), load(1000))[1] == []


def test_a_signed_in_page_misses_below_the_share_or_over_the_latency() -> None:
    assert judge("challenge, newest", load(649), load(1000))[1] == ["app/bare"]
    assert judge("idea", load(900, 251), load(1000))[1] == ["p99"]
    assert judge("idea", load(100, 400), load(1000))[1] == ["p99", "app/bare"]
    # Without the bare stack's figure the share cannot be met.
    assert judge("challenge, top", load(900), None)[1] == ["app/bare"]
    target, missed = judge("idea", load(100, 400), load(1000))
    assert outcome(target, missed) == "missed: p99, app/bare"


def test_the_vote_is_judged_by_its_share_of_the_bare_stacks_votes_alone() -> None:
    target, missed = judge("vote", load(650, 900), load(1000))

    assert (target, missed) == ("≥65% of the bare stack's req/s", [])
    assert judge("vote", load(640), load(1000))[1] == ["app/bare"]


def test_a_few_409s_from_either_stacks_votes_are_allowed_and_more_are_missed() -> None:
    few = load(1000, non_2xx=10, statuses={"200": 9990, "409": 10})
    many = load(1000, non_2xx=11, statuses={"200": 9989, "409": 11})
    failed = load(1000, non_2xx=12, statuses={"200": 9978, "409": 10, "500": 2})

    assert judge("vote", few, few)[1] == []
    assert judge("vote", many, few)[1] == ["409s"]
    assert judge("vote", few, many)[1] == ["bare 409s"]
    assert judge("vote", failed, few)[1] == ["non-2xx"]
    # Anywhere but the vote endpoint a 409 is an error like any other.
    assert judge("idea", few, load(1000))[1] == ["non-2xx"]


def test_a_visitors_cached_page_is_shown_not_judged_unless_it_fails() -> None:
    target, missed = judge("challenge, top", load(10), cached=True)

    assert (target, missed) == ("", [])
    assert outcome(target, missed, cached=True) == "cached, not judged"
    failing = judge("challenge, top", load(20_000, non_2xx=3), cached=True)
    assert failing == ("", ["non-2xx"])


def test_the_compare_page_keeps_its_own_throughput_target() -> None:
    assert judge("compare", load(300)) == ("≥300 req/s", [])
    assert judge("compare", load(299))[1] == ["req/s"]


def test_similar_ideas_keep_their_own_latency_target() -> None:
    fast = Load(rps=900, p50_ms=10, p99_ms=50, non_2xx=0, socket_errors=0)
    slow = Load(rps=900, p50_ms=10, p99_ms=51, non_2xx=0, socket_errors=0)
    assert judge("similar", fast) == ("p99 ≤50ms", [])
    assert judge("similar", slow)[1] == ["p99"]


def test_similar_ideas_under_many_connections_are_shown_with_their_queue_not_judged() -> None:
    loaded = Load(rps=400, p50_ms=70, p99_ms=120, non_2xx=0, socket_errors=0)
    assert judge(SIMILAR_LOADED, loaded) == ("", [])
    # 32 requests in the server at 400 a second: each spends 80 ms there on average.
    assert queue_floor_ms(loaded, 32) == 80
    assert queue_floor_ms(Load(rps=0, p50_ms=0, p99_ms=0, non_2xx=0, socket_errors=0)) == float(
        "inf"
    )
