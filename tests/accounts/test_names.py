"""A person's public name: their display name, unless they deleted their account.

A suspension is not a deletion: a suspended author keeps their name on every
page that names them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User, UserStatus
from ideas.accounts.names import (
    Someone,
    public_name,
    public_name_capitalised,
    public_name_in_data,
)
from ideas.notifications.queries import display_name as notification_actor
from tests.html import Page

# The only sentences a template may write "deleted participant" in: those that tell
# people what deleting their account does.
EXPLAINING_DELETION = {"accounts/delete.html", "accounts/settings.html"}


@pytest.mark.parametrize(
    ("status", "in_text", "at_start", "in_data"),
    [
        (UserStatus.ACTIVE, "Priya", "Priya", "Priya"),
        (UserStatus.SUSPENDED, "Priya", "Priya", "Priya"),
        (
            UserStatus.DELETED,
            "a deleted participant",
            "A deleted participant",
            "deleted participant",
        ),
    ],
)
def test_active_and_suspended_people_are_named_deleted_ones_are_not(
    status: UserStatus, in_text: str, at_start: str, in_data: str
) -> None:
    priya = Someone("Priya", status)

    assert public_name(priya) == in_text
    assert public_name_capitalised(priya) == at_start
    assert public_name_in_data(priya) == in_data


def test_a_notification_starts_its_sentence_with_the_actors_name() -> None:
    assert notification_actor("Priya", UserStatus.SUSPENDED) == "Priya"
    assert notification_actor("Priya", UserStatus.DELETED) == "A deleted participant"
    assert notification_actor(None, None) == "Someone"


def test_templates_name_people_through_the_public_name_only(project_root: Path) -> None:
    templates = project_root / "templates"
    writing_it = sorted(
        str(path.relative_to(templates))
        for path in templates.rglob("*")
        if path.is_file()
        and re.search("deleted participant", path.read_text(encoding="utf-8"), re.IGNORECASE)
    )

    assert set(writing_it) <= EXPLAINING_DELETION, (
        "Name people with the public_name filter instead of writing the words: "
        f"{sorted(set(writing_it) - EXPLAINING_DELETION)}"
    )


async def test_a_suspended_author_is_named_alike_on_a_card_the_idea_page_and_the_compare_page(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    amara = await make_user("Amara")
    idea = await make_idea(challenge, amara, title="Compost club")
    await make_idea(challenge, await make_user("Ben"), title="Bike bus")
    await session.execute(
        update(User).where(User.id == amara.id).values(status=UserStatus.SUSPENDED)
    )
    await session.commit()
    priya = await sign_in(await make_user("Priya"))

    challenge_page = Page(await priya.get(f"/challenges/{challenge.slug}"))
    idea_page = Page(await priya.get(f"/ideas/{idea.id}/{idea.slug}"))
    compare_page = Page(await priya.get(f"/challenges/{challenge.slug}/compare"))

    [card] = [
        card
        for card in challenge_page.select(".idea-card")
        if "Compost club" in card.cssselect(".card__title")[0].text_content()
    ]
    [byline] = card.cssselect(".byline")
    assert byline.cssselect(".avatar")[0].tail.strip() == "Amara"
    assert idea_page.text("#authors > span:not(.avatar):not(.muted)") == "By Amara"
    [side] = [
        article
        for article in compare_page.select(".compare__idea")
        if "Compost club" in article.text_content()
    ]
    assert " ".join(side.cssselect(".compare__authors")[0].text_content().split()) == "By Amara"
