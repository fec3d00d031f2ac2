"""The public idea API: a challenge's ideas a page at a time, one idea, its lineage."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ideas.accounts.models import User
from ideas.accounts.services import delete_account
from ideas.api.queries import IDEA_SORTS
from ideas.challenges.models import Challenge, ChallengeTag
from ideas.challenges.phases import Phase
from ideas.db import utcnow
from ideas.submissions.forms import IdeaInput
from ideas.submissions.lineage import LinkInput
from ideas.submissions.models import Idea, IdeaCoauthor, IdeaStatus
from ideas.submissions.queries import Cursor, Sort
from ideas.submissions.services import post_idea, withdraw_idea
from ideas.web.security import CONTENT_SECURITY_POLICY
from tests.api.schema import assert_conforms, ids_listed
from tests.factories.accounts import Person
from tests.factories.queries import counting
from tests.factories.rounds import crown, set_columns, switch_phase

ORIGIN = "http://127.0.0.1:8000"
API = "/api/v1"
NOT_FOUND = {"error": "not_found", "message": "There is nothing public at this address."}


def ideas_url(challenge: Challenge, query: str = "") -> str:
    return f"{API}/challenges/{challenge.slug}/ideas" + (f"?{query}" if query else "")


def idea_url(idea: Idea) -> str:
    return f"{API}/ideas/{idea.id}"


def lineage_url(idea: Idea) -> str:
    return f"{API}/ideas/{idea.id}/lineage"


async def build_on(
    session: AsyncSession,
    challenge: Challenge,
    author: User,
    *parents: tuple[Idea, str],
    title: str = "A building idea",
    body: str = "",
) -> Idea:
    """Post an idea that builds on each of ``parents``, with its note."""
    return await post_idea(
        session,
        challenge_id=challenge.id,
        author_id=author.id,
        data=IdeaInput(
            title=title,
            summary=f"{title}, in short.",
            body=body,
            builds_on=tuple(LinkInput(parent_id=p.id, note=note) for p, note in parents),
        ),
        now=utcnow(),
    )


# What is public --------------------------------------------------------------


async def test_the_list_shows_published_shortlisted_and_winning_ideas_only(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True), phase=Phase.TEAMS)
    author = await make_user()
    _, shortlisted, winner, withdrawn, hidden = [
        await make_idea(challenge, author, title=title)
        for title in ("Published", "Shortlisted", "Winner", "Withdrawn", "Hidden")
    ]
    await set_columns(session, shortlisted, status=IdeaStatus.SHORTLISTED)
    await crown(session, challenge, winner, "The best.")
    await set_columns(session, withdrawn, status=IdeaStatus.WITHDRAWN)
    await set_columns(session, hidden, status=IdeaStatus.HIDDEN)

    response = await visitor.get(ideas_url(challenge, "sort=newest"))

    assert response.status_code == 200
    assert [(item["title"], item["status"]) for item in response.json()["items"]] == [
        ("Winner", "winner"),
        ("Shortlisted", "shortlisted"),
        ("Published", "published"),
    ]
    assert_conforms(response, "/challenges/{slug}/ideas")


async def test_a_drafts_ideas_are_as_absent_as_unknown_ones(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True), phase=Phase.IDEAS)
    idea = await make_idea(challenge, await make_user())
    await switch_phase(session, challenge, Phase.DRAFT)

    answers = [
        await visitor.get(ideas_url(challenge)),
        await visitor.get(f"{API}/challenges/no-such-challenge/ideas"),
        await visitor.get(idea_url(idea)),
        await visitor.get(lineage_url(idea)),
        await visitor.get(f"{API}/ideas/{idea.id + 1000}"),
    ]

    for response in answers:
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    assert_conforms(answers[0], "/challenges/{slug}/ideas")
    assert_conforms(answers[2], "/ideas/{id}")
    assert_conforms(answers[3], "/ideas/{id}/lineage")


@pytest.mark.parametrize("status", [IdeaStatus.WITHDRAWN, IdeaStatus.HIDDEN])
async def test_a_withdrawn_or_hidden_idea_cannot_be_fetched(
    status: IdeaStatus,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    session: AsyncSession,
    visitor: Person,
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user())
    assert (await visitor.get(idea_url(idea))).status_code == 200

    await set_columns(session, idea, status=status)

    for url in (idea_url(idea), lineage_url(idea)):
        response = await visitor.get(url)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND


async def test_the_api_answers_the_author_of_a_withdrawn_idea_as_a_visitor(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession, sign_in: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    idea = await make_idea(challenge, author)
    await withdraw_idea(session, idea_id=idea.id, actor_id=author.id, now=utcnow())
    priya = await sign_in(author)

    assert (await priya.get(f"/ideas/{idea.id}/{idea.slug}")).status_code == 200  # the site
    assert (await priya.get(idea_url(idea))).status_code == 404
    assert (await priya.get(ideas_url(challenge))).json()["items"] == []


@pytest.mark.parametrize("path", ["0", "abc", "-1", "1.5", "2147483648", "99999999999999999999"])
async def test_an_id_that_cannot_be_an_ideas_is_not_found(path: str, visitor: Person) -> None:
    for url in (f"{API}/ideas/{path}", f"{API}/ideas/{path}/lineage"):
        response = await visitor.get(url)

        assert response.status_code == 404
        assert response.json() == NOT_FOUND


# Fields ----------------------------------------------------------------------


async def test_an_idea_has_its_public_fields(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession, visitor: Person
) -> None:
    challenge = await make_challenge(
        await make_user(host=True), title="Food waste", tags=("canteens", "compost", "menus")
    )
    priya, tomas = await make_user("Priya"), await make_user("Tomás")
    tags = {
        tag.name: tag.id
        for tag in await session.scalars(
            select(ChallengeTag).where(ChallengeTag.challenge_id == challenge.id)
        )
    }
    parent = await make_idea(challenge, tomas, title="Weigh the bins")
    posted_at = utcnow().replace(microsecond=0)
    idea = await post_idea(
        session,
        challenge_id=challenge.id,
        author_id=priya.id,
        data=IdeaInput(
            title="Share leftovers",
            summary="Give what is left to a food bank.",
            body="## Plan\n\n**Daily** pick-up. <script>alert(1)</script>",
            tag_ids=(tags["menus"], tags["canteens"]),
            builds_on=(LinkInput(parent_id=parent.id, note="Weighs first, then shares."),),
        ),
        now=posted_at,
    )
    session.add(IdeaCoauthor(idea_id=idea.id, user_id=tomas.id, added_at=utcnow()))
    await session.commit()
    child = await build_on(session, challenge, tomas, (idea, "Adds a van."), title="Van rounds")
    await set_columns(session, idea, vote_count=7, comment_count=2)

    response = await visitor.get(idea_url(idea))

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": idea.id,
        "title": "Share leftovers",
        "summary": "Give what is left to a food bank.",
        "status": "published",
        "tags": ["canteens", "menus"],
        "authors": [
            {"name": "Priya", "url": f"{ORIGIN}/people/{priya.id}"},
            {"name": "Tomás", "url": f"{ORIGIN}/people/{tomas.id}"},
        ],
        "counts": {
            "votes": 7,
            "comments": 2,
            "build_count": 1,
            "influence": 1,
            "comparisons": 0,
            "pairwise_score": None,
        },
        "created_at": posted_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "updated_at": posted_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "challenge": {
            "slug": challenge.slug,
            "title": "Food waste",
            "url": f"{ORIGIN}/challenges/{challenge.slug}",
            "api_url": f"{ORIGIN}{API}/challenges/{challenge.slug}",
        },
        "cluster": None,
        "theme": None,
        "url": f"{ORIGIN}/ideas/{idea.id}/share-leftovers",
        "api_url": f"{ORIGIN}{API}/ideas/{idea.id}",
        "body": "## Plan\n\n**Daily** pick-up. <script>alert(1)</script>",
        "body_html": idea.body_html,
        "builds_on": [
            {
                "id": parent.id,
                "title": "Weigh the bins",
                "note": "Weighs first, then shares.",
                "url": f"{ORIGIN}/ideas/{parent.id}/weigh-the-bins",
                "api_url": f"{ORIGIN}{API}/ideas/{parent.id}",
            }
        ],
        "built_on_by": [
            {
                "id": child.id,
                "title": "Van rounds",
                "note": "Adds a van.",
                "url": f"{ORIGIN}/ideas/{child.id}/van-rounds",
                "api_url": f"{ORIGIN}{API}/ideas/{child.id}",
            }
        ],
    }
    assert "<h2>Plan</h2>" in body["body_html"]
    assert "<script>" not in body["body_html"]
    assert_conforms(response, "/ideas/{id}")

    listed = (await visitor.get(ideas_url(challenge))).json()["items"]
    detail_only = {"body", "body_html", "builds_on", "built_on_by"}
    assert listed[0] == {name: value for name, value in body.items() if name not in detail_only}


async def test_links_to_ideas_a_visitor_may_not_see_are_left_out(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    kept_parent = await make_idea(challenge, author, title="Kept parent")
    gone_parent = await make_idea(challenge, author, title="Gone parent")
    idea = await build_on(session, challenge, author, (kept_parent, "a"), (gone_parent, "b"))
    kept_child = await build_on(session, challenge, author, (idea, "c"), title="Kept child")
    hidden_child = await build_on(session, challenge, author, (idea, "d"), title="Hidden child")
    await set_columns(session, gone_parent, status=IdeaStatus.WITHDRAWN)
    await set_columns(session, hidden_child, status=IdeaStatus.HIDDEN)

    body = (await visitor.get(idea_url(idea))).json()

    assert [link["id"] for link in body["builds_on"]] == [kept_parent.id]
    assert [link["id"] for link in body["built_on_by"]] == [kept_child.id]
    # The counts are the graph's, whoever can see each idea in it.
    assert body["counts"]["build_count"] == 2


async def test_a_deleted_author_is_a_deleted_participant_without_a_link(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    gone, staying = await make_user("Gone"), await make_user("Staying")
    idea = await make_idea(challenge, gone)
    session.add(IdeaCoauthor(idea_id=idea.id, user_id=staying.id, added_at=utcnow()))
    await session.commit()
    await delete_account(session, user_id=gone.id, now=utcnow())

    body = (await visitor.get(idea_url(idea))).json()

    assert body["authors"] == [
        {"name": "deleted participant", "url": None},
        {"name": "Staying", "url": f"{ORIGIN}/people/{staying.id}"},
    ]


# Sorting and pages -----------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "column"),
    [
        ("top", "vote_count"),
        ("built-on", "build_count"),
        ("influence", "influence"),
    ],
)
async def test_counter_sorts_put_the_highest_first_and_break_ties_by_id(
    sort: str,
    column: str,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    session: AsyncSession,
    visitor: Person,
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    ideas = [await make_idea(challenge, author) for _ in range(4)]
    for idea, value in zip(ideas, [2, 5, 2, 0], strict=True):
        await set_columns(session, idea, **{column: value})

    items = (await visitor.get(ideas_url(challenge, f"sort={sort}"))).json()["items"]

    assert [item["id"] for item in items] == [ideas[i].id for i in (1, 2, 0, 3)]


@pytest.mark.parametrize(
    ("sort", "column"), [("newest", "created_at"), ("trending", "last_activity_at")]
)
async def test_time_sorts_put_the_latest_first_and_break_ties_by_id(
    sort: str,
    column: str,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    session: AsyncSession,
    visitor: Person,
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    ideas = [await make_idea(challenge, author) for _ in range(4)]
    base = utcnow()
    for idea, hours in zip(ideas, [1, 3, 1, -2], strict=True):
        await set_columns(session, idea, **{column: base + timedelta(hours=hours)})

    items = (await visitor.get(ideas_url(challenge, f"sort={sort}"))).json()["items"]

    assert [item["id"] for item in items] == [ideas[i].id for i in (1, 2, 0, 3)]


async def test_top_is_the_default_sort(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    liked, other = await make_idea(challenge, author), await make_idea(challenge, author)
    await set_columns(session, liked, vote_count=3)

    items = (await visitor.get(ideas_url(challenge))).json()["items"]

    assert [item["id"] for item in items] == [liked.id, other.id]


@pytest.mark.parametrize("sort", [sort.value for sort in IDEA_SORTS])
async def test_pages_follow_one_another_in_every_sort(
    sort: str,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    session: AsyncSession,
    visitor: Person,
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    other = await make_challenge(await make_user(host=True))
    author = await make_user()
    ideas = [await make_idea(challenge, author) for _ in range(7)]
    await make_idea(other, author)
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
    everything = await ids_listed(visitor, ideas_url(challenge, f"sort={sort}&limit=100"))

    first = (await visitor.get(ideas_url(challenge, f"sort={sort}&limit=3"))).json()

    assert sorted(everything) == sorted(idea.id for idea in ideas)
    assert [item["id"] for item in first["items"]] == everything[:3]
    assert first["next"].startswith(f"{ORIGIN}{ideas_url(challenge)}?sort={sort}&after=")
    assert first["next"].endswith("&limit=3")
    for limit in (1, 2, 3, 6):
        assert await ids_listed(visitor, ideas_url(challenge, f"sort={sort}&limit={limit}")) == (
            everything
        )


async def test_a_page_neither_repeats_nor_skips_ideas_posted_while_reading(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    ideas = [await make_idea(challenge, author) for _ in range(4)]

    first = (await visitor.get(ideas_url(challenge, "sort=newest&limit=2"))).json()
    await make_idea(challenge, author)
    rest = await ids_listed(visitor, first["next"])

    assert [item["id"] for item in first["items"]] + rest == [i.id for i in reversed(ideas)]


async def test_the_last_page_has_no_next_and_20_is_the_default_limit(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    for _ in range(21):
        await make_idea(challenge, author)

    default = (await visitor.get(ideas_url(challenge))).json()
    exact = (await visitor.get(ideas_url(challenge, "limit=21"))).json()
    empty = (await visitor.get(ideas_url(await make_challenge(author)))).json()

    assert len(default["items"]) == 20
    assert default["next"] is not None
    assert len(exact["items"]) == 21
    assert exact["next"] is None
    assert empty == {"items": [], "next": None}


CURSOR_MESSAGE = "after must be a cursor taken from the next link of a page in the same sort order."


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sort=best", "sort must be one of top, newest, built-on, influence, trending, pairwise."),
        ("sort=", "sort must be one of top, newest, built-on, influence, trending, pairwise."),
        ("limit=0", "limit must be a whole number from 1 to 100."),
        ("limit=101", "limit must be a whole number from 1 to 100."),
        ("after=", CURSOR_MESSAGE),
        ("after=12", CURSOR_MESSAGE),
        ("after=not-a-cursor!", CURSOR_MESSAGE),
        ("after=" + "A" * 300, CURSOR_MESSAGE),
        # A real cursor, used with another sort order.
        ("sort=newest&after=" + Cursor(Sort.TOP, 3, 5).encode(), CURSOR_MESSAGE),
        # Well-formed, with values that cannot be positions.
        ("after=" + Cursor(Sort.TOP, -1, 5).encode(), CURSOR_MESSAGE),
        ("after=" + Cursor(Sort.TOP, 3, 2**31).encode(), CURSOR_MESSAGE),
        (
            "sort=trending&after=" + Cursor(Sort.TRENDING, 3, 5).encode(),
            CURSOR_MESSAGE,
        ),
    ],
)
async def test_a_page_asked_for_with_unusable_parameters_is_a_bad_request(
    query: str, message: str, make_user: Any, make_challenge: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))

    response = await visitor.get(ideas_url(challenge, query))

    assert response.status_code == 400
    assert response.json() == {"error": "bad_request", "message": message}
    assert_conforms(response, "/challenges/{slug}/ideas")


def test_a_cursor_reads_back_as_the_position_it_was_made_from() -> None:
    moment = utcnow()
    for position in (Cursor(Sort.TOP, 3, 5), Cursor(Sort.TRENDING, moment, 8)):
        cursor = position.encode()

        assert cursor.replace("-", "").replace("_", "").isalnum()
        assert Cursor.decode(cursor, position.sort) == position


# Lineage ---------------------------------------------------------------------


async def test_the_lineage_holds_every_ancestor_and_descendant_with_their_depth(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    # grandparent ← parent ← idea ← child ← grandchild, and the grandchild also
    # builds on the idea directly; an unrelated idea and a sibling stay out.
    grandparent = await make_idea(challenge, author, title="Grandparent")
    parent = await build_on(session, challenge, author, (grandparent, "g"), title="Parent")
    idea = await build_on(session, challenge, author, (parent, "p"), title="Idea")
    sibling = await build_on(session, challenge, author, (parent, "s"), title="Sibling")
    child = await build_on(session, challenge, author, (idea, "i"), title="Child")
    grandchild = await build_on(
        session, challenge, author, (child, "c"), (idea, "skip"), title="Grandchild"
    )
    await make_idea(challenge, author, title="Unrelated")

    response = await visitor.get(lineage_url(idea))

    assert response.status_code == 200
    body = response.json()
    assert body["idea_id"] == idea.id
    assert [(node["title"], node["depth"]) for node in body["nodes"]] == [
        ("Grandparent", -2),
        ("Parent", -1),
        ("Idea", 0),
        ("Child", 1),
        ("Grandchild", 1),
    ]
    assert body["nodes"][1] == {
        "id": parent.id,
        "title": "Parent",
        "depth": -1,
        "url": f"{ORIGIN}/ideas/{parent.id}/parent",
        "api_url": f"{ORIGIN}{API}/ideas/{parent.id}",
    }
    assert body["edges"] == sorted(
        [
            {"child": parent.id, "parent": grandparent.id, "note": "g"},
            {"child": idea.id, "parent": parent.id, "note": "p"},
            {"child": child.id, "parent": idea.id, "note": "i"},
            {"child": grandchild.id, "parent": child.id, "note": "c"},
            {"child": grandchild.id, "parent": idea.id, "note": "skip"},
        ],
        key=lambda edge: (edge["child"], edge["parent"]),
    )
    assert sibling.id not in {node["id"] for node in body["nodes"]}
    assert_conforms(response, "/ideas/{id}/lineage")


async def test_withdrawn_and_hidden_ideas_keep_their_place_in_the_lineage_but_not_their_words(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    withdrawn = await make_idea(challenge, author, title="Withdrawn root")
    idea = await build_on(session, challenge, author, (withdrawn, "kept note"), title="Idea")
    hidden = await build_on(session, challenge, author, (idea, "hidden note"), title="Hidden")
    below = await build_on(session, challenge, author, (hidden, "below note"), title="Below")
    await set_columns(session, withdrawn, status=IdeaStatus.WITHDRAWN)
    await set_columns(session, hidden, status=IdeaStatus.HIDDEN)

    response = await visitor.get(lineage_url(idea))

    body = response.json()
    assert body["nodes"] == [
        {"id": withdrawn.id, "title": None, "depth": -1, "url": None, "api_url": None},
        {
            "id": idea.id,
            "title": "Idea",
            "depth": 0,
            "url": f"{ORIGIN}/ideas/{idea.id}/idea",
            "api_url": f"{ORIGIN}{API}/ideas/{idea.id}",
        },
        {"id": hidden.id, "title": None, "depth": 1, "url": None, "api_url": None},
        {
            "id": below.id,
            "title": "Below",
            "depth": 2,
            "url": f"{ORIGIN}/ideas/{below.id}/below",
            "api_url": f"{ORIGIN}{API}/ideas/{below.id}",
        },
    ]
    assert body["edges"] == [
        {"child": idea.id, "parent": withdrawn.id, "note": "kept note"},
        {"child": hidden.id, "parent": idea.id, "note": None},
        {"child": below.id, "parent": hidden.id, "note": "below note"},
    ]
    assert "Hidden" not in response.text
    assert "hidden note" not in response.text
    assert_conforms(response, "/ideas/{id}/lineage")


async def test_an_idea_without_links_is_its_own_lineage(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user())

    body = (await visitor.get(lineage_url(idea))).json()

    assert [(node["id"], node["depth"]) for node in body["nodes"]] == [(idea.id, 0)]
    assert body["edges"] == []


# Queries ---------------------------------------------------------------------


async def _grow(
    session: AsyncSession, challenge: Challenge, authors: list[User], root: Idea, n: int
) -> None:
    """``n`` more ideas, each building on ``root`` and on the one before, with co-authors."""
    previous = root
    for k in range(n):
        idea = await build_on(
            session,
            challenge,
            authors[k % len(authors)],
            (root, f"note {k}"),
            *([(previous, "chain")] if previous is not root else []),
            title=f"Grown {k}",
        )
        session.add(IdeaCoauthor(idea_id=idea.id, user_id=authors[(k + 1) % len(authors)].id))
        await session.commit()
        previous = idea


async def test_every_endpoint_runs_the_same_queries_for_3_or_30_ideas(
    engine: AsyncEngine,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    session: AsyncSession,
    visitor: Person,
) -> None:
    challenge = await make_challenge(await make_user(host=True), tags=("a", "b"))
    authors = [await make_user() for _ in range(5)]
    root = await make_idea(challenge, authors[0])
    await _grow(session, challenge, authors, root, 2)
    urls = [ideas_url(challenge, "limit=100"), idea_url(root), lineage_url(root)]

    few: list[int] = []
    for url in urls:
        with counting(engine) as statements:
            assert (await visitor.get(url)).status_code == 200
        few.append(len(statements))
    await _grow(session, challenge, authors, root, 27)
    many: list[int] = []
    for url in urls:
        with counting(engine) as statements:
            response = await visitor.get(url)
        assert response.status_code == 200
        many.append(len(statements))
    body = (await visitor.get(idea_url(root))).json()

    assert len(body["built_on_by"]) == 29
    # List: challenge; ideas with authors and tags; co-authors; their duplicates clusters;
    # their themes.
    # Idea: idea with challenge and author; co-authors; tags; links both ways; its cluster;
    # its theme.
    # Lineage: idea with challenge; ancestors; descendants; the family's ideas; its links.
    assert few == many == [5, 6, 5]


# HTTP ------------------------------------------------------------------------


async def test_responses_are_public_json_and_answer_head(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user())

    for url in (ideas_url(challenge), idea_url(idea), lineage_url(idea)):
        response = await visitor.get(url)
        head = await visitor.client.head(url)

        assert response.status_code == head.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert response.headers["access-control-allow-origin"] == "*"
        assert response.headers["cache-control"] == "public, max-age=60"
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert "set-cookie" not in response.headers


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_only_get_is_allowed_on_ideas(
    method: str, make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user())
    priya = await sign_in(await make_user())

    for url in (ideas_url(challenge), idea_url(idea), lineage_url(idea)):
        response = await priya.client.request(method, url, headers={"X-CSRF-Token": priya.csrf})

        assert response.status_code == 405
        assert response.headers["allow"] == "GET, HEAD"
        assert response.json()["error"] == "method_not_allowed"
