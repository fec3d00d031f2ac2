"""Pages go out compressed; static files are kept as long as their address says."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from ideas.web.static import static_version
from tests.factories.accounts import Person
from tests.html import Page

GZIP = {"Accept-Encoding": "gzip"}
YEAR = "public, max-age=31536000, immutable"


async def test_a_page_is_compressed_for_a_browser_that_accepts_it(
    make_user: Any, make_challenge: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    url = f"/challenges/{challenge.slug}"

    compressed = await visitor.get(url, headers=GZIP)
    plain = await visitor.get(url, headers={"Accept-Encoding": "identity"})

    assert compressed.status_code == 200
    assert compressed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in compressed.headers["vary"].lower()
    assert int(compressed.headers["content-length"]) < len(compressed.content) / 2
    assert "content-encoding" not in plain.headers
    assert Page(compressed).text("h1") == Page(plain).text("h1")


async def test_a_small_answer_is_not_compressed(visitor: Person) -> None:
    response = await visitor.get("/healthz", headers=GZIP)
    assert response.status_code == 200
    assert "content-encoding" not in response.headers


async def test_a_picture_is_not_compressed_again(make_user: Any, sign_in: Any) -> None:
    host = await sign_in(await make_user(host=True))
    image = Image.new("RGB", (1200, 900), (40, 120, 80))
    out = io.BytesIO()
    image.save(out, format="JPEG")
    created = await host.client.post(
        "/challenges/new",
        data={
            "title": "Greener yards",
            "question": "How might we green our schoolyards?",
            "slug": "",
            "sponsor": "",
            "brief": "",
            "team_capacity": "6",
            "report_threshold": "3",
            "cover_alt": "A green yard",
            "csrf_token": host.csrf,
        },
        files={"cover": ("cover.jpg", out.getvalue(), "image/jpeg")},
    )
    assert created.status_code == 303
    page = await host.get(created.headers["location"])
    src = Page(page).one("img.cover").get("src")

    picture = await host.get(src, headers=GZIP)

    assert picture.status_code == 200
    assert picture.headers["content-type"] == "image/webp"
    assert "content-encoding" not in picture.headers


async def test_versioned_static_files_are_kept_a_year_and_others_a_few_minutes(
    visitor: Person,
) -> None:
    page = Page(await visitor.get("/"))
    stylesheet = page.select("link[rel=stylesheet]")[0].get("href")
    assert stylesheet == f"/static/css/site.css?v={static_version('css/site.css')}"

    versioned = await visitor.get(stylesheet, headers=GZIP)
    unversioned = await visitor.get("/static/css/site.css")
    old_version = await visitor.get("/static/css/site.css?v=000000000000")

    assert versioned.status_code == 200
    assert versioned.headers["cache-control"] == YEAR
    assert versioned.headers["content-encoding"] == "gzip"
    assert unversioned.headers["cache-control"] == "public, max-age=300"
    assert old_version.headers["cache-control"] == "public, max-age=300"


async def test_every_static_file_a_page_loads_is_versioned(visitor: Person) -> None:
    page = Page(await visitor.get("/"))
    loaded = [e.get("href") for e in page.select("link[href^='/static/']")] + [
        e.get("src") for e in page.select("script[src]")
    ]
    assert loaded
    for address in loaded:
        response = await visitor.get(address)
        assert response.status_code == 200, address
        assert response.headers["cache-control"] == YEAR, address
