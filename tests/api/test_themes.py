"""Themes in the public API: a challenge's themes, each idea's theme, and its ideas list
kept to one theme."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ideas.api.queries import IDEA_SORTS
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.db import utcnow
from ideas.submissions import clusters
from ideas.submissions.models import Idea, IdeaStatus
from ideas.themes.models import IdeaTheme, Theme
from tests.api.schema import assert_conforms, ids_listed
from tests.factories.accounts import Person
from tests.factories.queries import counting
from tests.factories.rounds import set_columns, switch_phase
from tests.factories.themes import store_themes

ORIGIN = "http://127.0.0.1:8000"
API = "/api/v1"
THEME_MESSAGE = "theme must be the id of one of the challenge's themes."


def ideas_url(challenge: Challenge, query: str = "") -> str:
    return f"{API}/challenges/{challenge.slug}/ideas" + (f"?{query}" if query else "")


def themes_url(challenge: Challenge) -> str:
    return f"{API}/challenges/{challenge.slug}/themes"


@pytest.fixture
async def themed(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession
) -> dict[str, Any]:
    """A challenge with two themes: bikes (four public ideas, a withdrawn and a hidden
    one) and trees (two ideas); one idea in no theme; another challenge with a theme."""
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    author = await make_user()
    bikes = [await make_idea(challenge, author, title=f"Bikes {n}") for n in range(6)]
    trees = [await make_idea(challenge, author, title=f"Trees {n}") for n in range(2)]
    loose = await make_idea(challenge, author, title="Loose")
    withdrawn, hidden = bikes[4], bikes[5]
    await set_columns(session, bikes[1], status=IdeaStatus.SHORTLISTED)
    await set_columns(session, withdrawn, status=IdeaStatus.WITHDRAWN)
    await set_columns(session, hidden, status=IdeaStatus.HIDDEN)
    bikes_id, trees_id = await store_themes(
        session, challenge, [("bike, lanes, cyclists", bikes), ("trees, shade", trees)]
    )
    other = await make_challenge(await make_user(host=True))
    (elsewhere_id,) = await store_themes(
        session, other, [("compost", [await make_idea(other, author)])]
    )
    return {
        "host": host,
        "challenge": challenge,
        "bikes": bikes[:4],
        "trees": trees,
        "loose": loose,
        "withdrawn": withdrawn,
        "hidden": hidden,
        "bikes_id": bikes_id,
        "trees_id": trees_id,
        "elsewhere_id": elsewhere_id,
    }


# The list of themes ------------------------------------------------------------


async def test_the_themes_are_listed_largest_first_with_their_public_ideas_counted(
    themed: dict[str, Any], session: AsyncSession, visitor: Person
) -> None:
    await session.execute(
        update(Theme).where(Theme.id == themed["trees_id"]).values(host_name="Shade and trees")
    )
    await session.commit()

    response = await visitor.get(themes_url(themed["challenge"]))

    assert response.status_code == 200
    assert_conforms(response, "/challenges/{slug}/themes")
    # Withdrawn and hidden ideas are not counted; the hosts' name is the one shown.
    assert response.json() == {
        "items": [
            {"id": themed["bikes_id"], "name": "bike, lanes, cyclists", "size": 4},
            {"id": themed["trees_id"], "name": "Shade and trees", "size": 2},
        ]
    }


async def test_a_challenge_without_themes_lists_none(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    await make_idea(challenge, await make_user())

    response = await visitor.get(themes_url(challenge))

    assert response.status_code == 200
    assert response.json() == {"items": []}
    assert_conforms(response, "/challenges/{slug}/themes")


async def test_a_drafts_themes_are_as_absent_as_an_unknown_challenges(
    themed: dict[str, Any], session: AsyncSession, visitor: Person
) -> None:
    await switch_phase(session, themed["challenge"], Phase.DRAFT)

    answers = [
        await visitor.get(themes_url(themed["challenge"])),
        await visitor.get(f"{API}/challenges/no-such-challenge/themes"),
    ]

    for response in answers:
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"
        assert_conforms(response, "/challenges/{slug}/themes")


# Each idea's theme ---------------------------------------------------------------


async def test_each_listed_idea_carries_its_theme_or_null(
    themed: dict[str, Any], visitor: Person
) -> None:
    response = await visitor.get(ideas_url(themed["challenge"], "limit=100"))

    assert response.status_code == 200
    themes = {item["id"]: item["theme"] for item in response.json()["items"]}
    bikes = {"id": themed["bikes_id"], "name": "bike, lanes, cyclists"}
    trees = {"id": themed["trees_id"], "name": "trees, shade"}
    assert themes == {
        **{idea.id: bikes for idea in themed["bikes"]},
        **{idea.id: trees for idea in themed["trees"]},
        themed["loose"].id: None,
    }


async def test_an_idea_carries_its_theme_or_null(themed: dict[str, Any], visitor: Person) -> None:
    in_one = await visitor.get(f"{API}/ideas/{themed['trees'][0].id}")
    in_none = await visitor.get(f"{API}/ideas/{themed['loose'].id}")

    assert in_one.json()["theme"] == {"id": themed["trees_id"], "name": "trees, shade"}
    assert in_none.json()["theme"] is None
    for response in (in_one, in_none):
        assert_conforms(response, "/ideas/{id}")


# The list kept to a theme --------------------------------------------------------


async def test_the_list_kept_to_a_theme_holds_its_public_ideas_only(
    themed: dict[str, Any], visitor: Person
) -> None:
    challenge = themed["challenge"]

    bikes = await ids_listed(
        visitor, ideas_url(challenge, f"sort=newest&theme={themed['bikes_id']}")
    )
    trees = await ids_listed(visitor, ideas_url(challenge, f"theme={themed['trees_id']}"))

    # Not the withdrawn nor the hidden idea of the theme, nor any idea of another theme.
    assert bikes == [idea.id for idea in reversed(themed["bikes"])]
    assert sorted(trees) == sorted(idea.id for idea in themed["trees"])


@pytest.mark.parametrize("sort", [sort.value for sort in IDEA_SORTS])
async def test_pages_kept_to_a_theme_follow_one_another_in_every_sort(
    sort: str,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    session: AsyncSession,
    visitor: Person,
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    ideas = [await make_idea(challenge, author) for _ in range(10)]
    base = utcnow()
    # Many ties, so that pages break in the middle of equal keys.
    for n, idea in enumerate(ideas):
        moment = base + timedelta(minutes=n % 3)
        await set_columns(
            session,
            idea,
            vote_count=n % 3,
            build_count=n % 2,
            influence=n % 3,
            created_at=moment,
            last_activity_at=moment,
        )
    kept, _ = await store_themes(session, challenge, [("kept", ideas[::2]), ("left", ideas[1::2])])
    everything = await ids_listed(visitor, ideas_url(challenge, f"sort={sort}&limit=100"))
    in_theme = {idea.id for idea in ideas[::2]}

    first = (await visitor.get(ideas_url(challenge, f"sort={sort}&limit=2&theme={kept}"))).json()

    # The theme's ideas in the order of the whole list.
    expected = [idea_id for idea_id in everything if idea_id in in_theme]
    assert [item["id"] for item in first["items"]] == expected[:2]
    assert first["next"].startswith(f"{ORIGIN}{ideas_url(challenge)}?sort={sort}&after=")
    assert first["next"].endswith(f"&limit=2&theme={kept}")
    for limit in (1, 2, 4):
        listed = await ids_listed(
            visitor, ideas_url(challenge, f"sort={sort}&limit={limit}&theme={kept}")
        )
        assert listed == expected


async def test_a_list_kept_to_a_theme_shows_each_duplicate(
    themed: dict[str, Any], session: AsyncSession, visitor: Person
) -> None:
    challenge = themed["challenge"]
    first, second = themed["bikes"][:2]
    await clusters.group(
        session,
        challenge_id=challenge.id,
        idea_ids=[first.id, second.id],
        actor_id=themed["host"].id,
        now=utcnow(),
    )

    plain = await ids_listed(visitor, ideas_url(challenge))
    kept = await ids_listed(visitor, ideas_url(challenge, f"theme={themed['bikes_id']}"))

    assert second.id not in plain
    assert {first.id, second.id} <= set(kept)


@pytest.mark.parametrize(
    "theme",
    ["", "bikes", "-1", "0", "1.5", "\u0661", "2147483648", "unknown", "elsewhere"],
)
async def test_a_theme_that_is_not_one_of_the_challenges_is_a_bad_request(
    theme: str, themed: dict[str, Any], engine: AsyncEngine, session: AsyncSession, visitor: Person
) -> None:
    ids = {"unknown": themed["elsewhere_id"] + 1000, "elsewhere": themed["elsewhere_id"]}
    value = str(ids.get(theme, theme))

    with counting(engine) as statements:
        response = await visitor.get(ideas_url(themed["challenge"], f"sort=newest&theme={value}"))

    assert response.status_code == 400
    assert response.json() == {"error": "bad_request", "message": THEME_MESSAGE}
    assert_conforms(response, "/challenges/{slug}/ideas")
    assert all(statement.lstrip().upper().startswith("SELECT") for statement in statements)
    stored = (await session.execute(select(IdeaTheme.idea_id, IdeaTheme.theme_id))).all()
    assert len(stored) == 9


async def test_an_unknown_challenge_is_not_found_whatever_its_theme(
    themed: dict[str, Any], visitor: Person
) -> None:
    response = await visitor.get(f"{API}/challenges/no-such/ideas?theme={themed['bikes_id']}")

    assert response.status_code == 404
    assert_conforms(response, "/challenges/{slug}/ideas")


# Queries -------------------------------------------------------------------------


async def test_the_themes_of_a_page_are_read_in_one_query_whatever_its_size(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    engine: AsyncEngine,
    session: AsyncSession,
    visitor: Person,
) -> None:
    counts: dict[int, list[int]] = {}
    for size in (3, 30):
        challenge = await make_challenge(await make_user(host=True))
        author = await make_user()
        ideas: list[Idea] = [await make_idea(challenge, author) for _ in range(size)]
        theme_ids = await store_themes(
            session, challenge, [("one", ideas[::3]), ("two", ideas[1::3])]
        )
        urls = [
            ideas_url(challenge, "limit=100"),
            ideas_url(challenge, f"limit=100&theme={theme_ids[0]}"),
            themes_url(challenge),
        ]
        counts[size] = []
        for url in urls:
            with counting(engine) as statements:
                assert (await visitor.get(url)).status_code == 200
            counts[size].append(len(statements))

    # List: challenge; ideas with authors and tags; co-authors; clusters; themes.
    # Kept to a theme: the same, and the challenge's themes to check the one asked for.
    # Themes: challenge; themes with their sizes.
    assert counts[3] == counts[30] == [5, 6, 2]
