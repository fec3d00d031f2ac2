"""The client's address when the site runs behind proxies (IDEAS_TRUSTED_PROXIES).

Each proxy appends the address it received the request from to
``X-Forwarded-For``. Anyone can send that header, so it is read only when the
connection comes from a trusted proxy, and then from the right: every address
a trusted proxy added is skipped, and the first one that is not trusted is the
client. Whatever the client wrote further left is never believed. With no
trusted proxies (the default) the header is ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(text: str) -> Address | None:
    """An address as proxies write it: ``203.0.113.7``, ``203.0.113.7:5000``,
    ``2001:db8::1`` or ``[2001:db8::1]:5000``; None for anything else."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


class TrustedProxies:
    def __init__(self, networks: Sequence[Network]) -> None:
        self.networks = tuple(networks)
        self.trusts = lru_cache(maxsize=1024)(self._trusts)

    def __bool__(self) -> bool:
        return bool(self.networks)

    def _trusts(self, host: str) -> bool:
        address = parse_address(host)
        return address is not None and any(address in network for network in self.networks)

    def client(self, peer: str, forwarded_for: Sequence[str]) -> str:
        """The client's address, from the peer's address and the X-Forwarded-For chain
        (every entry, oldest first)."""
        if not self.trusts(peer):
            return peer
        chain = [entry.strip() for entry in forwarded_for if entry.strip()]
        for entry in reversed(chain):
            if not self.trusts(entry):
                address = parse_address(entry)
                return str(address) if address is not None else entry
        # Every hop is a trusted proxy: the oldest one is as close to a client as there is.
        if chain:
            address = parse_address(chain[0])
            return str(address) if address is not None else chain[0]
        return peer


class ForwardedClientMiddleware:
    """Put the client's address (and scheme) behind trusted proxies into the scope."""

    def __init__(self, app: ASGIApp, trusted: Sequence[Network]) -> None:
        self.app = app
        self.proxies = TrustedProxies(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        peer = scope.get("client")
        if scope["type"] == "http" and self.proxies and peer and self.proxies.trusts(peer[0]):
            forwarded_for: list[str] = []
            proto: list[str] = []
            for name, value in scope["headers"]:
                if name == b"x-forwarded-for":
                    forwarded_for += value.decode("latin-1").split(",")
                elif name == b"x-forwarded-proto":
                    proto += value.decode("latin-1").split(",")
            if forwarded_for:
                scope["client"] = (self.proxies.client(peer[0], forwarded_for), 0)
            # The nearest proxy's word on how the request reached it.
            if proto and proto[-1].strip().lower() in {"http", "https"}:
                scope["scheme"] = proto[-1].strip().lower()
        await self.app(scope, receive, send)
