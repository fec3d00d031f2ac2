"""The CSRF token as pages carry it: masked afresh for every response (BREACH).

A page never holds the session's token as it is. ``mask`` puts a fresh random
pad of the same length before the token XOR the pad, URL-safe base64, so two
responses never share the bytes a compression side channel could find;
``token_matches`` unmasks what comes back and compares it in constant time.
The check itself is ``ideas.web.csrf``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import secrets

MASKED = re.compile(r"[A-Za-z0-9_-]+")  # URL-safe base64 without its "=" padding


def mask(secret: str) -> str:
    """``secret`` as a page may carry it: a fresh random pad, then the secret XOR the pad.

    Every call gives a different string, so no two responses share the bytes a
    compression side channel could find, yet each unmasks to the same secret.
    """
    raw = secret.encode()
    pad = secrets.token_bytes(len(raw))
    return base64.urlsafe_b64encode(pad + _xor(raw, pad)).rstrip(b"=").decode("ascii")


def unmask(sent: str) -> bytes | None:
    """The secret a ``mask`` result hides, or None if ``sent`` is not one."""
    if not MASKED.fullmatch(sent):
        return None
    try:
        data = base64.urlsafe_b64decode(sent + "=" * (-len(sent) % 4))
    except (binascii.Error, ValueError):
        return None
    half, odd = divmod(len(data), 2)
    if odd or not half:
        return None
    return _xor(data[half:], data[:half])


def _xor(data: bytes, pad: bytes) -> bytes:
    """``data`` XOR ``pad`` (of the same length), byte by byte, as one big number."""
    return (int.from_bytes(data) ^ int.from_bytes(pad)).to_bytes(len(data))


def token_matches(sent: str, secret: str) -> bool:
    """Whether ``sent`` is the session's token ``secret``, masked or as it is."""
    expected = secret.encode()
    if len(sent) == len(secret):  # the token itself, as API clients send it
        return hmac.compare_digest(sent.encode(), expected)
    revealed = unmask(sent)
    return revealed is not None and hmac.compare_digest(revealed, expected)
