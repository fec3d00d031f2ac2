"""The personas' own rounds: the demo as scripted, before the crowd comes.

Five challenges, one in each phase, with named personas and their ideas, and a
sixth, a draft, opened from the closed one as its follow-up round. Every
idea is posted at a moment when the challenge's schedule allowed it, and the
policy is asked just as the site would ask it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import policy
from ideas.accounts.forms import ProfileInput
from ideas.accounts.models import User
from ideas.accounts.services import DEVELOPMENT_PROVIDER, create_user, update_profile
from ideas.challenges import hosting
from ideas.challenges import queries as challenge_queries
from ideas.challenges import services as challenge_services
from ideas.challenges.forms import ChallengeInput
from ideas.challenges.phases import Schedule
from ideas.db import write
from ideas.impact import services as impact_services
from ideas.impact.forms import Figure, FollowUpInput, PledgeInput, UpdateInput
from ideas.impact.models import ImpactStatus, PledgeKind
from ideas.jury import queries as jury_queries
from ideas.jury import services as jury_services
from ideas.jury.forms import CriterionInput, ScoreInput, SettingsInput
from ideas.submissions import services as idea_services
from ideas.submissions.forms import IdeaInput
from ideas.submissions.lineage import LinkInput
from ideas.teams import matching
from ideas.teams import services as team_services
from ideas.teams.forms import AskInput, InviteInput, RoleInput
from ideas.teams.membership import join, lock_team
from ideas.teams.models import Team


@dataclass(frozen=True)
class Persona:
    key: str
    name: str
    email: str
    bio: str
    host: bool = False
    admin: bool = False
    skills: tuple[str, ...] = ()


PERSONAS = (
    Persona("ada", "Ada Okafor", "ada@example.org", "Runs the site for the city's civic lab.", host=True, admin=True, skills=("Facilitation", "Product management")),
    Persona("hamid", "Hamid Rahimi", "hamid@example.org", "Community organiser; hosts rounds on housing and schools.", host=True, skills=("Community organising", "Facilitation", "Fundraising")),
    Persona("priya", "Priya Natarajan", "priya@example.org", "Nutritionist at a school catering co-op.", skills=("Nutrition", "Cooking", "Event planning")),
    Persona("tomas", "Tomás Ferreira", "tomas@example.org", "Product designer, volunteers at the repair café.", skills=("Design", "Illustration", "Prototyping")),
    Persona("mei", "Mei Lin", "mei@example.org", "Data analyst who likes small experiments.", skills=("Data analysis", "Mapping", "Surveys")),
    Persona("kwame", "Kwame Mensah", "kwame@example.org", "Teacher and parent-council member.", skills=("Teaching", "Community outreach")),
    Persona("lena", "Lena Novak", "lena@example.org", "Energy adviser at a housing association.", skills=("Energy advice", "Community outreach", "Translation")),
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
    tags: tuple[str, ...] = ()
    vote_budget: int | None = None
    cohosts: tuple[str, ...] = ()
    shortlist: tuple[tuple[int, str], ...] = ()  # (index into ideas, note to the authors)
    winners: tuple[tuple[int, str], ...] = ()  # (index into ideas, citation)
    # Ideas that build on earlier ones: (author, title, summary, ((index, note), …)); each
    # is added to the end of ``ideas``, so later ones can build on it in turn.
    builds: tuple[tuple[str, str, str, tuple[tuple[int, str], ...]], ...] = ()


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
        tags=("Kitchen", "Menus", "Families", "Data"),
        vote_budget=5,
        cohosts=("hamid",),
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
        builds=(
            (
                "lena",
                "Choose your portion, then weigh what is left",
                "Portion choice at the counter and a class scale after lunch, so children learn what a right-sized plate is.",
                (
                    (0, "took the three plate sizes"),
                    (1, "took the weigh station, without the leaderboard"),
                ),
            ),
            (
                "kwame",
                "A term-long portion challenge between classes",
                "Classes that choose well and waste least earn a say in the next term's menu.",
                (
                    (4, "adds a prize that matters to children"),
                    (2, "uses menu voting as the prize"),
                ),
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
        tags=("Insulation", "Energy bills", "Neighbours"),
        shortlist=((0, "Clear and cheap to try. Which streets would you start with?"),),
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
        shortlist=((0, ""), (1, "Talk to the library about printing.")),
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
        shortlist=((0, ""), (1, "")),
        winners=(
            (
                0,
                "Cut van idling by two thirds in the trial month, and the traders ran it themselves.",
            ),
        ),
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


async def load(session: AsyncSession, now: datetime) -> tuple[dict[str, User], int]:
    """Create the personas, challenges and ideas; returns the personas by key and how
    many ideas there are."""
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
        if persona.skills:
            await update_profile(
                session,
                user_id=people[persona.key].id,
                data=ProfileInput(persona.name, persona.bio, "", list(persona.skills), []),
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
                tags=demo.tags,
                vote_budget=demo.vote_budget,
            ),
            now=created_at,
        )
        host_id = people[demo.host].id
        for cohost in demo.cohosts:
            invitation = await hosting.invite_host(
                session,
                challenge_id=challenge.id,
                email=people[cohost].email or "",
                actor_id=host_id,
                now=created_at,
            )
            await hosting.accept_host_invitation(
                session, invitation_id=invitation.id, user_id=people[cohost].id, now=created_at
            )
        posted: list[int] = []
        Entry = tuple[str, str, str, str, tuple[tuple[int, str], ...]]
        entries: list[Entry] = [(a, t, s, b, ()) for a, t, s, b in demo.ideas]
        entries += [(a, t, s, "", links) for a, t, s, links in demo.builds]
        for position, (author, title, summary, body, links) in enumerate(entries):
            ideas_open = starts[0]
            assert ideas_open is not None
            posted_at = ideas_open + timedelta(hours=5 + 19 * position)
            idea = await idea_services.post_idea(
                session,
                challenge_id=challenge.id,
                author_id=people[author].id,
                data=IdeaInput(
                    title=title,
                    summary=summary,
                    body=body,
                    builds_on=tuple(LinkInput(posted[i], note) for i, note in links),
                    language="en",
                ),
                now=posted_at,
            )
            posted.append(idea.id)
            idea_count += 1
        for index, note in demo.shortlist:
            review_open = starts[1]
            assert review_open is not None
            await challenge_services.shortlist(
                session,
                challenge_id=challenge.id,
                idea_id=posted[index],
                note=note,
                actor_id=host_id,
                now=review_open + timedelta(days=1),
            )
        for index, citation in demo.winners:
            closed = starts[3]
            assert closed is not None
            await challenge_services.pick_winner(
                session,
                challenge_id=challenge.id,
                idea_id=posted[index],
                citation=citation,
                actor_id=host_id,
                now=closed,
            )
    await _form_teams(session, people, now)
    await _jury(session, people, now)
    await _impact(session, people, now)
    return people, idea_count + 1  # the follow-up round carries one idea over


# Jury ----------------------------------------------------------------------------

JURY_SLUG = "warmer-homes-this-winter"
JURY_RUBRIC = (
    CriterionInput("Warmth gained", "Hardly warmer", "Noticeably warmer all winter", 2),
    CriterionInput("Cost", "Costly for households", "Free or nearly", 1),
    CriterionInput("Reach", "A few flats", "Every older block", 1),
)
# Jurors and their marks of the challenge's ideas by index (None: not scored yet);
# a draft is saved, not submitted.
JURY_MARKS = {
    "mei": {0: (5, 4, 4), 1: (3, 5, 2), 2: (4, 3, 3)},
    "kwame": {0: (4, 4, 5)},
}
JURY_DRAFTS = {"kwame": {1: (2, 5, 3)}}


async def _jury(session: AsyncSession, people: dict[str, User], now: datetime) -> None:
    """The challenge in review has a jury part-way through scoring: a rubric, a 40/60
    weighting of jury against crowd, two jurors, one done and one halfway."""
    challenge = await challenge_queries.by_slug(session, JURY_SLUG)
    assert challenge is not None
    host_id = challenge.created_by_id
    set_up_at = now - timedelta(days=30)  # while the challenge was open for ideas
    criteria = await jury_services.save_rubric(
        session, challenge_id=challenge.id, criteria=JURY_RUBRIC, actor_id=host_id, now=set_up_at
    )
    await jury_services.save_settings(
        session,
        challenge_id=challenge.id,
        data=SettingsInput(0.4, 2, "all"),
        actor_id=host_id,
        now=set_up_at,
    )
    for key in JURY_MARKS:
        await jury_services.invite_juror(
            session,
            challenge_id=challenge.id,
            email=people[key].email or "",
            actor_id=host_id,
            now=set_up_at,
        )
    ideas = await jury_queries.scope_ideas(session, challenge.id, "all")
    scored_at = now - timedelta(hours=20)
    await jury_services.tell_jurors_review_opened(session, challenge_id=challenge.id, now=scored_at)
    for submit, table in ((True, JURY_MARKS), (False, JURY_DRAFTS)):
        for key, marks in table.items():
            for index, values in marks.items():
                await jury_services.save_score(
                    session,
                    challenge_id=challenge.id,
                    idea_id=ideas[index].id,
                    user_id=people[key].id,
                    data=ScoreInput(
                        {c.id: v for c, v in zip(criteria, values, strict=True)}, "", submit
                    ),
                    now=scored_at,
                )


# Teams ---------------------------------------------------------------------------

TEAMS_SLUG = "welcoming-newcomers"
# Open roles by the lead of the team: (title, what the role does, skills asked for).
TEAM_ROLES = {
    "kwame": (
        ("Volunteer recruiter", "Finds neighbours willing to walk with a newcomer each week.", ("Community outreach", "Facilitation")),
        ("Translator", "Helps buddies and newcomers who share no language yet.", ("Translation",)),
    ),
    "mei": (
        ("Map illustrator", "Draws the map so it is friendly and easy to read.", ("Illustration", "Design")),
        ("Print and distribution", "Gets the map printed and into the council's welcome letter.", ("Community outreach",)),
    ),
}  # fmt: skip
# (persona, lead of the team they join, their role on it)
TEAM_MEMBERS = (("priya", "kwame", "Volunteer coordinator"),)
# People looking for a team, with their note.
LOOKING = (
    ("tomas", "Happy to draw things; free most weekends."),
    ("lena", "I speak Polish and Ukrainian and can help with translation."),
    ("hamid", "I can run a volunteer evening or two."),
)
# Each person's ranking of teams, by the teams' leads, first choice first.
PREFERENCES = (
    ("tomas", ("mei", "kwame")),
    ("lena", ("mei", "kwame")),
    ("hamid", ("kwame",)),
)


async def _form_teams(session: AsyncSession, people: dict[str, User], now: datetime) -> None:
    """The teams of the challenge in the teams phase: open roles, a member, a request to
    join, an invitation, people looking for a team and their rankings of the teams."""
    challenge = await challenge_queries.by_slug(session, TEAMS_SLUG)
    assert challenge is not None
    teams = {
        team.lead_id: team
        for team in await session.scalars(select(Team).where(Team.challenge_id == challenge.id))
    }
    team_of = {key: teams[people[key].id] for key in TEAM_ROLES}
    moment = now - timedelta(days=4)

    def may_join(key: str) -> None:
        roles = policy.challenge_roles(people[key], challenge)
        policy.check(policy.Action.JOIN_TEAM, challenge, roles, moment)

    for lead, roles in TEAM_ROLES.items():
        may_join(lead)
        for title, description, skills in roles:
            await team_services.add_role(
                session,
                team_id=team_of[lead].id,
                actor_id=people[lead].id,
                data=RoleInput(title, description, list(skills)),
                now=moment,
            )
    for key, lead, role_title in TEAM_MEMBERS:
        may_join(key)
        async with write(session) as tx:
            team = await lock_team(tx, team_of[lead].id)
            await join(tx, team=team, user_id=people[key].id, now=moment, role_title=role_title)
    may_join("lena")
    await team_services.ask_to_join(
        session,
        team_id=team_of["mei"].id,
        user_id=people["lena"].id,
        data=AskInput(
            "I know the shops and cafés around Eastgate well.", "Community outreach, Translation"
        ),
        now=moment + timedelta(hours=3),
    )
    await team_services.invite(
        session,
        team_id=team_of["kwame"].id,
        actor_id=people["kwame"].id,
        data=InviteInput(people["tomas"].id, "", "Would you draw our buddy leaflet?"),
        now=moment + timedelta(hours=5),
    )
    for key, note in LOOKING:
        may_join(key)
        await matching.start_looking(
            session, challenge_id=challenge.id, user_id=people[key].id, note=note, now=moment
        )
    for key, leads in PREFERENCES:
        await matching.save_preferences(
            session,
            challenge_id=challenge.id,
            user_id=people[key].id,
            team_ids=[team_of[lead].id for lead in leads],
            now=moment,
        )


# After the round -------------------------------------------------------------------

IMPACT_SLUG = "cleaner-air-at-the-market"
FOLLOW_UP_TITLE = "Cleaner air around the market: round two"
# Each team's reports (days from now, status, text, figures), from the teams phase on.
IMPACT_UPDATES = {
    "tomas": (
        (-40, ImpactStatus.PLANNED, "Two cargo bikes lent by the repair café; a loading bay agreed with the council.", ()),
        (-25, ImpactStatus.IN_PROGRESS, "First Saturdays with bikes: the bakers and the florist signed up.", (Figure(6, "stalls", "stalls supplied by bike"),)),
        (-8, ImpactStatus.PILOTED, "A month of trial Saturdays. Vans now stop at the edge of town.", (Figure(45, "minutes", "van idling per Saturday, down from 140"), Figure(11, "stalls", "stalls supplied by bike"))),
        (-2, ImpactStatus.IMPLEMENTED, "The traders' association runs the bikes itself from now on.", (Figure(38, "minutes", "van idling per Saturday"),)),
    ),
    "lena": (
        (-30, ImpactStatus.IN_PROGRESS, "Twelve volunteers trained; the coffee vouchers are printed.", ()),
    ),
}  # fmt: skip
# (who pledges, to whose team, kind, what, "if N others pledge too")
IMPACT_PLEDGES = (
    ("priya", "tomas", PledgeKind.TIME, "Two Saturday mornings a month", 1),
    ("kwame", "tomas", PledgeKind.THING, "The school's trailer for the bikes", None),
    ("ada", "lena", PledgeKind.SKILL, "Designing the warden's badges", 3),
)


async def _impact(session: AsyncSession, people: dict[str, User], now: datetime) -> None:
    """The closed round's teams report progress over the weeks after it; one pledge is
    met and one waits for others; check-ins are set, and a follow-up round is opened."""
    challenge = await challenge_queries.by_slug(session, IMPACT_SLUG)
    assert challenge is not None
    teams = {
        team.lead_id: team
        for team in await session.scalars(select(Team).where(Team.challenge_id == challenge.id))
    }
    tomas_team = teams[people["tomas"].id]
    async with write(session) as tx:
        team = await lock_team(tx, tomas_team.id)
        await join(tx, team=team, user_id=people["mei"].id, now=now - timedelta(days=44),
                   role_title="Counts the vans")  # fmt: skip
    for lead, reports in IMPACT_UPDATES.items():
        for position, (days, status, text, figures) in enumerate(reports):
            author = "mei" if lead == "tomas" and position % 2 else lead
            await impact_services.post_update(
                session,
                idea_id=teams[people[lead].id].idea_id,
                author_id=people[author].id,
                data=UpdateInput(status, text, (), figures),
                now=now + timedelta(days=days),
            )
    for key, lead, kind, what, condition in IMPACT_PLEDGES:
        await impact_services.pledge(
            session,
            team_id=teams[people[lead].id].id,
            user_id=people[key].id,
            data=PledgeInput(kind, what, condition),
            now=now - timedelta(days=20),
        )
    await impact_services.set_check_ins(
        session,
        challenge_id=challenge.id,
        days=[(now + timedelta(days=d)).date() for d in (30, 90)],
        actor_id=people["hamid"].id,
        now=now,
        # The demo's rounds have no zone of their own: their dates are days in UTC.
        site_zone=ZoneInfo("UTC"),
    )
    await impact_services.open_follow_up(
        session,
        challenge_id=challenge.id,
        actor_id=people["hamid"].id,
        data=FollowUpInput(FOLLOW_UP_TITLE, (tomas_team.idea_id,)),
        now=now,
    )
