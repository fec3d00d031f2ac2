"""Open pages stay current: a vote cast on one app process shows at once on a page that
another process served, both on one PostgreSQL (LISTEN/NOTIFY carries the event)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.factories.browser import serving, sign_in_as
from tests.support.databases import new_database
from tests.support.ports import free_port

pytestmark = pytest.mark.browser

CHALLENGE = "/challenges/food-waste-in-school-canteens"
IDEA = "Menu voting the week before"  # by Mei Lin
# What reaches the page should take well under a second; a machine busy with other
# work may take longer to open a stream or send an event, which is not what is tested.
WAIT_MS = 20_000


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Two `ideas serve`, each with a folder of its own, sharing one PostgreSQL database."""
    folder = tmp_path_factory.mktemp("live-pages")
    (folder / "one").mkdir()
    (folder / "two").mkdir()
    # In a thread of its own: Playwright keeps an event loop running in this one.
    database = new_database("postgresql", folder)
    with ThreadPoolExecutor(1) as thread:
        url = thread.submit(database.__enter__).result()
    try:
        settings = {"DATABASE_URL": url, "IDEAS_ENV": "development", "IDEAS_RATE_LIMITS": "false"}
        with (
            serving(folder / "one", free_port(), demo="no crowd", **settings) as one,
            serving(folder / "two", free_port(), demo=False, **settings) as two,
        ):
            yield one, two
    finally:
        with ThreadPoolExecutor(1) as thread:
            thread.submit(database.__exit__, None, None, None).result()


def vote_count(page: Page, title: str) -> str:
    card = page.locator("li.card, article.card, .card").filter(has_text=title).first
    return card.locator(".vote__number").inner_text()


def test_a_vote_cast_on_one_process_shows_on_a_page_served_by_another(
    browser: Browser, two_processes: tuple[str, str]
) -> None:
    one, two = two_processes
    voter_context = browser.new_context(base_url=one)
    watcher_context = browser.new_context(base_url=two)
    try:
        watcher = watcher_context.new_page()
        watcher.goto(CHALLENGE)
        stream = watcher.locator(".live-stream")
        expect(stream).to_have_attribute("data-live", "open", timeout=WAIT_MS)
        before = int(vote_count(watcher, IDEA))
        voter = voter_context.new_page()
        sign_in_as(voter, "Priya Natarajan")
        voter.goto(CHALLENGE)

        voter.get_by_role("button", name=f"Vote for “{IDEA}”").click()

        card = watcher.locator(".card").filter(has_text=IDEA).first
        expect(card.locator(".vote__number")).to_have_text(str(before + 1), timeout=WAIT_MS)
        # The watcher's page was not reloaded: its stream is the one it opened.
        expect(stream).to_have_attribute("data-live", "open", timeout=WAIT_MS)
    finally:
        voter_context.close()
        watcher_context.close()


def test_a_comment_and_a_switch_of_phase_reach_an_open_idea_page(
    browser: Browser, two_processes: tuple[str, str]
) -> None:
    one, two = two_processes
    people = browser.new_context(base_url=one)
    hosts = browser.new_context(base_url=one)
    watcher_context = browser.new_context(base_url=two)
    try:
        watcher = watcher_context.new_page()
        watcher.goto(CHALLENGE)
        watcher.get_by_role("link", name=IDEA).first.click()
        expect(watcher.locator(".live-stream")).to_have_attribute(
            "data-live", "open", timeout=WAIT_MS
        )
        notice = watcher.locator("#phase-news")
        expect(notice).to_be_hidden()
        tomas = people.new_page()
        sign_in_as(tomas, "Tomás Ferreira")
        tomas.goto(CHALLENGE)
        tomas.get_by_role("link", name=IDEA).first.click()

        tomas.get_by_label("Your comment").fill("Could the menu vote run at assembly?")
        tomas.get_by_role("button", name="Post comment").click()

        expect(watcher.locator("#comment-list")).to_contain_text(
            "Could the menu vote run at assembly?", timeout=WAIT_MS
        )
        ada = hosts.new_page()
        sign_in_as(ada, "Ada Okafor")
        ada.goto(CHALLENGE)
        ada.get_by_role("button", name="Move on to Review now").click()

        expect(notice).to_be_visible(timeout=WAIT_MS)
        expect(notice.get_by_role("link")).to_have_attribute(
            "href", watcher.url.split("#")[0][len(two) :]
        )
    finally:
        people.close()
        hosts.close()
        watcher_context.close()


def test_a_page_whose_first_stream_fails_connects_again(browser: Browser, base_url: str) -> None:
    """A first connection that fails is tried again; the stream's own reconnection only
    starts once it has been open."""
    context = browser.new_context(base_url=base_url)
    asked: list[str] = []

    def busy_once(route: Route) -> None:
        asked.append(route.request.url)
        if len(asked) == 1:
            route.fulfill(status=503, headers={"Retry-After": "1"}, body="busy")
        else:
            route.continue_()

    try:
        context.route("**/events/challenges/*", busy_once)
        page = context.new_page()
        page.goto(CHALLENGE)
        stream = page.locator(".live-stream")
        expect(stream).to_have_attribute("data-live", "open", timeout=WAIT_MS)
        assert len(asked) == 2
        # What the refused request answered was not put in the page.
        expect(stream).to_be_empty()
    finally:
        context.close()


@pytest.mark.parametrize("script", ["hx-sse-4.0.1.min.js", "site.js"])
def test_a_page_whose_scripts_arrive_late_still_goes_live(
    browser: Browser, base_url: str, script: str
) -> None:
    """htmx sets the page up once its extension and the site's listeners are in place,
    however late their files arrive after htmx's own."""
    context = browser.new_context(base_url=base_url)

    def slowly(route: Route) -> None:
        time.sleep(1.5)
        route.continue_()

    try:
        context.route(f"**/js/{script}*", slowly)
        page = context.new_page()
        page.goto(CHALLENGE)
        expect(page.locator(".live-stream")).to_have_attribute("data-live", "open", timeout=WAIT_MS)
    finally:
        context.close()
