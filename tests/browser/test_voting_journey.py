"""A participant votes within a budget, then compares ideas in pairs and sees the
pairwise ranking change, with JavaScript on (in place) and off (plain form posts).

The round is the demo's canteen challenge, without the demo's crowd, on a server
of this module's own, so no other votes, comparisons or ideas get in the way; its host first
lowers the vote budget to three. Each run has its own participant, who wrote
one of the round's six ideas: five are theirs to vote for, and they make
exactly ten pairs to compare.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.factories.browser import serving, sign_in_as
from tests.support.ports import free_port

pytestmark = pytest.mark.browser

CHALLENGE = "/challenges/food-waste-in-school-canteens"
RESULTS = f"{CHALLENGE}/results?by=pairwise"
BUDGET_SPENT = (
    "You have used all 3 of your votes in this challenge. Withdraw one to vote for another idea."
)
PORTIONS = "Let children choose their portion size"  # by Priya Natarajan
WEIGH = "A weigh station with a live leaderboard"  # by Tomás Ferreira
MENU = "Menu voting the week before"  # by Mei Lin
PLAY = "Lunch before play, not after"  # by Kwame Mensah
PORTION_AND_WEIGH = "Choose your portion, then weigh what is left"  # by Lena Novak
TERM = "A term-long portion challenge between classes"  # by Kwame Mensah
IDEAS = (PORTIONS, WEIGH, MENU, PLAY, PORTION_AND_WEIGH, TERM)


@dataclass(frozen=True)
class Participant:
    name: str
    own_idea: str
    votes: tuple[str, str, str]  # cast in this order
    refused: str  # the vote over the budget, cast after withdrawing the first one

    @property
    def others(self) -> list[str]:
        return [idea for idea in IDEAS if idea != self.own_idea]


PARTICIPANTS = {
    True: Participant("Priya Natarajan", PORTIONS, (PLAY, WEIGH, TERM), MENU),
    False: Participant("Mei Lin", MENU, (TERM, PORTIONS, PLAY), PORTION_AND_WEIGH),
}


@pytest.fixture(scope="module")
def site(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo site without its crowd, this module's alone; the canteen round allows
    three votes each."""
    with serving(
        tmp_path_factory.mktemp("voting-journey"),
        free_port(),
        demo="no crowd",
        IDEAS_ENV="development",
        IDEAS_RATE_LIMITS="false",
    ) as url:
        context = browser.new_context(base_url=url)
        host = context.new_page()
        sign_in_as(host, "Ada Okafor")
        host.goto(f"{CHALLENGE}/edit")
        host.get_by_label("Vote budget per participant").fill("3")
        host.get_by_role("button", name="Save changes").click()
        expect(host.get_by_role("heading", level=1)).to_have_text(
            "Less food waste in school canteens"
        )
        context.close()
        yield url


@pytest.fixture
def site_url(site: str) -> str:
    return site


def vote_box(page: Page, title: str) -> Locator:
    card = page.locator(".idea-card", has=page.get_by_role("link", name=title, exact=True))
    return card.locator(".vote")


def vote_count(page: Page, title: str) -> int:
    return int(vote_box(page, title).locator(".vote__number").inner_text())


def press_vote(page: Page, title: str, javascript: bool, refused: bool = False) -> None:
    """Press the vote button of ``title`` on the challenge page; without JavaScript,
    the form post lands back on the page, at the idea, unless it is refused."""
    button = re.compile(rf"for “{re.escape(title)}”$")
    vote_box(page, title).get_by_role("button", name=button).click()
    if not javascript and not refused:
        expect(page).to_have_url(re.compile(rf"{CHALLENGE}#vote-\d+$"))


def expect_vote(page: Page, title: str, count: int, voted: bool, left: str) -> None:
    box = vote_box(page, title)
    expect(box.locator(".vote__number")).to_have_text(str(count))
    expect(box.get_by_role("button")).to_have_attribute("aria-pressed", str(voted).lower())
    expect(page.locator("#votes-left")).to_have_text(left)


@dataclass(frozen=True)
class Row:
    score: float | None  # the chance of winning shown, None: not ranked yet
    rank: int | None
    comparisons: int


@dataclass(frozen=True)
class Ranking:
    comparisons: int  # in the whole round
    order: list[str]  # the ideas, highest pairwise score first
    rows: dict[str, Row]


def read_ranking(page: Page) -> Ranking:
    """The results page, sorted by pairwise score, as a reader sees it."""
    page.goto(RESULTS)
    expect(page.locator("#results thead th[aria-sort=descending]")).to_have_text("Pairwise score")
    lede = re.search(r"by (\d+) comparisons?", page.locator(".lede").inner_text())
    assert lede is not None
    rows: dict[str, Row] = {}
    order: list[str] = []
    for row in page.locator("#results tbody tr").all():
        title = row.locator(".results__idea a").inner_text()
        shown = " ".join(row.locator(".results__score").inner_text().split())
        score = re.fullmatch(
            r"wins (\d+)% against a random other idea(?: \(\d+%\u2013\d+%\))?|not ranked yet", shown
        )
        assert score is not None, shown
        rank = row.locator(".results__pairwise-rank").inner_text()
        rows[title] = Row(
            score=int(score[1]) / 100 if score[1] else None,
            rank=int(rank) if rank.isdigit() else None,  # a dash: not ranked
            comparisons=int(row.locator(".results__comparisons").inner_text()),
        )
        order.append(title)
    assert sorted(order) == sorted(IDEAS)
    return Ranking(int(lede[1]), order, rows)


def test_a_participant_votes_within_the_budget_and_compares_ten_pairs(
    new_page: Callable[[], Page], javascript: bool
) -> None:
    who = PARTICIPANTS[javascript]
    page = new_page()
    sign_in_as(page, who.name)
    page.goto(CHALLENGE)
    if javascript:
        page.evaluate("window.samePage = true")

    # Three votes to give: each one counts, and the votes left go down.
    expect(page.locator("#votes-left")).to_have_text("3 of 3 votes left in this challenge")
    expect(vote_box(page, who.own_idea)).to_contain_text("You cannot vote for your own idea.")
    lefts = (
        "2 of 3 votes left in this challenge",
        "1 of 3 votes left in this challenge",
        "You have used all 3 of your votes in this challenge",
    )
    counts = {title: vote_count(page, title) for title in who.others}
    for title, left in zip(who.votes, lefts, strict=True):
        press_vote(page, title, javascript)
        counts[title] += 1
        expect_vote(page, title, counts[title], True, left)

    # A fourth is refused with the reason, and nothing changes.
    press_vote(page, who.refused, javascript, refused=True)
    if javascript:
        expect(vote_box(page, who.refused).get_by_role("alert")).to_have_text(BUDGET_SPENT)
    else:
        expect(page.get_by_role("heading", level=1)).not_to_have_text(re.compile("Less food"))
        expect(page.locator("main")).to_contain_text(BUDGET_SPENT)
        page.goto(CHALLENGE)
    for title in who.others:
        expect(vote_box(page, title).locator(".vote__number")).to_have_text(str(counts[title]))
    expect_vote(page, who.refused, counts[who.refused], False, lefts[-1])

    # Withdrawing a vote gives it back, to vote for that idea after all.
    withdrawn = who.votes[0]
    press_vote(page, withdrawn, javascript)
    counts[withdrawn] -= 1
    expect_vote(page, withdrawn, counts[withdrawn], False, lefts[1])
    press_vote(page, who.refused, javascript)
    counts[who.refused] += 1
    expect_vote(page, who.refused, counts[who.refused], True, lefts[-1])
    if javascript:
        expect(vote_box(page, who.refused).get_by_role("alert")).to_have_count(0)
        assert page.evaluate("window.samePage") is True

    # The pairwise ranking before comparing. The idea this participant will pick
    # whenever it is shown is the one ranked lowest of those they can compare.
    before = read_ranking(page)
    favourite = [title for title in before.order if title in who.others][-1]

    # Ten pairs: every pair of the five ideas that are not theirs, each once.
    page.goto(CHALLENGE)
    page.get_by_role("link", name="Compare ideas").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare ideas")
    if javascript:
        page.evaluate("window.samePage = true")
    seen: set[frozenset[str]] = set()
    for answered in range(1, 11):
        left = page.locator("#compare-left-title").inner_text()
        right = page.locator("#compare-right-title").inner_text()
        pair = frozenset((left, right))
        assert len(pair) == 2
        assert pair <= set(who.others), "their own idea is never shown"
        assert pair not in seen, "no pair comes twice"
        seen.add(pair)
        if favourite in pair:
            page.get_by_role("button", name=f"This one: {favourite}", exact=True).click()
        else:
            page.get_by_role("button", name="Can't decide").click()
        if not javascript:
            expect(page).to_have_url(re.compile(r"/compare\?done=saved$"))
        expect(page.locator("#compare-status")).to_have_text("Saved. Here is the next pair.")
        if answered < 10:
            expect(page.locator(".compare__progress")).to_have_text(
                f"You have answered {answered} {'pair' if answered == 1 else 'pairs'}"
                " in this challenge."
            )
    expect(page.locator("#compare-heading")).to_have_text("Nothing left to compare")
    expect(page.locator(".compare__done")).to_contain_text("(10 pairs)")
    if javascript:
        assert page.evaluate("window.samePage") is True

    # The ranking changed: ten more comparisons, four more for each idea compared,
    # and the idea picked every time moved up, with a higher chance of winning.
    after = read_ranking(page)
    assert after.comparisons == before.comparisons + 10
    for title in IDEAS:
        added = 0 if title == who.own_idea else 4
        assert after.rows[title].comparisons == before.rows[title].comparisons + added, title
    picked, was = after.rows[favourite], before.rows[favourite]
    assert picked.score is not None
    assert picked.score > 0.5
    assert was.score is None or picked.score > was.score
    assert picked.rank is not None
    assert was.rank is None or picked.rank < was.rank
    assert after.order.index(favourite) < before.order.index(favourite)
    for title in who.others:
        assert after.rows[title].rank is not None, f"{title} is not ranked"
    if before.comparisons == 0:
        # In a round nobody had compared yet, the idea picked every time is now first.
        assert after.order[0] == favourite
        assert picked.rank == 1
