"""A page's context is a frozen dataclass; its template reads each field by name."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass

import pytest

from ideas.web.templating import PageContext


@dataclass(frozen=True)
class Button(PageContext):
    label: str
    pressed: bool


@dataclass(frozen=True)
class Card(PageContext):
    title: str
    button: Button


@dataclass(frozen=True)
class Clashing(PageContext):
    label: str
    button: Button


def test_a_template_reads_the_fields_and_the_fields_of_its_parts_by_name() -> None:
    card = Card(title="Compost club", button=Button(label="Vote", pressed=False))

    assert card.template_context() == {"title": "Compost club", "label": "Vote", "pressed": False}


def test_a_page_and_its_part_may_share_a_name_only_for_the_same_value() -> None:
    assert Clashing("Vote", Button("Vote", True)).template_context()["label"] == "Vote"
    with pytest.raises(ValueError, match="'label' two values"):
        Clashing("Compost club", Button("Vote", True)).template_context()


def test_a_page_context_cannot_change_once_made() -> None:
    card = Card(title="Compost club", button=Button(label="Vote", pressed=False))
    with pytest.raises(FrozenInstanceError):
        card.title = "Something else"  # type: ignore[misc]
