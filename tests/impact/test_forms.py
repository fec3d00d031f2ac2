"""The impact forms: what a team types for an update, a host for check-ins, and a
participant for a pledge. A problem is said beside its field; what was typed stays."""

from __future__ import annotations

from datetime import date

import pytest

from ideas.impact.forms import parse_check_ins, parse_pledge, parse_update
from ideas.impact.models import ImpactStatus, PledgeKind

UPDATE = {"status": "piloted", "body": "Two schools weighed their bins for a month."}


def test_an_update_with_a_figure_is_read() -> None:
    form, update = parse_update(
        {**UPDATE, "figure-value-0": "1,340", "figure-unit-0": "kg",
         "figure-measures-0": "food saved"}
    )  # fmt: skip

    assert form.errors == {}
    assert update is not None
    assert update.status is ImpactStatus.PILOTED
    assert [(f.value, f.unit, f.measures) for f in update.figures] == [(1340.0, "kg", "food saved")]


@pytest.mark.parametrize("value", ["lots", "nan", "1e13"])
def test_a_figure_that_is_no_number_is_refused_beside_it(value: str) -> None:
    form, update = parse_update({**UPDATE, "figure-value-0": value, "figure-measures-0": "meals"})

    assert update is None
    assert form.errors == {"figure-value-0": "Give a number, like 340 or 2.5."}
    assert form.values["figure-value-0"] == value
    assert form.values["body"] == UPDATE["body"]


def test_a_figure_needs_its_number_and_what_it_measures() -> None:
    no_number = parse_update({**UPDATE, "figure-unit-1": "kg", "figure-measures-1": "food"})[0]
    no_measure = parse_update({**UPDATE, "figure-value-2": "12"})[0]

    assert no_number.errors == {"figure-value-1": "Give the number, or clear this figure."}
    assert no_measure.errors == {"figure-measures-2": "Say what the number measures."}


def test_an_update_needs_a_status_from_the_list() -> None:
    form, update = parse_update({**UPDATE, "status": "finished"})

    assert update is None
    assert form.errors == {"status": "Choose where the idea stands now."}


def test_check_in_dates_are_read_one_a_line_sorted_and_once_each() -> None:
    form, days = parse_check_ins({"dates": "2027-03-01\n\n2027-01-15\n2027-03-01"})

    assert form.errors == {}
    assert days == [date(2027, 1, 15), date(2027, 3, 1)]


def test_a_check_in_that_is_no_date_is_named_beside_the_field() -> None:
    form, days = parse_check_ins({"dates": "2027-03-01\nnext spring"})

    assert days is None
    assert form.errors == {"dates": "“next spring” is not a date like 2027-03-01."}
    assert form.values["dates"] == "2027-03-01\nnext spring"


def test_too_many_check_ins_are_refused() -> None:
    lines = "\n".join(f"2027-{month:02d}-01" for month in range(1, 13)) + "\n2028-01-01"
    form, days = parse_check_ins({"dates": lines})

    assert days is None
    assert form.errors == {"dates": "Give at most 12 dates."}


def test_a_pledge_needs_a_kind_from_the_list() -> None:
    form, pledge = parse_pledge({"kind": "money", "what": "50 euros"})

    assert pledge is None
    assert form.errors == {"kind": "Choose what you pledge: time, a skill or a thing."}
    assert form.values["what"] == "50 euros"


def test_a_conditional_pledge_needs_its_number() -> None:
    form, pledge = parse_pledge({"kind": "thing", "what": "A van", "conditional": "on"})

    assert pledge is None
    assert "condition" in form.errors


def test_a_pledge_is_read_with_its_condition() -> None:
    form, pledge = parse_pledge({"kind": "skill", "what": "Signs", "condition": "4"})

    assert form.errors == {}
    assert pledge is not None
    assert (pledge.kind, pledge.what, pledge.condition) == (PledgeKind.SKILL, "Signs", 4)
