"""Participants vote for ideas and take their votes back, with and without JavaScript."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.notifications.models import IdeaFollow
from ideas.submissions.models import Idea
from ideas.web.csrf_tokens import unmask
from tests.factories.rounds import idea_url
from tests.factories.voting import button, shown_count, tally, vote, vote_url
from tests.html import Page

# Voting and withdrawing ---------------------------------------------------------


async def test_participant_votes_and_goes_back_to_the_idea(
    round_: dict[str, Any], make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    idea = round_["idea"]
    priya = await sign_in(await make_user("Priya"))
    before = idea.last_activity_at

    response = await vote(priya, idea)

    assert response.status_code == 303
    assert response.headers["location"] == f"{idea_url(idea)}#vote-{idea.id}"
    assert await tally(session, idea) == (1, 1)
    saved = await session.scalar(
        select(Idea).where(Idea.id == idea.id).execution_options(populate_existing=True)
    )
    assert saved is not None
    assert saved.last_activity_at > before
    page = Page(await priya.get(idea_url(idea)))
    pressed = button(page, idea)
    assert pressed.get("aria-pressed") == "true"
    # A toggle keeps its name; only aria-pressed (and the tick the eyes see) changes.
    assert " ".join(pressed.text_content().split()) == f"✓ Vote for “{idea.title}”"
    assert pressed.cssselect(".vote__tick")[0].get("aria-hidden") == "true"
    assert page.one(f"#vote-{idea.id} input[name=action]").get("value") == "withdraw"
    assert shown_count(page, idea) == "1 vote"
    assert page.one(f"#vote-{idea.id} .vote__count").get("aria-live") == "polite"


async def test_the_idea_page_shows_each_viewer_their_own_vote_and_follow(
    round_: dict[str, Any], make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    """Where the viewer stands with the idea and whether they follow it are read together:
    each viewer gets their own of both, in every combination."""
    idea = round_["idea"]
    voter, follower, both, neither = [
        await sign_in(await make_user(name)) for name in ("Priya", "Tomas", "Cleo", "Dara")
    ]
    for person in (voter, both):
        assert (await vote(person, idea)).status_code == 303
    session.add_all(
        [IdeaFollow(user_id=person.user.id, idea_id=idea.id) for person in (follower, both)]
    )
    await session.commit()

    for person, voted, follows in (
        (voter, True, False),
        (follower, False, True),
        (both, True, True),
        (neither, False, False),
    ):
        page = Page(await person.get(idea_url(idea)))
        assert button(page, idea).get("aria-pressed") == ("true" if voted else "false")
        follow = page.text(f"#follow-idea-{idea.id} button")
        assert follow == ("Unfollow this idea" if follows else "Follow this idea")
    assert shown_count(page, idea) == "2 votes"


async def test_participant_withdraws_their_vote(
    round_: dict[str, Any], make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    idea = round_["idea"]
    priya = await sign_in(await make_user("Priya"))
    await vote(priya, idea)

    response = await vote(priya, idea, "withdraw")

    assert response.status_code == 303
    assert await tally(session, idea) == (0, 0)
    page = Page(await priya.get(idea_url(idea)))
    assert button(page, idea).get("aria-pressed") == "false"
    assert " ".join(button(page, idea).text_content().split()) == f"Vote for “{idea.title}”"
    assert not button(page, idea).cssselect(".vote__tick")
    assert page.one(f"#vote-{idea.id} input[name=action]").get("value") == "vote"
    assert shown_count(page, idea) == "0 votes"


async def test_the_vote_button_is_a_plain_form(
    round_: dict[str, Any], make_user: Any, sign_in: Any
) -> None:
    idea = round_["idea"]
    priya = await sign_in(await make_user("Priya"))

    page = Page(await priya.get(idea_url(idea)))

    form = page.one(f"#vote-{idea.id} form")
    assert form.get("method") == "post"
    assert form.get("action") == vote_url(idea)
    assert form.get("data-hx-post") == vote_url(idea)
    assert form.get("data-hx-target") == f"#vote-{idea.id}"
    token = page.one(f"#vote-{idea.id} input[name=csrf_token]").get("value")
    assert unmask(token) == priya.csrf.encode()
    assert page.one(f"#vote-{idea.id} input[name=next]").get("value") == (
        f"{idea_url(idea)}#vote-{idea.id}"
    )


async def test_htmx_vote_answers_with_the_button_in_its_new_state(
    round_: dict[str, Any], make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    idea = round_["idea"]
    priya = await sign_in(await make_user("Priya"))

    response = await vote(priya, idea, htmx=True)

    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "idea.voted"
    assert "HX-Retarget" not in response.headers
    fragment = Page(response)
    assert fragment.select("main, html body header") == []
    assert button(fragment, idea).get("aria-pressed") == "true"
    assert shown_count(fragment, idea) == "1 vote"
    assert fragment.select("#votes-left") == []  # no budget, nothing left to count
    assert await tally(session, idea) == (1, 1)

    withdrawn = await vote(priya, idea, "withdraw", htmx=True)

    assert withdrawn.status_code == 200
    assert withdrawn.headers["HX-Trigger"] == "idea.voted"
    assert button(Page(withdrawn), idea).get("aria-pressed") == "false"
    assert shown_count(Page(withdrawn), idea) == "0 votes"
    assert await tally(session, idea) == (0, 0)


async def test_the_plain_post_goes_back_where_the_person_was_on_this_site_only(
    round_: dict[str, Any], make_user: Any, sign_in: Any
) -> None:
    idea, challenge = round_["idea"], round_["challenge"]
    priya = await sign_in(await make_user("Priya"))
    back = f"/challenges/{challenge.slug}?sort=newest#vote-{idea.id}"

    from_list = await vote(priya, idea, next=back)
    elsewhere = await vote(priya, idea, "withdraw", next="https://evil.example/")

    assert from_list.headers["location"] == back
    assert elsewhere.headers["location"] == f"{idea_url(idea)}#vote-{idea.id}"


async def test_an_unknown_action_is_refused(
    round_: dict[str, Any], make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    idea = round_["idea"]
    priya = await sign_in(await make_user("Priya"))

    response = await vote(priya, idea, "twice")

    assert response.status_code == 400
    assert await tally(session, idea) == (0, 0)
