"""The vendored htmx is exactly the released 4.0.1, served from this site."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from tests.html import Page

HTMX = Path(__file__).resolve().parents[2] / "static" / "js" / "htmx-4.0.1.min.js"
HTMX_SHA256 = "a0abb04f2f45a1f89d1d4844023245537e5e6014c87b144553e0607b4cc32130"


def test_vendored_htmx_matches_its_checksum() -> None:
    content = HTMX.read_bytes()
    assert hashlib.sha256(content).hexdigest() == HTMX_SHA256
    assert b'"4.0.1"' in content


async def test_pages_load_htmx_and_styles_from_this_site(visitor: Any) -> None:
    page = Page(await visitor.get("/"))
    scripts = [s.get("src").split("?")[0] for s in page.select("script[src]")]
    assert scripts == ["/static/js/htmx-4.0.1.min.js", "/static/js/site.js"]
    assert [link.get("href").split("?")[0] for link in page.select("link[rel=stylesheet]")] == [
        "/static/css/site.css"
    ]


async def test_static_files_are_served(visitor: Any) -> None:
    response = await visitor.get("/static/js/htmx-4.0.1.min.js")
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == HTMX_SHA256
