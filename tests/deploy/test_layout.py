"""The whole deployment layout, as deploy/run-local starts it, walked in Chromium.

nginx in front of three `ideas serve` processes and `ideas worker`, PgBouncer in
transaction pooling mode before a PostgreSQL of the test's own, and Redis.
People run a round through nginx: a host opens a challenge, participants post
ideas, vote and comment. One app process is killed in the middle; the journey
goes on through the others, and every write the site acknowledged is in the
database afterwards.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import signal
import subprocess
import tempfile
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.factories.browser import sign_in_as

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def layout(run_local: ModuleType) -> Iterator[Any]:
    """The layout, started by deploy/run-local's code with the demo personas (the rounds
    below are the test's own: the crowd's ideas and votes would only slow the start)."""
    folder = Path(tempfile.mkdtemp(prefix="ideas-layout-"))
    started = run_local.Layout(folder, apps=3, demo=True, crowd=False)
    try:
        started.start()
        yield started
    finally:
        started.stop()
        shutil.rmtree(folder, ignore_errors=True)


# What nginx logs when the process behind an upstream address is gone.
DEAD_UPSTREAM = r"Connection refused|prematurely closed connection|Connection reset by peer"


def sql(layout: Any, query: str) -> list[str]:
    """Rows of ``query`` (one string per row, columns joined by |), read from PostgreSQL
    itself, not through PgBouncer or the site."""
    done = subprocess.run(
        ["psql", layout.state["postgres_url"], "-At", "-v", "ON_ERROR_STOP=1", "-c", query],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.splitlines()


def quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def vote_for(page: Page, title: str) -> None:
    card = page.locator(".idea-card", has=page.get_by_role("link", name=title, exact=True))
    card.locator(".vote").get_by_role(
        "button", name=re.compile(rf"for “{re.escape(title)}”$")
    ).click()
    expect(card.locator(".vote .vote__number")).to_have_text("1")
    expect(card.locator(".vote").get_by_role("button")).to_have_attribute("aria-pressed", "true")


def test_a_round_through_nginx_survives_a_killed_app_process(browser: Browser, layout: Any) -> None:
    marker = uuid.uuid4().hex[:6]
    challenge = f"Quieter streets {marker}"
    first_idea = f"Electric night buses {marker}"
    second_idea = f"Speed bumps that hum {marker}"
    comment = f"Who charges the buses at night? {marker}"
    url = layout.state["url"]
    contexts = []

    def person(name: str) -> Page:
        context = browser.new_context(base_url=url)
        contexts.append(context)
        page = context.new_page()
        sign_in_as(page, name)
        return page

    try:
        # A host creates a challenge and opens it.
        host = person("Hamid Rahimi")
        host.goto("/")
        host.get_by_role("link", name="Create a challenge").click()
        host.get_by_label("Title").fill(challenge)
        host.get_by_label("Question").fill("How might we make our streets quieter at night?")
        host.get_by_role("button", name="Create the draft").click()
        expect(host.get_by_role("heading", level=1)).to_have_text(challenge)
        host.get_by_role("button", name="Open for ideas now").click()
        expect(host.locator(".challenge__head .phase-badge")).to_have_text("Ideas")
        challenge_url = host.url

        # A participant posts an idea.
        priya = person("Priya Natarajan")
        priya.goto(challenge_url)
        priya.get_by_role("link", name="Post an idea").click()
        priya.get_by_label("Title").fill(first_idea)
        priya.get_by_label("Summary").fill("Night buses with electric engines.")
        priya.get_by_role("button", name="Post the idea").click()
        expect(priya.get_by_role("heading", level=1)).to_have_text(first_idea)

        # One app process dies, without a word.
        victim = layout.state["app_pids"][0]
        os.kill(victim, signal.SIGKILL)
        layout.processes["app1"].wait(timeout=10)

        # The round goes on through the others: another idea, a vote, a comment.
        tomas = person("Tomás Ferreira")
        tomas.goto(challenge_url)
        tomas.get_by_role("link", name="Post an idea").click()
        tomas.get_by_label("Title").fill(second_idea)
        tomas.get_by_label("Summary").fill("Bumps that sing the speed limit.")
        tomas.get_by_role("button", name="Post the idea").click()
        expect(tomas.get_by_role("heading", level=1)).to_have_text(second_idea)

        mei = person("Mei Lin")
        mei.goto(challenge_url)
        vote_for(mei, first_idea)
        vote_for(mei, second_idea)
        mei.get_by_role("link", name=first_idea, exact=True).click()
        expect(mei.get_by_role("heading", level=1)).to_have_text(first_idea)
        mei.get_by_label("Your comment").fill(comment)
        mei.get_by_role("button", name="Post comment").click()
        expect(mei.locator("#comment-list")).to_contain_text(comment)

        # Each page of the challenge still loads, whichever process nginx picks.
        for _ in range(6):
            response = mei.goto(challenge_url)
            assert response is not None
            assert response.status == 200
    finally:
        for context in contexts:
            context.close()

    # nginx found the dead process and sent its requests to the others. Which error it
    # logs depends on the connection it tried: a new one is refused, a kept-alive one (or
    # an event stream) is closed or reset under the request.
    dead = f'upstream: "http://127.0.0.1:{layout.state["app_ports"][0]}/'
    error_log = (layout.folder / "nginx" / "error.log").read_text().splitlines()
    assert any(dead in line and re.search(DEAD_UPSTREAM, line) for line in error_log)

    # Every acknowledged write is in PostgreSQL.
    ideas = sql(
        layout,
        "SELECT i.title, i.vote_count, i.comment_count FROM ideas i JOIN challenges c"
        f" ON c.id = i.challenge_id WHERE c.title = {quoted(challenge)} ORDER BY i.title",
    )
    assert ideas == [f"{first_idea}|1|1", f"{second_idea}|1|0"]
    votes = sql(
        layout,
        "SELECT count(*) FROM votes v JOIN ideas i ON i.id = v.idea_id"
        f" WHERE i.title IN ({quoted(first_idea)}, {quoted(second_idea)})",
    )
    assert votes == ["2"]
    comments = sql(layout, f"SELECT count(*) FROM comments WHERE body = {quoted(comment)}")
    assert comments == ["1"]


def test_the_front_compresses_pages_and_keeps_versioned_static_files(layout: Any) -> None:
    url = layout.state["url"]
    request = urllib.request.Request(f"{url}/", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        page = gzip.decompress(response.read()).decode()
    versioned = re.search(r"/static/css/site\.css\?v=\w+", page)
    assert versioned is not None
    with urllib.request.urlopen(url + versioned.group(0)) as response:
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["Content-Type"].startswith("text/css")
    with urllib.request.urlopen(f"{url}/static/css/site.css") as response:
        assert response.headers["Cache-Control"] == "public, max-age=300"
