"""A real OpenID Connect provider (tests/oidc/provider.mjs) and a live site for it.

The provider runs in Node for the whole test session. Each test gets the site
served by uvicorn on a fixed local port (the redirect URI the provider knows),
bound to the test's database, and an HTTP client that plays the browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import lxml.html
import pytest
import uvicorn

from ideas.app import create_app
from ideas.db import Database
from ideas.settings import Settings
from tests.support.environ import IN_CI, TEST_ENVIRON
from tests.support.ports import free_port

PROVIDER_DIR = Path(__file__).resolve().parents[1] / "oidc"
CLIENT_ID = "ideas-test"
CLIENT_SECRET = "a-test-client-secret"
PROVIDER_KEY = "city"


@dataclass
class OIDCProvider:
    issuer: str
    app_port: int

    @property
    def site_url(self) -> str:
        return f"http://127.0.0.1:{self.app_port}"

    def environ(self, **extra: str) -> dict[str, str]:
        return {
            **TEST_ENVIRON,
            "IDEAS_BASE_URL": self.site_url,
            "IDEAS_OIDC_PROVIDERS": PROVIDER_KEY,
            "IDEAS_OIDC_CITY_NAME": "City ID",
            "IDEAS_OIDC_CITY_DISCOVERY_URL": f"{self.issuer}/.well-known/openid-configuration",
            "IDEAS_OIDC_CITY_CLIENT_ID": CLIENT_ID,
            "IDEAS_OIDC_CITY_CLIENT_SECRET": CLIENT_SECRET,
            **extra,
        }

    def set_mode(self, **mode: str) -> None:
        request = httpx.post(f"{self.issuer}/test/mode", content=json.dumps(mode), timeout=5)
        request.raise_for_status()


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


@contextlib.contextmanager
def running_provider() -> Iterator[OIDCProvider]:
    node = shutil.which("node")
    if node is None:
        _unavailable("Node.js is not installed; the sign-in tests need it for their provider")
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        _unavailable("run `npm ci --prefix tests/oidc` (make install does) for the sign-in tests")
    port, app_port = free_port(), free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URIS": f"http://127.0.0.1:{app_port}/sign-in/{PROVIDER_KEY}/callback",
    }
    process = subprocess.Popen(
        [str(node), "provider.mjs"],
        cwd=PROVIDER_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("ready"):
            pytest.fail(f"the test provider did not start: {line!r}")
        yield OIDCProvider(issuer=f"http://127.0.0.1:{port}", app_port=app_port)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@contextlib.asynccontextmanager
async def live_site(settings: Settings, database: Database, port: int) -> AsyncIterator[str]:
    """The site served over real HTTP on ``port`` for the length of the block."""
    app = create_app(settings, database)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_config=None)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(500):
            if server.started:
                break
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def _auto_submitted_form(response: httpx.Response) -> tuple[str, dict[str, str]] | None:
    if "text/html" not in response.headers.get("content-type", ""):
        return None
    if "document.forms[0].submit()" not in response.text:
        return None
    page = lxml.html.fromstring(response.text)
    form = page.forms[0]
    fields = {i.get("name"): i.get("value", "") for i in form.inputs if i.get("name")}
    return str(response.url.join(form.action)), fields


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = {**{k: v[0] for k, v in parse_qs(parts.query).items()}, **params}
    return urlunsplit(parts._replace(query=urlencode(query)))


class Browser:
    """An HTTP client that follows the redirects of a sign-in, choosing who signs in."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.callback_url: str | None = None

    async def follow(
        self, response: httpx.Response, *, account: str = "alice", deny: bool = False
    ) -> httpx.Response:
        for _ in range(20):
            if not response.is_redirect:
                form = _auto_submitted_form(response)
                if form is None:
                    return response
                # The provider ends its session for the account it remembered before
                # another signs in; a browser submits that form by script.
                response = await self.client.post(form[0], data=form[1])
                continue
            location = str(response.url.join(response.headers["location"]))
            if "/interaction/" in location:
                location = _with_query(
                    location, **({"deny": "1"} if deny else {"account": account})
                )
            if "/callback" in urlsplit(location).path:
                self.callback_url = location
            response = await self.client.get(location)
        raise AssertionError("too many redirects")

    async def sign_in(
        self, site: str, *, account: str = "alice", next_path: str = "/"
    ) -> httpx.Response:
        start = await self.client.get(f"{site}/sign-in/{PROVIDER_KEY}", params={"next": next_path})
        return await self.follow(start, account=account)

    async def until_callback(self, site: str, *, account: str = "alice") -> str:
        """Go through the provider and stop just before the site's callback."""
        response = await self.client.get(f"{site}/sign-in/{PROVIDER_KEY}")
        for _ in range(20):
            location = str(response.url.join(response.headers["location"]))
            if "/interaction/" in location:
                location = _with_query(location, account=account)
            if "/callback" in urlsplit(location).path:
                return location
            response = await self.client.get(location)
        raise AssertionError("never reached the callback")
