"""People looking for a team: their note and skills, who may say so, and the teams that want them."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.teams.models import (
    TeamSeeker,
)
from tests.factories.accounts import Person
from tests.factories.rounds import switch_phase
from tests.factories.teams import (
    add_role,
    give_skills,
    look,
    looking_url,
    put_on,
    teams_round,
    texts,
)
from tests.html import Page


async def seeker_notes(session: AsyncSession, challenge: Challenge) -> dict[int, str]:
    await session.commit()
    rows = await session.execute(
        select(TeamSeeker.user_id, TeamSeeker.note).where(TeamSeeker.challenge_id == challenge.id)
    )
    return dict(rows.all())


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
