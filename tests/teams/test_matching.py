"""Team matching: people looking for a team, rankings of teams, and the hosts' suggested
teams."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.applications import Starlette

from ideas.accounts.forms import ProfileInput
from ideas.accounts.models import Skill, User
from ideas.accounts.services import update_profile
from ideas.audit import AuditEntry
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.challenges.services import shortlist
from ideas.challenges.services import switch_phase as switch_phase_service
from ideas.db import utcnow, write
from ideas.submissions.models import Idea, IdeaStatus
from ideas.teams import matching
from ideas.teams.membership import join, lock_team
from ideas.teams.models import (
    JoinRequest,
    RequestKind,
    Team,
    TeamMember,
    TeamPreference,
    TeamRole,
    TeamRoleSkill,
    TeamSeeker,
)
from tests.conftest import Person
from tests.html import Page
from tests.test_query_counts import counting

# Arranging ------------------------------------------------------------------------


async def team_for(
    session: AsyncSession, challenge: Challenge, author: User, make_idea: Any, title: str
) -> Team:
    """A shortlisted idea by ``author`` and its team, which ``author`` leads."""
    idea = await make_idea(challenge, author, title=title)
    await shortlist(
        session,
        challenge_id=challenge.id,
        idea_id=idea.id,
        note="",
        actor_id=challenge.created_by_id,
        now=utcnow(),
    )
    team = await session.scalar(select(Team).where(Team.idea_id == idea.id))
    assert team is not None
    return team


async def teams_round(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    session: AsyncSession,
    count: int = 2,
    **settings: Any,
) -> tuple[User, Challenge, list[Team]]:
    """A host, a challenge in the teams phase and ``count`` teams, each led by its idea's author."""
    host = await make_user("Hamid", host=True)
    challenge = await make_challenge(host, phase=Phase.TEAMS, **settings)
    teams = [
        await team_for(
            session, challenge, await make_user(f"Lead {n}"), make_idea, f"Team idea {n}"
        )
        for n in range(count)
    ]
    return host, challenge, teams


async def give_skills(session: AsyncSession, user: User, *skills: str) -> None:
    await update_profile(
        session,
        user_id=user.id,
        data=ProfileInput(user.display_name, "", "", list(skills), []),
        now=utcnow(),
    )


async def skill(session: AsyncSession, name: str) -> Skill:
    """The shared skill with this name's key, created when first used, as profiles do."""
    async with write(session) as tx:
        found = await tx.scalar(select(Skill).where(Skill.key == name.casefold()))
        if found is None:
            found = Skill(name=name, key=name.casefold())
            tx.add(found)
            await tx.flush()
    return found


async def add_role(
    session: AsyncSession,
    team: Team,
    title: str,
    *skills: str,
    filled_by: User | None = None,
) -> TeamRole:
    wanted = [await skill(session, name) for name in skills]
    async with write(session) as tx:
        role = TeamRole(
            team_id=team.id, title=title, filled_by_id=filled_by.id if filled_by else None
        )
        tx.add(role)
        await tx.flush()
        tx.add_all(TeamRoleSkill(role_id=role.id, skill_id=s.id) for s in wanted)
    return role


async def put_on(session: AsyncSession, team: Team, user: User) -> None:
    async with write(session) as tx:
        locked = await lock_team(tx, team.id)
        await join(tx, team=locked, user_id=user.id, now=utcnow())


async def look(session: AsyncSession, challenge: Challenge, user: User, note: str = "") -> None:
    await matching.start_looking(
        session, challenge_id=challenge.id, user_id=user.id, note=note, now=utcnow()
    )


async def rank(
    session: AsyncSession, challenge: Challenge, user: User, teams: Sequence[Team]
) -> None:
    await matching.save_preferences(
        session, challenge_id=challenge.id, user_id=user.id, team_ids=[t.id for t in teams]
    )


async def switch_phase(session: AsyncSession, challenge: Challenge, to: Phase) -> None:
    await switch_phase_service(
        session, challenge_id=challenge.id, to=to, actor_id=challenge.created_by_id, now=utcnow()
    )


async def seeker_notes(session: AsyncSession, challenge: Challenge) -> dict[int, str]:
    await session.commit()
    rows = await session.execute(
        select(TeamSeeker.user_id, TeamSeeker.note).where(TeamSeeker.challenge_id == challenge.id)
    )
    return dict(rows.all())


async def ranking(session: AsyncSession, challenge: Challenge, user: User) -> list[int]:
    await session.commit()
    return await matching.ranking_of(session, challenge.id, user.id)


async def members(session: AsyncSession, team: Team) -> set[int]:
    await session.commit()
    return set(
        await session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team.id))
    )


async def member_count(session: AsyncSession, team: Team) -> int:
    await session.commit()
    return int(await session.scalar(select(Team.member_count).where(Team.id == team.id)) or 0)


def looking_url(challenge: Challenge) -> str:
    return f"/challenges/{challenge.slug}/looking"


def preferences_url(challenge: Challenge) -> str:
    return f"/challenges/{challenge.slug}/preferences"


def suggest_url(challenge: Challenge) -> str:
    return f"/challenges/{challenge.slug}/suggest-teams"


def suggestions_url(challenge: Challenge, team: Team) -> str:
    return f"/challenges/{challenge.slug}/looking/teams/{team.id}"


HTMX = {"HX-Request": "true"}


def texts(page: Page, selector: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in page.select(selector)]


# Looking for a team ------------------------------------------------------------------


async def test_a_participant_says_they_are_looking_and_shows_with_their_skills_and_note(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    _host, challenge, _teams = await teams_round(make_user, make_challenge, make_idea, session)
    tomas = await make_user("Tomás")
    await give_skills(session, tomas, "Illustration", "Design")
    client = await sign_in(tomas)

    before = Page(await client.get(looking_url(challenge)))
    response = await client.post(
        looking_url(challenge), {"decision": "look", "note": "Free on weekends."}
    )

    assert texts(before, "#my-skills .tag") == ["Design", "Illustration"]
    assert before.one("#my-skills a").get("href") == "/settings"
    assert response.status_code == 303
    assert await seeker_notes(session, challenge) == {tomas.id: "Free on weekends."}
    after = Page(await client.get(response.headers["location"]))
    assert after.text("[role=status]") == "You are on the list of people looking for a team."
    assert texts(after, f"#seeker-{tomas.id} .tag") == ["Design", "Illustration"]
    assert after.text(f"#seeker-{tomas.id} .seeker__note") == "Free on weekends."
    assert after.field_value("note") == "Free on weekends."


async def test_someone_looking_changes_their_note_then_stops_looking(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    _host, challenge, _teams = await teams_round(make_user, make_challenge, make_idea, session)
    mei = await make_user("Mei")
    client = await sign_in(mei)

    await client.post(looking_url(challenge), {"decision": "look", "note": "Maps."})
    await client.post(looking_url(challenge), {"decision": "look", "note": "Maps and data."})
    assert await seeker_notes(session, challenge) == {mei.id: "Maps and data."}

    response = await client.post(looking_url(challenge), {"decision": "stop"})
    assert response.status_code == 303
    assert await seeker_notes(session, challenge) == {}
    page = Page(await client.get(looking_url(challenge)))
    assert page.select(f"#seeker-{mei.id}") == []
    assert page.text(".seeker-list .empty") == "Nobody has said they are looking for a team yet."


async def test_anyone_on_the_list_can_take_their_name_off_after_the_teams_phase(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    _host, challenge, _teams = await teams_round(make_user, make_challenge, make_idea, session)
    mei = await make_user("Mei")
    await look(session, challenge, mei, "Maps.")
    await switch_phase(session, challenge, Phase.CLOSED)
    client = await sign_in(mei)

    page = Page(await client.get(looking_url(challenge)))
    again = await client.post(looking_url(challenge), {"decision": "look", "note": "More maps."})
    stop = await client.post(looking_url(challenge), {"decision": "stop"})

    assert page.select("button[value=look]") == []
    assert len(page.select("button[value=stop]")) == 1
    assert again.status_code == 403
    assert stop.status_code == 303
    assert await seeker_notes(session, challenge) == {}


async def test_someone_without_skills_is_sent_to_their_settings(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    _host, challenge, _teams = await teams_round(make_user, make_challenge, make_idea, session)
    page = Page(await (await sign_in(await make_user())).get(looking_url(challenge)))
    assert page.select("#my-skills .tag") == []
    assert page.one("#my-skills a").text_content() == "Add your skills in your settings"


async def test_a_note_too_long_comes_back_beside_its_field_and_nothing_is_saved(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    _host, challenge, _teams = await teams_round(make_user, make_challenge, make_idea, session)
    note = "n" * 301
    response = await (await sign_in(await make_user())).post(
        looking_url(challenge), {"decision": "look", "note": note}
    )
    assert response.status_code == 200
    page = Page(response)
    assert page.text("#f-note-error") == "Error: Note must be at most 300 characters (it is 301)."
    assert page.field_value("note") == note
    assert await seeker_notes(session, challenge) == {}


async def test_notes_are_for_people_signed_in(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    visitor: Person,
    session: AsyncSession,
) -> None:
    _host, challenge, _teams = await teams_round(make_user, make_challenge, make_idea, session)
    lena = await make_user("Lena")
    await give_skills(session, lena, "Translation")
    await look(session, challenge, lena, "Call me on Tuesdays.")

    page = Page(await visitor.get(looking_url(challenge)))

    assert texts(page, f"#seeker-{lena.id} .tag") == ["Translation"]
    assert page.select(".seeker__note") == []
    assert page.select("form[method=post]") == []


@pytest.mark.parametrize(
    ("who", "phase"),
    [("visitor", Phase.TEAMS), ("participant", Phase.REVIEW), ("participant", Phase.CLOSED)],
)
async def test_saying_you_are_looking_is_for_participants_in_the_teams_phase(
    make_user: Any,
    make_challenge: Any,
    visitor: Person,
    sign_in: Any,
    session: AsyncSession,
    who: str,
    phase: Phase,
) -> None:
    challenge = await make_challenge(await make_user(host=True), phase=phase)
    person = await make_user()
    client = visitor if who == "visitor" else await sign_in(person)

    response = await client.post(looking_url(challenge), {"decision": "look", "note": ""})

    assert response.status_code == 403
    assert await seeker_notes(session, challenge) == {}


async def test_someone_on_a_team_is_not_looking_when_the_challenge_allows_one_team(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    lead = await session.get(User, teams[0].lead_id)
    client = await sign_in(lead)

    response = await client.post(looking_url(challenge), {"decision": "look", "note": ""})
    page = Page(await client.get(looking_url(challenge)))

    assert response.status_code == 409
    assert await seeker_notes(session, challenge) == {}
    assert page.select("button[value=look]") == []


async def test_someone_who_joins_a_team_leaves_the_list(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    kwame, priya = await make_user("Kwame"), await make_user("Priya")
    await look(session, challenge, kwame)
    await look(session, challenge, priya)

    await put_on(session, teams[0], kwame)

    page = Page(await visitor.get(looking_url(challenge)))
    assert texts(page, ".seeker__who a") == ["Priya"]


async def test_the_viewer_sees_the_teams_whose_open_roles_want_their_skills_best_first(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(
        make_user, make_challenge, make_idea, session, count=4
    )
    one_skill, two_skills, no_match, filled = teams
    await add_role(session, one_skill, "Designer", "design")
    await add_role(session, two_skills, "Map maker", "Illustration", "Design")
    await add_role(session, two_skills, "Writer", "writing")
    await add_role(session, no_match, "Cook", "Cooking")
    await add_role(session, filled, "Designer", "Design", filled_by=await make_user())
    tomas = await make_user("Tomás")
    await give_skills(session, tomas, "DESIGN", "illustration")

    page = Page(await (await sign_in(tomas)).get(looking_url(challenge)))

    assert texts(page, ".team-match .card__title") == ["Team idea 1", "Team idea 0"]
    assert texts(page, ".team-match__score") == [
        "2 of your skills wanted",
        "1 of your skills wanted",
    ]
    # Skills are shared by key: the role's "Design" is the "design" named first.
    assert texts(page, ".team-match__roles li") == [
        "Map maker: design Illustration",
        "Designer: design",
    ]


async def test_full_teams_and_the_viewers_own_team_are_not_offered(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(
        make_user,
        make_challenge,
        make_idea,
        session,
        count=2,
        team_capacity=2,
        one_team_per_participant=False,
    )
    for team in teams:
        await add_role(session, team, "Designer", "Design")
    ada = await make_user("Ada")
    await give_skills(session, ada, "Design")
    await put_on(session, teams[0], ada)

    page = Page(await (await sign_in(ada)).get(looking_url(challenge)))
    assert texts(page, ".team-match .card__title") == ["Team idea 1"]

    await put_on(session, teams[1], await make_user())
    page = Page(await (await sign_in(ada)).get(looking_url(challenge)))
    assert page.select(".team-match") == []


# Suggestions on a team's page ---------------------------------------------------------


async def test_suggested_people_have_skills_the_open_roles_ask_for(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    team, other = teams
    await add_role(session, team, "Map maker", "Illustration", "Maps")
    await add_role(session, team, "Cook", "Cooking", filled_by=await make_user())
    both, one, cook, placed, silent = [
        await make_user(name) for name in ("Both", "One", "Cook", "Placed", "Silent")
    ]
    await give_skills(session, both, "maps", "Illustration", "Singing")
    await give_skills(session, one, "Illustration")
    await give_skills(session, cook, "Cooking")
    await give_skills(session, placed, "Maps")
    await give_skills(session, silent, "Maps")  # never says they are looking
    for person in (one, both, cook, placed):
        await look(session, challenge, person, f"Note of {person.display_name}")
    await put_on(session, other, placed)

    suggested = await matching.suggested_people(session, team)

    assert [(s.user.display_name, [k.name for k in s.skills]) for s in suggested] == [
        ("Both", ["Illustration", "Maps"]),  # the role named it first
        ("One", ["Illustration"]),
    ]
    assert [s.note for s in suggested] == ["Note of Both", "Note of One"]


async def test_people_on_another_team_are_suggested_where_several_teams_are_allowed(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(
        make_user, make_challenge, make_idea, session, one_team_per_participant=False
    )
    team, other = teams
    await add_role(session, team, "Map maker", "Maps")
    await add_role(session, other, "Map maker", "Maps")
    mei = await make_user("Mei")
    await give_skills(session, mei, "Maps")
    await look(session, challenge, mei)
    await put_on(session, other, mei)

    assert [s.user.id for s in await matching.suggested_people(session, team)] == [mei.id]
    assert await matching.suggested_people(session, other) == []


async def test_at_most_ten_people_are_suggested_in_a_fixed_number_of_queries(
    engine: AsyncEngine,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    session: AsyncSession,
) -> None:
    _host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    team = teams[0]
    await add_role(session, team, "Map maker", "Maps", "Design")
    people = [await make_user(f"Seeker {n}") for n in range(12)]
    for person in people[:2]:
        await give_skills(session, person, "Maps")
        await look(session, challenge, person)
    await session.commit()
    with counting(engine) as few:
        assert len(await matching.suggested_people(session, team)) == 2
    for person in people[2:]:
        await give_skills(session, person, "Maps", "Design")
        await look(session, challenge, person)
    await session.commit()
    with counting(engine) as many:
        suggested = await matching.suggested_people(session, team)

    assert len(suggested) == 10
    assert all(len(s.skills) == 2 for s in suggested)  # the best matches first
    assert len(few) == len(many) == 4


async def test_the_suggestions_fragment_lists_matches_and_offers_invitations_only_to_the_lead(
    app: Starlette,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    visitor: Person,
    session: AsyncSession,
) -> None:
    _host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    team = teams[0]
    await add_role(session, team, "Map maker", "Maps")
    mei, lena = await make_user("Mei"), await make_user("Lena")
    for person in (mei, lena):
        await give_skills(session, person, "Maps")
        await look(session, challenge, person, "Evenings only.")
    async with write(session) as tx:
        tx.add(JoinRequest(team_id=team.id, user_id=lena.id, kind=RequestKind.INVITATION))
    lead = await session.get(User, team.lead_id)
    assert lead is not None
    # The invitation form posts to the team pages' own route, where the site has it.
    has_invite_route = any(getattr(route, "name", None) == "team.invite" for route in app.routes)

    fragment = await visitor.get(suggestions_url(challenge, team), headers=HTMX)
    as_visitor = Page(fragment)
    as_lead = Page(await (await sign_in(lead)).get(suggestions_url(challenge, team), headers=HTMX))
    plain = await visitor.get(suggestions_url(challenge, team))

    assert "HX-Request" in [v.strip() for v in fragment.headers["Vary"].split(",")]
    assert as_visitor.select("h1") == []  # a fragment, not a page
    assert as_visitor.text("h2") == "People looking for a team"
    assert texts(as_visitor, ".seeker__who a") == ["Mei", "Lena"]
    assert texts(as_visitor, f"#suggested-{mei.id} .tag") == ["Maps"]
    assert as_visitor.select(".seeker__note") == []
    assert as_visitor.select("form") == []
    assert texts(as_lead, ".seeker__note") == ["Evenings only.", "Evenings only."]
    invites = as_lead.select("form.seeker__invite")
    if has_invite_route:
        assert [f.get("action") for f in invites] == [f"/teams/{team.id}/invite"]
        assert as_lead.one("form.seeker__invite [name=user_id]").get("value") == str(mei.id)
        assert as_lead.text(f"#suggested-{lena.id} .seeker__pending") == (
            "A request or invitation is open."
        )
        assert plain.headers["location"] == f"/teams/{team.id}"
    else:
        assert invites == []
        assert plain.headers["location"] == looking_url(challenge)
    assert plain.status_code == 303


async def test_the_suggestions_of_a_team_of_another_challenge_are_not_found(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person, session: AsyncSession
) -> None:
    _host, challenge, _teams = await teams_round(make_user, make_challenge, make_idea, session)
    _other_host, _other, foreign = await teams_round(make_user, make_challenge, make_idea, session)
    response = await visitor.get(suggestions_url(challenge, foreign[0]), headers=HTMX)
    assert response.status_code == 404


# Ranking teams -----------------------------------------------------------------------


async def test_a_participant_ranks_three_teams_and_changes_their_mind(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(
        make_user, make_challenge, make_idea, session, count=4
    )
    priya = await make_user("Priya")
    client = await sign_in(priya)
    a, b, c, d = teams

    response = await client.post(
        preferences_url(challenge), {"first": str(c.id), "second": str(a.id), "third": str(d.id)}
    )

    assert response.status_code == 303
    assert await ranking(session, challenge, priya) == [c.id, a.id, d.id]
    page = Page(await client.get(response.headers["location"]))
    assert page.text("[role=status]") == "Your choices are saved."
    assert [
        page.one(f"#f-{n} option[selected]").get("value") for n in ("first", "second", "third")
    ] == [str(c.id), str(a.id), str(d.id)]

    await client.post(preferences_url(challenge), {"first": str(b.id), "second": "", "third": ""})
    assert await ranking(session, challenge, priya) == [b.id]
    await client.post(preferences_url(challenge), {"first": "", "second": "", "third": ""})
    assert await ranking(session, challenge, priya) == []


async def test_the_same_team_twice_comes_back_beside_the_field_with_the_choices_kept(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    priya = await make_user("Priya")
    a, b = teams
    client = await sign_in(priya)
    await rank(session, challenge, priya, [b])

    response = await client.post(
        preferences_url(challenge), {"first": str(a.id), "second": str(a.id), "third": ""}
    )

    assert response.status_code == 200
    page = Page(response)
    assert page.text("#f-second-error") == (
        "Error: You chose this team already as your first choice; choose another, or none."
    )
    assert page.one("#f-first option[selected]").get("value") == str(a.id)
    assert page.one("#f-second option[selected]").get("value") == str(a.id)
    assert await ranking(session, challenge, priya) == [b.id]


async def test_a_later_choice_needs_the_earlier_ones(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    priya = await make_user("Priya")
    response = await (await sign_in(priya)).post(
        preferences_url(challenge), {"first": "", "second": str(teams[0].id), "third": ""}
    )
    assert response.status_code == 200
    assert Page(response).text("#f-second-error") == (
        "Error: Choose a first choice before a second one."
    )
    assert await ranking(session, challenge, priya) == []


async def test_a_team_of_another_challenge_cannot_be_ranked(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    _other_host, _other, foreign = await teams_round(make_user, make_challenge, make_idea, session)
    priya = await make_user("Priya")

    response = await (await sign_in(priya)).post(
        preferences_url(challenge), {"first": str(teams[0].id), "second": str(foreign[0].id)}
    )

    assert response.status_code == 200
    page = Page(response)
    assert page.text("#f-second-error") == "Error: Choose one of this challenge's teams."
    assert page.one("#f-second option[selected]").get("value") == str(foreign[0].id)
    assert await ranking(session, challenge, priya) == []


@pytest.mark.parametrize("value", ["abc", "-3", "99999999999999999999"])
async def test_a_choice_that_is_no_team_id_comes_back_beside_its_field(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
    value: str,
) -> None:
    _host, challenge, _teams = await teams_round(make_user, make_challenge, make_idea, session)
    priya = await make_user("Priya")
    response = await (await sign_in(priya)).post(preferences_url(challenge), {"first": value})
    assert response.status_code == 200
    assert Page(response).text("#f-first-error") == "Error: Choose a team from the list."
    assert await ranking(session, challenge, priya) == []


async def test_a_team_whose_idea_left_the_shortlist_cannot_be_ranked(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    await session.execute(
        update(Idea).where(Idea.id == teams[1].idea_id).values(status=IdeaStatus.HIDDEN)
    )
    await session.commit()
    priya = await make_user("Priya")
    client = await sign_in(priya)

    page = Page(await client.get(preferences_url(challenge)))
    response = await client.post(preferences_url(challenge), {"first": str(teams[1].id)})

    assert [o.get("value") for o in page.select("#f-first option")] == ["", str(teams[0].id)]
    assert Page(response).text("#f-first-error") == "Error: Choose one of this challenge's teams."
    assert await ranking(session, challenge, priya) == []


@pytest.mark.parametrize(
    ("who", "phase"),
    [("visitor", Phase.TEAMS), ("participant", Phase.REVIEW), ("participant", Phase.CLOSED)],
)
async def test_ranking_teams_is_for_participants_in_the_teams_phase(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    visitor: Person,
    sign_in: Any,
    session: AsyncSession,
    who: str,
    phase: Phase,
) -> None:
    _host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    if phase is not Phase.TEAMS:
        await switch_phase(session, challenge, phase)
    priya = await make_user("Priya")
    client = visitor if who == "visitor" else await sign_in(priya)

    page = await client.get(preferences_url(challenge))
    response = await client.post(preferences_url(challenge), {"first": str(teams[0].id)})

    # A visitor is sent to sign in first; a form post is refused all the same.
    assert page.status_code == (303 if who == "visitor" else 403)
    assert response.status_code == 403
    assert await session.scalar(select(func.count()).select_from(TeamPreference)) == 0


async def test_someone_on_a_team_cannot_rank_teams_when_the_challenge_allows_one_team(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    priya = await make_user("Priya")
    await put_on(session, teams[0], priya)
    client = await sign_in(priya)

    page = Page(await client.get(preferences_url(challenge)))
    response = await client.post(preferences_url(challenge), {"first": str(teams[1].id)})

    assert page.select("select") == []
    assert response.status_code == 409
    assert await ranking(session, challenge, priya) == []


async def test_where_several_teams_are_allowed_members_rank_the_other_teams(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(
        make_user, make_challenge, make_idea, session, one_team_per_participant=False
    )
    priya = await make_user("Priya")
    await put_on(session, teams[0], priya)
    client = await sign_in(priya)

    own = await client.post(preferences_url(challenge), {"first": str(teams[0].id)})
    other = await client.post(preferences_url(challenge), {"first": str(teams[1].id)})

    assert Page(own).text("#f-first-error") == "Error: You are already on this team."
    assert other.status_code == 303
    assert await ranking(session, challenge, priya) == [teams[1].id]


# Suggested teams ---------------------------------------------------------------------


async def test_the_host_sees_the_suggestion_and_nothing_is_applied_until_they_confirm(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    host, challenge, teams = await teams_round(
        make_user, make_challenge, make_idea, session, team_capacity=2
    )
    a, b = teams
    ana, ben, cai = [await make_user(name) for name in ("Ana", "Ben", "Cai")]
    await rank(session, challenge, ana, [a, b])
    await rank(session, challenge, ben, [a])
    await rank(session, challenge, cai, [a])
    client = await sign_in(host)

    page = Page(await client.get(suggest_url(challenge)))

    # One seat each: Ben (or Cai) takes A as a first choice, Ana her second choice, B.
    placed_a = page.select(f"#team-{a.id} .suggestion__person")
    placed_b = page.select(f"#team-{b.id} .suggestion__person")
    assert len(placed_a) == 1
    assert placed_a[0].get("data-user-id") in {str(ben.id), str(cai.id)}
    assert [(p.get("data-user-id"), p.get("data-rank")) for p in placed_b] == [(str(ana.id), "2")]
    assert texts(page, f"#team-{b.id} .choice-badge") == ["2nd choice"]
    assert len(page.select(".unplaced__person")) == 1
    assert page.one(".suggestion__confirm button").text_content() == "Confirm and apply"
    assert (await member_count(session, a), await member_count(session, b)) == (1, 1)
    assert (
        await session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "team.suggestion.apply")
        )
        == 0
    )


async def test_confirming_applies_the_suggestion_and_reports_it(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    host, challenge, teams = await teams_round(
        make_user, make_challenge, make_idea, session, team_capacity=3
    )
    a, b = teams
    ana, ben, cai = [await make_user(name) for name in ("Ana", "Ben", "Cai")]
    await rank(session, challenge, ana, [a, b])
    await rank(session, challenge, ben, [b])
    await rank(session, challenge, cai, [b, a])
    client = await sign_in(host)

    response = await client.post(suggest_url(challenge))

    assert response.status_code == 303
    assert await members(session, a) == {a.lead_id, ana.id}
    assert await members(session, b) == {b.lead_id, ben.id, cai.id}
    assert (await member_count(session, a), await member_count(session, b)) == (2, 3)
    entry = await session.scalar(
        select(AuditEntry).where(AuditEntry.action == "team.suggestion.apply")
    )
    assert entry is not None
    assert (entry.actor_id, entry.challenge_id) == (host.id, challenge.id)
    assert sorted((p["user_id"], p["team_id"]) for p in entry.data["placed"]) == sorted(
        [(ana.id, a.id), (ben.id, b.id), (cai.id, b.id)]
    )
    page = Page(await client.get(response.headers["location"]))
    assert page.text(".suggestion-report p") == "3 people were placed on a team."
    assert page.select(".suggestion__person") == []
    assert page.select(".suggestion__confirm") == []

    again = await client.post(suggest_url(challenge))
    assert again.status_code == 303
    assert await members(session, b) == {b.lead_id, ben.id, cai.id}


async def test_nobody_is_placed_on_a_team_they_did_not_rank_and_capacity_holds(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    host, challenge, teams = await teams_round(
        make_user, make_challenge, make_idea, session, count=3, team_capacity=3
    )
    popular, second, empty = teams
    people = [await make_user(f"Fan {n}") for n in range(6)]
    for person in people[:4]:
        await rank(session, challenge, person, [popular])
    for person in people[4:]:
        await rank(session, challenge, person, [popular, second])

    response = await (await sign_in(host)).post(suggest_url(challenge))

    assert response.status_code == 303
    on_popular = await members(session, popular) - {popular.lead_id}
    on_second = await members(session, second) - {second.lead_id}
    assert len(on_popular) == 2  # capacity 3, the lead included
    assert on_second == {p.id for p in people[4:]}
    assert on_popular <= {p.id for p in people[:4]}
    assert await members(session, empty) == {empty.lead_id}
    assert await member_count(session, popular) == 3


async def test_people_already_on_a_team_are_left_out_of_the_suggestion(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    a, b = teams
    ana = await make_user("Ana")
    await rank(session, challenge, ana, [a, b])
    await put_on(session, b, ana)

    page = Page(await (await sign_in(host)).get(suggest_url(challenge)))

    assert page.select(".suggestion__person") == []
    assert page.select(".unplaced__person") == []
    assert (
        page.text(".suggestion__nobody")
        == "There is nobody to place: nobody ranked a team that has room."
    )


async def test_someone_who_joined_or_whose_team_filled_meanwhile_is_skipped_and_reported(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    host, challenge, teams = await teams_round(
        make_user, make_challenge, make_idea, session, team_capacity=2
    )
    a, b = teams
    ana, ben = await make_user("Ana"), await make_user("Ben")
    await rank(session, challenge, ana, [a])
    await rank(session, challenge, ben, [b])
    proposal = await matching.propose(session, challenge)
    assert proposal.placements == {ana.id: a.id, ben.id: b.id}

    await put_on(session, b, ana)  # Ana joins B, which fills B before Ben gets there
    applied = await matching.apply_placements(
        session,
        challenge_id=challenge.id,
        placements=proposal.placements,
        actor_id=host.id,
        now=utcnow(),
    )

    assert applied.placed == []
    assert sorted(applied.skipped) == sorted(
        [(ana.id, a.id, matching.Skip.JOINED), (ben.id, b.id, matching.Skip.FULL)]
    )
    assert await members(session, a) == {a.lead_id}
    assert await members(session, b) == {b.lead_id, ana.id}

    client = await sign_in(host)
    page = Page(
        await client.get(f"{suggest_url(challenge)}?applied=0&joined={ana.id}&full={ben.id}")
    )
    assert page.text(".suggestion-report__joined") == (
        "Not placed, as they joined a team meanwhile: Ana."
    )
    assert (
        page.text(".suggestion-report__full") == "Not placed, as their team filled meanwhile: Ben."
    )


@pytest.mark.parametrize(
    ("who", "phase"),
    [
        ("participant", Phase.TEAMS),
        ("lead", Phase.TEAMS),
        ("other host", Phase.TEAMS),
        ("visitor", Phase.TEAMS),
        ("host", Phase.REVIEW),
        ("host", Phase.CLOSED),
    ],
)
async def test_suggesting_teams_is_for_the_hosts_in_the_teams_phase(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    visitor: Person,
    sign_in: Any,
    session: AsyncSession,
    who: str,
    phase: Phase,
) -> None:
    host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    ana = await make_user("Ana")
    await rank(session, challenge, ana, [teams[0]])
    if phase is not Phase.TEAMS:
        await switch_phase(session, challenge, phase)
    person = {
        "participant": ana,
        "lead": await session.get(User, teams[0].lead_id),
        "other host": await make_user(host=True),
        "host": host,
        "visitor": None,
    }[who]
    client = visitor if person is None else await sign_in(person)

    page = await client.get(suggest_url(challenge))
    response = await client.post(suggest_url(challenge))

    # A visitor is sent to sign in first; a form post is refused all the same.
    assert page.status_code == (303 if who == "visitor" else 403)
    assert response.status_code == 403
    assert await members(session, teams[0]) == {teams[0].lead_id}


# Query counts ----------------------------------------------------------------------------


async def test_the_pages_run_the_same_queries_for_2_or_12_people(
    engine: AsyncEngine,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    host, challenge, teams = await teams_round(
        make_user, make_challenge, make_idea, session, count=3
    )
    for team in teams:
        await add_role(session, team, "Map maker", "Maps", "Design")
    viewer = await make_user("Viewer")
    await give_skills(session, viewer, "Maps")
    as_viewer, as_host = await sign_in(viewer), await sign_in(host)

    async def add_people(how_many: int) -> None:
        for _ in range(how_many):
            person = await make_user()
            await give_skills(session, person, "Maps", "Cooking")
            await look(session, challenge, person, "A note.")
            await rank(session, challenge, person, teams[::-1])
        await session.commit()

    async def queries_for(client: Person, url: str) -> int:
        with counting(engine) as statements:
            assert (await client.get(url)).status_code == 200
        return len(statements)

    await add_people(2)
    few = [
        await queries_for(as_viewer, looking_url(challenge)),
        await queries_for(as_host, suggest_url(challenge)),
        await queries_for(as_viewer, preferences_url(challenge)),
    ]
    await add_people(10)
    many = [
        await queries_for(as_viewer, looking_url(challenge)),
        await queries_for(as_host, suggest_url(challenge)),
        await queries_for(as_viewer, preferences_url(challenge)),
    ]

    assert few == many


# Links from the challenge page ----------------------------------------------------------


async def test_the_challenge_page_links_to_team_matching_in_the_teams_phase(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    visitor: Person,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    host, challenge, _teams = await teams_round(make_user, make_challenge, make_idea, session)
    url = f"/challenges/{challenge.slug}"

    as_participant = Page(await (await sign_in(await make_user())).get(url))
    as_host = Page(await (await sign_in(host)).get(url))
    as_visitor = Page(await visitor.get(url))

    assert [a.get("href") for a in as_participant.select(".challenge__teams a")] == [
        looking_url(challenge),
        preferences_url(challenge),
    ]
    assert as_participant.select(f".host-tools a[href='{suggest_url(challenge)}']") == []
    assert len(as_host.select(f".host-tools a[href='{suggest_url(challenge)}']")) == 1
    assert as_visitor.select(".challenge__teams") == []
