"""The demo's crowd: every round looks used, the voting round holds near-duplicates and
two camps of voters, and the same load gives the same site. (Each load takes seconds:
one test checks all that a load made.)"""

from __future__ import annotations

import asyncio
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import demo
from ideas.accounts.models import User
from ideas.accounts.queries import development_personas
from ideas.challenges import queries as challenge_queries
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.comments.models import Comment
from ideas.db import Database, utcnow
from ideas.demo import crowd, texts
from ideas.submissions.models import Idea, IdeaLink, IdeaStatus
from ideas.teams.models import Team, TeamRole
from ideas.voting import explain
from ideas.voting.models import Comparison, Vote
from tests.factories.accounts import Person
from tests.html import Page
from tests.support.databases import new_database

INTERVAL = re.compile(r"^wins \d+% against a random other idea \(\d+%\u2013\d+%\)$")


async def test_every_round_with_ideas_looks_used(session: AsyncSession, visitor: Person) -> None:
    now = utcnow()
    counts = await demo.load(session, now)

    assert counts["people"] == len(demo.PERSONAS) + crowd.CROWD_SIZE
    assert counts["votes"] >= 500
    assert counts["comparisons"] >= 300
    for challenge in (await session.scalars(select(Challenge))).all():
        if challenge.phase_at(now) is Phase.DRAFT:
            continue
        votes = await session.scalar(
            select(func.count())
            .select_from(Vote)
            .join(Idea)
            .where(Idea.challenge_id == challenge.id)
        )
        compared = await session.scalar(
            select(func.count()).where(Comparison.challenge_id == challenge.id)
        )
        assert 25 <= challenge.idea_count <= 60, challenge.slug
        assert votes is not None
        assert votes >= 150, challenge.slug
        assert compared is not None
        assert compared >= 100, challenge.slug

    # The results page ranks by votes and by pairwise score, with intervals.
    page = Page(await visitor.get(f"/challenges/{demo.VOTING_SLUG}/results"))
    rows = [
        [" ".join(cell.text_content().split()) for cell in row.cssselect("th, td")]
        for row in page.select("#results tbody tr")
    ]
    # A cluster's row reads "23 distinct supporters": its count comes first.
    ranked = [row for row in rows if int(row[1].split()[0]) > 0 and INTERVAL.match(row[3])]
    assert len(ranked) >= 10
    assert "not ranked yet" not in page.text("#results")

    # Lineage several levels deep, and ideas that merge two others.
    parents: dict[int, list[int]] = defaultdict(list)
    for child, parent in (
        await session.execute(select(IdeaLink.child_id, IdeaLink.parent_id))
    ).all():
        parents[child].append(parent)

    def depth(idea_id: int) -> int:
        return max((1 + depth(p) for p in parents.get(idea_id, [])), default=0)

    assert max(depth(idea_id) for idea_id in parents) >= 3
    assert sum(len(p) >= 2 for p in parents.values()) >= 3

    # Threads with replies; ideas in Spanish and French.
    replies = await session.scalar(select(func.count()).where(Comment.parent_id.is_not(None)))
    assert replies is not None
    assert replies >= 10
    languages = set(await session.scalars(select(Idea.language)))
    assert {"en", "es", "fr"} <= languages

    # Teams with members from the crowd and open roles; a closed round with winners.
    newcomers = await challenge_queries.by_slug(session, demo.TEAMS_SLUG)
    assert newcomers is not None
    teams = (await session.scalars(select(Team).where(Team.challenge_id == newcomers.id))).all()
    assert len(teams) >= 4
    assert all(team.member_count >= 2 for team in teams)
    roles = await session.scalar(
        select(func.count())
        .select_from(TeamRole)
        .join(Team)
        .where(Team.challenge_id == newcomers.id)
    )
    assert roles is not None
    assert roles >= 8
    closed = await challenge_queries.by_slug(session, demo.IMPACT_SLUG)
    assert closed is not None
    winners = await session.scalar(
        select(func.count()).where(Idea.challenge_id == closed.id, Idea.status == IdeaStatus.WINNER)
    )
    assert winners == 2

    # The crowd cannot sign in: only the personas are offered on the development sign-in.
    assert len(await development_personas(session)) == len(demo.PERSONAS)

    await _check_the_voting_round(session)
    await _check_the_bridging(session, visitor)


async def _check_the_voting_round(session: AsyncSession) -> None:
    """Near-duplicates, and two camps of voters who both back one idea."""
    challenge = await challenge_queries.by_slug(session, demo.VOTING_SLUG)
    assert challenge is not None

    pairs = await demo.near_duplicates(session)
    assert len(pairs) == len(demo.NEAR_DUPLICATES) == 3
    for pair in pairs:
        ideas = [await session.get(Idea, idea_id) for idea_id in pair]
        assert all(i is not None and i.challenge_id == challenge.id for i in ideas)

    # Each voter's camp: the camp of the ideas they backed, when all were of one camp.
    camp_of_title = {s.title: s.camp for s in texts.CANTEEN if s.camp in ("plate", "routine")}
    backed: dict[int, set[str]] = defaultdict(set)
    votes_for: dict[str, set[int]] = defaultdict(set)
    for voter, title in (
        await session.execute(
            select(Vote.user_id, Idea.title).join(Idea).where(Idea.challenge_id == challenge.id)
        )
    ).all():
        votes_for[title].add(voter)
        if title in camp_of_title:
            backed[voter].add(camp_of_title[title])
    camps = {
        camp: {voter for voter, of in backed.items() if of == {camp}}
        for camp in ("plate", "routine")
    }
    assert all(len(voters) >= 20 for voters in camps.values())
    bridging = votes_for[demo.BRIDGING]
    assert all(len(bridging & voters) >= 3 for voters in camps.values())
    most = max(len(voters) for voters in votes_for.values())
    assert len(bridging) < most


def _first_idea(page: Page) -> str:
    """The title of the first idea in the results table (a cluster's own row aside)."""
    first = page.select("#results tbody th.results__idea > a")[0]
    return " ".join(first.text_content().split())


async def _check_the_bridging(session: AsyncSession, visitor: Person) -> None:
    """The bridging fit finds the two camps as its opinion groups and ranks the idea both
    back first, while the most-voted idea is one camp's favourite."""
    challenge = await challenge_queries.by_slug(session, demo.VOTING_SLUG)
    assert challenge is not None
    data = await explain.load(session, challenge.id)
    fitted = explain.bridging_of(data, bootstrap=0)
    assert fitted.enough
    assert len(fitted.groups) == 2
    assert min(fitted.groups) >= 25

    # Each camp's voters (those who backed only their camp's ideas) fall into one group,
    # and the two camps into different groups.
    camp_of_title = {s.title: s.camp for s in texts.CANTEEN if s.camp in ("plate", "routine")}
    backed: dict[str, set[str]] = defaultdict(set)
    voters_of: dict[str, set[str]] = defaultdict(set)
    for vote in data.votes:
        participant = str(vote["participant"])
        voters_of[vote["idea_title"]].add(participant)
        if vote["idea_title"] in camp_of_title:
            backed[participant].add(camp_of_title[vote["idea_title"]])
    group_of_camp = {}
    for camp in ("plate", "routine"):
        groups = [
            fitted.group_of[p] for p, of in backed.items() if of == {camp} and p in fitted.group_of
        ]
        group, size = Counter(groups).most_common(1)[0]
        assert size >= 0.9 * len(groups) >= 25, camp
        group_of_camp[camp] = group
    assert group_of_camp["plate"] != group_of_camp["routine"]

    # The results page: the idea both camps back is first by bridging, with supporters
    # in both groups; the first by votes is another idea, backed by one group.
    by_bridging = Page(await visitor.get(f"/challenges/{demo.VOTING_SLUG}/results?by=bridging"))
    assert _first_idea(by_bridging) == demo.BRIDGING
    by_votes = Page(await visitor.get(f"/challenges/{demo.VOTING_SLUG}/results?by=votes"))
    most_voted = _first_idea(by_votes)
    assert most_voted != demo.BRIDGING
    assert len(voters_of[most_voted]) > len(voters_of[demo.BRIDGING])

    def groups_backing(title: str) -> Counter[int]:
        return Counter(fitted.group_of[p] for p in voters_of[title] if p in fitted.group_of)

    bridging = groups_backing(demo.BRIDGING)
    assert min(bridging[0], bridging[1]) >= bridging.total() / 3
    favourite = groups_backing(most_voted)
    assert max(favourite[0], favourite[1]) >= 2 * min(favourite[0], favourite[1])


async def _snapshot(session: AsyncSession) -> dict[str, Any]:
    """What the demo made, by content rather than by id."""
    author = User.display_name
    ideas = (
        await session.execute(
            select(
                Challenge.slug,
                Idea.title,
                author,
                Idea.vote_count,
                Idea.comparison_count,
                func.round(Idea.pairwise_score * 1000),
                Idea.comment_count,
                Idea.created_at,
            )
            .join(User, User.id == Idea.author_id)
            .join(Challenge, Challenge.id == Idea.challenge_id)
            .order_by(Challenge.slug, Idea.title)
        )
    ).all()
    votes = (
        await session.execute(
            select(User.display_name, Idea.title, Vote.created_at)
            .join(Vote, Vote.user_id == User.id)
            .join(Idea, Idea.id == Vote.idea_id)
            .order_by(User.display_name, Idea.title)
        )
    ).all()
    comments = (
        await session.execute(
            select(User.display_name, Comment.body, Comment.created_at)
            .join(User, User.id == Comment.author_id)
            .order_by(Comment.created_at, User.display_name, Comment.body)
        )
    ).all()
    return {"ideas": ideas, "votes": votes, "comments": comments}


def test_loading_twice_gives_the_same_site(tmp_path: Path) -> None:
    # The chances drawn are the same whatever the database: two loads into two SQLite
    # databases of this test's own say so in seconds.
    now = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

    async def load_into(url: str) -> dict[str, Any]:
        database = Database.from_url(url)
        try:
            assert await demo.load_at_once(database, now) is not None
            async with database.session() as session:
                return await _snapshot(session)
        finally:
            await database.dispose()

    snapshots = []
    for n in range(2):
        folder = tmp_path / str(n)
        folder.mkdir()
        with new_database("sqlite", folder) as url:
            snapshots.append(asyncio.run(load_into(url)))
    assert snapshots[0] == snapshots[1]
    assert len(snapshots[0]["votes"]) >= 500
