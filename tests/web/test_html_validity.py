"""Every main page is valid HTML: the Nu HTML Checker finds no error in any of them.

The pages are rendered on the demo site, as a visitor, a participant, a host, a
juror and an administrator would see them, written to files and checked in one
run of vnu (a JVM starts once). Java and vnu.jar come from `.ci/run` and
`make install` (npm ci in tests/vnu); without them the test is skipped, except
under CI=true.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import demo
from ideas.accounts.queries import development_personas
from ideas.challenges.models import Challenge
from ideas.db import utcnow
from ideas.submissions.models import Idea, IdeaLink
from ideas.teams.models import Team
from tests.factories.accounts import Person
from tests.html import Page
from tests.support import vnu

CHALLENGE = "/challenges/food-waste-in-school-canteens"


class Pages:
    """The pages to check, each under a name that says what it is."""

    def __init__(self) -> None:
        self.html: dict[str, str] = {}

    async def get(self, label: str, person: Person, url: str, *, status: int = 200) -> Page:
        response = await person.get(url)
        assert response.status_code == status, f"{label}: {url} answered {response.status_code}"
        self.html[label] = response.text
        return Page(response)

    async def refused_form(self, label: str, person: Person, url: str) -> None:
        """The form at ``url`` sent empty, shown again with its errors."""
        form = Page(await person.get(url))
        data = {
            field.get("name"): field.get("value", "")
            for field in form.select("main form input[type=hidden]")
        }
        response = await person.post(url, data)
        assert Page(response).select(".error-summary"), f"{label}: {url} showed no errors"
        self.html[label] = response.text

    def write(self, folder: Path) -> dict[str, str]:
        """The files, and the page name of each file name."""
        names = {}
        for number, (label, html) in enumerate(self.html.items()):
            name = f"{number:02d}-{re.sub(r'[^a-z0-9]+', '-', label.lower()).strip('-')}.html"
            (folder / name).write_text(html, encoding="utf-8")
            names[name] = label
        return names


# The markup does not depend on the database: checking it once, on SQLite, is enough.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_main_pages_have_no_html_errors(
    session: AsyncSession, sign_in: Any, visitor: Person, tmp_path: Path
) -> None:
    vnu.require_vnu()
    now = utcnow()
    await demo.load(session, now)
    people = {user.display_name: user for user in await development_personas(session)}
    ada = await sign_in(people["Ada Okafor"])
    hamid = await sign_in(people["Hamid Rahimi"])
    priya = await sign_in(people["Priya Natarajan"])
    kwame = await sign_in(people["Kwame Mensah"])
    challenges = (await session.scalars(select(Challenge).order_by(Challenge.id))).all()
    # The idea with the most ancestors: its lineage has both halves.
    descendant_id = await session.scalar(
        select(IdeaLink.child_id)
        .group_by(IdeaLink.child_id)
        .order_by(func.count().desc(), IdeaLink.child_id)
        .limit(1)
    )
    assert descendant_id is not None
    first = await session.scalar(
        select(Idea)
        .join(Challenge)
        .where(Challenge.slug == CHALLENGE.split("/")[-1])
        .order_by(Idea.id)
    )
    assert first is not None
    idea = f"/ideas/{first.id}/{first.slug}"
    team = await session.scalar(
        select(Team).join(Challenge).where(Challenge.slug == demo.TEAMS_SLUG).order_by(Team.id)
    )
    impact_team = await session.scalar(
        select(Team).join(Challenge).where(Challenge.slug == demo.IMPACT_SLUG).order_by(Team.id)
    )
    assert team is not None
    assert impact_team is not None
    jury = f"/challenges/{demo.JURY_SLUG}/jury"

    pages = Pages()
    await pages.get("home", visitor, "/")
    await pages.get("home, signed in", priya, "/")
    await pages.get("sign in", visitor, "/sign-in")
    for challenge in challenges:
        await pages.get(
            f"challenge {challenge.slug}, hosted", hamid, f"/challenges/{challenge.slug}"
        )
    await pages.get("challenge, visitor", visitor, CHALLENGE)
    await pages.get("challenge, participant", priya, CHALLENGE)
    await pages.get("challenge, searched", priya, f"{CHALLENGE}?q=plates&sort=relevance")
    await pages.get("idea, visitor", visitor, idea)
    await pages.get("idea, participant", priya, idea)
    await pages.get("idea, history", priya, f"/ideas/{first.id}/history")
    author = next(
        person for person in [priya, ada, hamid, kwame] if person.user.id == first.author_id
    )
    await pages.get("idea, edit", author, f"/ideas/{first.id}/edit")
    await pages.get("lineage", visitor, f"/ideas/{descendant_id}/lineage")
    await pages.get("new idea", priya, f"{CHALLENGE}/ideas/new")
    await pages.get("build on an idea", priya, f"{CHALLENGE}/ideas/new?builds_on={first.id}")
    await pages.refused_form("new idea, with errors", priya, f"{CHALLENGE}/ideas/new")
    await pages.get("compare", priya, f"{CHALLENGE}/compare")
    await pages.get("results", visitor, f"{CHALLENGE}/results")
    await pages.get("results, pairwise", visitor, f"{CHALLENGE}/results?by=pairwise")
    await pages.get("results, closed", visitor, f"/challenges/{demo.IMPACT_SLUG}/results")
    await pages.get("results, with the jury", hamid, f"/challenges/{demo.JURY_SLUG}/results")
    await pages.get("search", priya, "/search?q=portion")
    await pages.get("teams of a challenge", priya, f"/challenges/{demo.TEAMS_SLUG}/teams")
    await pages.get("team", visitor, f"/teams/{team.id}")
    await pages.get("team, its lead", ada, f"/teams/{team.id}")
    await pages.get("requests", priya, "/teams/requests")
    await pages.get("looking for a team", priya, f"/challenges/{demo.TEAMS_SLUG}/looking")
    await pages.get("impact of a round", visitor, f"/challenges/{demo.IMPACT_SLUG}/impact")
    await pages.get("impact, hosts", ada, f"/challenges/{demo.IMPACT_SLUG}/impact")
    await pages.get("impact of a team", visitor, f"/teams/{impact_team.id}/impact")
    await pages.get("profile", visitor, f"/people/{people['Priya Natarajan'].id}")
    await pages.get("settings", priya, "/settings")
    await pages.get("notifications", priya, "/notifications")
    await pages.get("create a challenge", hamid, "/challenges/new")
    await pages.refused_form("create a challenge, with errors", hamid, "/challenges/new")
    for part in ["edit", "hosts", "jury/setup"]:
        await pages.get(
            f"draft challenge, {part}", hamid, f"/challenges/safer-walks-to-school/{part}"
        )
    await pages.get("invitations to co-host", hamid, "/hosting")
    for part in ["shortlist", "dashboard", "moderation", "jury/setup"]:
        await pages.get(f"review, {part}", hamid, f"/challenges/{demo.JURY_SLUG}/{part}")
    await pages.get("winners", hamid, f"/challenges/{demo.IMPACT_SLUG}/winners")
    queue = await pages.get("jury, a juror's queue", kwame, jury)
    scoring = [a.get("href") for a in queue.select(f'a[href^="{jury}/ideas/"]')]
    assert scoring, "the juror has ideas to score"
    await pages.get("jury, scoring an idea", kwame, str(scoring[0]))
    await pages.get("admin, people", ada, "/admin/people")
    await pages.get("admin, moderation", ada, "/admin/moderation")
    await pages.get("admin, audit", ada, "/admin/audit")
    await pages.get("not found", visitor, "/no-such-page", status=404)
    await pages.get("refused", priya, "/admin/people", status=403)

    names = pages.write(tmp_path)
    problems = await asyncio.to_thread(vnu.errors, [tmp_path / name for name in names])

    report = "\n".join(f"[{names.get(p.file, p.file)}] {p}" for p in problems)
    assert problems == [], f"{len(problems)} HTML errors:\n{report}"
