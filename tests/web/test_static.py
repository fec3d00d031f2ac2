"""The vendored htmx is exactly the released 4.0.1, and every asset comes from this site."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest

from tests.factories.accounts import Person
from tests.html import Page

HTMX_PATH = "/static/js/htmx-4.0.1.min.js"
HTMX_SHA256 = "a0abb04f2f45a1f89d1d4844023245537e5e6014c87b144553e0607b4cc32130"


def test_vendored_htmx_is_the_released_4_0_1(project_root: Path) -> None:
    content = (project_root / HTMX_PATH.lstrip("/")).read_bytes()
    assert hashlib.sha256(content).hexdigest() == HTMX_SHA256
    assert b'"4.0.1"' in content


SSE_PATH = "/static/js/hx-sse-4.0.1.min.js"
# dist/ext/hx-sse.min.js of the npm package htmx.org@4.0.1, the same package as htmx itself.
SSE_SHA256 = "18ef2761356ec1fe0bb6d92612315b37517a7c1e9856b661c5ae81fef239d103"


def test_vendored_sse_extension_is_the_released_4_0_1s(project_root: Path) -> None:
    content = (project_root / SSE_PATH.lstrip("/")).read_bytes()
    assert hashlib.sha256(content).hexdigest() == SSE_SHA256
    assert b"registerExtension('sse'" in content or b'registerExtension("sse"' in content


def test_only_one_version_of_htmx_is_vendored(project_root: Path) -> None:
    core = re.compile(r"htmx-\d+\.\d+\.\d+(\.min)?\.js")
    found = sorted(
        p.name for p in (project_root / "static").rglob("*.js") if core.fullmatch(p.name)
    )
    assert found == ["htmx-4.0.1.min.js"]


@pytest.fixture
async def pages(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person, sign_in: Any
) -> list[Page]:
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    idea = await make_idea(challenge, await make_user())
    hamid = await sign_in(host)
    return [
        Page(await visitor.get("/")),
        Page(await visitor.get(f"/challenges/{challenge.slug}")),
        Page(await visitor.get(f"/ideas/{idea.id}/{idea.slug}")),
        Page(await visitor.get("/sign-in")),
        Page(await visitor.get("/nowhere")),
        Page(await hamid.get("/challenges/new")),
    ]


LOADED_LINKS = "link[rel=stylesheet], link[rel=icon], link[rel~=preload]"


async def test_every_page_loads_exactly_the_vendored_htmx_from_this_site(
    pages: list[Page],
) -> None:
    for page in pages:
        scripts = [s.get("src").split("?")[0] for s in page.select("script[src]")]
        assert [src for src in scripts if "htmx" in src] == [HTMX_PATH]
        assert [src for src in scripts if "hx-" in src] == [SSE_PATH]


async def test_no_page_loads_a_script_or_stylesheet_from_elsewhere(pages: list[Page]) -> None:
    for page in pages:
        sources = [s.get("src") for s in page.select("script[src]")]
        # Links the browser loads; canonical and feed links only name addresses.
        sources += [link.get("href") for link in page.select(LOADED_LINKS)]
        assert sources
        for source in sources:
            assert source.startswith("/static/"), source
            assert not source.lower().startswith(("http:", "https:", "//")), source
        assert page.select("link[rel=stylesheet]"), "no stylesheet"


async def test_the_htmx_a_page_links_to_is_served_unchanged(visitor: Person) -> None:
    src = Page(await visitor.get("/")).one(f"script[src^='{HTMX_PATH}']").get("src")
    response = await visitor.get(src)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] in {
        "application/javascript",
        "text/javascript",
    }
    assert hashlib.sha256(response.content).hexdigest() == HTMX_SHA256


async def test_asset_links_change_when_the_file_does(visitor: Person, project_root: Path) -> None:
    """Each link carries a digest of the file, so browsers never keep a stale copy."""
    page = Page(await visitor.get("/"))
    for element, attribute in [
        *((s, "src") for s in page.select("script[src]")),
        *((link, "href") for link in page.select(LOADED_LINKS)),
    ]:
        path, _, query = element.get(attribute).partition("?v=")
        content = (project_root / path.lstrip("/")).read_bytes()
        assert query == hashlib.sha256(content).hexdigest()[:12], path


@pytest.mark.parametrize(
    "path",
    [
        "/static/js/htmx-9.9.9.min.js",
        "/static/%2e%2e/ideas/settings.py",
        "/static/..%2fpyproject.toml",
    ],
)
async def test_only_files_inside_static_are_served(visitor: Person, path: str) -> None:
    response = await visitor.get(path)
    assert response.status_code == 404
    assert Page(response).text("h1") == "Not Found"
