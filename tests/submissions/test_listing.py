"""A listed idea's record is filled from its columns in order: the two must agree."""

from __future__ import annotations

from dataclasses import fields

from ideas.submissions.listing import IDEA_COLUMNS, ListedIdea, ListedPerson


def test_the_columns_of_a_listed_idea_come_in_the_order_of_its_fields() -> None:
    person = [field.name for field in fields(ListedPerson)]
    idea = [field.name for field in fields(ListedIdea)]
    # The idea's, then its author's, then its tags.
    columns = [column.key for column in IDEA_COLUMNS[:-1]]

    assert columns[-len(person) :] == person
    assert columns[: -len(person)] == idea[: len(columns) - len(person)]
    assert idea[len(columns) - len(person) :][:2] == ["author", "tags"]
