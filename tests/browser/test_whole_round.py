"""A whole round, told as one story: from the host's first sign-in to the visitor
reading the results.

With JavaScript, on a site whose only way in is a real OpenID Connect provider:
the host is made a host with `ideas admin grant`, creates and opens a challenge
with a budget of two votes; three participants sign in through the provider,
post ideas, build on one, comment and reply, vote until their budget runs out
and compare pairs; the host shortlists, moves on to teams, where one participant
asks to join and another is invited; the host closes the round and names a
winner, and a visitor reads the results.

Without JavaScript, on the development site with its demo data, the same core
steps are plain form posts that land back on the right page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Route, expect

from tests.accounts.oidc import running_provider
from tests.factories.browser import run_ideas, serving, sign_in_as, switch

pytestmark = pytest.mark.browser

# Where the site's "Sign in with City ID" link leads, before the provider.
SIGN_IN_START = re.compile(r"/sign-in/city(\?|$)")
BUDGET_SPENT = (
    "You have used all 2 of your votes in this challenge. Withdraw one to vote for another idea."
)


@dataclass
class Site:
    url: str
    folder: Path
    settings: dict[str, str]


@pytest.fixture(scope="module")
def city_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The site, served by `ideas serve`, with only the test provider to sign in with."""
    with running_provider() as oidc:
        # The story posts far faster than a person; the limits have tests of their own.
        settings = oidc.environ(IDEAS_RATE_LIMITS="false")
        folder = tmp_path_factory.mktemp("whole-round")
        with serving(folder, oidc.app_port, demo=False, **settings) as url:
            yield Site(url, folder, settings)


@pytest.fixture
def contexts(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    made: list[BrowserContext] = []

    def make(base_url: str, javascript: bool = True) -> BrowserContext:
        context = browser.new_context(base_url=base_url, java_script_enabled=javascript)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


def with_city_account(context: BrowserContext, account: str) -> None:
    """Have the provider sign ``account`` in: the site's redirect to the provider gets
    a login hint, as a sign-in link that names the person would."""

    def hint(route: Route) -> None:
        answer = route.fetch(max_redirects=0)
        location = answer.headers["location"]
        route.fulfill(status=302, headers={"location": f"{location}&login_hint={account}"})

    context.route(SIGN_IN_START, hint)


def sign_in_with_city_id(page: Page, name: str) -> None:
    """From the sign-in page, through the provider and back."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_role("link", name="Sign in with City ID").click()
    expect(page.locator(".account-nav .who")).to_contain_text(name)


def card(page: Page, title: str) -> Locator:
    return page.locator(".idea-card", has=page.get_by_role("link", name=title, exact=True))


def vote_from_the_list(page: Page, title: str, count: str, left: str) -> None:
    """Vote for ``title`` on the challenge page: the box changes in place."""
    box = card(page, title).locator(".vote")
    box.get_by_role("button", name=re.compile(r"^Vote for")).click()
    expect(box.get_by_role("button")).to_have_attribute("aria-pressed", "true")
    expect(box.locator(".vote__count")).to_have_text(count)
    expect(page.locator("#votes-left")).to_have_text(left)


def open_notification(page: Page, sentence: str) -> None:
    """Follow a notification from the notifications page. Its link wraps onto a second
    line, so the middle of its box is between the lines: it is followed with Enter."""
    page.goto("/notifications")
    page.get_by_role("link", name=sentence).press("Enter")
    expect(page).not_to_have_url(re.compile(r"/notifications$"))


def post_idea(page: Page, title: str, summary: str) -> str:
    page.get_by_label("Title").fill(title)
    page.get_by_label("Summary").fill(summary)
    page.get_by_role("button", name="Post the idea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    return page.url


def test_a_whole_round_from_first_sign_in_to_the_results(
    city_site: Site, contexts: Callable[..., BrowserContext]
) -> None:
    def person(account: str) -> Page:
        context = contexts(city_site.url)
        with_city_account(context, account)
        return context.new_page()

    # Hannah signs in with her city account; the site's operator makes her a host.
    host = person("hannah")
    host.goto("/")
    host.get_by_role("link", name="Sign in", exact=True).click()
    sign_in_with_city_id(host, "Hannah")
    expect(host.get_by_role("link", name="Create a challenge")).to_have_count(0)
    said = run_ideas(
        city_site.folder, "admin", "grant", "host", "hannah@example.org", **city_site.settings
    )
    assert said.strip() == "Hannah <hannah@example.org> is now a host."
    host.reload()
    expect(host.locator(".account-nav .role-badge")).to_have_text("host")

    # She drafts a challenge with two votes each, letting people join several teams.
    host.get_by_role("link", name="Create a challenge").click()
    title = "Less waste at the summer fair"
    host.get_by_label("Title").fill(title)
    host.get_by_label("Question").fill("How might we send less to the bin after the summer fair?")
    host.get_by_label("Brief").fill("Last year we filled **eleven** bins in one afternoon.")
    host.get_by_label("Vote budget per participant").fill("2")
    host.get_by_label("One team per participant").uncheck()
    host.get_by_role("button", name="Create the draft").click()
    expect(host.get_by_role("heading", level=1)).to_have_text(title)
    challenge_url = host.url
    switch(host, "Open for ideas now", "Ideas")

    # Alice signs in from the challenge, and lands on the form to post her ideas.
    alice = person("alice")
    alice.goto(challenge_url)
    alice.get_by_role("link", name="Sign in to post an idea").click()
    sign_in_with_city_id(alice, "Alice")
    expect(alice.get_by_role("heading", level=1)).to_have_text("Post an idea")
    swap_table = "A swap table for what did not sell"
    swap_url = post_idea(
        alice, swap_table, "Stallholders leave unsold food on one table; neighbours take it home."
    )
    cups = "Cups with a deposit"
    alice.goto(f"{challenge_url}/ideas/new")
    post_idea(alice, cups, "Pay a pound for a cup and get it back when you return it.")

    # Bob posts two.
    bob = person("bob")
    bob.goto(challenge_url)
    bob.get_by_role("link", name="Sign in to post an idea").click()
    sign_in_with_city_id(bob, "Bob")
    compost, boxes = "Compost bins by every stall", "Bring your own box"
    post_idea(bob, compost, "Peelings and napkins go in a bin that the school garden empties.")
    bob.goto(challenge_url)
    bob.get_by_role("link", name="Post an idea").click()
    post_idea(bob, boxes, "A discount for people who bring a box for their leftovers.")

    # Carol builds on Alice's swap table, saying what she took.
    carol = person("carol")
    carol.goto(swap_url)
    carol.get_by_role("link", name="Sign in to build on this idea").click()
    sign_in_with_city_id(carol, "Carol")
    expect(carol.get_by_role("heading", level=1)).to_have_text("Build on an idea")
    expect(carol.get_by_label(swap_table)).to_be_checked()
    carol.get_by_label("What you took or changed").fill("took the table; the scouts run it")
    scouts = "A swap table run by the scouts"
    post_idea(carol, scouts, "The scouts keep the swap table tidy and cold, and earn a badge.")
    expect(carol.locator(".lineage-summary")).to_contain_text(swap_table)

    # Bob asks about the swap table; Alice answers in place.
    bob.goto(swap_url)
    bob.get_by_label("Your comment").fill("Who keeps the food **cold**?")
    bob.get_by_role("button", name="Post comment").click()
    expect(bob.locator("#comment-list strong")).to_have_text("cold")
    alice.goto(swap_url)
    expect(alice.locator(".lineage-summary")).to_contain_text(scouts)
    expect(alice.locator(".lineage-summary")).to_contain_text("the scouts run it")
    alice.evaluate("window.samePage = true")
    alice.locator("#comment-list summary", has_text="Reply").first.click()
    alice.get_by_label("Your reply").fill("The school lends us its fridge.")
    alice.get_by_role("button", name="Post reply").click()
    expect(alice.locator(".comment-replies")).to_contain_text("The school lends us its fridge.")
    expect(alice.locator("#comments-heading")).to_have_text("Comments (2)")
    assert alice.evaluate("window.samePage") is True

    # Each votes twice from the list of ideas; a third vote is refused where it was cast.
    ballots = [
        (alice, [(scouts, "1 vote"), (compost, "1 vote")], boxes),
        (bob, [(swap_table, "1 vote"), (scouts, "2 votes")], cups),
        (carol, [(swap_table, "2 votes"), (cups, "1 vote")], compost),
    ]
    for voter, votes, third in ballots:
        voter.goto(challenge_url)
        expect(voter.locator("#votes-left")).to_have_text("2 of 2 votes left in this challenge")
        voter.evaluate("window.samePage = true")
        (first, first_count), (second, second_count) = votes
        vote_from_the_list(voter, first, first_count, "1 of 2 votes left in this challenge")
        vote_from_the_list(
            voter, second, second_count, "You have used all 2 of your votes in this challenge"
        )
        refused = card(voter, third).locator(".vote")
        before = refused.locator(".vote__count").text_content()
        refused.get_by_role("button", name=re.compile(r"^Vote for")).click()
        expect(refused.get_by_role("alert")).to_have_text(BUDGET_SPENT)
        expect(refused.locator(".vote__count")).to_have_text(before or "")
        expect(refused.get_by_role("button")).to_have_attribute("aria-pressed", "false")
        assert voter.evaluate("window.samePage") is True

    # Bob and Carol compare a few pairs.
    for comparer in (bob, carol):
        comparer.goto(challenge_url)
        comparer.get_by_role("link", name="Compare ideas").click()
        expect(comparer.get_by_role("heading", level=1)).to_have_text("Compare ideas")
        for answered in ("1 pair", "2 pairs"):
            comparer.get_by_role("button", name=re.compile(r"^This one: ")).first.click()
            expect(comparer.locator("#compare-status")).to_have_text(
                "Saved. Here is the next pair."
            )
            expect(comparer.locator(".compare__progress")).to_have_text(
                f"You have answered {answered} in this challenge."
            )

    # The host moves to review and shortlists the swap table and the scouts' version.
    host.goto(challenge_url)
    switch(host, "Move on to Review now", "Review")
    host.get_by_role("link", name="Shortlist").click()
    for idea, note in [(swap_table, "Which stalls would give food?"), (scouts, "")]:
        row = host.locator(".host-row", has_text=idea)
        row.get_by_label("Note to the authors").fill(note)
        row.get_by_role("button", name="Shortlist").click()
        expect(row.get_by_role("button", name="Remove from the shortlist")).to_be_visible()
    host.reload()
    expect(host.locator("#shortlist-count")).to_have_text("2 of 5 ideas shortlisted.")
    host.goto(challenge_url)
    switch(host, "Move on to Teams now", "Teams")

    # Bob asks to join the team of the swap table.
    bob.goto(challenge_url)
    bob.get_by_role("link", name="Teams", exact=True).click()
    bob.get_by_role("link", name=swap_table, exact=True).click()
    expect(bob.get_by_role("heading", level=1)).to_have_text(f"The team working on “{swap_table}”")
    team_url = bob.url
    bob.get_by_label("Your message to the lead").fill("I can carry tables.")
    bob.get_by_role("button", name="Ask to join").click()
    expect(bob.locator("#team-status")).to_have_text("Your request was sent to the lead.")
    expect(bob.locator("#team-join")).to_contain_text("You asked to join")

    # Alice, its lead, hears of it, accepts him, and invites Carol.
    open_notification(alice, f"Bob asks to join the team of “{swap_table}”")
    expect(alice).to_have_url(team_url)
    asked = alice.locator(".request-card", has_text="Bob")
    expect(asked).to_contain_text("I can carry tables.")
    asked.get_by_role("button", name="Accept Bob").click()
    expect(alice.locator("#team-status")).to_have_text("Bob joined the team.")
    expect(alice.locator("#team-members .count")).to_have_text("2 of 6")
    expect(alice.locator("#team-members")).to_contain_text("Bob")
    alice.get_by_label("The e-mail address they sign in with").fill("carol@example.org")
    alice.get_by_label("A message for them").fill("Your scouts would make it work.")
    alice.get_by_role("button", name="Send the invitation").click()
    expect(alice.locator("#team-status")).to_have_text(
        "If someone uses that address, they have been invited."
    )
    expect(alice.locator(".team-requests")).to_contain_text("carol@example.org")

    # Carol finds the invitation and accepts it on her requests.
    open_notification(carol, f"Alice invites you to join the team of “{swap_table}”")
    expect(carol.locator("#team-join")).to_contain_text("The lead invited you to join.")
    carol.locator("#team-join").get_by_role("link", name="your requests").click()
    expect(carol.get_by_role("heading", level=1)).to_have_text("Your requests and invitations")
    invitation = carol.locator(".request-card", has_text=swap_table)
    expect(invitation).to_contain_text("Your scouts would make it work.")
    invitation.get_by_role("button", name=re.compile(r"^Accept")).click()
    expect(carol.locator("#requests-status")).to_have_text("You joined the team.")
    expect(carol.locator(".request-card", has_text=swap_table)).to_contain_text("Accepted")
    alice.goto(team_url)
    expect(alice.locator("#team-members .count")).to_have_text("3 of 6")
    expect(alice.locator("#team-members")).to_contain_text("Carol")

    # The host closes the round, then names the swap table a winner.
    host.goto(challenge_url)
    switch(host, "Close the round now", "Closed")
    host.get_by_role("link", name="Winners").click()
    row = host.locator(".host-row", has_text=swap_table)
    row.get_by_label("Citation").fill("Nothing went to the bin that anyone could still eat.")
    row.get_by_role("button", name="Name as a winner").click()
    expect(row.get_by_role("button", name="Take the win back")).to_be_visible()

    # A visitor sees the winner first, on the home page and on the challenge page ...
    visitor = contexts(city_site.url).new_page()
    visitor.goto("/")
    closed = visitor.locator("section[aria-labelledby=closed-heading] .card", has_text=title)
    expect(closed.locator(".card__winners")).to_contain_text(swap_table)
    closed.get_by_role("link", name=title).click()
    expect(visitor.locator(".challenge h2:not(.visually-hidden)").first).to_have_text("Winners")
    expect(visitor.locator(".winner-card")).to_have_count(1)
    expect(visitor.locator(".winner-card")).to_contain_text(swap_table)
    expect(visitor.locator(".winner-card .citation")).to_contain_text("Nothing went to the bin")

    # ... and the results: votes, and the pairwise scores from the comparisons.
    visitor.get_by_role("link", name="Results: votes and pairwise ranking").click()
    expect(visitor.locator(".lede")).to_contain_text("by 4 comparisons")
    expected_votes = {swap_table: "2", scouts: "2", compost: "1", cups: "1", boxes: "0"}
    for idea, shown_votes in expected_votes.items():
        result = visitor.locator("#results tbody tr", has_text=idea)
        expect(result.locator(".results__votes")).to_have_text(shown_votes)
    expect(visitor.locator("#results tbody tr").first.locator(".results__votes")).to_have_text("2")
    sort = visitor.get_by_role("navigation", name="Sort the results")
    sort.get_by_role("link", name="Pairwise score").click()
    expect(sort.get_by_role("link", name="Pairwise score")).to_have_attribute(
        "aria-current", "true"
    )
    expect(visitor.locator("#results thead th[aria-sort=descending]")).to_have_text(
        "Pairwise score"
    )
    top = visitor.locator("#results tbody tr").first
    expect(top.locator(".results__score")).to_contain_text(re.compile(r"wins \d+%"))
    expect(top.locator(".results__pairwise-rank")).to_have_text("1")
    total = sum(
        int(cell) for cell in visitor.locator("#results .results__comparisons").all_text_contents()
    )
    assert total == 2 * 4  # each comparison counts for both of its ideas


def test_the_core_steps_work_as_plain_form_posts(
    base_url: str, contexts: Callable[..., BrowserContext]
) -> None:
    page = contexts(base_url, javascript=False).new_page()
    sign_in_as(page, "Lena Novak")
    challenge = "/challenges/food-waste-in-school-canteens"

    # Lena posts an idea and lands on it.
    page.goto(challenge)
    page.get_by_role("link", name="Post an idea").click()
    idea = "Doggy bags for the canteen"
    post_idea(page, idea, "Children take home what they did not finish, in a paper bag.")
    expect(page).to_have_url(re.compile(r"/ideas/\d+/doggy-bags-for-the-canteen$"))

    # She votes from the list and comes back to it, her vote counted.
    page.goto(challenge)
    weigh = "A weigh station with a live leaderboard"
    box = card(page, weigh).locator(".vote")
    before = int(box.locator(".vote__number").text_content() or "0")
    box.get_by_role("button", name=re.compile(r"^Vote for")).click()
    expect(page).to_have_url(re.compile(rf"{challenge}#vote-\d+$"))
    box = card(page, weigh).locator(".vote")
    expect(box.locator(".vote__number")).to_have_text(str(before + 1))
    expect(box.get_by_role("button")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#votes-left")).to_contain_text("4 of 5 votes left")

    # She comments on that idea and lands on her comment.
    card(page, weigh).get_by_role("link", name=weigh).click()
    page.get_by_label("Your comment").fill("Could the scale show *grams per child*?")
    page.get_by_role("button", name="Post comment").click()
    expect(page).to_have_url(re.compile(r"/ideas/\d+/a-weigh-station-[a-z-]+#comment-\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(weigh)
    expect(page.locator("#comment-list")).to_contain_text("Could the scale show grams per child?")
    expect(page.locator("#comment-list em")).to_have_text("grams per child")

    # She asks to join a team in the round that is forming teams.
    page.goto("/challenges/welcoming-newcomers")
    page.get_by_role("link", name="Teams", exact=True).click()
    buddy = "A neighbour buddy for the first month"
    page.get_by_role("link", name=buddy).click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(f"The team working on “{buddy}”")
    team_url = page.url
    page.get_by_label("Your message to the lead").fill("I can walk with newcomers on Sundays.")
    page.get_by_role("button", name="Ask to join").click()
    expect(page.locator("#team-join")).to_contain_text("You asked to join")
    expect(page).to_have_url(re.compile(rf"^{re.escape(team_url)}(#.*)?$"))
    expect(heading).to_have_text(f"The team working on “{buddy}”")
