"""Reading the report form, the moderators' reasons and the audit log's filters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from starlette.datastructures import FormData

from ideas.i18n import _
from ideas.moderation.models import ReportReason
from ideas.web.forms import Form, parse_id

NOTE_MAX = 500
HIDDEN_REASON_MAX = 500
ACTION_PREFIX_MAX = 64
ACTOR_MAX = 320


@dataclass(frozen=True)
class ReportInput:
    reason: ReportReason
    note: str


def blank_report() -> Form:
    return Form(values={"reason": "", "note": ""})


def parse_report(data: FormData | Mapping[str, str]) -> tuple[Form, ReportInput | None]:
    """A reason from the list and, for "something else", a word on what is wrong."""
    form = Form.from_submission(data, ("reason", "note"))
    reason: ReportReason | None = None
    try:
        reason = ReportReason(form.values["reason"])
    except ValueError:
        form.errors["reason"] = _("Choose why you are reporting it.")
    note = form.text(
        "note", label=_("What is wrong"), max_length=NOTE_MAX, required=False, multiline=True
    )
    if reason is ReportReason.OTHER and not note and "note" not in form.errors:
        form.errors["note"] = _("Say what is wrong when you choose “Something else”.")
    if not form.ok or reason is None:
        return form, None
    return form, ReportInput(reason=reason, note=note)


def parse_hidden_reason(
    data: FormData | Mapping[str, str], *, required: bool = True
) -> tuple[Form, str | None]:
    """Why an item stays hidden (required), or shows again (optional): its author reads
    this."""
    form = Form.from_submission(data, ("reason",))
    reason = form.text(
        "reason",
        label=_("The reason"),
        max_length=HIDDEN_REASON_MAX,
        required=required,
        multiline=True,
    )
    return form, reason if form.ok else None


# The audit log's filters -----------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    """What the audit log is narrowed to; empty strings and None mean "any"."""

    action: str = ""  # a prefix: "moderation." or "user.role"
    challenge: str = ""  # a challenge's slug
    actor: str = ""  # an id, an e-mail address, or part of a name
    actor_id: int | None = None  # ``actor`` when it is an id
    since: datetime | None = None  # from the start of the first day…
    until: datetime | None = None  # …to the end of the last one (exclusive)


AUDIT_FIELDS = ("action", "challenge", "actor", "from", "to", "before")


def parse_audit_filters(
    data: Mapping[str, str], zone: ZoneInfo
) -> tuple[Form, AuditFilters, int | None]:
    """The filters from the query string, and the id the page starts below (keyset paging).

    A filter with a problem is reported beside its field and left out; the
    others still apply.
    """
    form = Form.from_submission(data, AUDIT_FIELDS)
    action = form.text("action", label=_("Action"), max_length=ACTION_PREFIX_MAX, required=False)
    challenge = form.text("challenge", label=_("Challenge"), max_length=80, required=False)
    actor = form.text("actor", label=_("Actor"), max_length=ACTOR_MAX, required=False)
    first = form.day("from", label=_("From"))
    last = form.day("to", label=_("To"))
    if first and last and last < first:
        form.errors["to"] = _("To must be on or after From.")
        last = None
    before = parse_id(form.values["before"])
    filters = AuditFilters(
        action="" if "action" in form.errors else action,
        challenge="" if "challenge" in form.errors else challenge,
        actor="" if "actor" in form.errors else actor,
        actor_id=None if "actor" in form.errors else parse_id(actor),
        since=datetime.combine(first, time.min, tzinfo=zone) if first else None,
        until=datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone) if last else None,
    )
    return form, filters, before
