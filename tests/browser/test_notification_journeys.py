"""Two journeys of issue 8, in the browser, on a site of their own that sends e-mail.

"Someone builds on my idea → I see it in the badge and by e-mail": Tomás builds
on Priya's idea; her unread badge counts it, her notifications page tells her
and leads to his idea, and `ideas worker --once` sends her an e-mail, caught by
a real SMTP server on 127.0.0.1, whose link leads there too.

"Three reports hide a comment → a host restores it": three participants report
Kwame's comment; from the third report on, visitors and participants see only a
placeholder while Kwame still sees it with a notice; Hamid, a host of the
challenge, finds it through his dashboard in the moderation queue and restores
it, and everyone sees it again. With JavaScript and as plain form posts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, StorageState, expect

from tests.factories.browser import run_ideas, serving, sign_in_as
from tests.factories.notifications import Inbox
from tests.support.ports import free_port

pytestmark = pytest.mark.browser

CHALLENGE = "/challenges/food-waste-in-school-canteens"
# Demo ideas of that challenge, in the ideas phase; the second one's author is
# Mei, who takes no part in the first journey.
PORTIONS = "Let children choose their portion size"  # by Priya Natarajan
MENU_VOTING = "Menu voting the week before"  # by Mei Lin


@dataclass
class Site:
    url: str
    folder: Path
    settings: dict[str, str]
    inbox: Inbox


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The development site with its demo data, mailing through a test SMTP server;
    mail goes out when `ideas worker` runs, as on a site with a worker process."""
    inbox = Inbox(free_port())
    inbox.start()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = {
        "IDEAS_ENV": "development",
        # The journeys act far faster than people; the limits have tests of their own.
        "IDEAS_RATE_LIMITS": "false",
        "IDEAS_BASE_URL": url,
        "IDEAS_SEND_FROM_APP": "false",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(inbox.port),
        "SMTP_SECURITY": "none",
        "SMTP_FROM": "Ideas <ideas@example.org>",
    }
    folder = tmp_path_factory.mktemp("notification-journeys")
    try:
        with serving(folder, port, demo=True, **settings) as served:
            yield Site(served, folder, settings, inbox)
    finally:
        inbox.stop()


@pytest.fixture(scope="module")
def sessions() -> dict[str, StorageState]:
    """Each persona signs in once; later browsers of theirs carry the same session cookie."""
    return {}


@pytest.fixture
def people(
    browser: Browser, site: Site, sessions: dict[str, StorageState]
) -> Iterator[Callable[..., Page]]:
    """A browser of their own for each person, signed in as the persona named (or a visitor)."""
    made: list[BrowserContext] = []

    def person(name: str | None, javascript: bool = True) -> Page:
        context = browser.new_context(
            base_url=site.url,
            java_script_enabled=javascript,
            storage_state=sessions.get(name) if name is not None else None,
        )
        made.append(context)
        page = context.new_page()
        if name is not None and name not in sessions:
            sign_in_as(page, name)
            sessions[name] = context.storage_state()
        return page

    yield person
    for context in made:
        context.close()


def unread_count(page: Page) -> Locator:
    """The count the header's badge shows, once htmx has loaded it."""
    return page.locator("#notifications-badge .notifications-badge__count")


def test_someone_builds_on_my_idea_and_i_see_it_in_the_badge_and_by_email(
    site: Site, people: Callable[..., Page]
) -> None:
    # Priya has unread notifications from the demo (Lena built on her idea, among others).
    priya = people("Priya Natarajan")
    priya.goto(CHALLENGE)
    expect(unread_count(priya)).to_have_text(re.compile(r"^[1-9]\d*$"))
    before = int(unread_count(priya).inner_text())

    # Tomás builds on her idea from its page.
    tomas = people("Tomás Ferreira")
    tomas.goto(CHALLENGE)
    tomas.get_by_role("link", name=PORTIONS, exact=True).click()
    tomas.get_by_role("link", name="Build on this idea").click()
    expect(tomas.get_by_role("heading", level=1)).to_have_text("Build on an idea")
    expect(tomas.get_by_label(PORTIONS)).to_be_checked()
    tomas.get_by_label("What you took or changed").fill("took the plate sizes; adds a tasting day")
    title = "Taste first, then choose your portion"
    tomas.get_by_label("Title").fill(title)
    tomas.get_by_label("Summary").fill("Children try a spoonful of each dish before they pick.")
    tomas.get_by_role("button", name="Post the idea").click()
    expect(tomas.get_by_role("heading", level=1)).to_have_text(title)
    built_url = tomas.url

    # Priya's badge counts it on her next page.
    priya.reload()
    expect(unread_count(priya)).to_have_text(str(before + 1))
    expect(priya.locator("#notifications-badge")).to_have_text(f"{before + 1} unread notifications")

    # Her notifications page tells her, and leads to Tomás's idea.
    priya.locator(".account-nav .notifications-link").click()
    expect(priya.get_by_role("heading", level=1)).to_have_text("Notifications")
    sentence = f"Tomás Ferreira built on your idea “{PORTIONS}”: “{title}”"
    told = priya.get_by_role("link", name=sentence)
    expect(told).to_have_count(1)
    told.press("Enter")  # the link may wrap onto two lines: Enter follows it wherever it is
    expect(priya.get_by_role("heading", level=1)).to_have_text(title)
    expect(priya).to_have_url(built_url)
    expect(priya.locator(".lineage-summary")).to_contain_text(PORTIONS)
    # Read now, it no longer counts.
    expect(unread_count(priya)).to_have_text(str(before))

    # The worker sends her the e-mail; its link leads to the idea too.
    assert site.inbox.to("priya@example.org") == []
    run_ideas(site.folder, "worker", "--once", **site.settings)
    [mail] = [m for m in site.inbox.to("priya@example.org") if title in m["Subject"]]
    assert mail["Subject"] == sentence
    body = mail.get_content()
    assert f"{sentence}." in body
    link = re.search(r"See it on Ideas:\s+(\S+)", body)
    assert link is not None, body
    assert link[1].startswith(site.url + "/")
    priya.goto(link[1])
    expect(priya.get_by_role("heading", level=1)).to_have_text(title)
    expect(priya).to_have_url(built_url)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_three_reports_hide_a_comment_and_a_host_restores_it(
    people: Callable[..., Page], javascript: bool
) -> None:
    words = f"Cheap watches at watches.example, {'today' if javascript else 'this week'} only!"
    placeholder = "This comment is hidden pending review."

    # Kwame comments on Mei's idea.
    kwame = people("Kwame Mensah", javascript)
    kwame.goto(CHALLENGE)
    kwame.get_by_role("link", name=MENU_VOTING, exact=True).click()
    expect(kwame.get_by_role("heading", level=1)).to_have_text(MENU_VOTING)
    idea_url = kwame.url
    kwame.get_by_label("Your comment").fill(words)
    kwame.get_by_role("button", name="Post comment").click()
    posted = kwame.locator("#comment-list article.comment", has_text=words)
    expect(posted).to_have_count(1)
    comment = f"#{posted.get_attribute('id')}"

    # Three participants report it; the third report hides it.
    reporters = ["Lena Novak", "Tomás Ferreira", "Priya Natarajan"]
    for number, name in enumerate(reporters, start=1):
        reporter = people(name, javascript)
        reporter.goto(idea_url)
        theirs = reporter.locator(comment)
        expect(theirs).to_contain_text(words)
        theirs.locator("summary", has_text="Report").click()
        theirs.get_by_label("Spam or advertising").check()
        theirs.get_by_role("button", name="Send the report").click()
        hidden = number == len(reporters)
        if javascript:
            thanks = "Thanks — reported." + (" It is now hidden pending review." if hidden else "")
            expect(theirs.get_by_role("status")).to_have_text(thanks)
            if hidden:
                reporter.reload()
        else:
            expect(reporter).to_have_url(re.compile(rf"{re.escape(comment)}$"))
        if hidden:
            expect(theirs).to_have_text(placeholder)
        else:
            expect(theirs).to_contain_text(words)

    # A visitor sees the placeholder, not the words; Kwame sees his comment with a notice.
    visitor = people(None, javascript)
    visitor.goto(idea_url)
    expect(visitor.locator(comment)).to_have_text(placeholder)
    expect(visitor.locator("#comments")).not_to_contain_text(words)
    kwame.goto(idea_url)
    expect(kwame.locator(comment)).to_contain_text(words)
    expect(kwame.locator(comment)).to_contain_text("Hidden pending review: only you can see it.")

    # Hamid, a host of the challenge, finds it through his dashboard and restores it.
    hamid = people("Hamid Rahimi", javascript)
    hamid.goto(CHALLENGE)
    hamid.get_by_role("link", name="Dashboard and exports").click()
    hamid.get_by_role("link", name="Go to the moderation queue").click()
    expect(hamid.get_by_role("heading", level=1)).to_have_text("Moderation")
    row = hamid.locator("#queue-waiting .queue-item", has_text=words)
    expect(row.locator(".status-badge")).to_have_text("Hidden")
    expect(row.locator(".queue-item__count")).to_contain_text("3 open reports")
    expect(row.locator(".queue-item__reasons")).to_have_text(
        "Spam or advertising \N{MULTIPLICATION SIGN} 3"
    )
    row.get_by_role("button", name="Restore the comment by Kwame Mensah").click()
    restored = "Restored: it shows again, and its reports are resolved."
    if javascript:
        expect(row.get_by_role("status")).to_have_text(restored)
    else:
        expect(hamid.locator(".notice--done")).to_have_text(restored)
        expect(row).to_have_count(0)

    # Everyone sees it again; Kwame without the notice.
    visitor.reload()
    expect(visitor.locator(comment)).to_contain_text(words)
    expect(visitor.locator(comment)).not_to_contain_text(placeholder)
    kwame.reload()
    expect(kwame.locator(comment)).to_contain_text(words)
    expect(kwame.locator(comment)).not_to_contain_text("Hidden pending review")
