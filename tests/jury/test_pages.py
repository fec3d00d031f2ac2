"""The jury's pages, through HTTP: a host sets up the jury, two jurors score blind, one
declares a conflict, the host sees the agreement and publishes, the results show it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges import services as challenges
from ideas.challenges.phases import Phase
from ideas.db import utcnow
from tests.api.schema import assert_conforms
from tests.factories.jury import jury_round
from tests.html import Page


async def test_a_jury_from_setup_to_the_published_results(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    host_user: User = await make_user("Host", host=True)
    challenge = await make_challenge(host_user, phase=Phase.IDEAS)
    authors = [await make_user(f"Author {n}") for n in range(3)]
    ideas = [await make_idea(challenge, a, title=f"Idea {n}") for n, a in enumerate(authors)]
    ana: User = await make_user("Ana")
    ben: User = await make_user("Ben")
    host = await sign_in(host_user)
    base = f"/challenges/{challenge.slug}/jury"

    # A bad rubric comes back with the problem beside the field, as typed.
    bad = await host.post(f"{base}/rubric", {"name-0": "Impact", "low-0": "", "high-0": "x"})
    assert bad.status_code == 400
    assert Page(bad).one("#f-low-0").get("aria-invalid") == "true"
    assert Page(bad).field_value("name-0") == "Impact"

    rubric = {
        "name-0": "Impact", "low-0": "Little", "high-0": "A lot", "weight-0": "2",
        "name-1": "Feasibility", "low-1": "Hard", "high-1": "Easy", "weight-1": "1",
    }  # fmt: skip
    assert (await host.post(f"{base}/rubric", rubric)).status_code == 303
    settings = {"jury_weight": "60", "jurors_per_idea": "2", "scope": "all"}
    assert (await host.post(f"{base}/settings", settings)).status_code == 303
    for juror in (ana, ben):
        assert (await host.post(f"{base}/jurors", {"email": str(juror.email)})).status_code == 303
    unknown = await host.post(f"{base}/jurors", {"email": "nobody-here@example.org"})
    assert unknown.status_code == 303  # the same answer, whoever uses the address
    setup = Page(await host.get(f"{base}/setup"))
    assert "60%" in setup.text("#weighting")
    assert len(setup.select("#jurors li")) == 3

    await challenges.switch_phase(
        session, challenge_id=challenge.id, to=Phase.REVIEW, actor_id=host_user.id, now=utcnow()
    )
    a, b = await sign_in(ana), await sign_in(ben)
    queue = Page(await a.get(base))
    assert len(queue.select("#queue li")) == 3
    # Blind: no counts or rankings for a juror still scoring.
    results = Page(await a.get(f"/challenges/{challenge.slug}/results"))
    assert results.select("#blind")
    assert not results.select("#results")

    criteria = [
        f.get("name") for f in Page(await a.get(f"{base}/ideas/{ideas[0].id}")).select(
            "#score-form input[type=radio][value='1']"
        )
    ]  # fmt: skip
    assert len(criteria) == 2
    missing = await a.post(f"{base}/ideas/{ideas[0].id}", {criteria[0]: "4", "action": "submit"})
    assert missing.status_code == 400
    assert Page(missing).select(f"#f-{criteria[1]}.field--error")

    marks = {0: ("5", "4"), 1: ("3", "3"), 2: ("1", "2")}
    for n, idea in enumerate(ideas):
        sent = {criteria[0]: marks[n][0], criteria[1]: marks[n][1], "action": "submit"}
        assert (await a.post(f"{base}/ideas/{idea.id}", sent)).status_code == 303
    conflict = await b.post(f"{base}/ideas/{ideas[2].id}/conflict", {"reason": "My cousin."})
    assert conflict.status_code == 303
    assert len(Page(await b.get(base)).select("#queue li")) == 2
    for n, idea in enumerate(ideas[:2]):
        sent = {criteria[0]: marks[1 - n][0], criteria[1]: "5", "action": "submit"}
        assert (await b.post(f"{base}/ideas/{idea.id}", sent)).status_code == 303
    # Once submitted, a juror sees the other jurors' scores of the idea.
    assert len(Page(await b.get(f"{base}/ideas/{ideas[0].id}")).select(".jury__other")) == 1

    setup = Page(await host.get(f"{base}/setup"))
    assert setup.text(".jury__alpha") not in ("", "not enough scores yet")
    assert "My cousin." in setup.text("#conflicts")
    assert setup.select("#disagreements li")
    visitor_results = await (await sign_in(authors[0])).get(
        f"/api/v1/challenges/{challenge.slug}/results"
    )
    assert all(item["jury"] is None for item in visitor_results.json()["items"])

    assert (await host.post(f"{base}/publish")).status_code == 303
    page = Page(await host.get(f"/challenges/{challenge.slug}/results?by=combined"))
    assert page.select("#results .results__combined-rank")
    assert page.text("#results tbody tr:first-child .results__combined-rank") == "1"
    api = await host.get(f"/api/v1/challenges/{challenge.slug}/results")
    assert api.status_code == 200
    assert_conforms(api, "/challenges/{slug}/results")
    body = api.json()
    assert body["jury_published"] is True
    assert body["methods"]["combined"]["parameters"]["jury_weight"] == 0.6
    assert [item["combined_rank"] for item in body["items"]][:1] == [1]
    assert sum(1 for item in body["items"] if item["jury"] is not None) == 3


async def test_a_non_juror_cannot_open_a_jury_queue_or_post_a_score(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    host_user: User = await make_user("Host", host=True)
    challenge = await make_challenge(host_user, phase=Phase.REVIEW)
    idea = await make_idea(challenge, host_user)
    someone = await sign_in(await make_user("Someone"))
    base = f"/challenges/{challenge.slug}/jury"
    assert (await someone.get(base)).status_code == 403
    assert (await someone.post(f"{base}/ideas/{idea.id}", {"action": "submit"})).status_code == 403
    assert (await someone.get(f"{base}/setup")).status_code == 403


async def test_the_jury_export_numbers_jurors_unless_they_agreed_to_be_named(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    jr = await jury_round(session, make_user, make_challenge, make_idea)
    await jr.score(jr.jurors[0], jr.ideas[0], (4, 2))
    await jr.score(jr.jurors[1], jr.ideas[0], (3, 5))
    second = await sign_in(jr.jurors[1])
    base = f"/challenges/{jr.challenge.slug}"
    assert (await second.post(f"{base}/jury/named", {"named": "1"})).status_code == 303
    host = await sign_in(jr.host)
    rows = (await host.get(f"{base}/export/jury.json")).json()
    assert [row["juror"] for row in rows] == ["juror 1", jr.jurors[1].display_name]
    assert rows[0]["marks"] == f'{{"{jr.criteria[0].id}": 4, "{jr.criteria[1].id}": 2}}'
    assert "note" not in rows[0]
