"""Comparing two ideas: the compare page, its signed answers, and what was saved."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.submissions.models import Idea
from ideas.voting import pairs
from ideas.voting.models import Comparison
from tests.factories.accounts import Person
from tests.html import Page
from tests.support.environ import TEST_ENVIRON

SECRET = TEST_ENVIRON["SECRET_KEY"]


def compare_url(challenge: Challenge) -> str:
    return f"/challenges/{challenge.slug}/compare"


def results_url(challenge: Challenge, query: str = "") -> str:
    return f"/challenges/{challenge.slug}/results" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Shown:
    """The pair on a compare page, as its form carries it."""

    left: int
    right: int
    fields: dict[str, str]

    @property
    def ids(self) -> set[int]:
        return {self.left, self.right}


def shown(page: Page) -> Shown:
    form = page.one("#compare-pair form")
    fields = {
        name: page.one(f'#compare-pair input[name="{name}"]').get("value")
        for name in ("first", "second", "token")
    }
    buttons = form.cssselect('button[name="winner"]')
    titles = [a.text_content() for a in form.cssselect(".compare__idea h3 a")]
    # Each button names its idea, never a side (a side is "top" on a phone, or mirrored).
    assert [" ".join(b.text_content().split()) for b in buttons] == [
        *(f"This one: {title}" for title in titles),
        "Can't decide",
    ]
    return Shown(int(buttons[0].get("value")), int(buttons[1].get("value")), fields)


async def pair_for(person: Person, challenge: Challenge) -> Shown:
    response = await person.get(compare_url(challenge))
    assert response.status_code == 200
    return shown(Page(response))


async def answer(
    person: Person, challenge: Challenge, pair: Shown, winner: int | None, **headers: str
) -> Any:
    return await person.post(
        compare_url(challenge),
        {**pair.fields, "winner": "none" if winner is None else str(winner)},
        headers=headers or None,
    )


async def comparisons(session: AsyncSession) -> list[Comparison]:
    await session.commit()
    return list((await session.scalars(select(Comparison).order_by(Comparison.id))).all())


def token_for(challenge: Challenge, user: User, a: Idea, b: Idea) -> dict[str, str]:
    pair = pairs.ordered(a.id, b.id)
    return {
        "first": str(pair[0]),
        "second": str(pair[1]),
        "token": pairs.sign(SECRET, challenge_id=challenge.id, user_id=user.id, pair=pair),
    }
