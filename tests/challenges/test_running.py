"""Hosts run a round: co-hosts, phase switches, the shortlist and the winners."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts import sessions
from ideas.accounts.models import User
from ideas.accounts.services import create_user
from ideas.app import create_app
from ideas.audit import AuditEntry
from ideas.challenges import hosting, services
from ideas.challenges.forms import ChallengeInput
from ideas.challenges.models import Challenge, ChallengeHost, HostInvitation
from ideas.challenges.phases import Phase
from ideas.challenges.services import create_challenge, switch_phase
from ideas.db import Database, utcnow
from ideas.errors import Conflict, Forbidden
from ideas.settings import Settings
from ideas.submissions.models import Idea, IdeaStatus
from ideas.web.sessions import cookie_name
from tests.factories.challenges import schedule_for
from tests.factories.queries import count
from tests.html import Page


async def audit_actions(session: AsyncSession, prefix: str) -> list[str]:
    await session.commit()
    rows = await session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.action.startswith(prefix))
        .order_by(AuditEntry.id)
    )
    return list(rows)


async def reload_challenge(session: AsyncSession, challenge: Challenge) -> Challenge:
    fresh = await session.get(Challenge, challenge.id, populate_existing=True)
    assert fresh is not None
    return fresh


async def reload_idea(session: AsyncSession, idea: Idea) -> Idea:
    fresh = await session.get(Idea, idea.id, populate_existing=True)
    assert fresh is not None
    return fresh


# Co-hosts -------------------------------------------------------------------------


async def host_ids(session: AsyncSession, challenge: Challenge) -> set[int]:
    await session.commit()
    rows = await session.scalars(
        select(ChallengeHost.user_id).where(ChallengeHost.challenge_id == challenge.id)
    )
    return set(rows)


async def cohost(session: AsyncSession, challenge: Challenge, host: User, person: User) -> None:
    """``person`` co-hosts, the way the site makes a co-host: invited by address, accepting."""
    invitation = await hosting.invite_host(
        session, challenge_id=challenge.id, email=str(person.email), actor_id=host.id, now=utcnow()
    )
    await hosting.accept_host_invitation(
        session, invitation_id=invitation.id, user_id=person.id, now=utcnow()
    )


async def test_a_host_invites_a_co_host_who_accepts_and_then_runs_the_challenge(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user("Hamid", host=True)
    maria = await make_user("Maria", host=True)
    challenge = await make_challenge(host, phase=Phase.DRAFT)
    hamid = await sign_in(host)

    response = await hamid.post(
        f"/challenges/{challenge.slug}/hosts", {"email": maria.email.upper()}
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/challenges/{challenge.slug}/hosts?done=invited"
    hosts = Page(await hamid.get(response.headers["location"]))
    assert hosts.text("#hosts .notice") == (
        "If someone uses that address, they have been invited to co-host."
    )
    assert hosts.text(".host-invitations li").startswith(str(maria.email).lower())
    assert await host_ids(session, challenge) == {host.id}  # not before Maria says yes
    as_maria = await sign_in(maria)
    told = Page(await as_maria.get("/notifications")).one(".notification__link")
    assert told.text_content().endswith(f"Hamid invites you to co-host “{challenge.title}”")
    assert told.get("href") == "/hosting"
    mine = Page(await as_maria.get("/hosting"))
    accept = mine.select(".request-card form")[0].get("action")

    accepted = await as_maria.post(accept)

    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/challenges/{challenge.slug}"
    assert await host_ids(session, challenge) == {host.id, maria.id}
    assert await audit_actions(session, "challenge.host") == [
        "challenge.host.invite",
        "challenge.host.add",
    ]
    assert (await as_maria.get(f"/challenges/{challenge.slug}")).status_code == 200
    assert (await as_maria.get(f"/challenges/{challenge.slug}/edit")).status_code == 200
    assert (
        Page(await hamid.get(f"/challenges/{challenge.slug}/hosts")).select(".host-invitations")
        == []
    )


async def test_an_invitee_without_the_host_role_cannot_accept(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    priya = await make_user("Priya")
    challenge = await make_challenge(host)
    invitation = await hosting.invite_host(
        session, challenge_id=challenge.id, email=str(priya.email), actor_id=host.id, now=utcnow()
    )
    as_priya = await sign_in(priya)

    page = Page(await as_priya.get("/hosting"))
    response = await as_priya.post(f"/hosting/{invitation.id}/accept")

    assert (
        page.text(".request-card__message")
        == "Co-hosting needs the host role, which an admin gives."
    )
    assert [form.get("action") for form in page.select(".request-card form")] == [
        f"/hosting/{invitation.id}/decline"
    ]
    assert response.status_code == 403
    assert await host_ids(session, challenge) == {host.id}


async def test_only_the_invitee_answers_an_invitation_to_co_host(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    maria, other = await make_user("Maria", host=True), await make_user("Other", host=True)
    challenge = await make_challenge(host)
    invitation = await hosting.invite_host(
        session, challenge_id=challenge.id, email=str(maria.email), actor_id=host.id, now=utcnow()
    )
    as_other = await sign_in(other)

    accepted = await as_other.post(f"/hosting/{invitation.id}/accept")
    declined = await as_other.post(f"/hosting/{invitation.id}/decline")

    assert (accepted.status_code, declined.status_code) == (404, 404)
    assert await host_ids(session, challenge) == {host.id}
    as_maria = await sign_in(maria)
    assert (await as_maria.post(f"/hosting/{invitation.id}/decline")).status_code == 303
    assert (await as_maria.post(f"/hosting/{invitation.id}/accept")).status_code == 409
    assert await host_ids(session, challenge) == {host.id}


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "E-mail address is required."),
        ("again", "That address is already invited and has not answered yet."),
    ],
)
async def test_a_co_host_invitation_with_a_problem_comes_back_beside_the_field(
    make_user: Any,
    make_challenge: Any,
    sign_in: Any,
    session: AsyncSession,
    email: str,
    message: str,
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    hamid = await sign_in(host)
    typed = {"again": "someone@example.org"}.get(email, email)
    if email == "again":
        await hamid.post(f"/challenges/{challenge.slug}/hosts", {"email": typed})

    response = await hamid.post(f"/challenges/{challenge.slug}/hosts", {"email": typed})

    assert response.status_code == 200
    page = Page(response)
    assert page.text("#f-email-error").endswith(message)
    assert page.field_value("email") == typed
    assert await host_ids(session, challenge) == {host.id}


async def test_a_co_host_form_sent_in_place_comes_back_in_place(
    make_user: Any, make_challenge: Any, sign_in: Any
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    response = await (await sign_in(host)).post(
        f"/challenges/{challenge.slug}/hosts", {"email": ""}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    fragment = Page(response)
    assert fragment.select("h1") == []
    assert fragment.text("#f-email-error") == "Error: E-mail address is required."


async def test_a_participant_cannot_invite_hosts(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    intruder = await make_user(host=True)
    challenge = await make_challenge(host)
    as_intruder = await sign_in(intruder)
    response = await as_intruder.post(
        f"/challenges/{challenge.slug}/hosts", {"email": intruder.email}
    )
    assert response.status_code == 403
    assert await host_ids(session, challenge) == {host.id}
    assert await count(session, HostInvitation) == 0


async def test_a_co_host_is_removed_but_the_last_host_stays(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    maria = await make_user(host=True)
    challenge = await make_challenge(host)
    hamid = await sign_in(host)
    await cohost(session, challenge, host, maria)

    removed = await hamid.post(f"/challenges/{challenge.slug}/hosts/{maria.id}/remove")
    last = await hamid.post(f"/challenges/{challenge.slug}/hosts/{host.id}/remove")

    assert removed.status_code == 303
    assert last.status_code == 409
    assert "at least one host" in Page(last).text("main")
    assert await host_ids(session, challenge) == {host.id}
    assert await audit_actions(session, "challenge.host") == [
        "challenge.host.invite",
        "challenge.host.add",
        "challenge.host.remove",
    ]


async def test_a_participant_cannot_remove_hosts(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    maria = await make_user(host=True)
    challenge = await make_challenge(host)
    await cohost(session, challenge, host, maria)
    priya = await sign_in(await make_user())
    response = await priya.post(f"/challenges/{challenge.slug}/hosts/{maria.id}/remove")
    assert response.status_code == 403
    assert await host_ids(session, challenge) == {host.id, maria.id}


# Phases -------------------------------------------------------------------------


async def test_hosts_move_the_round_on_close_it_and_reopen_it(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.DRAFT)
    hamid = await sign_in(host)
    path = f"/challenges/{challenge.slug}"

    for before, after in [("draft", "ideas"), ("ideas", "review"), ("review", "closed")]:
        response = await hamid.post(f"{path}/phase", {"from": before, "phase": after})
        assert response.status_code == 303, (before, after)
    closed = Page(await hamid.get(path))
    reopened = await hamid.post(f"{path}/phase", {"from": "closed", "phase": "teams"})

    assert closed.one("ol.timeline li[aria-current=step]").text_content().split()[0] == "Closed"
    assert reopened.status_code == 303
    fresh = await session.get(Challenge, challenge.id, populate_existing=True)
    assert fresh is not None
    assert fresh.phase_at(utcnow()) is Phase.TEAMS
    entries = (
        await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "challenge.phase").order_by(AuditEntry.id)
        )
    ).all()
    assert [(e.data["before"], e.data["after"]) for e in entries] == [
        ("draft", "ideas"),
        ("ideas", "review"),
        ("review", "closed"),
        ("closed", "teams"),
    ]
    assert {e.actor_id for e in entries} == {host.id}


async def test_a_switch_from_a_phase_the_round_has_left_changes_nothing(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.REVIEW)

    response = await (await sign_in(host)).post(
        f"/challenges/{challenge.slug}/phase", {"from": "ideas", "phase": "review"}
    )

    assert response.status_code == 409
    assert "someone switched it meanwhile" in Page(response).text("main")
    fresh = await session.get(Challenge, challenge.id, populate_existing=True)
    assert fresh is not None
    assert fresh.phase_switched_to is None


async def test_a_switch_read_before_another_hosts_switch_still_sees_it(
    make_user: Any, make_challenge: Any, session: AsyncSession
) -> None:
    """A request that read the clock, then waited for another host's switch to commit,
    must still see that switch: its earlier clock reading does not undo it."""
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.IDEAS)
    earlier = utcnow()
    await switch_phase(
        session,
        challenge_id=challenge.id,
        to=Phase.REVIEW,
        actor_id=host.id,
        now=earlier + timedelta(milliseconds=5),
        expected=Phase.IDEAS,
    )

    with pytest.raises(Conflict):
        await switch_phase(
            session,
            challenge_id=challenge.id,
            to=Phase.CLOSED,
            actor_id=host.id,
            now=earlier,
            expected=Phase.IDEAS,
        )

    fresh = await session.get(Challenge, challenge.id, populate_existing=True)
    assert fresh is not None
    assert fresh.phase_switched_to is Phase.REVIEW


async def test_host_tools_show_only_to_hosts(
    make_user: Any, make_challenge: Any, sign_in: Any, visitor: Any
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.REVIEW)
    as_host = Page(await (await sign_in(host)).get(f"/challenges/{challenge.slug}"))
    as_visitor = Page(await visitor.get(f"/challenges/{challenge.slug}"))
    links = [a.text_content() for a in as_host.select(".host-tools__links a")]
    assert links == [
        "Dashboard and exports",
        "Edit the challenge",
        "The challenge in other languages",
        "Hosts",
        "Jury",
        "Shortlist",
        "Duplicates",
    ]
    assert (
        as_host.select(".phase-switch button")[0].text_content().strip() == "Move on to Teams now"
    )
    assert as_visitor.select(".host-tools") == []


async def test_two_hosts_moving_on_at_once_move_the_round_by_one_phase(
    committing_database_url: str, settings: Settings
) -> None:
    """Both hosts saw the ideas phase; at the same moment one moved on to review and the
    other closed the round. One of them wins; the other is told and changes nothing."""
    database = Database.from_url(committing_database_url)
    app = create_app(settings, database)
    try:
        async with database.session() as session:
            now = utcnow()
            hosts = [
                await create_user(
                    session,
                    display_name=f"Host {n}",
                    email=f"host{n}@example.org",
                    provider="test",
                    subject=f"host-{n}",
                    is_host=True,
                    now=now,
                )
                for n in (1, 2)
            ]
            challenge = await create_challenge(
                session,
                host_id=hosts[0].id,
                data=ChallengeInput(
                    title="Race",
                    slug="race",
                    question="How might we race?",
                    sponsor="",
                    brief="",
                    schedule=schedule_for(Phase.IDEAS, now),
                ),
                now=now,
            )
            async with database.session() as tx, tx.begin():
                tx.add(ChallengeHost(challenge_id=challenge.id, user_id=hosts[1].id, added_at=now))
            clients = []
            for host in hosts:
                token, web_session = await sessions.start(session, host, now=now, replacing=None)
                client = httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
                )
                client.cookies.set(cookie_name(settings), token)
                clients.append((client, web_session.csrf_token))

        targets = ["review", "closed"]
        responses = await asyncio.gather(
            *(
                client.post(
                    "/challenges/race/phase",
                    data={"from": "ideas", "phase": target, "csrf_token": csrf},
                )
                for (client, csrf), target in zip(clients, targets, strict=True)
            )
        )
        for client, _ in clients:
            await client.aclose()

        assert sorted(r.status_code for r in responses) == [303, 409]
        winner = targets[[r.status_code for r in responses].index(303)]
        async with database.session() as session:
            saved = await session.get(Challenge, challenge.id)
            switches = await session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "challenge.phase")
            )
        assert saved is not None
        assert saved.phase_at(utcnow()) is Phase(winner)
        assert switches == 1
    finally:
        await database.dispose()


# Shortlist ------------------------------------------------------------------------


async def test_a_host_shortlists_an_idea_with_a_note_for_its_authors(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    visitor: Any,
    session: AsyncSession,
) -> None:
    host = await make_user(host=True)
    author = await make_user()
    challenge = await make_challenge(host, phase=Phase.REVIEW)
    idea = await make_idea(challenge, author)
    hamid = await sign_in(host)

    page = Page(await hamid.get(f"/challenges/{challenge.slug}/shortlist"))
    response = await hamid.post(
        f"/challenges/{challenge.slug}/shortlist/{idea.id}",
        {"decision": "add", "note": "Strong; talk to the kitchen staff next."},
    )

    assert page.one(f"#idea-{idea.id} button").text_content().startswith("Shortlist")
    assert response.status_code == 303
    saved = await reload_idea(session, idea)
    assert saved.status is IdeaStatus.SHORTLISTED
    assert saved.shortlist_note == "Strong; talk to the kitchen staff next."
    assert await audit_actions(session, "idea.") == ["idea.post", "idea.shortlist"]
    idea_url = f"/ideas/{idea.id}/{idea.slug}"
    for_author = Page(await (await sign_in(author)).get(idea_url))
    for_visitor = Page(await visitor.get(idea_url))
    assert "talk to the kitchen staff" in for_author.text("aside[aria-label='Note from the hosts']")
    assert for_visitor.select("aside[aria-label='Note from the hosts']") == []
    assert for_visitor.text(".status-badge") == "Shortlisted"


async def test_shortlisting_in_place_returns_the_row(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.REVIEW)
    idea = await make_idea(challenge, await make_user())
    response = await (await sign_in(host)).post(
        f"/challenges/{challenge.slug}/shortlist/{idea.id}",
        {"decision": "add", "note": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    row = Page(response)
    assert row.select("h1") == []  # a fragment, not the page
    assert row.one(f"li#idea-{idea.id}").get("class") == "host-row host-row--chosen"
    assert row.one("button").text_content().startswith("Remove from the shortlist")


async def test_a_host_takes_an_idea_off_the_shortlist(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.REVIEW)
    idea = await make_idea(challenge, await make_user())
    hamid = await sign_in(host)
    url = f"/challenges/{challenge.slug}/shortlist/{idea.id}"
    await hamid.post(url, {"decision": "add", "note": "Yes"})
    response = await hamid.post(url, {"decision": "remove"})
    assert response.status_code == 303
    saved = await reload_idea(session, idea)
    assert (saved.status, saved.shortlist_note) == (IdeaStatus.PUBLISHED, "")


async def test_a_note_too_long_is_shown_beside_it_and_nothing_is_shortlisted(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.REVIEW)
    idea = await make_idea(challenge, await make_user())
    note = "n" * 1001
    response = await (await sign_in(host)).post(
        f"/challenges/{challenge.slug}/shortlist/{idea.id}", {"decision": "add", "note": note}
    )
    assert response.status_code == 200
    page = Page(response)
    assert page.text(f"#note-{idea.id}-error") == (
        "Error: Note must be at most 1,000 characters (it is 1,001)."
    )
    assert page.one(f"#note-{idea.id}").text == note
    assert (await reload_idea(session, idea)).status is IdeaStatus.PUBLISHED


@pytest.mark.parametrize(
    ("who", "phase", "status"),
    [
        ("participant", Phase.REVIEW, 403),
        ("author", Phase.REVIEW, 403),
        ("other host", Phase.REVIEW, 403),
        ("host", Phase.TEAMS, 403),
        ("host", Phase.CLOSED, 403),
    ],
)
async def test_shortlisting_is_refused_to_others_and_outside_ideas_and_review(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
    who: str,
    phase: Phase,
    status: int,
) -> None:
    host = await make_user(host=True)
    author = await make_user()
    challenge = await make_challenge(host, phase=phase)
    idea = await make_idea(challenge, author)
    person = {
        "participant": await make_user(),
        "author": author,
        "other host": await make_user(host=True),
        "host": host,
    }[who]
    client = await sign_in(person)

    page = await client.get(f"/challenges/{challenge.slug}/shortlist")
    response = await client.post(
        f"/challenges/{challenge.slug}/shortlist/{idea.id}", {"decision": "add", "note": ""}
    )

    assert page.status_code == response.status_code == status
    assert (await reload_idea(session, idea)).status is IdeaStatus.PUBLISHED


async def test_an_idea_of_another_challenge_cannot_be_shortlisted_here(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    mine = await make_challenge(host, phase=Phase.REVIEW)
    other = await make_challenge(await make_user(host=True), phase=Phase.REVIEW)
    foreign = await make_idea(other, await make_user())
    response = await (await sign_in(host)).post(
        f"/challenges/{mine.slug}/shortlist/{foreign.id}", {"decision": "add", "note": ""}
    )
    assert response.status_code == 404
    assert (await reload_idea(session, foreign)).status is IdeaStatus.PUBLISHED


async def test_shortlisting_twice_is_a_clear_refusal(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.REVIEW)
    idea = await make_idea(challenge, await make_user())
    hamid = await sign_in(host)
    url = f"/challenges/{challenge.slug}/shortlist/{idea.id}"
    await hamid.post(url, {"decision": "add", "note": "First"})
    again = await hamid.post(url, {"decision": "add", "note": "Second"})
    assert again.status_code == 409
    assert (await reload_idea(session, idea)).shortlist_note == "First"


# Winners --------------------------------------------------------------------------


async def shortlisted_idea(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, phase: Phase
) -> tuple[Challenge, Idea, Any]:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.REVIEW)
    idea = await make_idea(challenge, await make_user("Ada"), title="Compost the leftovers")
    hamid = await sign_in(host)
    await hamid.post(f"/challenges/{challenge.slug}/shortlist/{idea.id}", {"decision": "add"})
    to = {Phase.TEAMS: "teams", Phase.CLOSED: "closed", Phase.REVIEW: None}[phase]
    if to:
        await hamid.post(f"/challenges/{challenge.slug}/phase", {"from": "review", "phase": to})
    return challenge, idea, hamid


@pytest.mark.parametrize("phase", [Phase.TEAMS, Phase.CLOSED])
async def test_a_host_names_a_winner_with_a_citation_and_it_shows_first(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    visitor: Any,
    session: AsyncSession,
    phase: Phase,
) -> None:
    challenge, idea, hamid = await shortlisted_idea(
        make_user, make_challenge, make_idea, sign_in, phase
    )

    response = await hamid.post(
        f"/challenges/{challenge.slug}/winners/{idea.id}",
        {"decision": "award", "citation": "Cheap, tested, loved by the kitchen."},
    )

    assert response.status_code == 303
    saved = await reload_idea(session, idea)
    assert (saved.status, saved.citation) == (
        IdeaStatus.WINNER,
        "Cheap, tested, loved by the kitchen.",
    )
    page = Page(await visitor.get(f"/challenges/{challenge.slug}"))
    sections = [s.get("aria-labelledby") for s in page.select("article.challenge > section")]
    assert sections.index("winners-heading") < sections.index("ideas-heading")
    assert page.text(".winner-card .citation") == "“Cheap, tested, loved by the kitchen.”"
    if phase is Phase.CLOSED:
        home = Page(await visitor.get("/"))
        assert home.text("section[aria-labelledby=closed-heading] .card__winners li a") == (
            "Compost the leftovers"
        )


async def test_a_winner_needs_a_citation(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge, idea, hamid = await shortlisted_idea(
        make_user, make_challenge, make_idea, sign_in, Phase.TEAMS
    )
    response = await hamid.post(
        f"/challenges/{challenge.slug}/winners/{idea.id}", {"decision": "award", "citation": " "}
    )
    assert response.status_code == 200
    assert Page(response).text(f"#citation-{idea.id}-error") == "Error: Citation is required."
    assert (await reload_idea(session, idea)).status is IdeaStatus.SHORTLISTED


async def test_only_shortlisted_ideas_can_win(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.TEAMS)
    idea = await make_idea(challenge, await make_user())
    response = await (await sign_in(host)).post(
        f"/challenges/{challenge.slug}/winners/{idea.id}", {"decision": "award", "citation": "Yes"}
    )
    assert response.status_code == 409
    assert (await reload_idea(session, idea)).status is IdeaStatus.PUBLISHED


@pytest.mark.parametrize(("who", "phase"), [("participant", Phase.TEAMS), ("host", Phase.REVIEW)])
async def test_winners_are_refused_to_others_and_before_the_teams_phase(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
    who: str,
    phase: Phase,
) -> None:
    challenge, idea, hamid = await shortlisted_idea(
        make_user, make_challenge, make_idea, sign_in, phase
    )
    client = hamid if who == "host" else await sign_in(await make_user())
    response = await client.post(
        f"/challenges/{challenge.slug}/winners/{idea.id}", {"decision": "award", "citation": "Yes"}
    )
    assert response.status_code == 403
    assert (await reload_idea(session, idea)).status is IdeaStatus.SHORTLISTED


async def test_a_host_takes_a_win_back(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge, idea, hamid = await shortlisted_idea(
        make_user, make_challenge, make_idea, sign_in, Phase.TEAMS
    )
    url = f"/challenges/{challenge.slug}/winners/{idea.id}"
    await hamid.post(url, {"decision": "award", "citation": "Yes"})
    response = await hamid.post(url, {"decision": "revoke"})
    assert response.status_code == 303
    saved = await reload_idea(session, idea)
    assert (saved.status, saved.citation) == (IdeaStatus.SHORTLISTED, "")
    assert await audit_actions(session, "idea.") == [
        "idea.post",
        "idea.shortlist",
        "idea.win",
        "idea.unwin",
    ]


# The services refuse on their own ----------------------------------------------------------


async def test_the_services_refuse_host_tools_to_anyone_but_the_hosts(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession
) -> None:
    host, other_host = await make_user(host=True), await make_user("Olga", host=True)
    challenge = await make_challenge(host, phase=Phase.IDEAS)
    await make_challenge(other_host)
    co_host = await make_user("Chen", host=True)
    session.add(ChallengeHost(challenge_id=challenge.id, user_id=co_host.id, added_at=utcnow()))
    await session.commit()
    idea = await make_idea(challenge, await make_user())
    tools: dict[str, Callable[..., Awaitable[Any]]] = {
        "switch the phase": functools.partial(services.switch_phase, to=Phase.REVIEW),
        "invite a co-host": functools.partial(hosting.invite_host, email=co_host.email),
        "remove a co-host": functools.partial(services.remove_host, user_id=co_host.id),
        "shortlist": functools.partial(services.shortlist, note="", idea_id=idea.id),
        "take off the shortlist": functools.partial(services.unshortlist, idea_id=idea.id),
        "name a winner": functools.partial(services.pick_winner, citation="", idea_id=idea.id),
        "take a win back": functools.partial(services.unpick_winner, idea_id=idea.id),
    }

    for person in (await make_user("Priya"), other_host):
        for use in tools.values():
            with pytest.raises(Forbidden, match="You are not allowed to do that"):
                await use(session, challenge_id=challenge.id, actor_id=person.id, now=utcnow())

    assert await host_ids(session, challenge) == {host.id, co_host.id}
    assert (await reload_idea(session, idea)).status is IdeaStatus.PUBLISHED
    assert (await reload_challenge(session, challenge)).phase_switched_to is None
    assert await audit_actions(session, "challenge.phase") == []
    assert await audit_actions(session, "challenge.host") == []
    assert await audit_actions(session, "idea.") == ["idea.post"]
