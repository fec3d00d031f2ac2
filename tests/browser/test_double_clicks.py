"""A double click posts once: "Post the idea" and "Post comment", with JavaScript on.

While htmx sends a form it is not sent again (static/js/site.js); the
server makes what a form makes once whatever arrives (ideas.form_tokens).
A form the browser sends twice, as a slow network's second press does,
still makes one. What the form fetches for itself on the way (similar ideas,
the parents picker, the preview) does not hold the form back.
"""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, Route, expect

from tests.factories.browser import sign_in_as

pytestmark = pytest.mark.browser
CHALLENGE = "/challenges/food-waste-in-school-canteens"


def test_a_double_click_posts_one_idea_and_one_comment(page: Page) -> None:
    marker = uuid.uuid4().hex[:6]
    title = f"Smaller plates {marker}"
    sign_in_as(page, "Priya Natarajan")

    page.goto(f"{CHALLENGE}/ideas/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Summary").fill("Children take what they can finish, then come back.")
    page.get_by_role("button", name="Post the idea").dblclick()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    idea_url = page.url

    words = f"Tried it at home {marker}: it works."
    page.get_by_label("Your comment").fill(words)
    page.get_by_role("button", name="Post comment").dblclick()
    expect(page.locator("article.comment", has_text=words)).to_have_count(1)

    page.goto(idea_url)
    expect(page.locator("article.comment", has_text=words)).to_have_count(1)
    page.goto(f"{CHALLENGE}?q={marker}")
    expect(page.get_by_role("link", name=title)).to_have_count(1)


def test_a_form_sent_twice_by_the_browser_posts_once(page: Page) -> None:
    """Past the page's own guard: the same form sent twice at once, as a browser that
    sends it again does. The server answers both with the same idea, and makes one."""
    marker = uuid.uuid4().hex[:6]
    title = f"Soup from leftovers {marker}"
    sign_in_as(page, "Mei Lin")

    page.goto(f"{CHALLENGE}/ideas/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Summary").fill("The kitchen cooks Friday's soup from the week's vegetables.")
    landed = page.locator("#idea-form").evaluate(
        """async form => {
            const send = () => fetch(form.action, {method: "POST", body: new FormData(form)});
            const answers = await Promise.all([send(), send()]);
            return answers.map(answer => [answer.status, new URL(answer.url).pathname]);
        }"""
    )

    assert [status for status, _ in landed] == [200, 200]  # each followed its redirect
    assert landed[0][1] == landed[1][1]
    assert landed[0][1].startswith("/ideas/")
    page.goto(f"{CHALLENGE}?q={marker}")
    expect(page.get_by_role("link", name=title)).to_have_count(1)


def test_an_idea_posts_while_similar_ideas_are_still_on_their_way(page: Page) -> None:
    """Similar ideas are fetched as the title is typed; on a slow line they are still
    coming when the author presses "Post the idea", which must post all the same."""
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)  # never answered: the similar ideas stay on their way

    page.route("**/ideas/similar?*", hold)
    title = f"Compost bins by the door {uuid.uuid4().hex[:6]}"
    sign_in_as(page, "Kwame Mensah")

    page.goto(f"{CHALLENGE}/ideas/new")
    page.get_by_label("Summary").fill("Peelings go to the school garden, weighed each week.")
    with page.expect_request(lambda request: "/ideas/similar?" in request.url):
        page.get_by_label("Title").fill(title)
    page.get_by_role("button", name="Post the idea").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert held, "the similar ideas were asked for"
