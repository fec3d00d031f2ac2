"""The notifications page, the unread badge, follow buttons and the e-mail choice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.db import utcnow
from ideas.notifications.models import ChallengeFollow, EmailFrequency, IdeaFollow, Notification
from ideas.submissions.models import Idea
from tests.factories.accounts import Person
from tests.factories.notifications import notifications_of
from tests.factories.web import HTMX
from tests.html import Page


async def add_notifications(
    session: AsyncSession, user: User, idea: Idea, how_many: int, *, actor: User | None = None
) -> None:
    now = utcnow()
    await session.execute(
        insert(Notification),
        [
            {
                "user_id": user.id,
                "kind": "idea.votes",
                "actor_id": actor.id if actor else None,
                "challenge_id": idea.challenge_id,
                "idea_id": idea.id,
                "data": {"count": n, "idea_title": idea.title},
                "created_at": now - timedelta(minutes=how_many - n),
            }
            for n in range(1, how_many + 1)
        ],
    )
    await session.commit()


async def setup(
    make_user: Any, make_challenge: Any, make_idea: Any
) -> tuple[User, Challenge, Idea]:
    challenge = await make_challenge(await make_user(host=True))
    amara = await make_user("Amara")
    return amara, challenge, await make_idea(challenge, amara, title="Compost club")


# The page -------------------------------------------------------------------------------


async def test_the_page_lists_notifications_newest_first_each_leading_to_its_idea(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    amara, _, idea = await setup(make_user, make_challenge, make_idea)
    await add_notifications(session, amara, idea, 3)
    person = await sign_in(amara)

    page = Page(await person.get("/notifications"))

    items = page.select(".notification-list .notification")
    assert [" ".join(i.cssselect("a")[0].text_content().split()) for i in items] == [
        "Unread: Your idea “Compost club” reached 3 votes",
        "Unread: Your idea “Compost club” reached 2 votes",
        "Unread: Your idea “Compost club” reached 1 vote",
    ]
    assert len(page.select(".notification--unread")) == 3
    assert [i.cssselect("a")[0].get("href") for i in items] == [f"/ideas/{idea.id}"] * 3


async def test_following_a_notification_changes_nothing_its_button_marks_it_read(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    amara, _, idea = await setup(make_user, make_challenge, make_idea)
    await add_notifications(session, amara, idea, 3)
    person = await sign_in(amara)
    newest = (await notifications_of(session, amara.id))[-1]
    item = Page(await person.get("/notifications")).one(f"#notification-{newest.id}")
    link = item.cssselect("a")[0]
    form = item.cssselect("form")[0]

    followed = await person.get(link.get("href"))
    unread_after_following = [n.read_at for n in await notifications_of(session, amara.id)]
    response = await person.post(form.get("action"), {})

    assert followed.status_code == 301  # on to the idea at its full address
    assert unread_after_following == [None, None, None]
    assert link.get("data-mark-read") == form.get("action") == f"/notifications/{newest.id}/read"
    assert form.get("method") == "post"
    assert " ".join(form.text_content().split()) == "Mark as read"
    assert response.status_code == 303
    assert response.headers["location"] == f"/notifications#notification-{newest.id}"
    read = {n.id: n.read_at for n in await notifications_of(session, amara.id)}
    assert read[newest.id] is not None
    assert sum(1 for at in read.values() if at is None) == 2
    marked = Page(await person.get("/notifications")).one(f"#notification-{newest.id}")
    assert "notification--unread" not in marked.get("class")
    assert marked.cssselect("form, a[data-mark-read]") == []


async def test_marking_read_with_htmx_answers_with_the_notification_as_it_now_stands(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    amara, _, idea = await setup(make_user, make_challenge, make_idea)
    await add_notifications(session, amara, idea, 1)
    person = await sign_in(amara)
    [told] = await notifications_of(session, amara.id)
    form = Page(await person.get("/notifications")).one(f"#notification-{told.id} form")

    response = await person.post(form.get("action"), {}, headers=HTMX)

    assert form.get("data-hx-post") == form.get("action")
    assert (form.get("data-hx-target"), form.get("data-hx-swap")) == ("closest li", "outerHTML")
    fragment = Page(response)
    assert fragment.root.get("id") == f"notification-{told.id}"
    assert fragment.root.get("class") == "notification"
    assert fragment.select("form") == []
    assert [n.read_at is not None for n in await notifications_of(session, amara.id)] == [True]


async def test_no_get_marks_a_notification_read(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    amara, _, idea = await setup(make_user, make_challenge, make_idea)
    await add_notifications(session, amara, idea, 1)
    person = await sign_in(amara)
    [told] = await notifications_of(session, amara.id)

    for path in (f"/notifications/{told.id}", f"/notifications/{told.id}/read"):
        assert (await person.get(path)).status_code in {404, 405}

    assert [n.read_at for n in await notifications_of(session, amara.id)] == [None]


async def test_a_build_on_names_the_ideas_built_on_and_the_new_one(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    amara, challenge, _ = await setup(make_user, make_challenge, make_idea)
    bruno = await make_user("Bruno")
    told = [
        ("Shared bins", {"built_on": ["Compost club"]}),
        ("Bins and worms", {"built_on": ["Compost club", "Worm farm", "Leaf pile"]}),
        ("Before titles were kept", {}),  # told before the ideas built on were named
    ]
    now = utcnow()
    rows = []
    for n, (title, data) in enumerate(told):
        built = await make_idea(challenge, bruno, title=title)
        rows.append(
            {
                "user_id": amara.id,
                "kind": "idea.built_on",
                "actor_id": bruno.id,
                "challenge_id": challenge.id,
                "idea_id": built.id,
                "data": {"idea_title": title, **data},
                "created_at": now - timedelta(minutes=n),
            }
        )
    await session.execute(insert(Notification), rows)
    await session.commit()
    person = await sign_in(amara)

    page = Page(await person.get("/notifications"))

    links = page.select(".notification-list .notification a")
    assert [" ".join(a.text_content().split()) for a in links] == [
        "Unread: Bruno built on your idea “Compost club”: “Shared bins”",
        "Unread: Bruno built on your ideas “Compost club”, “Worm farm” and “Leaf pile”:"
        " “Bins and worms”",
        "Unread: Bruno built on your idea: “Before titles were kept”",
    ]


async def test_nobody_marks_someone_elses_notification_read(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    amara, _, idea = await setup(make_user, make_challenge, make_idea)
    await add_notifications(session, amara, idea, 1)
    [theirs] = await notifications_of(session, amara.id)
    snoop = await sign_in(await make_user())

    assert (await snoop.post(f"/notifications/{theirs.id}/read", {})).status_code == 404
    [unchanged] = await notifications_of(session, amara.id)
    assert unchanged.read_at is None


async def test_visitors_are_asked_to_sign_in(visitor: Person) -> None:
    response = await visitor.get("/notifications")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/notifications"


async def test_the_page_comes_fifty_at_a_time(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    amara, _, idea = await setup(make_user, make_challenge, make_idea)
    await add_notifications(session, amara, idea, 52)
    person = await sign_in(amara)

    first = Page(await person.get("/notifications"))
    assert len(first.select(".notification")) == 50
    more = first.one(".notification-list__more a").get("href")

    rest = Page(await person.get(more, headers=HTMX))
    assert [" ".join(a.text_content().split()) for a in rest.select(".notification a")] == [
        "Unread: Your idea “Compost club” reached 2 votes",
        "Unread: Your idea “Compost club” reached 1 vote",
    ]
    assert rest.select(".notification-list__more") == []
    assert rest.select("h1") == []  # only the next items, for htmx
    assert (await person.get("/notifications?after=garbage")).status_code == 400


async def test_mark_all_as_read_leaves_what_came_after_the_page_was_shown(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    amara, _, idea = await setup(make_user, make_challenge, make_idea)
    await add_notifications(session, amara, idea, 2)
    person = await sign_in(amara)
    form = Page(await person.get("/notifications")).one("form[action='/notifications/read']")
    up_to = form.cssselect("input[name=up_to]")[0].get("value")
    await add_notifications(session, amara, idea, 1)  # arrives meanwhile

    response = await person.post("/notifications/read", {"up_to": up_to})

    assert response.status_code == 303
    assert [n.read_at is None for n in await notifications_of(session, amara.id)] == [
        False,
        False,
        True,
    ]
    page = Page(await person.get("/notifications"))
    assert len(page.select(".notification--unread")) == 1


# The badge ------------------------------------------------------------------------------


async def test_the_header_badge_counts_unread_notifications_and_refreshes_itself(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    amara, _, idea = await setup(make_user, make_challenge, make_idea)
    person = await sign_in(amara)

    header = Page(await person.get("/"))
    badge = header.one(".account-nav #notifications-badge")
    assert badge.get("aria-live") == "polite"
    assert badge.get("data-hx-get") == "/notifications/badge"
    assert "every 30s" in badge.get("data-hx-trigger")
    assert Page(await person.get("/notifications/badge")).root.text_content().strip() == ""

    await add_notifications(session, amara, idea, 3)
    fragment = Page(await person.get("/notifications/badge", headers=HTMX))
    assert " ".join(fragment.root.text_content().split()) == "3 unread notifications"

    await person.post("/notifications/read", {})
    assert Page(await person.get("/notifications/badge")).root.text_content().strip() == ""


async def test_visitors_have_no_badge(visitor: Person) -> None:
    assert Page(await visitor.get("/")).select("#notifications-badge") == []


# Following ------------------------------------------------------------------------------


async def test_following_and_unfollowing_a_challenge_with_a_plain_form(
    session: AsyncSession, make_user: Any, make_challenge: Any, sign_in: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    person = await sign_in(await make_user())
    url = f"/challenges/{challenge.slug}"
    form = Page(await person.get(url)).one(f"form#follow-challenge-{challenge.id}")
    assert form.cssselect("input[name=action]")[0].get("value") == "follow"

    response = await person.post(form.get("action"), {"action": "follow"})

    assert response.status_code == 303
    assert response.headers["location"] == url
    await session.commit()
    assert await session.get(ChallengeFollow, (person.user.id, challenge.id)) is not None
    page = Page(await person.get(url))
    assert page.text(f"#follow-challenge-{challenge.id} button") == "Unfollow this challenge"

    await person.post(form.get("action"), {"action": "unfollow"})
    await session.commit()
    assert await session.get(ChallengeFollow, (person.user.id, challenge.id)) is None


async def test_the_follow_button_swaps_in_place_with_htmx(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user())
    person = await sign_in(await make_user())
    form = Page(await person.get(f"/ideas/{idea.id}/{idea.slug}")).one(f"#follow-idea-{idea.id}")
    assert form.get("data-hx-post") == f"/ideas/{idea.id}/follow"

    response = await person.post(f"/ideas/{idea.id}/follow", {"action": "follow"}, headers=HTMX)

    assert response.status_code == 200
    fragment = Page(response)
    assert fragment.one("form").get("id") == f"follow-idea-{idea.id}"
    assert fragment.one("input[name=action]").get("value") == "unfollow"
    assert "Following" in fragment.text(".follow__status")
    await session.commit()
    assert await session.get(IdeaFollow, (person.user.id, idea.id)) is not None


async def test_an_author_follows_their_idea_from_the_start(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    amara = await make_user()
    idea = await make_idea(challenge, amara)
    page = Page(await (await sign_in(amara)).get(f"/ideas/{idea.id}/{idea.slug}"))
    assert page.text(f"#follow-idea-{idea.id} button") == "Unfollow this idea"


async def test_visitors_see_no_follow_button(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user())
    assert Page(await visitor.get(f"/challenges/{challenge.slug}")).select("form.follow") == []
    assert Page(await visitor.get(f"/ideas/{idea.id}/{idea.slug}")).select("form.follow") == []


async def test_following_asks_follow_or_unfollow(
    make_user: Any, make_challenge: Any, sign_in: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    person = await sign_in(await make_user())
    response = await person.post(f"/challenges/{challenge.slug}/follow", {"action": "shout"})
    assert response.status_code == 400


async def test_nobody_follows_a_challenge_they_cannot_see(
    session: AsyncSession, make_user: Any, make_challenge: Any, sign_in: Any
) -> None:
    from ideas.challenges.phases import Phase

    draft = await make_challenge(await make_user(host=True), phase=Phase.DRAFT)
    person = await sign_in(await make_user())
    response = await person.post(f"/challenges/{draft.slug}/follow", {"action": "follow"})
    assert response.status_code == 404
    await session.commit()
    assert await session.get(ChallengeFollow, (person.user.id, draft.id)) is None


# E-mail choice --------------------------------------------------------------------------


async def test_the_settings_page_chooses_how_often_to_get_email(
    session: AsyncSession, make_user: Any, sign_in: Any
) -> None:
    amara = await make_user()
    person = await sign_in(amara)
    page = Page(await person.get("/settings"))
    assert page.one("input[name=email_frequency][checked]").get("value") == "each"

    response = await person.post("/settings/email", {"email_frequency": "daily"})

    assert response.status_code == 303
    assert response.headers["location"] == "/settings?done=email"
    page = Page(await person.get(response.headers["location"]))
    assert page.one("input[name=email_frequency][checked]").get("value") == "daily"
    assert page.text(".notice--done") == "Your e-mail choice is saved."
    await session.commit()
    saved = await session.get(User, amara.id, populate_existing=True)
    assert saved is not None
    assert saved.email_frequency == EmailFrequency.DAILY
    assert (await person.post("/settings/email", {"email_frequency": "hourly"})).status_code == 400


async def test_team_and_phase_notifications_lead_to_the_team_and_the_challenge(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    from ideas.db import write
    from ideas.notifications.services import notify

    amara, challenge, idea = await setup(make_user, make_challenge, make_idea)
    async with write(session) as tx:
        await notify(
            tx,
            user_ids=[amara.id],
            kind="team.invitation",
            actor_id=None,
            challenge_id=challenge.id,
            idea_id=idea.id,
            data={"team_id": 7, "idea_title": idea.title},
            now=utcnow(),
        )
        await notify(
            tx,
            user_ids=[amara.id],
            kind="challenge.phase",
            actor_id=None,
            challenge_id=challenge.id,
            data={"phase": "review", "before": "ideas"},
            now=utcnow(),
        )
    team, phase = await notifications_of(session, amara.id)
    person = await sign_in(amara)

    page = Page(await person.get("/notifications"))
    assert " ".join(page.select(".notification a")[0].text_content().split()) == (
        f"Unread: “{challenge.title}” moved on to review: ideas are refined and shortlisted"
    )
    assert page.one(f"#notification-{team.id} a").get("href") == "/teams/7"
    assert page.one(f"#notification-{phase.id} a").get("href") == f"/challenges/{challenge.slug}"
