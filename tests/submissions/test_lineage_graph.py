"""The lineage page draws the family as a graph: ancestors above, descendants below,
the idea itself marked, influence as size, every idea a link; the lists stay."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.db import utcnow
from ideas.submissions import graph, lineage
from ideas.submissions.models import Idea, IdeaStatus
from tests.factories.submissions import big_family, building_on
from tests.html import Page

SVG_LINKS = ".lineage-graph svg a[href]"


@pytest.fixture(autouse=True)
def no_drawings_kept() -> Iterator[None]:
    """Drawings are kept per process: each test starts without any."""
    graph.forget()
    yield
    graph.forget()


def box_top(page: Page, href: str) -> float:
    """Where the box of the idea linked to ``href`` starts, from the top of the drawing."""
    link = page.one(f'{SVG_LINKS}[href="{href}"]')
    text = link.cssselect("text")[0]
    return float(text.get("y"))


def url(idea: Idea) -> str:
    return f"/ideas/{idea.id}/{idea.slug}"


async def test_the_family_is_drawn_with_ancestors_above_and_descendants_below(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession, visitor: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    root = await make_idea(challenge, author, title="Compost bins")
    middle = await building_on(session, challenge, author, 2, [root], title="School garden")
    child = await building_on(session, challenge, author, 3, [middle], title="Garden club")

    page = Page(await visitor.get(f"/ideas/{middle.id}/lineage"))

    links = page.select(SVG_LINKS)
    assert sorted(link.get("href") for link in links) == sorted(map(url, [root, middle, child]))
    assert box_top(page, url(root)) < box_top(page, url(middle)) < box_top(page, url(child))
    current = page.one(f'{SVG_LINKS}[aria-current="page"]')
    assert current.get("href") == url(middle)
    assert "(this idea)" in " ".join(current.xpath("./*[local-name()='title']/text()"))
    titles = [" ".join(a.xpath("./*[local-name()='title']/text()")) for a in links]
    assert all(titles), "every idea in the graph has a title"
    assert any("Compost bins" in t and "2 ideas descend" in t for t in titles)
    # The lists stay, as the text alternative.
    assert page.one("#ancestors-heading") is not None
    assert page.text("section[aria-labelledby=descendants-heading] a") == "Garden club"


async def test_an_idea_with_more_descendants_has_a_bigger_box(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession, visitor: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    root = await make_idea(challenge, author, title="Root")
    big = await building_on(session, challenge, author, 2, [root], title="Built upon")
    small = await building_on(session, challenge, author, 3, [root], title="Alone")
    for n in range(4, 8):
        await building_on(session, challenge, author, n, [big])

    page = Page(await visitor.get(f"/ideas/{root.id}/lineage"))

    def size(idea: Idea) -> float:
        link = page.one(f'{SVG_LINKS}[href="{url(idea)}"]')
        return float(link.cssselect("text")[0].get("font-size"))

    assert size(root) > size(big) > size(small)


async def test_titles_cannot_break_out_of_the_drawing(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession, visitor: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    evil = 'x"]; n1 [URL="javascript:alert(1)"]; \\N </svg><script>alert(2)</script> &amp;'
    root = await make_idea(challenge, author, title=evil)
    child = await building_on(session, challenge, author, 2, [root], title="<img src=x>")

    response = await visitor.get(f"/ideas/{child.id}/lineage")
    page = Page(response)

    assert page.select("script:not([src])") == []
    assert page.select("img[src=x]") == []
    hrefs = [a.get("href") for a in page.select(SVG_LINKS)]
    assert sorted(hrefs) == sorted([url(root), url(child)])
    assert all(re.fullmatch(r"/ideas/\d+/[a-z0-9-]*", href) for href in hrefs)
    titles = [" ".join(a.xpath("./*[local-name()='title']/text()")) for a in page.select(SVG_LINKS)]
    assert any(" ".join(evil.split()) in title for title in titles)
    svg = page.one(".lineage-graph svg")
    assert not [name for e in svg.iter() for name in e.attrib if name.startswith("on")]
    assert not [e for e in svg.iter() if e.get("style") is not None]


async def test_a_hidden_idea_keeps_its_place_in_the_drawing_but_no_link_or_words(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession, visitor: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    root = await make_idea(challenge, author, title="Secret plan")
    child = await building_on(session, challenge, author, 2, [root], title="Open plan")
    await session.execute(update(Idea).where(Idea.id == root.id).values(status=IdeaStatus.HIDDEN))
    await session.commit()

    page = Page(await visitor.get(f"/ideas/{child.id}/lineage"))

    assert [a.get("href") for a in page.select(SVG_LINKS)] == [url(child)]
    assert len(page.select(".lineage-graph__node")) == 2
    assert "Secret plan" not in page.one(".lineage-graph").text_content()
    assert "An idea no longer shown" in page.one(".lineage-graph__node--hidden").text_content()


async def test_an_idea_alone_has_no_drawing(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user())

    page = Page(await visitor.get(f"/ideas/{idea.id}/lineage"))

    assert page.select(".lineage-graph") == []
    assert page.select("section[aria-labelledby=ancestors-heading]")


async def test_without_dot_the_page_shows_the_lists_alone(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    session: AsyncSession,
    visitor: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    root = await make_idea(challenge, author, title="Compost bins")
    child = await building_on(session, challenge, author, 2, [root], title="School garden")
    monkeypatch.setattr(graph, "DOT", "/nonexistent/dot")

    response = await visitor.get(f"/ideas/{child.id}/lineage")

    assert response.status_code == 200
    page = Page(response)
    assert page.select(".lineage-graph") == []
    assert page.text("section[aria-labelledby=ancestors-heading] a") == "Compost bins"
    assert "cannot run /nonexistent/dot" in caplog.text
    assert not graph.available()


async def test_a_drawing_is_laid_out_once_until_the_family_changes(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession, visitor: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    root = await make_idea(challenge, author, title="Compost bins")
    child = await building_on(session, challenge, author, 2, [root], title="School garden")
    before = graph.statistics()

    first = await visitor.get(f"/ideas/{child.id}/lineage")
    again = await visitor.get(f"/ideas/{root.id}/lineage")
    await building_on(session, challenge, author, 3, [child], title="Garden club")
    changed = await visitor.get(f"/ideas/{root.id}/lineage")

    after = graph.statistics()
    # The same family seen from its two ideas differs only in the idea marked.
    assert after["layouts"] - before["layouts"] == 3
    third = await visitor.get(f"/ideas/{root.id}/lineage")
    assert graph.statistics()["layouts"] == after["layouts"]
    assert graph.statistics()["hits"] == after["hits"] + 1
    assert third.text.count("<a href") == changed.text.count("<a href")
    assert first.status_code == again.status_code == 200


async def test_a_family_of_200_ideas_is_drawn_whole_in_a_scrolling_frame(
    session: AsyncSession, visitor: Any
) -> None:
    root = await big_family(session, 200)

    started = time.perf_counter()
    first = await visitor.get(f"/ideas/{root.id}/lineage")
    drawn = time.perf_counter() - started
    started = time.perf_counter()
    again = await visitor.get(f"/ideas/{root.id}/lineage")
    cached = time.perf_counter() - started

    page = Page(first)
    links = page.select(SVG_LINKS)
    assert len(links) == 200
    assert len({link.get("href") for link in links}) == 200
    svg = page.one(".lineage-graph__scroll > svg")
    # The drawing keeps its own size (the frame scrolls), it is not shrunk to fit.
    assert float(svg.get("width").removesuffix("pt")) > 1000
    assert drawn < 10, f"the first drawing took {drawn:.1f}s"
    assert cached < 2, f"the page took {cached:.1f}s with its drawing kept"
    assert again.text == first.text or len(Page(again).select(SVG_LINKS)) == 200


async def test_requests_arriving_together_share_one_layout(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    root = await make_idea(challenge, author, title="Compost bins")
    await building_on(session, challenge, author, 2, [root], title="School garden")
    family = await lineage.family(session, root.id, viewer=None, now=utcnow())
    before = graph.statistics()

    drawings = await asyncio.gather(
        *(graph.family_svg(family, url, label="The family") for _ in range(5))
    )

    assert graph.statistics()["layouts"] == before["layouts"] + 1
    assert all(drawing is not None and drawing == drawings[0] for drawing in drawings)


async def test_a_dot_that_hangs_is_stopped_and_the_lists_shown(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    session: AsyncSession,
    visitor: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    root = await make_idea(challenge, author, title="Compost bins")
    child = await building_on(session, challenge, author, 2, [root], title="School garden")
    hanging = tmp_path / "dot"
    hanging.write_text("#!/bin/sh\nexec sleep 30\n")
    hanging.chmod(0o755)
    monkeypatch.setattr(graph, "DOT", str(hanging))
    monkeypatch.setattr(graph, "TIMEOUT", 0.5)

    started = time.perf_counter()
    response = await visitor.get(f"/ideas/{child.id}/lineage")

    assert time.perf_counter() - started < 10
    assert response.status_code == 200
    assert Page(response).select(".lineage-graph") == []
    assert "took more than 0.5s" in caplog.text


async def test_a_dot_that_writes_no_svg_leaves_the_lists(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    session: AsyncSession,
    visitor: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    root = await make_idea(challenge, author, title="Compost bins")
    child = await building_on(session, challenge, author, 2, [root], title="School garden")
    broken = tmp_path / "dot"
    broken.write_text("#!/bin/sh\necho 'not <svg'\n")
    broken.chmod(0o755)
    monkeypatch.setattr(graph, "DOT", str(broken))

    response = await visitor.get(f"/ideas/{child.id}/lineage")

    assert response.status_code == 200
    assert Page(response).select(".lineage-graph") == []
