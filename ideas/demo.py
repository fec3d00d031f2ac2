"""Demo data, made through the same services the site uses.

Five challenges, one in each phase, with named personas and their ideas. Every
idea is posted at a moment when the challenge's schedule allowed it, and the
policy is asked just as the site would ask it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import policy
from ideas.accounts.models import User
from ideas.accounts.services import DEVELOPMENT_PROVIDER, create_user
from ideas.challenges import queries as challenge_queries
from ideas.challenges import services as challenge_services
from ideas.challenges.forms import ChallengeInput
from ideas.challenges.phases import Schedule
from ideas.submissions import services as idea_services
from ideas.submissions.forms import IdeaInput


@dataclass(frozen=True)
class Persona:
    key: str
    name: str
    email: str
    bio: str
    host: bool = False
    admin: bool = False


PERSONAS = (
    Persona("ada", "Ada Okafor", "ada@example.org", "Runs the site for the city's civic lab.", host=True, admin=True),
    Persona("hamid", "Hamid Rahimi", "hamid@example.org", "Community organiser; hosts rounds on housing and schools.", host=True),
    Persona("priya", "Priya Natarajan", "priya@example.org", "Nutritionist at a school catering co-op."),
    Persona("tomas", "Tomás Ferreira", "tomas@example.org", "Product designer, volunteers at the repair café."),
    Persona("mei", "Mei Lin", "mei@example.org", "Data analyst who likes small experiments."),
    Persona("kwame", "Kwame Mensah", "kwame@example.org", "Teacher and parent-council member."),
    Persona("lena", "Lena Novak", "lena@example.org", "Energy adviser at a housing association."),
)  # fmt: skip


@dataclass(frozen=True)
class DemoChallenge:
    slug: str
    title: str
    question: str
    sponsor: str
    brief: str
    host: str
    # Phase starts in days from now (negative: in the past); None: not scheduled.
    days: tuple[float | None, float | None, float | None, float | None]
    ideas: tuple[tuple[str, str, str, str], ...] = ()  # (author key, title, summary, body)


CHALLENGES = (
    DemoChallenge(
        slug="safer-walks-to-school",
        title="Safer walks to school",
        question="How might we make walking to school the easy, safe choice for every child?",
        sponsor="Northside Parents' Council",
        brief="Most children here live within a mile of school, yet few walk.\n\n"
        "## What we know\n\n- Parents name **traffic speed** and *crossings* as the main worries.\n"
        "- Walking buses worked for a term in 2024, then stopped for lack of volunteers.\n",
        host="hamid",
        days=(7, 21, 28, 45),
    ),
    DemoChallenge(
        slug="food-waste-in-school-canteens",
        title="Less food waste in school canteens",
        question="How might we cut food waste in school canteens without leaving children hungry?",
        sponsor="City Schools Catering",
        brief="Our twelve canteens throw away about **a third** of what they cook.\n\n"
        "Good answers are cheap to try in one school for a month, and measurable.\n\n"
        "See the [waste audit](https://example.org/audit) for numbers by school.",
        host="ada",
        days=(-5, 9, 16, 30),
        ideas=(
            (
                "priya",
                "Let children choose their portion size",
                "Offer small, medium and large plates so children take what they will eat; seconds stay free.",
                "Portion choice cut waste by a fifth in two pilot schools elsewhere.\n\n1. Three plate sizes\n2. Free seconds\n3. Weekly weigh-in",
            ),
            (
                "tomas",
                "A weigh station with a live leaderboard",
                "Each class scrapes its plates onto a scale; a screen shows which class wasted least this week.",
                "Make waste visible and a bit of a game. The display costs little.",
            ),
            (
                "mei",
                "Menu voting the week before",
                "Children vote on next week's options so the kitchen cooks what they will actually eat.",
                "Start with one choice per day; compare waste against the weeks before.",
            ),
            (
                "kwame",
                "Lunch before play, not after",
                "Move playtime after lunch so children are not rushing out with full plates.",
                "Several studies found less waste when play comes first.",
            ),
        ),
    ),
    DemoChallenge(
        slug="warmer-homes-this-winter",
        title="Warmer homes this winter",
        question="How might we help households in older flats stay warm for less this winter?",
        sponsor="Riverside Housing Association",
        brief="Energy bills doubled in three years. Many flats are single-glazed.",
        host="hamid",
        days=(-20, -2, 5, 20),
        ideas=(
            (
                "lena",
                "Draught-proofing parties",
                "Neighbours meet on a Saturday, learn to fit draught strips, and do each other's flats.",
                "Materials cost about £30 a flat.",
            ),
            (
                "tomas",
                "Lend thermal cameras from the library",
                "Let people see where the heat leaks out before they spend money.",
                "Two cameras, a short guide, a booking form.",
            ),
            (
                "priya",
                "Warm rooms in community centres",
                "Open heated community rooms on the coldest evenings, with soup.",
                "",
            ),
        ),
    ),
    DemoChallenge(
        slug="welcoming-newcomers",
        title="Welcoming newcomers to the neighbourhood",
        question="How might we help people who just moved here feel at home within their first month?",
        sponsor="Eastgate Community Trust",
        brief="One in five residents moved here in the last two years.",
        host="ada",
        days=(-40, -25, -5, 14),
        ideas=(
            (
                "kwame",
                "A neighbour buddy for the first month",
                "Pair each newcomer with a volunteer who lives nearby for four weekly walks.",
                "",
            ),
            (
                "mei",
                "A welcome map made by residents",
                "A printed map of the places locals love, handed out with the council's welcome letter.",
                "",
            ),
        ),
    ),
    DemoChallenge(
        slug="cleaner-air-at-the-market",
        title="Cleaner air around the market",
        question="How might we cut exhaust fumes around the Saturday market?",
        sponsor="Market Traders' Association",
        brief="Delivery vans idle for hours beside the stalls.",
        host="hamid",
        days=(-80, -60, -45, -10),
        ideas=(
            (
                "tomas",
                "Cargo-bike deliveries for the last mile",
                "Vans unload at the edge of town; cargo bikes bring goods to the stalls.",
                "",
            ),
            (
                "lena",
                "No-idling signs and friendly wardens",
                "Ask drivers to switch off, with volunteers handing out coffee vouchers to those who do.",
                "",
            ),
        ),
    ),
)


async def is_empty(session: AsyncSession) -> bool:
    return not await session.scalar(select(exists().where(User.id.is_not(None))))


async def load(session: AsyncSession, now: datetime) -> dict[str, int]:
    """Create the personas, challenges and ideas; returns how many of each."""
    people: dict[str, User] = {}
    for index, persona in enumerate(PERSONAS):
        people[persona.key] = await create_user(
            session,
            display_name=persona.name,
            email=persona.email,
            provider=DEVELOPMENT_PROVIDER,
            subject=persona.key,
            is_host=persona.host,
            is_admin=persona.admin,
            bio=persona.bio,
            now=now - timedelta(days=120 - index),
        )
    idea_count = 0
    for demo in CHALLENGES:
        starts = [now + timedelta(days=d) if d is not None else None for d in demo.days]
        created_at = now - timedelta(days=100)
        challenge = await challenge_services.create_challenge(
            session,
            host_id=people[demo.host].id,
            data=ChallengeInput(
                title=demo.title,
                slug=demo.slug,
                question=demo.question,
                sponsor=demo.sponsor,
                brief=demo.brief,
                schedule=Schedule(*starts),
            ),
            now=created_at,
        )
        loaded = await challenge_queries.by_id(session, challenge.id)
        assert loaded is not None
        for position, (author, title, summary, body) in enumerate(demo.ideas):
            ideas_open = starts[0]
            assert ideas_open is not None
            posted_at = ideas_open + timedelta(hours=5 + 19 * position)
            roles = policy.challenge_roles(people[author], loaded)
            policy.check(policy.Action.POST_IDEA, loaded, roles, posted_at)
            await idea_services.post_idea(
                session,
                challenge_id=challenge.id,
                author_id=people[author].id,
                data=IdeaInput(title=title, summary=summary, body=body),
                now=posted_at,
            )
            idea_count += 1
    return {"people": len(people), "challenges": len(CHALLENGES), "ideas": idea_count}
