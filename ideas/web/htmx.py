"""Small helpers for requests made by htmx."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

# Events the server announces in the HX-Trigger header; scripts listen for these names.
IDEA_POSTED = "idea.posted"
IDEA_VOTED = "idea.voted"
PHASE_CHANGED = "challenge.phase-changed"


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def redirect(request: Request, url: str) -> Response:
    """After a successful post: a 303 for plain forms, a client redirect for htmx."""
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)
