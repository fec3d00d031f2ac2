"""axe finds no WCAG 2.x A/AA violations on the main pages, light and dark;
the keyboard reaches everything; pages raise no console errors or CSP reports."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

from tests.factories.browser import sign_in_as

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
CHALLENGE = "/challenges/food-waste-in-school-canteens"
IDEA = "/ideas/1/let-children-choose-their-portion-size"


@pytest.fixture(params=["light", "dark"])
def scheme_context(
    browser: Browser, base_url: str, request: pytest.FixtureRequest
) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=base_url, color_scheme=request.param)
    yield context
    context.close()


def assert_no_violations(page: Page, label: str) -> None:
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{label}:\n{results.generate_report()}"


def test_public_pages_have_no_accessibility_violations(scheme_context: BrowserContext) -> None:
    page = scheme_context.new_page()
    for path in [
        "/",
        CHALLENGE,
        IDEA,
        "/sign-in",
        f"{CHALLENGE}/results",
        f"{CHALLENGE}/results?by=pairwise",
        "/challenges/cleaner-air-at-the-market/results",
        "/challenges/cleaner-air-at-the-market",  # a closed round, with what its teams did
    ]:
        page.goto(path)
        assert_no_violations(page, path)


def test_error_pages_have_no_accessibility_violations(scheme_context: BrowserContext) -> None:
    page = scheme_context.new_page()
    for path, status, person in [
        ("/no-such-page", 404, None),
        ("/sign-out", 405, None),
        # A visitor would be sent to sign in; a participant is refused.
        ("/admin/people", 403, "Priya Natarajan"),
    ]:
        if person is not None:
            sign_in_as(page, person)
        response = page.goto(path)
        assert response is not None
        assert response.status == status, path
        expect(page.locator(".error-page__code")).to_have_text(str(status))
        assert_no_violations(page, f"error page {status}")


def test_participant_pages_have_no_accessibility_violations(scheme_context: BrowserContext) -> None:
    page = scheme_context.new_page()
    sign_in_as(page, "Priya Natarajan")
    page.goto(CHALLENGE)
    assert_no_violations(page, "challenge, signed in")
    page.goto(f"{CHALLENGE}/ideas/new")
    assert_no_violations(page, "post an idea")
    page.get_by_role("button", name="Post the idea").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_violations(page, "post an idea, with errors")
    for path, label in [
        (f"{IDEA}", "own idea with co-authors and comments"),
        ("/ideas/1/edit", "edit an idea"),
        ("/ideas/1/history", "history of an idea"),
        ("/ideas/5/lineage", "lineage"),
        (f"{CHALLENGE}/ideas/new?builds_on=1&builds_on=2", "build on two ideas"),
        ("/search?q=portion", "search"),
        (f"{CHALLENGE}?q=plates&sort=relevance", "challenge, searched"),
    ]:
        page.goto(path)
        assert_no_violations(page, label)
    page.goto(IDEA)
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment-form .field-error")).to_be_visible()
    assert_no_violations(page, "comment, with errors")
    page.goto(f"{CHALLENGE}/compare")
    assert_no_violations(page, "compare ideas")
    page.get_by_role("button", name="Can't decide").click()
    expect(page.locator("#compare-status")).to_have_text("Saved. Here is the next pair.")
    assert_no_violations(page, "compare ideas, after an answer")
    page.goto("/notifications")
    expect(page.locator(".notification").first).to_be_visible()
    assert_no_violations(page, "notifications")
    page.goto("/challenges/welcoming-newcomers/teams")
    assert_no_violations(page, "teams of a challenge")
    page.get_by_role("link", name="A neighbour buddy for the first month").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("The team working on")
    assert_no_violations(page, "a team, seen by a member")
    page.goto("/teams/requests")
    assert_no_violations(page, "requests and invitations")
    page.goto("/challenges/cleaner-air-at-the-market/impact")
    assert_no_violations(page, "a closed round's impact")
    page.get_by_role(
        "link", name="Impact and pledges: Cargo-bike deliveries for the last mile"
    ).click()
    expect(page.locator("#pledge-counts")).to_be_visible()
    assert_no_violations(page, "a team's impact and pledges")


def test_host_pages_have_no_accessibility_violations(scheme_context: BrowserContext) -> None:
    page = scheme_context.new_page()
    sign_in_as(page, "Hamid Rahimi")
    page.goto("/challenges/safer-walks-to-school")
    assert_no_violations(page, "draft challenge with host tools")
    page.goto("/challenges/new")
    assert_no_violations(page, "create a challenge")
    page.get_by_role("button", name="Create the draft").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_violations(page, "create a challenge, with errors")
    for path, label in [
        ("/challenges/safer-walks-to-school/edit", "edit a challenge"),
        ("/challenges/safer-walks-to-school/hosts", "hosts"),
        ("/hosting", "invitations to co-host"),
        ("/challenges/warmer-homes-this-winter/shortlist", "shortlist"),
        ("/challenges/cleaner-air-at-the-market/winners", "winners"),
        ("/challenges/cleaner-air-at-the-market", "closed challenge with winners"),
        ("/challenges/cleaner-air-at-the-market/impact", "a closed round's impact, for hosts"),
        ("/challenges/warmer-homes-this-winter/dashboard", "host dashboard"),
        ("/challenges/warmer-homes-this-winter/moderation", "moderation queue"),
        ("/challenges/warmer-homes-this-winter/jury/setup", "jury, in review"),
        ("/challenges/safer-walks-to-school/jury/setup", "jury setup, in draft"),
        ("/challenges/warmer-homes-this-winter/results", "results with the jury, for hosts"),
    ]:
        page.goto(path)
        assert_no_violations(page, label)
    page.goto("/challenges/safer-walks-to-school/hosts")
    page.get_by_role("button", name="Invite to co-host").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_violations(page, "hosts, with errors")


def test_juror_pages_have_no_accessibility_violations(scheme_context: BrowserContext) -> None:
    page = scheme_context.new_page()
    sign_in_as(page, "Kwame Mensah")
    for path, label in [
        ("/challenges/warmer-homes-this-winter/jury", "a juror's queue"),
        ("/challenges/warmer-homes-this-winter/jury/ideas/8", "scoring an idea"),
        ("/challenges/warmer-homes-this-winter/results", "results, blind for a juror"),
    ]:
        page.goto(path)
        assert_no_violations(page, label)


def test_the_skip_link_is_the_first_tab_stop_and_leads_to_the_content(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_a_participant_can_post_an_idea_with_the_keyboard_alone(page: Page) -> None:
    sign_in_as(page, "Kwame Mensah")
    page.goto(CHALLENGE)
    link = page.get_by_role("link", name="Post an idea")
    link.focus()
    page.keyboard.press("Enter")
    page.get_by_label("Title").focus()
    page.keyboard.type("Keyboard-only idea")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Summary")).to_be_focused()
    page.keyboard.type("Typed without a mouse.")
    page.keyboard.press("Tab")
    expect(page.get_by_label("The idea in full")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Preview")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("combobox", name="Language")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Picture", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Describe the picture")).to_be_focused()
    for tag in ["Kitchen", "Menus", "Families", "Data"]:
        page.keyboard.press("Tab")
        expect(page.get_by_label(tag)).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Post the idea")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Keyboard-only idea")


def test_a_participant_can_vote_with_the_keyboard_alone(page: Page) -> None:
    sign_in_as(page, "Mei Lin")
    page.goto(IDEA)
    button = page.locator("#vote-button-1")
    count = page.locator("#vote-count-1")
    left = page.locator("#votes-left")
    votes = int(count.locator(".vote__number").text_content() or "")
    expect(count).to_have_attribute("aria-live", "polite")
    expect(left).to_have_text("5 of 5 votes left in this challenge")
    # The live regions must stay where they are for the new text to be read out.
    page.evaluate(
        "for (const id of ['vote-count-1', 'votes-left']) document.getElementById(id).kept = true"
    )

    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "vote-button-1":
            break
    expect(button).to_be_focused()
    expect(button).to_have_attribute("aria-pressed", "false")

    page.keyboard.press("Enter")
    expect(count).to_have_text(f"{votes + 1} {'vote' if votes + 1 == 1 else 'votes'}")
    expect(left).to_have_text("4 of 5 votes left in this challenge")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_be_focused()

    page.keyboard.press("Space")
    expect(count).to_have_text(f"{votes} {'vote' if votes == 1 else 'votes'}")
    expect(left).to_have_text("5 of 5 votes left in this challenge")
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(button).to_be_focused()
    kept = "['vote-count-1', 'votes-left'].every(id => document.getElementById(id).kept)"
    assert page.evaluate(kept) is True


def test_pages_raise_no_console_errors_or_csp_violations(page: Page) -> None:
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"} and not re.search(r"favicon", message.text):
            problems.append(f"{message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    sign_in_as(page, "Mei Lin")
    for path in ["/", CHALLENGE, IDEA, f"{CHALLENGE}/ideas/new"]:
        page.goto(path)
        # The page's event stream stays open, so the network is never idle: wait until
        # the page's scripts have run and its stream is connected.
        expect(page.locator(".live-stream")).to_have_attribute("data-live", "open")
    page.goto(CHALLENGE)
    page.get_by_role("link", name="Newest").click()
    expect(page.get_by_role("link", name="Newest")).to_have_attribute("aria-current", "true")
    assert problems == []


def test_account_pages_have_no_accessibility_violations(scheme_context: BrowserContext) -> None:
    page = scheme_context.new_page()
    sign_in_as(page, "Ada Okafor")
    page.goto("/settings")
    assert_no_violations(page, "settings")
    page.get_by_label("Name").fill("")
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator("#f-display_name-error")).to_be_visible()
    assert_no_violations(page, "settings, with errors")
    page.goto("/people/1")
    assert_no_violations(page, "profile")
    page.goto("/admin/people")
    assert_no_violations(page, "admin: people")
    page.goto("/settings/delete")
    assert_no_violations(page, "delete my account")
