"""The crowd that makes the demo look used: neighbours who post ideas that build on
each other, vote, compare ideas in pairs, comment and reply, and join teams.

Everything goes through the services, each at a moment the challenge's schedule
allowed it. A seeded random generator decides who does what, so every load
gives the same site.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import policy
from ideas.accounts.forms import ProfileInput
from ideas.accounts.models import User
from ideas.accounts.services import create_user, update_profile
from ideas.challenges import queries as challenge_queries
from ideas.challenges import services as challenge_services
from ideas.challenges.models import Challenge, ChallengeTag
from ideas.comments import services as comment_services
from ideas.db import write
from ideas.demo import texts
from ideas.demo.people import neighbours
from ideas.demo.texts import Seed
from ideas.submissions import services as idea_services
from ideas.submissions.forms import IdeaInput
from ideas.submissions.lineage import LinkInput
from ideas.submissions.models import Idea
from ideas.teams import services as team_services
from ideas.teams.forms import RoleInput
from ideas.teams.membership import join, lock_team
from ideas.teams.models import Team
from ideas.voting import compare_services
from ideas.voting import services as vote_services
from ideas.voting.models import Comparison

# Their identities' provider: the crowd cannot sign in (only the personas, through
# the development sign-in, can).
CROWD_PROVIDER = "demo"
CROWD_SIZE = 96
SEED = 20240917


@dataclass(frozen=True)
class Round:
    """How busy the crowd is in one challenge."""

    slug: str
    seeds: tuple[Seed, ...]
    scripted_appeal: tuple[float, ...]  # of the personas' ideas, in the order posted
    voters: int
    votes_each: tuple[int, int]
    comparers: int
    pairs_each: tuple[int, int]
    scripted_camps: tuple[str, ...] = ()
    shortlist: tuple[str, ...] = ()  # crowd ideas the host shortlists in review
    winners: tuple[tuple[str, str], ...] = ()  # (key, citation) at the close
    teams: bool = False  # crowd members join the teams, which add roles


ROUNDS = (
    Round(
        "food-waste-in-school-canteens",
        texts.CANTEEN,
        (0.8, 0.4, 0.5, 1.0, 0.5, 0.2),
        scripted_camps=("plate", "routine", "plate", "routine", "routine", ""),
        voters=88,
        votes_each=(2, 5),
        comparers=60,
        pairs_each=(4, 9),
    ),
    Round(
        "warmer-homes-this-winter",
        texts.WARMER,
        (1.2, 0.6, 0.7),
        voters=60,
        votes_each=(2, 6),
        comparers=20,
        pairs_each=(4, 8),
    ),
    Round(
        "welcoming-newcomers",
        texts.NEWCOMERS,
        (1.2, 1.0),
        voters=54,
        votes_each=(2, 5),
        comparers=20,
        pairs_each=(4, 8),
        shortlist=texts.NEWCOMER_SHORTLIST,
        teams=True,
    ),
    Round(
        "cleaner-air-at-the-market",
        texts.MARKET,
        (1.3, 0.9),
        voters=54,
        votes_each=(2, 5),
        comparers=20,
        pairs_each=(4, 8),
        shortlist=("hook-ups",),
        winners=(
            ("hook-ups", "Vans switch their engines off: the fridges run on the market's power."),
        ),
    ),
)


@dataclass
class Counts:
    people: int = 0
    ideas: int = 0
    votes: int = 0
    comparisons: int = 0
    comments: int = 0


@dataclass
class _Posted:
    id: int
    key: str
    author_id: int
    at: datetime
    appeal: float
    camp: str


async def load_crowd(session: AsyncSession, people: dict[str, User], now: datetime) -> Counts:
    """The crowd, after the personas' own rounds are in place."""
    rng = random.Random(SEED)
    counts = Counts()
    crowd: list[User] = []
    for index, neighbour in enumerate(neighbours(CROWD_SIZE, rng)):
        joined = now - timedelta(days=150 - index // 2, hours=index % 7)
        user = await create_user(
            session,
            display_name=neighbour.name,
            email=None,
            provider=CROWD_PROVIDER,
            subject=neighbour.subject,
            bio=neighbour.bio,
            now=joined,
        )
        if neighbour.skills:
            await update_profile(
                session,
                user_id=user.id,
                data=ProfileInput(neighbour.name, neighbour.bio, "", list(neighbour.skills), []),
                now=joined,
            )
        crowd.append(user)
    counts.people = len(crowd)
    for spec in ROUNDS:
        await _play(session, spec, crowd, people, now, rng, counts)
    return counts


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A moment between ``start`` and ``end``, to the minute."""
    span = max((end - start).total_seconds(), 60.0)
    return start + timedelta(minutes=int(rng.uniform(0, span) // 60))


async def _play(
    session: AsyncSession,
    spec: Round,
    crowd: list[User],
    people: dict[str, User],
    now: datetime,
    rng: random.Random,
    counts: Counts,
) -> None:
    challenge = await challenge_queries.by_slug(session, spec.slug)
    assert challenge is not None
    opened = challenge.ideas_opens_at
    review = challenge.review_opens_at
    assert opened is not None
    assert review is not None
    posting_ends = min(review, now) - timedelta(hours=3)
    voting_ends = min(challenge.teams_opens_at or now, now) - timedelta(minutes=10)
    talking_ends = min(challenge.closes_at or now, now) - timedelta(minutes=30)
    tag_ids = list(
        await session.scalars(
            select(ChallengeTag.id)
            .where(ChallengeTag.challenge_id == challenge.id)
            .order_by(ChallengeTag.position)
        )
    )

    # The personas' ideas first: the crowd builds on them too.
    scripted = (
        await session.scalars(
            select(Idea).where(Idea.challenge_id == challenge.id).order_by(Idea.id)
        )
    ).all()
    posted: dict[str, _Posted] = {}
    for index, idea in enumerate(scripted):
        camps = spec.scripted_camps
        posted[f"s{index}"] = _Posted(
            idea.id,
            f"s{index}",
            idea.author_id,
            idea.created_at,
            spec.scripted_appeal[index] if index < len(spec.scripted_appeal) else 0.0,
            camps[index] if index < len(camps) else "",
        )

    # Ideas, posted in the order listed, spread over the time the round took ideas.
    moments = sorted(_between(rng, opened + timedelta(hours=6), posting_ends) for _ in spec.seeds)
    authors = rng.sample(crowd, len(crowd))
    for position, (seed, at) in enumerate(zip(spec.seeds, moments, strict=True)):
        parents = [posted[key] for key in seed.builds_on]
        at = max([at, *(p.at + timedelta(hours=2) for p in parents)])
        author = authors[position % len(authors)]
        chosen_tags = rng.sample(tag_ids, rng.randint(0, min(2, len(tag_ids))))
        idea = await idea_services.post_idea(
            session,
            challenge_id=challenge.id,
            author_id=author.id,
            data=IdeaInput(
                title=seed.title,
                summary=seed.summary,
                body=seed.body,
                tag_ids=tuple(sorted(chosen_tags)),
                builds_on=tuple(LinkInput(p.id) for p in parents),
                language=seed.language,
            ),
            now=at,
        )
        posted[seed.key] = _Posted(idea.id, seed.key, author.id, at, seed.appeal, seed.camp)
        counts.ideas += 1
    ideas = list(posted.values())

    camp_of = await _vote(session, spec, challenge, ideas, crowd, voting_ends, rng, counts)
    await _compare(session, spec, challenge, ideas, crowd, voting_ends, rng, counts, camp_of)
    await compare_services.refit(session, challenge.id, now)
    await _comment(session, spec, ideas, crowd, talking_ends, rng, counts)

    host_id = challenge.created_by_id
    for key in spec.shortlist:
        await challenge_services.shortlist(
            session,
            challenge_id=challenge.id,
            idea_id=posted[key].id,
            note="",
            actor_id=host_id,
            now=review + timedelta(days=2),
        )
    for key, citation in spec.winners:
        assert challenge.closes_at is not None
        await challenge_services.pick_winner(
            session,
            challenge_id=challenge.id,
            idea_id=posted[key].id,
            citation=citation,
            actor_id=host_id,
            now=challenge.closes_at + timedelta(hours=1),
        )
    if spec.teams:
        await _teams(session, challenge, crowd, now, rng)


_IDEAS = cast(Table, Idea.__table__)
# Built once: adds an idea's answers to its count of comparisons.
_COUNT_COMPARED = (
    update(_IDEAS)
    .where(_IDEAS.c.id == bindparam("compared"))
    .values(comparison_count=_IDEAS.c.comparison_count + bindparam("times"))
)

# In a round with camps, the voters take turns, one camp then the other, and one in
# nine is in neither.
CAMP_TURNS = ("plate", "routine") * 4 + ("",)
# How much more than its appeal says a member of a camp likes an idea of their own camp,
# or the idea both camps back, and one of the other camp.
OWN_CAMP = 3.0
OTHER_CAMP = 0.04
# One member of each camp in this many also votes for the idea both camps back.
BOTH_CAMPS_EVERY = 6


def _liking(idea: _Posted, camp: str) -> float:
    """How much a voter of ``camp`` ("" for none) likes ``idea`` beyond its appeal."""
    if not camp or not idea.camp:
        return 1.0
    return OWN_CAMP if idea.camp in (camp, "both") else OTHER_CAMP


def _weight(idea: _Posted, camp: str) -> float:
    """How likely a voter of ``camp`` ("" for none) is to pick ``idea``."""
    return math.exp(1.4 * idea.appeal) * _liking(idea, camp)


def _pick(rng: random.Random, ideas: list[_Posted], weights: list[float], k: int) -> list[_Posted]:
    """``k`` different ideas, each drawn with its weight."""
    pool = list(zip(ideas, weights, strict=True))
    chosen: list[_Posted] = []
    while pool and len(chosen) < k:
        total = sum(w for _, w in pool)
        mark = rng.uniform(0, total)
        for index, (idea, weight) in enumerate(pool):
            mark -= weight
            if mark <= 0 or index == len(pool) - 1:
                chosen.append(idea)
                del pool[index]
                break
    return chosen


async def _vote(
    session: AsyncSession,
    spec: Round,
    challenge: Challenge,
    ideas: list[_Posted],
    crowd: list[User],
    until: datetime,
    rng: random.Random,
    counts: Counts,
) -> dict[int, str]:
    """Each voter backs a few ideas; in a round with camps, mostly their camp's, and now
    and then the idea both camps back. Returns each voter's camp ("" for none) by id."""
    budget = challenge.vote_budget
    voters = rng.sample(crowd, spec.voters)
    camped = any(idea.camp for idea in ideas)
    camps: dict[int, str] = {}
    members: Counter[str] = Counter()
    for number, voter in enumerate(voters):
        camp = CAMP_TURNS[number % len(CAMP_TURNS)] if camped else ""
        camps[voter.id] = camp
        members[camp] += 1
        theirs = [i for i in ideas if i.author_id != voter.id and i.camp != "both"]
        k = rng.randint(*spec.votes_each)
        picks = _pick(rng, theirs, [_weight(i, camp) for i in theirs], k)
        if (camp and members[camp] % BOTH_CAMPS_EVERY == 1) or (
            not camp and camped and rng.random() < 0.1
        ):
            # First, so that a spent budget drops one of their own picks instead.
            both = [i for i in ideas if i.camp == "both" and i.author_id != voter.id]
            picks = both[:1] + picks
        if budget is not None:
            picks = picks[:budget]
        for idea in picks:
            await vote_services.cast_vote(
                session,
                idea_id=idea.id,
                user_id=voter.id,
                now=_between(rng, idea.at + timedelta(hours=1), until),
                challenge_id=challenge.id,
            )
            counts.votes += 1
    return camps


async def _compare(
    session: AsyncSession,
    spec: Round,
    challenge: Challenge,
    ideas: list[_Posted],
    crowd: list[User],
    until: datetime,
    rng: random.Random,
    counts: Counts,
    camp_of: dict[int, str],
) -> None:
    """Pairs answered as the ideas' appeal and the comparer's camp (``camp_of``, by id)
    say, with a "can't decide" now and then. A member of a camp brings an idea they like
    to each pair, and answers as they vote: the other camp's ideas lose.

    The answers are saved at once, not one by one through
    ``compare_services.record_comparison``: each of its online steps only moves the
    strengths the refit after the round (``_play``) fits anew from all the answers.
    Its rules hold here by construction: nobody is given their own idea, a pair
    comes once per person, every idea is visible, and ``policy`` is asked whether
    the moment takes comparisons."""
    answers: list[dict[str, object]] = []
    compared: Counter[int] = Counter()
    for comparer in rng.sample(crowd, spec.comparers):
        camp = camp_of.get(comparer.id, "")
        roles = policy.challenge_roles(comparer, challenge)
        theirs = [i for i in ideas if i.author_id != comparer.id]
        seen: set[tuple[int, int]] = set()
        for _ in range(rng.randint(*spec.pairs_each)):
            if camp:
                a = _pick(rng, theirs, [_weight(i, camp) for i in theirs], 1)[0]
                b = rng.choice([i for i in theirs if i is not a])
            else:
                a, b = rng.sample(theirs, 2)
            first, second = (a, b) if a.id < b.id else (b, a)
            if (first.id, second.id) in seen:
                continue
            seen.add((first.id, second.id))
            if rng.random() < 0.08:
                winner = None
            else:
                lean = math.log(_liking(first, camp) / _liking(second, camp))
                chance = 1 / (1 + math.exp(-1.6 * (first.appeal - second.appeal) - lean))
                winner = first.id if rng.random() < chance else second.id
            at = _between(rng, max(first.at, second.at) + timedelta(hours=1), until)
            policy.check(policy.Action.COMPARE, challenge, roles, at)
            answers.append(
                {
                    "challenge_id": challenge.id,
                    "user_id": comparer.id,
                    "first_id": first.id,
                    "second_id": second.id,
                    "winner_id": winner,
                    "created_at": at,
                }
            )
            compared.update((first.id, second.id))
    if not answers:
        return
    async with write(session) as tx:
        await tx.execute(insert(Comparison), answers)
        await tx.execute(
            _COUNT_COMPARED,
            [{"compared": idea_id, "times": times} for idea_id, times in compared.items()],
        )
    counts.comparisons += len(answers)


async def _comment(
    session: AsyncSession,
    spec: Round,
    ideas: list[_Posted],
    crowd: list[User],
    until: datetime,
    rng: random.Random,
    counts: Counts,
) -> None:
    """Threads on about a third of the ideas, more on the popular ones; replies from
    the idea's author and from others."""
    pool = texts.GENERAL_COMMENTS + texts.THEME_COMMENTS.get(spec.slug, ())
    for idea in ideas:
        if rng.random() > 0.25 + 0.15 * idea.appeal:
            continue
        for _ in range(rng.randint(1, 3)):
            language, body = rng.choice(pool)
            author = rng.choice([p for p in crowd if p.id != idea.author_id])
            at = _between(rng, idea.at + timedelta(hours=2), until - timedelta(days=1))
            comment = await comment_services.post_comment(
                session, idea_id=idea.id, author_id=author.id, body=body, now=at,
                language=language,
            )  # fmt: skip
            counts.comments += 1
            for _ in range(rng.choice((0, 0, 1, 1, 2))):
                by_author = rng.random() < 0.5
                language, body = rng.choice(
                    texts.AUTHOR_REPLIES if by_author else texts.OTHER_REPLIES
                )
                others = [p.id for p in crowd if p.id not in (idea.author_id, author.id)]
                replier = idea.author_id if by_author else rng.choice(others)
                at = _between(rng, at + timedelta(minutes=20), until)
                await comment_services.post_comment(
                    session, idea_id=idea.id, author_id=replier, body=body, now=at,
                    parent_id=comment.id, language=language,
                )  # fmt: skip
                counts.comments += 1


# Open roles of the crowd's teams: (title, what the role does, skills asked for).
CROWD_ROLES = (
    ("Translator", "Turns our texts into the languages of the street.", ("Translation",)),
    ("Designer", "Makes what we hand out friendly and easy to read.", ("Design",)),
    ("Host", "Welcomes people on the evenings and keeps the tea coming.", ("Event planning",)),
)
MEMBER_TITLES = ("Outreach", "Volunteer", "Treasurer", "Photographer")


async def _teams(
    session: AsyncSession,
    challenge: Challenge,
    crowd: list[User],
    now: datetime,
    rng: random.Random,
) -> None:
    """Members from the crowd join every team but fill none of its open roles; the crowd's
    teams post their own open roles."""
    moment = now - timedelta(days=3)
    teams = (
        await session.scalars(
            select(Team).where(Team.challenge_id == challenge.id).order_by(Team.id)
        )
    ).all()
    leads = {team.lead_id for team in teams}
    free = [p for p in crowd if p.id not in leads]
    rng.shuffle(free)
    for team in teams:
        crowd_lead = any(p.id == team.lead_id for p in crowd)
        if crowd_lead:
            for title, description, skills in rng.sample(CROWD_ROLES, 2):
                await team_services.add_role(
                    session,
                    team_id=team.id,
                    actor_id=team.lead_id or 0,
                    data=RoleInput(title, description, list(skills)),
                    now=moment,
                )
        for _ in range(rng.randint(2, 3) if crowd_lead else 1):
            member = free.pop()
            roles = policy.challenge_roles(member, challenge)
            policy.check(policy.Action.JOIN_TEAM, challenge, roles, moment)
            async with write(session) as tx:
                locked = await lock_team(tx, team.id)
                await join(
                    tx,
                    team=locked,
                    user_id=member.id,
                    now=moment - timedelta(hours=rng.randint(1, 40)),
                    role_title=rng.choice(MEMBER_TITLES),
                )
