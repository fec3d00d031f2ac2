"""Live preview of Markdown as the site will show it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ideas import markdown
from ideas.web import context
from ideas.web.forms import submitted
from ideas.web.templating import render

PREVIEW_MAX = 20_000
PREVIEWABLE = frozenset({"brief", "body", "comment"})


async def markdown_preview(request: Request) -> Response:
    """Render the form field named in ``?field=`` exactly as it would be saved (sanitised)."""
    context.signed_in(request)
    field = request.query_params.get("field", "")
    if field not in PREVIEWABLE:
        field = "body"
    raw = (await submitted(request)).get(field)
    source = raw[:PREVIEW_MAX] if isinstance(raw, str) else ""
    return render(request, "_preview.html", {"preview": markdown.render(source)})
