"""The audit log for admins: every recorded action, newest first, filtered; and as CSV.

The filters are a GET form, so a filtered page has its own URL and works
without JavaScript; htmx swaps the filters and the results in place. The CSV
takes the same filters and is streamed from a server-side cursor.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ideas import policy
from ideas.challenges import exports
from ideas.db import Database, utcnow
from ideas.moderation import forms, queries, services
from ideas.moderation.forms import AuditFilters
from ideas.moderation.pages import AuditLogPage
from ideas.moderation.queries import AuditRow
from ideas.web import context
from ideas.web.forms import Form
from ideas.web.templating import render
from ideas.zones import current_zone

# Suggested in the action filter: each narrows the log to one kind of action.
ACTION_PREFIXES = (
    "moderation.",
    "user.suspend",
    "user.role.",
    "user.",
    "challenge.phase",
    "challenge.",
    "idea.",
    "comment.",
    "jury.",
    "cluster.",
    "audit.export",
)
CSV_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor",
    "action",
    "subject_type",
    "subject_id",
    "challenge",
    "data",
)


def _kept_filters(form: Form) -> dict[str, str]:
    """The filters as typed, those without a problem, for links to the same list."""
    return {
        name: value.strip()
        for name, value in form.values.items()
        if value.strip() and name != "before" and name not in form.errors
    }


def _with_query(path: str, params: dict[str, str]) -> str:
    return f"{path}?{urlencode(params)}" if params else path


async def audit_log(request: Request) -> Response:
    policy.require_admin(context.viewer(request))
    form, filters, before = forms.parse_audit_filters(request.query_params, current_zone())
    db = context.db(request)
    page = await queries.audit_page(db, filters, before)
    kept = _kept_filters(form)
    path = context.path_for(request, "admin.audit")
    older = (
        _with_query(path, {**kept, "before": str(page.next_before)})
        if page.next_before is not None
        else None
    )
    return render(
        request,
        "admin/audit.html",
        AuditLogPage(
            form=form,
            rows=page.rows,
            filtered=bool(kept),
            older_url=older,
            newest_url=_with_query(path, kept) if before is not None else None,
            csv_url=_with_query(context.path_for(request, "admin.audit_csv"), kept),
            challenges=await queries.challenge_choices(db),
            action_prefixes=ACTION_PREFIXES,
        ),
        block="log",
    )


def _record(row: AuditRow) -> exports.Record:
    entry = row.entry
    return {
        "id": entry.id,
        "at": entry.at.astimezone(UTC).isoformat(timespec="seconds"),
        "actor_id": entry.actor_id,
        "actor": row.actor_name,
        "action": entry.action,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "challenge": row.challenge_slug,
        "data": json.dumps(entry.data or {}, sort_keys=True, ensure_ascii=False),
    }


async def _csv(database: Database, filters: AuditFilters) -> AsyncIterator[str]:
    """The CSV a batch of rows at a time; cells a spreadsheet would run are made inert."""
    fmt = exports.FORMATS["csv"]
    yield fmt.opening(CSV_COLUMNS)
    first = True
    async for rows in queries.audit_rows(database, filters):
        yield fmt.batch(CSV_COLUMNS, [_record(row) for row in rows], first)
        first = False


async def audit_csv(request: Request) -> Response:
    admin = context.signed_in(request)
    policy.require_admin(admin)
    form, filters, _ = forms.parse_audit_filters(request.query_params, current_zone())
    await services.record_audit_export(
        context.db(request), actor_id=admin.id, filters=_kept_filters(form), now=utcnow()
    )
    database: Database = request.app.state.database
    return StreamingResponse(
        _csv(database, filters),
        media_type=exports.FORMATS["csv"].media_type,
        headers={
            "Content-Disposition": 'attachment; filename="audit-log.csv"',
            "Cache-Control": "private, no-store",
        },
    )
