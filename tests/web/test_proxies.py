"""Which address is the client's, behind the proxies the site trusts."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from starlette.types import Receive, Scope, Send

from ideas.web.proxies import ForwardedClientMiddleware, TrustedProxies

TRUSTED = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "192.0.2.1", "2001:db8::/32")]


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded_for", "client"),
    [
        # Nobody trusted (the default): the header is anyone's to write.
        ([], "127.0.0.1", ["198.51.100.7"], "127.0.0.1"),
        ([], "10.1.2.3", ["198.51.100.7"], "10.1.2.3"),
        # A peer that is not a trusted proxy speaks for itself.
        (TRUSTED, "203.0.113.9", ["198.51.100.7"], "203.0.113.9"),
        # One trusted proxy.
        (TRUSTED, "10.1.2.3", ["198.51.100.7"], "198.51.100.7"),
        # The client's own entries on the left are not believed.
        (TRUSTED, "10.1.2.3", ["6.6.6.6", "198.51.100.7"], "198.51.100.7"),
        # Two trusted proxies: the right-most untrusted address.
        (TRUSTED, "10.1.2.3", ["6.6.6.6", "198.51.100.7", "192.0.2.1"], "198.51.100.7"),
        # The same, in two header lines, with ports and spaces.
        (TRUSTED, "10.1.2.3", [" 198.51.100.7:4711", " 192.0.2.1:80 "], "198.51.100.7"),
        (TRUSTED, "2001:db8::5", ["[2001:db8:1::9]:443", "2001:db9::7"], "2001:db9::7"),
        # Only trusted proxies in the chain: the oldest.
        (TRUSTED, "10.1.2.3", ["10.9.9.9", "192.0.2.1"], "10.9.9.9"),
        # Nothing forwarded: the peer.
        (TRUSTED, "10.1.2.3", [], "10.1.2.3"),
    ],
)
def test_the_client_is_the_right_most_address_no_trusted_proxy_added(
    trusted: list[Any], peer: str, forwarded_for: list[str], client: str
) -> None:
    assert TrustedProxies(trusted).client(peer, forwarded_for) == client


async def run(middleware_for: Any, headers: list[tuple[bytes, bytes]], peer: str) -> Scope:
    seen: dict[str, Any] = {}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.update(scope)

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "scheme": "http",
        "headers": headers,
        "client": (peer, 1234),
    }
    await middleware_for(app)(scope, None, None)
    return seen


async def test_the_middleware_sets_the_client_and_scheme_from_a_trusted_proxy() -> None:
    headers = [
        (b"x-forwarded-for", b"6.6.6.6, 198.51.100.7"),
        (b"x-forwarded-proto", b"https"),
    ]

    behind = await run(lambda app: ForwardedClientMiddleware(app, TRUSTED), headers, "10.1.2.3")
    direct = await run(lambda app: ForwardedClientMiddleware(app, TRUSTED), headers, "6.6.6.7")
    untrusting = await run(lambda app: ForwardedClientMiddleware(app, []), headers, "10.1.2.3")

    assert (behind["client"][0], behind["scheme"]) == ("198.51.100.7", "https")
    assert (direct["client"][0], direct["scheme"]) == ("6.6.6.7", "http")
    assert (untrusting["client"][0], untrusting["scheme"]) == ("10.1.2.3", "http")
