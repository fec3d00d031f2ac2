"""The public challenge API: what a visitor may see, as JSON, a page at a time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ideas.accounts.models import User
from ideas.accounts.services import delete_account
from ideas.challenges import hosting
from ideas.challenges.forms import ChallengeInput
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase, Schedule
from ideas.challenges.services import create_challenge
from ideas.db import utcnow
from ideas.web.security import CONTENT_SECURITY_POLICY
from tests.api.schema import assert_conforms
from tests.factories.accounts import Person
from tests.factories.challenges import schedule_for
from tests.factories.queries import counting
from tests.factories.rounds import crown, switch_phase

ORIGIN = "http://127.0.0.1:8000"
LIST = "/api/v1/challenges"
DAY = timedelta(days=1)


async def add_host(
    session: AsyncSession, *, challenge_id: int, email: str | None, actor_id: int, now: Any
) -> None:
    """A co-host, the way the site makes one: invited by address, and accepting."""
    invitation = await hosting.invite_host(
        session, challenge_id=challenge_id, email=email or "", actor_id=actor_id, now=now
    )
    assert invitation.user_id is not None
    await hosting.accept_host_invitation(
        session, invitation_id=invitation.id, user_id=invitation.user_id, now=now
    )


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


async def slugs_listed(person: Person, url: str = LIST) -> list[str]:
    """Every slug the list gives, following ``next`` to the end."""
    slugs: list[str] = []
    next_url: str | None = url
    while next_url is not None:
        response = await person.get(next_url)
        assert response.status_code == 200
        body = response.json()
        slugs += [item["slug"] for item in body["items"]]
        next_url = body["next"]
    return slugs


async def open_challenge(
    session: AsyncSession, host: User, slug: str, tags: tuple[str, ...] = ()
) -> Challenge:
    """A challenge in the ideas phase, with the tags given."""
    return await create_challenge(
        session,
        host_id=host.id,
        data=ChallengeInput(
            title=slug.replace("-", " ").capitalize(),
            slug=slug,
            question="How might we?",
            sponsor="",
            brief="",
            schedule=schedule_for(Phase.IDEAS, utcnow()),
            tags=tags,
        ),
        now=utcnow(),
    )


# Drafts stay invisible -------------------------------------------------------


async def test_the_list_shows_every_public_challenge_and_no_draft(
    make_user: Any, make_challenge: Any, visitor: Person
) -> None:
    host = await make_user(host=True)
    for phase in Phase:
        await make_challenge(host, phase=phase, title=f"In {phase.value}")

    response = await visitor.get(LIST)

    assert response.status_code == 200
    items = response.json()["items"]
    assert [(item["title"], item["phase"]) for item in items] == [
        ("In ideas", "ideas"),
        ("In review", "review"),
        ("In teams", "teams"),
        ("In closed", "closed"),
    ]


async def test_a_draft_cannot_be_fetched_and_looks_like_an_unknown_slug(
    make_user: Any, make_challenge: Any, visitor: Person
) -> None:
    draft = await make_challenge(await make_user(host=True), phase=Phase.DRAFT)

    for_draft = await visitor.get(f"{LIST}/{draft.slug}")
    for_nothing = await visitor.get(f"{LIST}/no-such-challenge")

    assert for_draft.status_code == for_nothing.status_code == 404
    assert for_draft.json() == for_nothing.json()
    assert for_draft.json() == {
        "error": "not_found",
        "message": "There is nothing public at this address.",
    }
    assert for_draft.headers["content-type"] == "application/json"


async def test_a_challenge_switched_back_to_draft_disappears(
    make_user: Any, make_challenge: Any, visitor: Person, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True), phase=Phase.IDEAS)
    assert (await visitor.get(f"{LIST}/{challenge.slug}")).status_code == 200

    await switch_phase(session, challenge, Phase.DRAFT)

    assert (await visitor.get(f"{LIST}/{challenge.slug}")).status_code == 404
    assert await slugs_listed(visitor) == []


async def test_a_draft_opened_by_hand_appears(
    make_user: Any, make_challenge: Any, visitor: Person, session: AsyncSession
) -> None:
    draft = await make_challenge(await make_user(host=True), phase=Phase.DRAFT)
    assert await slugs_listed(visitor) == []

    await switch_phase(session, draft, Phase.IDEAS)

    assert await slugs_listed(visitor) == [draft.slug]
    assert (await visitor.get(f"{LIST}/{draft.slug}")).json()["phase"] == "ideas"


@pytest.mark.parametrize("role", ["host", "admin"])
async def test_the_api_answers_hosts_and_admins_as_visitors(
    role: str, make_user: Any, make_challenge: Any, sign_in: Any
) -> None:
    host = await make_user(host=True)
    draft = await make_challenge(host, phase=Phase.DRAFT)
    public = await make_challenge(host, phase=Phase.IDEAS)
    person = await sign_in(host if role == "host" else await make_user(admin=True))
    assert (await person.get(f"/challenges/{draft.slug}")).status_code == 200  # the site shows it

    assert await slugs_listed(person) == [public.slug]
    assert (await person.get(f"{LIST}/{draft.slug}")).status_code == 404


# Fields ----------------------------------------------------------------------


async def test_a_challenge_has_its_public_fields(
    make_user: Any, session: AsyncSession, visitor: Person, make_idea: Any
) -> None:
    hamid = await make_user("Hamid Rahimi", host=True)
    now = utcnow().replace(microsecond=0)
    challenge = await create_challenge(
        session,
        host_id=hamid.id,
        data=ChallengeInput(
            title="Less food waste in canteens",
            slug="food-waste",
            question="How might we cut food waste in school canteens?",
            sponsor="City Schools Catering",
            brief="## Background\n\nA **third** is thrown away. <script>alert(1)</script>",
            schedule=Schedule(ideas=now - DAY, review=now + 4 * DAY, closed=now + 9 * DAY),
            tags=("canteens", "compost", "menus"),
            vote_budget=5,
            team_capacity=4,
            one_team_per_participant=False,
        ),
        now=now - 2 * DAY,
    )
    await make_idea(challenge, await make_user())
    await make_idea(challenge, await make_user())

    response = await visitor.get(f"{LIST}/food-waste")

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": challenge.id,
        "slug": "food-waste",
        "title": "Less food waste in canteens",
        "question": "How might we cut food waste in school canteens?",
        "sponsor": "City Schools Catering",
        "phase": "ideas",
        "schedule": {
            "ideas": iso(now - DAY),
            "review": iso(now + 4 * DAY),
            "teams": None,
            "closed": iso(now + 9 * DAY),
        },
        "next_change": {"phase": "review", "at": iso(now + 4 * DAY)},
        "idea_count": 2,
        "tags": ["canteens", "compost", "menus"],
        "settings": {"vote_budget": 5, "team_capacity": 4, "one_team_per_participant": False},
        "url": f"{ORIGIN}/challenges/food-waste",
        "api_url": f"{ORIGIN}/api/v1/challenges/food-waste",
        "brief": "## Background\n\nA **third** is thrown away. <script>alert(1)</script>",
        "brief_html": challenge.brief_html,
        "hosts": [{"name": "Hamid Rahimi", "url": f"{ORIGIN}/people/{hamid.id}"}],
        "winners": [],
    }
    assert "<h2>Background</h2>" in body["brief_html"]
    assert "<script>" not in body["brief_html"]
    assert_conforms(response, "/challenges/{slug}")

    listed = (await visitor.get(LIST)).json()["items"]
    summary_fields = set(body) - {"brief", "brief_html", "hosts", "winners"}
    assert listed == [{name: body[name] for name in summary_fields}]


async def test_a_closed_challenge_has_no_next_change_and_shows_its_winners(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True), phase=Phase.TEAMS)
    author = await make_user()
    first, _, second = [await make_idea(challenge, author) for _ in range(3)]
    await crown(session, challenge, first, "Cut waste by a third in a month.")
    await crown(session, challenge, second, "Cheap enough for every school.")
    await switch_phase(session, challenge, Phase.CLOSED)

    body = (await visitor.get(f"{LIST}/{challenge.slug}")).json()

    assert body["phase"] == "closed"
    assert body["next_change"] is None
    assert body["winners"] == [
        {
            "id": first.id,
            "title": first.title,
            "citation": "Cut waste by a third in a month.",
            "url": f"{ORIGIN}/ideas/{first.id}/{first.slug}",
        },
        {
            "id": second.id,
            "title": second.title,
            "citation": "Cheap enough for every school.",
            "url": f"{ORIGIN}/ideas/{second.id}/{second.slug}",
        },
    ]


async def test_a_host_without_a_public_profile_is_named_without_a_link(
    make_user: Any, make_challenge: Any, session: AsyncSession, visitor: Person
) -> None:
    hamid = await make_user("Hamid", host=True)
    challenge = await make_challenge(hamid, phase=Phase.IDEAS)
    cohost: User = await make_user("Chiara", host=True)
    assert cohost.email is not None
    await add_host(
        session, challenge_id=challenge.id, email=cohost.email, actor_id=hamid.id, now=utcnow()
    )
    await delete_account(session, user_id=cohost.id, now=utcnow())

    hosts = (await visitor.get(f"{LIST}/{challenge.slug}")).json()["hosts"]

    assert hosts == [
        {"name": "Hamid", "url": f"{ORIGIN}/people/{hamid.id}"},
        {"name": "deleted participant", "url": None},
    ]


# Pages -----------------------------------------------------------------------


async def test_pages_follow_one_another_and_skip_drafts(
    make_user: Any, make_challenge: Any, visitor: Person
) -> None:
    host = await make_user(host=True)
    phases = [Phase.IDEAS, Phase.DRAFT, Phase.CLOSED, Phase.DRAFT, Phase.REVIEW, Phase.TEAMS]
    made = [await make_challenge(host, phase=phase) for phase in phases]
    public = [c for c in made if c.phase_at(utcnow()) is not Phase.DRAFT]

    first = (await visitor.get(f"{LIST}?limit=2")).json()

    # The first two looked at are one public challenge and one draft.
    assert [item["slug"] for item in first["items"]] == [made[0].slug]
    assert first["next"] == f"{ORIGIN}{LIST}?after={made[1].id}&limit=2"
    assert await slugs_listed(visitor, f"{LIST}?limit=2") == [c.slug for c in public]
    assert await slugs_listed(visitor, f"{LIST}?limit=1") == [c.slug for c in public]
    assert await slugs_listed(visitor, f"{LIST}?after={made[2].id}") == [
        c.slug for c in public if c.id > made[2].id
    ]


async def test_the_last_page_has_no_next(
    make_user: Any, make_challenge: Any, visitor: Person
) -> None:
    host = await make_user(host=True)
    for _ in range(3):
        await make_challenge(host)

    body = (await visitor.get(f"{LIST}?limit=3")).json()

    assert len(body["items"]) == 3
    assert body["next"] is None
    assert (await visitor.get(LIST)).json()["next"] is None
    past_the_end = await visitor.get(f"{LIST}?after=2147483647")
    assert past_the_end.json() == {"items": [], "next": None}


async def test_a_page_holds_20_challenges_unless_asked_for_up_to_100(
    make_user: Any, make_challenge: Any, visitor: Person
) -> None:
    host = await make_user(host=True)
    made = [await make_challenge(host) for _ in range(21)]

    default = (await visitor.get(LIST)).json()
    largest = (await visitor.get(f"{LIST}?limit=100")).json()

    assert len(default["items"]) == 20
    assert default["next"] == f"{ORIGIN}{LIST}?after={made[19].id}&limit=20"
    assert len(largest["items"]) == 21
    assert largest["next"] is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=0", "limit must be a whole number from 1 to 100."),
        ("limit=101", "limit must be a whole number from 1 to 100."),
        ("limit=ten", "limit must be a whole number from 1 to 100."),
        ("limit=", "limit must be a whole number from 1 to 100."),
        ("limit=%EF%BC%95", "limit must be a whole number from 1 to 100."),  # a full-width 5
        ("after=-1", "after must be a whole number from 0 to 2147483647."),
        ("after=1.5", "after must be a whole number from 0 to 2147483647."),
        ("after=2147483648", "after must be a whole number from 0 to 2147483647."),
        (
            "after=99999999999999999999",
            "after must be a whole number from 0 to 2147483647.",
        ),
    ],
)
async def test_a_page_asked_for_with_an_unusable_number_is_a_bad_request(
    query: str, message: str, visitor: Person
) -> None:
    response = await visitor.get(f"{LIST}?{query}")

    assert response.status_code == 400
    assert response.json() == {"error": "bad_request", "message": message}


# Queries ---------------------------------------------------------------------


async def test_a_page_runs_the_same_queries_for_3_or_30_challenges(
    engine: AsyncEngine, make_user: Any, session: AsyncSession, visitor: Person
) -> None:
    host = await make_user(host=True)
    for n in range(3):
        await open_challenge(session, host, f"round-{n}", tags=("a", "b"))

    with counting(engine) as few:
        assert len((await visitor.get(LIST)).json()["items"]) == 3
    for n in range(3, 30):
        await open_challenge(session, host, f"round-{n}", tags=("a", "b", "c"))
    with counting(engine) as many:
        assert len((await visitor.get(f"{LIST}?limit=30")).json()["items"]) == 30

    # Challenges; their tags.
    assert len(few) == len(many) == 2


async def test_a_challenge_runs_the_same_queries_however_much_it_holds(
    engine: AsyncEngine,
    make_user: Any,
    make_idea: Any,
    session: AsyncSession,
    visitor: Person,
) -> None:
    host = await make_user(host=True)
    bare = await open_challenge(session, host, "bare")
    full = await open_challenge(session, host, "full", tags=("a", "b", "c"))
    for _ in range(3):
        cohost = await make_user(host=True)
        await add_host(
            session, challenge_id=full.id, email=cohost.email, actor_id=host.id, now=utcnow()
        )
    for n in range(3):
        await crown(session, full, await make_idea(full, await make_user()), f"Reason {n}.")

    with counting(engine) as for_bare:
        assert (await visitor.get(f"{LIST}/{bare.slug}")).json()["winners"] == []
    with counting(engine) as for_full:
        body = (await visitor.get(f"{LIST}/{full.slug}")).json()
    assert (len(body["hosts"]), len(body["tags"]), len(body["winners"])) == (4, 3, 3)

    # The challenge; its hosts with their people; its tags; its winners.
    assert len(for_bare) == len(for_full) == 4


# HTTP ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", [LIST, f"{LIST}/open-round", "/api/v1/openapi.json", "/api/v1/no-such-thing"]
)
async def test_responses_are_public_json_under_the_strict_policy(
    path: str, make_user: Any, session: AsyncSession, visitor: Person
) -> None:
    await open_challenge(session, await make_user(host=True), "open-round")

    response = await visitor.get(path)

    assert response.status_code == (404 if "no-such" in path else 200)
    assert response.headers["content-type"] == "application/json"
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "set-cookie" not in response.headers


async def test_head_is_answered_like_get(
    make_user: Any, make_challenge: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))

    response = await visitor.client.head(f"{LIST}/{challenge.slug}")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_only_get_is_allowed(
    method: str, make_user: Any, make_challenge: Any, sign_in: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    priya = await sign_in(await make_user())

    for path in [LIST, f"{LIST}/{challenge.slug}", "/api/v1/openapi.json"]:
        response = await priya.client.request(method, path, headers={"X-CSRF-Token": priya.csrf})

        assert response.status_code == 405
        assert response.headers["allow"] == "GET, HEAD"
        assert response.json() == {
            "error": "method_not_allowed",
            "message": "This address answers only GET, HEAD requests.",
        }


async def test_a_visitor_gets_405_for_options(visitor: Person) -> None:
    response = await visitor.client.options(LIST)

    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


async def test_csrf_protection_still_comes_first_for_unsafe_methods(
    make_user: Any, sign_in: Any, visitor: Person
) -> None:
    priya = await sign_in(await make_user())

    without_session = await visitor.post(LIST, {})
    without_token = await priya.post(LIST, {}, csrf=False)

    assert without_session.status_code == without_token.status_code == 403
