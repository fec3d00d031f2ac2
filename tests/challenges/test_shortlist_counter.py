"""The shortlist page's counter ("1 of 2 ideas shortlisted.") follows each change."""

from __future__ import annotations

from typing import Any

from ideas.challenges.phases import Phase
from tests.html import Page


async def test_shortlisting_in_place_sends_the_counter_as_it_now_stands(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.REVIEW)
    first = await make_idea(challenge, await make_user())
    await make_idea(challenge, await make_user())
    hamid = await sign_in(host)
    url = f"/challenges/{challenge.slug}/shortlist"
    before = Page(await hamid.get(url)).text("#shortlist-count")

    added = await hamid.post(
        f"{url}/{first.id}", {"decision": "add", "note": ""}, headers={"HX-Request": "true"}
    )
    removed = await hamid.post(
        f"{url}/{first.id}", {"decision": "remove"}, headers={"HX-Request": "true"}
    )

    assert before == "0 of 2 ideas shortlisted."
    counter = Page(added).one("#shortlist-count")
    assert counter.get("data-hx-swap-oob") == "true"
    assert " ".join(counter.text_content().split()) == "1 of 2 ideas shortlisted."
    assert Page(removed).text("#shortlist-count") == "0 of 2 ideas shortlisted."


async def test_the_counter_is_right_after_a_plain_post_and_reload(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.REVIEW)
    idea = await make_idea(challenge, await make_user())
    hamid = await sign_in(host)
    url = f"/challenges/{challenge.slug}/shortlist"

    response = await hamid.post(f"{url}/{idea.id}", {"decision": "add", "note": ""})
    page = Page(await hamid.get(url))

    assert response.status_code == 303
    assert page.text("#shortlist-count") == "1 of 1 idea shortlisted."
    assert page.one("#shortlist-count").get("data-hx-swap-oob") is None
