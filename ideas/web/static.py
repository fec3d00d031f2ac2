"""The site's static files, and how long browsers and caches may keep them.

Templates link a static file with its content's hash (``?v=…``, made by
``static_version``), so a changed file gets a new address: a file asked for
by its current hash never changes and is kept a year; one asked for without
it, or by an old hash, may change and is kept a few minutes.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from urllib.parse import parse_qs

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from ideas.settings import STATIC_DIR

VERSIONED = "public, max-age=31536000, immutable"
UNVERSIONED = "public, max-age=300"


@lru_cache(maxsize=256)
def static_version(path: str) -> str:
    """The first characters of the hash of the file at ``path`` under static/."""
    file = (STATIC_DIR / path).resolve()
    if not file.is_relative_to(STATIC_DIR) or not file.is_file():
        return "missing"
    return hashlib.sha256(file.read_bytes()).hexdigest()[:12]


class VersionedStaticFiles(StaticFiles):
    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v", [""])[0]
        current = static_version(self.get_path(scope))
        response.headers["Cache-Control"] = VERSIONED if asked and asked == current else UNVERSIONED
        return response
