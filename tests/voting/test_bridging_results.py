"""Bridging in a challenge: fitted by the worker, never by a request; shown on the results
page and in the API beside votes and pairwise, or "not enough data yet"; and recomputed
from the exports to the same numbers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.cli import main as cli
from ideas.db import Database, utcnow
from ideas.voting import bridging, bridging_services, explain, services
from ideas.voting.compare_services import refit
from ideas.voting.models import BridgingFit
from tests.api.schema import assert_conforms
from tests.factories.accounts import Person
from tests.factories.bridging import fit_in_the_worker, two_camps
from tests.factories.comparing import results_url
from tests.html import Page


def api_url(slug: str) -> str:
    return f"/api/v1/challenges/{slug}/results"


async def test_the_worker_fits_bridging_and_the_results_show_it_beside_votes_and_pairwise(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    session: AsyncSession,
    database: Database,
    visitor: Person,
) -> None:
    camps = await two_camps(session, make_user, make_challenge, make_idea, host, author)
    await refit(session, camps.challenge.id, utcnow())

    assert await fit_in_the_worker(database) == 1

    page = Page(await visitor.get(results_url(camps.challenge)))
    headers = [th.text_content().strip() for th in page.select("#results thead th")]
    assert headers[:8] == [
        "Idea",
        "Votes",
        "Rank by votes",
        "Pairwise score",
        "Rank by comparisons",
        "Comparisons",
        "Bridging score",
        "Rank by bridging",
    ]
    shared = f"#result-{camps.shared.id}"
    assert page.text(f"{shared} .results__bridging-rank") == "1"
    assert page.text(f"{shared} .results__vote-rank") != "1"
    assert page.one(f"{shared} .results__bridging .results__interval") is not None
    assert "opinion groups of 8 and 6 people" in page.text("#bridging-status")
    assert page.text("#method-bridging")
    # Sorted by bridging, the shared idea comes first.
    by_bridging = Page(await visitor.get(results_url(camps.challenge, "by=bridging")))
    assert by_bridging.select("#results tbody tr")[0].get("id") == f"result-{camps.shared.id}"

    api = await visitor.get(api_url(camps.challenge.slug))
    assert_conforms(api, "/challenges/{slug}/results")
    body = api.json()
    assert body["bridging"]["enough_data"] is True
    assert body["bridging"]["groups"] == [8, 6]
    assert body["bridging"]["people"] == 14
    assert body["methods"]["bridging"]["parameters"]["seed"] == bridging.SEED
    top = min(
        (item for item in body["items"] if item["bridging"]), key=lambda i: i["bridging"]["rank"]
    )
    assert top["title"] == "Safer crossings for everyone"
    assert top["bridging"]["low"] <= top["bridging"]["score"] <= top["bridging"]["high"]
    # People are never named: only the groups' sizes appear.
    assert "Camp A" not in api.text
    assert "Camp A" not in page.text("main")


async def test_below_the_minimums_the_page_and_the_api_say_not_enough_data_yet(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    session: AsyncSession,
    database: Database,
    visitor: Person,
) -> None:
    camps = await two_camps(
        session, make_user, make_challenge, make_idea, host, author, sizes=(4, 3)
    )

    assert await fit_in_the_worker(database) == 1

    page = Page(await visitor.get(results_url(camps.challenge)))
    assert "not enough data yet" in page.text("#bridging-status")
    assert page.select("#results .results__bridging") == []
    assert "Bridging score" not in [th.text_content() for th in page.select("#results th")]
    api = await visitor.get(api_url(camps.challenge.slug))
    assert_conforms(api, "/challenges/{slug}/results")
    assert api.json()["bridging"]["enough_data"] is False
    assert api.json()["bridging"]["groups"] == []
    assert all(item["bridging"] is None for item in api.json()["items"])


async def test_reading_the_results_never_fits_bridging(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    session: AsyncSession,
    visitor: Person,
) -> None:
    camps = await two_camps(session, make_user, make_challenge, make_idea, host, author)

    await visitor.get(results_url(camps.challenge))
    api = await visitor.get(api_url(camps.challenge.slug))

    assert await session.scalar(select(func.count()).select_from(BridgingFit)) == 0
    assert "not enough data yet" in Page(await visitor.get(results_url(camps.challenge))).text(
        "#bridging-status"
    )
    assert api.json()["bridging"] == {
        "enough_data": False,
        "fitted_at": None,
        "people": 0,
        "ratings": 0,
        "groups": [],
        "minimums": {"people": 8, "ratings_per_person": 3, "ratings_per_idea": 5},
    }


async def test_the_worker_fits_again_only_once_enough_has_changed(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    session: AsyncSession,
    database: Database,
) -> None:
    camps = await two_camps(session, make_user, make_challenge, make_idea, host, author)
    assert await fit_in_the_worker(database) == 1
    # Nothing changed: no fit.
    assert await fit_in_the_worker(database) == 0
    # One more vote: too little to fit again at once…
    newcomer = await make_user("Newcomer")
    await services.cast_vote(session, idea_id=camps.shared.id, user_id=newcomer.id, now=utcnow())
    assert await fit_in_the_worker(database) == 0
    # …but once the last fit is old, any change is enough.
    await session.execute(
        update(BridgingFit)
        .where(BridgingFit.challenge_id == camps.challenge.id)
        .values(fitted_at=utcnow() - bridging_services.REFIT_AFTER - timedelta(seconds=1))
    )
    await session.commit()
    assert await fit_in_the_worker(database) == 1


async def test_the_exports_recompute_the_numbers_on_the_results_page(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    session: AsyncSession,
    database: Database,
    sign_in: Any,
    tmp_path: Path,
) -> None:
    camps = await two_camps(session, make_user, make_challenge, make_idea, host, author)
    challenge = camps.challenge
    await refit(session, challenge.id, utcnow())
    await fit_in_the_worker(database)
    hamid = await sign_in(host)
    page = Page(await hamid.get(results_url(challenge)))
    api = (await hamid.get(api_url(challenge.slug))).json()
    # The host downloads the three exports the page links to.
    links = {a.get("href") for a in page.select(".results__method a")}
    for name in ("ideas", "votes", "comparisons"):
        url = f"/challenges/{challenge.slug}/export/{name}.csv"
        assert name == "ideas" or url in links
        response = await hamid.get(url)
        assert response.status_code == 200
        (tmp_path / f"{challenge.slug}-{name}.csv").write_text(response.text, encoding="utf-8")

    from_files = explain.recompute(explain.read_files(tmp_path, challenge.slug))
    from_database = explain.recompute(await explain.load(session, challenge.id))
    printed = CliRunner().invoke(
        cli, ["rank", "--explain", challenge.slug, "--from", str(tmp_path)]
    )

    assert from_files == from_database
    assert printed.exit_code == 0, printed.output
    assert printed.output.splitlines() == explain.lines(from_files)
    by_title = {item["title"]: item for item in api["items"]}
    for numbers in from_files.ideas:
        item = by_title[numbers.title]
        assert item["votes"] == numbers.votes
        assert item["pairwise"]["score"] == round(numbers.pairwise or 0, 6)
        assert numbers.bridging is not None
        assert item["bridging"] == {
            "score": round(numbers.bridging.score, 6),
            "low": round(numbers.bridging.low, 6),
            "high": round(numbers.bridging.high, 6),
            "ratings": numbers.bridging.ratings,
            "rank": numbers.bridging_rank,
        }
        # And the page prints the same figures the command prints.
        row = f"#result-{numbers.idea_id}"
        line = next(x for x in printed.output.splitlines() if x.startswith(f"{numbers.idea_id}\t"))
        assert f"votes {page.text(row + ' .results__votes')}," in line
        assert f"bridging {page.text(row + ' .results__bridging-score')} (" in line
        assert f"pairwise {explain.percent(numbers.pairwise or 0)}" in line
        assert explain.percent(numbers.pairwise or 0) in page.text(row + " .results__score")


async def test_the_votes_and_comparisons_exports_name_people_by_one_number(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    session: AsyncSession,
    sign_in: Any,
) -> None:
    camps = await two_camps(session, make_user, make_challenge, make_idea, host, author)
    hamid = await sign_in(host)

    votes = (await hamid.get(f"/challenges/{camps.challenge.slug}/export/votes.json")).json()
    compared = (
        await hamid.get(f"/challenges/{camps.challenge.slug}/export/comparisons.json")
    ).json()

    # The first camp acted first, person by person: numbers 1 to 8, then 9 to 14.
    voters = {v["participant"] for v in votes}
    answering = {c["participant"] for c in compared}
    assert voters == answering == set(range(1, 15))
    assert "Camp" not in str(votes) + str(compared)
    first = camps.ideas[0][0].id
    assert {v["participant"] for v in votes if v["idea_id"] == first} == set(range(1, 9))
