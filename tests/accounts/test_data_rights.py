"""Data rights: "download my data" carries everything a person did or is; deleting an
account frees every place it held, in one transaction, and keeps what it wrote."""

from __future__ import annotations

import asyncio
import io
import json
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import models
from ideas.accounts.export import LEFT_OUT, SECTION_OF
from ideas.accounts.models import User, UserStatus, WebSession
from ideas.accounts.services import Role, delete_account, set_role
from ideas.challenges import hosting
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.comments.services import post_comment
from ideas.db import Base, utcnow, write
from ideas.impact import services as impact
from ideas.impact.forms import PledgeInput, UpdateInput
from ideas.impact.models import ImpactStatus, PledgeKind
from ideas.media import pictures
from ideas.moderation.forms import ReportInput
from ideas.moderation.models import ReportReason
from ideas.moderation.services import report_idea
from ideas.notifications.models import (
    ChallengeFollow,
    IdeaFollow,
    Notification,
    OutboxMail,
)
from ideas.notifications.services import set_challenge_follow
from ideas.submissions.forms import IdeaInput
from ideas.submissions.lineage import LinkInput
from ideas.submissions.models import Idea
from ideas.submissions.services import add_coauthor, edit_idea, post_idea
from ideas.teams import matching
from ideas.teams import services as teams
from ideas.teams.forms import AskInput, InviteInput, RoleInput
from ideas.teams.models import (
    JoinRequest,
    RequestStatus,
    Team,
    TeamMember,
    TeamPreference,
    TeamRole,
    TeamSeeker,
)
from ideas.voting.compare_services import record_comparison
from ideas.voting.models import Comparison, Vote
from ideas.voting.services import cast_vote
from tests.factories import challenges as rounds
from tests.factories.accounts import Person
from tests.factories.challenges import schedule_for
from tests.factories.jury import serve_on_a_jury
from tests.factories.queries import count, fresh
from tests.factories.rounds import set_phase
from tests.html import Page

assert models  # every table is on Base.metadata

# Columns whose name says "an id" but hold no person's; each with what it holds.
NOT_A_PERSON = {
    "audit_log.challenge_id": "a challenge (no foreign key: entries outlive what they tell of)",
    "outbox.message_id": "an e-mail's Message-ID header",
    "used_form_tokens.made_id": "what a form made: an idea, a comment, a report … (its kind says)",
}


async def team_of(session: AsyncSession, challenge: Challenge, idea: Idea) -> Team:
    await rounds.shortlist(session, challenge, idea)
    team = await session.scalar(
        select(Team).where(Team.idea_id == idea.id).execution_options(populate_existing=True)
    )
    assert team is not None
    return team


async def join(session: AsyncSession, team: Team, person: User) -> None:
    asked = await teams.ask_to_join(
        session, team_id=team.id, user_id=person.id, data=AskInput("I can help.", ""), now=utcnow()
    )
    lead = (await fresh(session, Team, team.id)).lead_id
    await teams.accept_request(
        session, team_id=team.id, request_id=asked.id, actor_id=lead, now=utcnow()
    )


# What the export must cover ----------------------------------------------------------


def person_columns() -> dict[str, str]:
    """Every column of every table that holds a person's id, with how it was found."""
    found: dict[str, str] = {}
    users = Base.metadata.tables["users"]
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            name = f"{table.name}.{column.name}"
            if table is users and column.primary_key:
                found[name] = "the person"
            elif any(fk.column.table is users for fk in column.foreign_keys):
                found[name] = "a foreign key to users"
            elif (
                column.name.endswith("_id") and not column.foreign_keys and name not in NOT_A_PERSON
            ):
                found[name] = "named like an id, with no foreign key to say of what"
    return found


def test_every_column_holding_a_persons_id_is_exported_or_left_out_for_a_reason() -> None:
    columns = person_columns()

    missing = {name: how for name, how in columns.items() if name not in {*SECTION_OF, *LEFT_OUT}}

    assert not missing, f"Add these to ideas.accounts.export (SECTION_OF or LEFT_OUT): {missing}"
    assert "votes.user_id" in columns
    assert "audit_log.subject_id" in columns
    assert not set(SECTION_OF) & set(LEFT_OUT)
    assert all(reason.strip() for reason in LEFT_OUT.values())


async def test_the_export_has_a_key_for_every_section_even_when_empty(
    make_user: Any, sign_in: Any
) -> None:
    person = await sign_in(await make_user("Nobody Yet"))

    data = (await person.get("/settings/data.json")).json()

    assert set(SECTION_OF.values()) <= set(data)


# Download my data -------------------------------------------------------------------------


def picture_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 40)).save(out, format="PNG")
    return out.getvalue()


@dataclass
class Busy:
    """Priya, who did a bit of everything, and what she did it to."""

    priya: User
    challenge: Challenge
    her_idea: Idea
    remix: Idea
    their_idea: Idea


@pytest.fixture
async def busy(make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession) -> Busy:
    now = utcnow()
    host = await make_user("Hamid", host=True)
    admin = await make_user("Ada", admin=True)
    priya = await make_user("Priya", host=True)
    bruno = await make_user("Bruno")
    challenge = await make_challenge(host, one_team_per_participant=False)
    await hosting.invite_host(
        session, challenge_id=challenge.id, email=str(priya.email), actor_id=host.id, now=now
    )
    own = await make_challenge(priya, phase=Phase.DRAFT, title="Priya's own round")
    await hosting.invite_host(
        session, challenge_id=own.id, email="friend@example.org", actor_id=priya.id, now=now
    )
    her_idea = await make_idea(challenge, priya, title="Compost club")
    their_idea = await make_idea(challenge, bruno, title="Seed library")
    other = await make_idea(challenge, bruno, title="Tool shed")
    remix = await post_idea(
        session,
        challenge_id=challenge.id,
        author_id=priya.id,
        data=IdeaInput(
            title="Seed swap",
            summary="Swap seeds.",
            body="",
            builds_on=(
                LinkInput(parent_id=their_idea.id, note="Took the library, made it a swap"),
            ),
        ),
        now=now,
    )
    await edit_idea(
        session,
        idea_id=remix.id,
        editor_id=priya.id,
        data=IdeaInput(
            title="Seed swap",
            summary="Swap seeds every spring.",
            body="",
            builds_on=(
                LinkInput(parent_id=their_idea.id, note="Took the library, made it a swap"),
            ),
        ),
        now=now,
    )
    await post_comment(
        session, idea_id=their_idea.id, author_id=priya.id, body="Lovely, I have seeds.", now=now
    )
    await post_comment(
        session, idea_id=her_idea.id, author_id=bruno.id, body="Count me in", now=now
    )
    await cast_vote(session, idea_id=other.id, user_id=priya.id, now=now)
    await record_comparison(
        session,
        challenge_id=challenge.id,
        user_id=priya.id,
        first_id=min(other.id, their_idea.id),
        second_id=max(other.id, their_idea.id),
        winner_id=other.id,
        now=now,
    )
    await add_coauthor(session, idea_id=their_idea.id, user_id=priya.id, actor_id=bruno.id, now=now)
    third = await make_idea(challenge, bruno, title="Spam spam")
    await report_idea(
        session,
        idea_id=third.id,
        reporter_id=priya.id,
        report=ReportInput(ReportReason.SPAM, "An advert"),
        now=now,
    )
    await set_challenge_follow(
        session, user_id=priya.id, challenge_id=challenge.id, following=True, now=now
    )
    await set_role(
        session, actor_id=admin.id, user_id=priya.id, role=Role.ADMIN, granted=True, now=now
    )
    async with write(session) as tx:
        await pictures.store(tx, pictures.prepare(picture_bytes(), field="p"), uploaded_by=priya.id)
        tx.add(
            OutboxMail(
                key="n:test",
                user_id=priya.id,
                to_address=str(priya.email),
                subject="Bruno commented",
                body_text="Bruno commented.",
                message_id="<test.1@example.org>",
                created_at=now,
                send_after=now,
            )
        )
    # Teams: she leads the team of her idea, and asks to join another.
    her_team = await team_of(session, challenge, her_idea)
    other_team = await team_of(session, challenge, other)
    await set_phase(session, challenge, Phase.TEAMS)
    await teams.ask_to_join(
        session, team_id=other_team.id, user_id=priya.id, data=AskInput("Me!", "soil"), now=now
    )
    role = await teams.add_role(
        session,
        team_id=her_team.id,
        actor_id=priya.id,
        data=RoleInput("Gardener", "Digs", ["soil"]),
        now=now,
    )
    await teams.fill_role(
        session,
        team_id=her_team.id,
        role_id=role.id,
        actor_id=priya.id,
        filled_by=priya.id,
        now=now,
    )
    await teams.post_update(
        session, team_id=her_team.id, author_id=priya.id, body="We met.", now=now
    )
    await impact.post_update(
        session, idea_id=her_idea.id, author_id=priya.id,
        data=UpdateInput(ImpactStatus.PLANNED, "Beds dug."), now=now,
    )  # fmt: skip
    await impact.pledge(
        session, team_id=other_team.id, user_id=priya.id,
        data=PledgeInput(PledgeKind.THING, "A wheelbarrow"), now=now,
    )  # fmt: skip
    await matching.save_preferences(
        session, challenge_id=challenge.id, user_id=priya.id, team_ids=[other_team.id], now=now
    )
    await matching.start_looking(
        session, challenge_id=challenge.id, user_id=priya.id, note="Weekends", now=now
    )
    await serve_on_a_jury(
        session, make_challenge, make_idea, host=host, juror=priya, author=bruno,
        own_challenge=own,
    )  # fmt: skip
    return Busy(priya, challenge, her_idea, remix, their_idea)


async def test_download_my_data_carries_everything_the_person_did_or_is(
    busy: Busy, sign_in: Any, session: AsyncSession
) -> None:
    priya = await sign_in(busy.priya)

    response = await priya.get("/settings/data.json")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
    data = response.json()
    empty = [key for key in set(SECTION_OF.values()) if not data[key]]
    assert not empty, f"Nothing exported for {empty}"
    assert [c["body"] for c in data["comments"]] == ["Lovely, I have seeds."]
    assert [v["title"] for v in data["votes"]] == ["Tool shed"]
    [compared] = data["comparisons"]
    assert compared["challenge"] == busy.challenge.slug
    assert compared["better"] in (compared["first_id"], compared["second_id"])
    assert [r["summary"] for r in data["idea_revisions"] if r["idea_id"] == busy.remix.id] == [
        "Swap seeds.",
        "Swap seeds every spring.",
    ]
    assert data["build_on_links"] == [
        {
            "idea_id": busy.remix.id,
            "builds_on": busy.their_idea.id,
            "note": "Took the library, made it a swap",
            "created_at": data["build_on_links"][0]["created_at"],
        }
    ]
    assert [m["role_title"] for m in data["team_memberships"]] == ["Lead"]
    assert [t["idea_id"] for t in data["teams_led"]] == [busy.her_idea.id]
    assert [(r["kind"], r["status"], r["message"]) for r in data["join_requests"]] == [
        ("request", "pending", "Me!")
    ]
    assert [r["title"] for r in data["team_roles_filled"]] == ["Gardener"]
    assert [p["rank"] for p in data["team_preferences"]] == [1]
    assert data["looking_for_a_team"][0]["note"] == "Weekends"
    assert [u["body"] for u in data["team_updates"]] == ["We met."]
    assert [(u["status"], u["body"]) for u in data["impact_updates"]] == [("planned", "Beds dug.")]
    assert [p["what"] for p in data["pledges"]] == ["A wheelbarrow"]
    assert [r["reason"] for r in data["reports"]] == ["spam"]
    assert data["follows"]["challenges"] == [busy.challenge.slug]
    assert busy.her_idea.id in data["follows"]["ideas"]
    assert {n["kind"] for n in data["notifications"]} >= {"idea.commented"}
    assert data["email_settings"]["frequency"] == "each"
    assert data["profile"]["roles"] == ["host", "admin"]
    assert [a["action"] for a in data["activity_about_you"]] == ["user.role.grant"]
    assert "actor" not in json.dumps(data["activity_about_you"])
    assert [e["subject"] for e in data["emails"]] == ["Bruno commented"]


async def test_the_download_holds_no_secret(
    busy: Busy, sign_in: Any, session: AsyncSession
) -> None:
    priya = await sign_in(busy.priya)

    text = (await priya.get("/settings/data.json")).text

    web_session = await session.scalar(
        select(WebSession).where(WebSession.user_id == busy.priya.id)
    )
    assert web_session is not None
    assert web_session.id not in text  # the stored hash of the cookie's token
    assert web_session.csrf_token not in text
    assert priya.client.cookies.get("ideas_session", "never-in-a-download") not in text
    assert len(json.loads(text)["sessions"]) == 1


async def test_visitors_cannot_download_anyones_data(visitor: Person) -> None:
    response = await visitor.get("/settings/data.json", follow_redirects=False)
    assert response.status_code in (302, 303, 401, 403)


# Deleting an account frees its places -----------------------------------------------------


@dataclass
class TeamRound:
    challenge: Challenge
    idea: Idea
    team: Team
    lead: User


@pytest.fixture
async def team_round(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession
) -> TeamRound:
    host = await make_user("Hamid", host=True)
    challenge = await make_challenge(host, team_capacity=3)
    lead = await make_user("Lena")
    idea = await make_idea(challenge, lead, title="Compost club")
    team = await team_of(session, challenge, idea)
    await set_phase(session, challenge, Phase.TEAMS)
    return TeamRound(challenge, idea, team, lead)


async def test_a_deleted_member_frees_their_seat_and_the_roles_they_filled(
    team_round: TeamRound, make_user: Any, session: AsyncSession
) -> None:
    team = team_round.team
    gone, waiting = await make_user("Gone"), await make_user("Waiting")
    await join(session, team, gone)
    await join(session, team, await make_user("Third"))
    role = await teams.add_role(
        session, team_id=team.id, actor_id=team_round.lead.id, data=RoleInput("Cook", "", []),
        now=utcnow(),
    )  # fmt: skip
    await teams.fill_role(
        session, team_id=team.id, role_id=role.id, actor_id=gone.id, filled_by=gone.id,
        now=utcnow(),
    )  # fmt: skip
    with pytest.raises(Exception, match="full"):
        await teams.ask_to_join(
            session, team_id=team.id, user_id=waiting.id, data=AskInput("Me", ""), now=utcnow()
        )

    await delete_account(session, user_id=gone.id, now=utcnow())

    after = await fresh(session, Team, team.id)
    assert after.member_count == 2
    assert await fresh(session, TeamMember, (team.id, gone.id)) is None
    assert (await fresh(session, TeamRole, role.id)).filled_by_id is None
    await join(session, team, waiting)  # the seat is free again
    assert (await fresh(session, Team, team.id)).member_count == 3


async def test_a_deleted_lead_hands_the_team_to_its_longest_standing_member(
    team_round: TeamRound, make_user: Any, session: AsyncSession, sign_in: Any
) -> None:
    team = team_round.team
    first, second = await make_user("First"), await make_user("Second")
    await join(session, team, first)
    await join(session, team, second)

    await delete_account(session, user_id=team_round.lead.id, now=utcnow())

    after = await fresh(session, Team, team.id)
    assert (after.lead_id, after.member_count) == (first.id, 2)
    assert (await fresh(session, TeamMember, (team.id, first.id))).role_title == "Lead"
    page = Page(await (await sign_in(first)).get(f"/teams/{team.id}"))
    assert page.text("#team-members .muted").startswith("Led by First.")
    assert page.select("#team-lead .team-requests")  # the new lead's desk


async def test_a_team_whose_last_member_is_deleted_has_no_lead_until_someone_joins(
    team_round: TeamRound, make_user: Any, session: AsyncSession, sign_in: Any
) -> None:
    team = team_round.team
    latecomer = await make_user("Latecomer")

    await delete_account(session, user_id=team_round.lead.id, now=utcnow())

    after = await fresh(session, Team, team.id)
    assert (after.lead_id, after.member_count) == (None, 0)
    page = Page(await (await sign_in(latecomer)).get(f"/teams/{team.id}"))
    assert page.text("#team-members .muted") == "Led by nobody."
    assert "Nobody is on this team now" in page.text("#team-join")
    assert page.select("#team-join form") == []
    with pytest.raises(Exception, match="Nobody is on this team"):
        await teams.ask_to_join(
            session, team_id=team.id, user_id=latecomer.id, data=AskInput("Me", ""), now=utcnow()
        )
    # A host's placement (the one way in left) makes the newcomer its lead.
    await matching.apply_placements(
        session,
        challenge_id=team_round.challenge.id,
        placements={latecomer.id: team.id},
        actor_id=team_round.challenge.created_by_id,
        now=utcnow(),
    )
    placed = await fresh(session, Team, team.id)
    assert (placed.lead_id, placed.member_count) == (latecomer.id, 1)
    teams_page = await (await sign_in(latecomer)).get(
        f"/challenges/{team_round.challenge.slug}/teams"
    )
    assert teams_page.status_code == 200


async def test_a_deleted_accounts_open_requests_invitations_rankings_and_search_go(
    team_round: TeamRound, make_user: Any, make_idea: Any, session: AsyncSession
) -> None:
    team, challenge = team_round.team, team_round.challenge
    other_team = await team_of_teams_phase(session, challenge, make_user, make_idea)
    gone = await make_user("Gone")
    asked = await teams.ask_to_join(
        session, team_id=team.id, user_id=gone.id, data=AskInput("Me", ""), now=utcnow()
    )
    assert other_team.lead_id is not None
    invited = await teams.invite(
        session,
        team_id=other_team.id,
        actor_id=other_team.lead_id,
        data=InviteInput(None, str(gone.email), ""),
        now=utcnow(),
    )
    await matching.save_preferences(
        session,
        challenge_id=challenge.id,
        user_id=gone.id,
        team_ids=[team.id, other_team.id],
        now=utcnow(),
    )
    await matching.start_looking(
        session, challenge_id=challenge.id, user_id=gone.id, note="", now=utcnow()
    )

    await delete_account(session, user_id=gone.id, now=utcnow())

    for made in (asked, invited):
        assert (await fresh(session, JoinRequest, made.id)).status is RequestStatus.WITHDRAWN
    assert await count(session, TeamPreference) == 0
    assert await count(session, TeamSeeker) == 0


async def team_of_teams_phase(
    session: AsyncSession, challenge: Challenge, make_user: Any, make_idea: Any
) -> Team:
    """A second shortlisted idea's team, in a challenge already in its teams phase."""
    idea = await make_idea(challenge, await make_user("Other lead"), title="Seed library")
    return await team_of(session, challenge, idea)


async def test_a_deleted_accounts_votes_stay_counted_and_its_words_stay(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user("Amara"), title="Compost club")
    gone = await make_user("Gone")
    await cast_vote(session, idea_id=idea.id, user_id=gone.id, now=utcnow())
    await post_comment(session, idea_id=idea.id, author_id=gone.id, body="Great", now=utcnow())

    await delete_account(session, user_id=gone.id, now=utcnow())

    assert (await fresh(session, Idea, idea.id)).vote_count == 1
    assert await count(session, Vote) == 1
    page = Page(await visitor.get(f"/ideas/{idea.id}", follow_redirects=True))
    comment = page.one("article.comment")
    assert comment.get("aria-label") == "Comment by a deleted participant"
    assert "Great" in comment.text_content()


async def test_a_deleted_accounts_notifications_follows_and_mail_go(
    busy: Busy, session: AsyncSession
) -> None:
    priya = busy.priya.id

    await delete_account(session, user_id=priya, now=utcnow())

    await session.commit()
    for model in (Notification, ChallengeFollow, IdeaFollow, OutboxMail):
        left = await session.scalars(select(model).where(model.user_id == priya))
        assert left.all() == [], model.__name__
    person = await fresh(session, User, priya)
    assert (person.status, person.email) == (UserStatus.DELETED, None)
    assert await count(session, Comparison) == 1


async def test_accounts_deleted_before_freed_their_places_when_the_schema_is_upgraded(
    committing_database_url: str,
) -> None:
    from alembic import command

    from ideas import migrate
    from ideas.accounts.services import create_user
    from ideas.challenges.forms import ChallengeInput
    from ideas.challenges.services import create_challenge
    from ideas.db import Database

    database = Database.from_url(committing_database_url)
    now = utcnow()
    try:
        async with database.session() as session:
            people = [
                await create_user(
                    session,
                    display_name=name,
                    email=f"{name}@example.org",
                    provider="test",
                    subject=name,
                    is_host=name == "host",
                    now=now,
                )
                for name in ("host", "lead", "member", "asker")
            ]
            host, lead, member, asker = people
            challenge = await create_challenge(
                session,
                host_id=host.id,
                data=ChallengeInput(
                    title="Canteens",
                    slug="canteens",
                    question="How might we waste less?",
                    sponsor="",
                    brief="",
                    schedule=schedule_for(Phase.IDEAS, now),
                ),
                now=now,
            )
            idea = await post_idea(
                session,
                challenge_id=challenge.id,
                author_id=lead.id,
                data=IdeaInput(title="Compost", summary="S", body=""),
                now=now,
            )
            team = await team_of(session, challenge, idea)
            await set_phase(session, challenge, Phase.TEAMS)
            await join(session, team, member)
            asked = await teams.ask_to_join(
                session, team_id=team.id, user_id=asker.id, data=AskInput("Me", ""), now=now
            )
            # Deleted the way accounts were before: only the person's own row changed.
            await session.execute(
                update(User)
                .where(User.id.in_([lead.id, asker.id]))
                .values(status=UserStatus.DELETED, email=None)
            )
            await session.commit()
    finally:
        await database.dispose()
    config = migrate.alembic_config(committing_database_url)
    await asyncio.to_thread(command.downgrade, config, "0009")

    await asyncio.to_thread(command.upgrade, config, "head")

    database = Database.from_url(committing_database_url)
    try:
        async with database.session() as session:
            after = await session.get_one(Team, team.id)
            assert (after.lead_id, after.member_count) == (member.id, 1)
            request = await session.get_one(JoinRequest, asked.id)
            assert request.status is RequestStatus.WITHDRAWN
            assert await session.get(TeamMember, (team.id, lead.id)) is None
    finally:
        await database.dispose()
