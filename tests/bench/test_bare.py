"""The bare stack answers as the app does, with the same data, on a small generated database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bench.bare import create_app
from bench.generate import BIG_CHALLENGE, Generated, generate
from bench.signed_in import Pair, SignedIn, sign_in
from ideas.challenges.models import Challenge
from ideas.comments import queries as comment_queries
from ideas.db import Database, utcnow
from ideas.policy import Role
from ideas.submissions import queries as idea_queries
from ideas.submissions.models import Idea
from ideas.voting.models import Vote
from tests.html import Page
from tests.support.databases import filled_database

COOKIE = "bench_session"


@dataclass
class Bench:
    url: str
    generated: Generated
    signed_in: SignedIn
    client: httpx.AsyncClient
    database: Database

    def as_person(self, token: str) -> None:
        self.client.cookies.set(COOKIE, token)

    async def vote_count(self, idea_id: int) -> int:
        async with self.database.session() as db:
            return int(await db.scalar(select(Idea.vote_count).where(Idea.id == idea_id)) or 0)

    async def voted(self, pair: Pair) -> bool:
        async with self.database.session() as db:
            found = await db.scalar(
                select(func.count(Vote.id)).where(
                    Vote.idea_id == pair.idea_id, Vote.user_id == pair.person.user_id
                )
            )
            return bool(found)


async def _generate(url: str) -> tuple[Generated, SignedIn]:
    return await generate(url, scale=0.01), await sign_in(url, people=10, pairs=10)


@pytest.fixture(params=["sqlite", "postgresql"])
def generated_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, tuple[Generated, SignedIn]]]:
    """A database of this test's own with the generated data, made once per process and copied."""
    with filled_database(request.param, tmp_path, "bench at 0.01", _generate) as made:
        yield made


@pytest.fixture
async def bench(
    generated_database: tuple[str, tuple[Generated, SignedIn]],
) -> AsyncIterator[Bench]:
    url, (generated, signed_in) = generated_database
    app = create_app(url, cookie=COOKIE)
    await app.state.bare.start()
    database = Database.from_url(url)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            yield Bench(url, generated, signed_in, client, database)
    finally:
        await database.dispose()
        await app.state.bare.stop()


def card_ids(page: Page) -> list[int]:
    return [int(form.get("id").removeprefix("vote-")) for form in page.select(".idea-card .vote")]


async def test_the_challenge_page_lists_the_ideas_the_app_lists_in_each_sort(bench: Bench) -> None:
    person = bench.signed_in.people[0]
    bench.as_person(person.token)
    async with bench.database.read_session() as db:
        challenge = await db.scalar(select(Challenge).where(Challenge.slug == BIG_CHALLENGE))
        assert challenge is not None
        for sort in ("top", "newest", "built-on", "influence", "trending"):
            listed = await idea_queries.challenge_ideas(
                db,
                challenge,
                frozenset({Role.PARTICIPANT}),
                utcnow(),
                sort=idea_queries.Sort(sort),
            )
            response = await bench.client.get(f"{bench.generated.challenge_path}?sort={sort}")

            assert response.status_code == 200
            page = Page(response)
            assert card_ids(page) == [idea.id for idea in listed.ideas]
            assert len(listed.ideas) == idea_queries.PAGE_SIZE
            first = listed.ideas[0]
            assert page.select(".card__title a")[0].text_content() == first.title
            assert page.text(f"#vote-count-{first.id}") == (
                f"{first.vote_count} vote{'' if first.vote_count == 1 else 's'}"
            )


async def test_each_card_has_a_vote_button_with_the_persons_csrf_token(bench: Bench) -> None:
    person = bench.signed_in.people[0]
    bench.as_person(person.token)

    page = Page(await bench.client.get(bench.generated.challenge_path))

    ids = card_ids(page)
    assert len(ids) == idea_queries.PAGE_SIZE
    async with bench.database.read_session() as db:
        rows = await db.execute(select(Idea.id, Idea.author_id).where(Idea.id.in_(ids)))
        authors = {row.id: row.author_id for row in rows}
        voted = set(
            await db.scalars(
                select(Vote.idea_id).where(Vote.user_id == person.user_id, Vote.idea_id.in_(ids))
            )
        )
    for idea_id in ids:
        forms = page.select(f"#vote-{idea_id} form.vote__form")
        if authors[idea_id] == person.user_id and idea_id not in voted:
            assert forms == []  # one's own idea, unless a vote for it is to be withdrawn
            continue
        (form,) = forms
        assert form.get("method") == "post"
        assert form.get("action") == f"/ideas/{idea_id}/vote"
        assert form.cssselect('input[name="csrf_token"]')[0].get("value") == person.csrf_token
        action = form.cssselect('input[name="action"]')[0].get("value")
        assert action == ("withdraw" if idea_id in voted else "vote")


async def test_the_challenge_page_marks_the_ideas_the_viewer_voted_for(bench: Bench) -> None:
    page_ids = card_ids(Page(await bench.client.get(bench.generated.challenge_path)))
    async with bench.database.read_session() as db:
        votes = (
            await db.execute(
                select(Vote.user_id, Vote.idea_id).where(
                    Vote.idea_id.in_(page_ids),
                    Vote.user_id.in_([p.user_id for p in bench.signed_in.people]),
                )
            )
        ).all()
    person = next(p for p in bench.signed_in.people if any(v.user_id == p.user_id for v in votes))
    bench.as_person(person.token)

    page = Page(await bench.client.get(bench.generated.challenge_path))

    pressed = {
        int(button.get("id").removeprefix("vote-button-"))
        for button in page.select('.vote__button[aria-pressed="true"]')
    }
    assert pressed == {v.idea_id for v in votes if v.user_id == person.user_id}


async def test_the_idea_page_shows_the_idea_its_author_and_its_newest_comments(
    bench: Bench,
) -> None:
    bench.as_person(bench.signed_in.people[0].token)
    idea_id = int(bench.generated.idea_path.split("/")[2])

    response = await bench.client.get(bench.generated.idea_path)

    assert response.status_code == 200
    page = Page(response)
    async with bench.database.read_session() as db:
        idea = await idea_queries.by_id(db, idea_id)
        thread = await comment_queries.thread(db, idea_id)
    assert idea is not None
    assert page.text("#idea-title") == idea.title
    assert page.text("#authors").startswith(
        f"{idea.author.display_name[:1]} By {idea.author.display_name}"
    )
    shown = [
        int(article.get("id").removeprefix("comment-"))
        for article in page.select(".comment-thread > article")
    ]
    assert shown == [item.comment.id for item in thread]
    assert shown
    assert page.select(f"#vote-{idea_id} form.vote__form")
    # The app's address and the short one show the same idea.
    short = Page(await bench.client.get(f"/ideas/{idea_id}"))
    assert short.text("#idea-title") == idea.title


async def test_a_vote_moves_the_count_and_a_withdrawal_moves_it_back(bench: Bench) -> None:
    pair = bench.signed_in.pairs[0]
    bench.as_person(pair.person.token)
    before = await bench.vote_count(pair.idea_id)
    path = f"/ideas/{pair.idea_id}/vote"
    back = f"{bench.generated.challenge_path}?sort=top#vote-{pair.idea_id}"

    voted = await bench.client.post(
        path, data={"action": "vote", "csrf_token": pair.person.csrf_token, "next": back}
    )

    assert voted.status_code == 303
    assert voted.headers["location"] == back
    assert await bench.vote_count(pair.idea_id) == before + 1
    assert await bench.voted(pair)
    page = Page(await bench.client.get(f"/ideas/{pair.idea_id}"))
    assert page.one(f"#vote-button-{pair.idea_id}").get("aria-pressed") == "true"
    assert page.one(f'#vote-{pair.idea_id} input[name="action"]').get("value") == "withdraw"

    # Sent by htmx: the button in its new state.
    withdrawn = await bench.client.post(
        path,
        data={"action": "withdraw"},
        headers={"X-CSRF-Token": pair.person.csrf_token, "HX-Request": "true"},
    )

    assert withdrawn.status_code == 200
    button = Page(withdrawn)
    assert (
        button.text(f"#vote-count-{pair.idea_id}") == f"{before} vote{'' if before == 1 else 's'}"
    )
    assert button.one(f"#vote-button-{pair.idea_id}").get("aria-pressed") == "false"
    assert await bench.vote_count(pair.idea_id) == before
    assert not await bench.voted(pair)


async def test_a_vote_cast_twice_or_a_withdrawal_of_no_vote_conflicts(bench: Bench) -> None:
    pair = bench.signed_in.pairs[0]
    bench.as_person(pair.person.token)
    path = f"/ideas/{pair.idea_id}/vote"
    before = await bench.vote_count(pair.idea_id)

    def post(action: str) -> dict[str, str]:
        return {"action": action, "csrf_token": pair.person.csrf_token}

    assert (await bench.client.post(path, data=post("withdraw"))).status_code == 409
    assert (await bench.client.post(path, data=post("vote"))).status_code == 303
    assert (await bench.client.post(path, data=post("vote"))).status_code == 409
    assert await bench.vote_count(pair.idea_id) == before + 1


async def test_a_vote_with_a_wrong_or_missing_csrf_token_is_refused(bench: Bench) -> None:
    pair = bench.signed_in.pairs[0]
    other = next(p for p in bench.signed_in.people if p.user_id != pair.person.user_id)
    bench.as_person(pair.person.token)
    path = f"/ideas/{pair.idea_id}/vote"
    before = await bench.vote_count(pair.idea_id)

    wrong = await bench.client.post(path, data={"action": "vote", "csrf_token": other.csrf_token})
    missing = await bench.client.post(path, data={"action": "vote"})
    in_header = await bench.client.post(
        path, data={"action": "vote"}, headers={"X-CSRF-Token": "not-the-token"}
    )

    assert [wrong.status_code, missing.status_code, in_header.status_code] == [403, 403, 403]
    assert await bench.vote_count(pair.idea_id) == before
    assert not await bench.voted(pair)


async def test_a_vote_without_a_session_is_refused(bench: Bench) -> None:
    pair = bench.signed_in.pairs[0]
    before = await bench.vote_count(pair.idea_id)

    response = await bench.client.post(
        f"/ideas/{pair.idea_id}/vote",
        data={"action": "vote", "csrf_token": pair.person.csrf_token},
    )

    assert response.status_code == 403
    assert await bench.vote_count(pair.idea_id) == before
