"""Reading and checking submitted forms.

A ``Form`` keeps exactly what the person typed (to show it again), the problem
found with each field, and the cleaned values. Concept packages describe their
forms with these pieces in their own ``forms.py``.

Whatever is sent, reading a field never raises: a value that is not what the
field takes (a number too large for the database, a date past the year 9999,
an address ``urlsplit`` cannot read) becomes a problem beside the field. A
problem with the form as a whole (too many posts in a short time) goes at its
top, and the form comes back with the status that says so (``Form.status``):
the person never loses what they typed to an error page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from ideas import languages, zones
from ideas.form_tokens import Once
from ideas.i18n import _, format_number, gettext
from ideas.web import context
from ideas.web.formdata import TooLarge
from ideas.web.ratelimit import Limit, hit

# Ids are 32-bit integers on PostgreSQL (SQLite's are wider): a larger number names nothing.
MAX_ID = 2**31 - 1
_ID = re.compile(r"[0-9]{1,10}")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
Submitted = FormData | Mapping[str, Any]


def parse_id(raw: object) -> int | None:
    """An id as a form or a link sends it: ASCII digits naming a row that can exist."""
    if not isinstance(raw, str):
        return None
    raw = raw.strip()
    if not _ID.fullmatch(raw):
        return None
    number = int(raw)
    return number if 1 <= number <= MAX_ID else None


@dataclass
class Form:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    problem: str = ""  # about the form as a whole: shown at its top
    status: int = 200  # what the form comes back with
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_submission(cls, data: Submitted, names: tuple[str, ...]) -> Form:
        """What was sent in the fields ``names``, as typed; a file that was too large
        (``ideas.web.formdata``) is a problem beside its field already."""
        values = {}
        for name in names:
            raw = data.get(name)
            values[name] = _displayable(raw) if isinstance(raw, str) else ""
        form = cls(values=values)
        if isinstance(data, FormData):
            for name, value in data.multi_items():
                if isinstance(value, TooLarge):
                    form.errors[name] = value.message
                    form.status = 413
        return form

    def as_typed(self) -> Form:
        """What was typed, without its problems: shown beside a preview, before any nagging."""
        return Form(values=dict(self.values))

    @property
    def ok(self) -> bool:
        return not self.errors and not self.problem

    def refuse(self, message: str, *, status: int, headers: Mapping[str, str] = {}) -> None:
        """A problem with the whole form: it comes back with ``status``, as typed."""
        self.problem = message
        self.status = status
        self.headers.update(headers)

    def text(
        self,
        name: str,
        *,
        label: str,
        max_length: int,
        required: bool = True,
        multiline: bool = False,
    ) -> str:
        value = _normalise(self.values.get(name, ""), multiline=multiline)
        if required and not value:
            self.errors[name] = _("%(label)s is required.", label=label)
        elif len(value) > max_length:
            self.errors[name] = _(
                "%(label)s must be at most %(most)s characters (it is %(count)s).",
                label=label,
                most=format_number(max_length),
                count=format_number(len(value)),
            )
        return value

    def integer(
        self, name: str, *, label: str, minimum: int, maximum: int, default: int | None = None
    ) -> int | None:
        """A whole number in [minimum, maximum]; empty gives ``default``."""
        raw = self.values.get(name, "").strip()
        if not raw:
            return default
        if not _INTEGER.fullmatch(raw):
            self.errors[name] = _(
                "%(label)s must be a whole number, like %(example)s.",
                label=label,
                example=minimum + 1,
            )
            return default
        # Digits past what any limit here needs name a number out of range, whatever it is.
        number = int(raw) if len(raw) <= 19 else maximum + 1
        if not minimum <= number <= maximum:
            self.errors[name] = _(
                "%(label)s must be between %(low)s and %(high)s.",
                label=label,
                low=format_number(minimum),
                high=format_number(maximum),
            )
            return default
        return number

    def identifier(self, name: str, *, message: str, required: bool = False) -> int | None:
        """The id of something chosen in a list (a select, a hidden field); None for none.

        ``message`` goes beside the field for an id that cannot name anything, and
        for none at all when one is ``required``.
        """
        raw = self.values.get(name, "").strip()
        if not raw:
            if required:
                self.errors[name] = message
            return None
        chosen = parse_id(raw)
        if chosen is None:
            self.errors[name] = message
        return chosen

    def identifiers(self, data: Submitted, name: str, *, message: str) -> list[int]:
        """Every id sent in the repeated field ``name`` (ticked boxes), each once, in order."""
        found: list[int] = []
        sent = data.getlist(name) if isinstance(data, FormData) else [data.get(name)]
        for raw in sent:
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            chosen = parse_id(raw)
            if chosen is None:
                self.errors[name] = message
            elif chosen not in found:
                found.append(chosen)
        return found

    def checked(self, name: str) -> bool:
        """A checkbox: sent (with any value) when ticked, absent otherwise."""
        return bool(self.values.get(name))

    def moment(self, name: str, *, label: str, zone: ZoneInfo) -> datetime | None:
        """A local date and time from <input type=datetime-local>, as aware UTC."""
        raw = self.values.get(name, "").strip()
        if not raw:
            return None
        try:
            parsed = datetime.fromisoformat(raw)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=zone)
            # Near the ends of the calendar, the same moment in UTC may not exist.
            in_utc = parsed.astimezone(UTC)
        except (ValueError, OverflowError):
            self.errors[name] = _(
                "%(label)s must be a date and time, like 2026-03-01T09:00.", label=label
            )
            return None
        if not 2000 <= in_utc.year <= 9998:
            self.errors[name] = _("%(label)s must be between the years 2000 and 9998.", label=label)
            return None
        return parsed

    def zone(self, name: str, *, label: str) -> ZoneInfo | None:
        """A time zone by its IANA name (``Europe/Lisbon``); None for none, or a problem."""
        raw = self.values.get(name, "").strip()
        self.values[name] = raw
        if not raw:
            return None
        zone = zones.zone_named(raw)
        if zone is None:
            self.errors[name] = gettext(
                "%(label)s must be a time zone we know, like Europe/Lisbon or Asia/Tokyo.",
                label=label,
            )
        return zone

    def language(self, name: str, *, detect: bool = False) -> str:
        """A content language chosen from a list (``ideas.languages``); with ``detect``,
        empty means "detect it from the text" and gives ""."""
        raw = self.values.get(name, "").strip()
        if detect and not raw:
            return ""
        chosen = languages.parse(raw)
        if chosen is None:
            self.errors[name] = str(languages.UNSUPPORTED)
            return ""
        return chosen

    def day(self, name: str, *, label: str) -> date | None:
        """A date from <input type=date>."""
        raw = self.values.get(name, "").strip()
        if not raw:
            return None
        try:
            parsed = date.fromisoformat(raw)
        except ValueError:
            self.errors[name] = _("%(label)s must be a date, like 2026-03-01.", label=label)
            return None
        if not 2000 <= parsed.year <= 9998:
            self.errors[name] = _("%(label)s must be between the years 2000 and 9998.", label=label)
            return None
        return parsed

    def email(self, name: str, *, label: str, required: bool = True) -> str:
        """An e-mail address, as far as its shape tells."""
        value = self.text(name, label=label, max_length=320, required=required)
        if value and name not in self.errors and not _EMAIL.fullmatch(value):
            self.errors[name] = _(
                "%(label)s must be an e-mail address, like name@example.org.", label=label
            )
        return value

    def web_addresses(self, name: str, *, label: str, most: int, max_length: int) -> list[str]:
        """Web addresses (http or https), one a line."""
        lines = self.text(
            name, label=label, max_length=most * (max_length + 1), required=False, multiline=True
        )
        found = [line.strip() for line in lines.splitlines() if line.strip()]
        if name in self.errors:
            return found
        if len(found) > most:
            self.errors[name] = _(
                "Give at most %(most)s links (there are %(count)s).", most=most, count=len(found)
            )
            return found
        for url in found:
            if len(url) > max_length or not _is_web_address(url):
                shown = url if len(url) <= 60 else url[:59] + "…"
                self.errors[name] = _(
                    "“%(address)s” is not a web address starting with https://.", address=shown
                )
                break
        return found


def _is_web_address(url: str) -> bool:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading it checks it: a port out of range raises
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.hostname) and " " not in url


def _displayable(value: str) -> str:
    """What was sent, fit to show again: no NUL, no lone surrogate (which no page can carry)."""
    if value.isascii() and "\x00" not in value:
        return value
    return "".join(ch for ch in value if ch != "\x00" and unicodedata.category(ch) != "Cs")


def _normalise(value: str, *, multiline: bool) -> str:
    value = unicodedata.normalize("NFC", _displayable(value))
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        value = " ".join(value.split())
    # Control characters other than newline and tab have no place in text people read.
    value = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return value.strip()


def wants_preview(form_data: object) -> bool:
    """The person pressed "Preview" (the form works without JavaScript too)."""
    getter = getattr(form_data, "get", None)
    return getter is not None and getter("intent") == "preview"


# The request's side of a form ----------------------------------------------------


async def submitted(request: Request) -> FormData:
    """The form sent with this request, read once within the size limits (``ideas.web.csrf``)."""
    form = getattr(request.state, "form", None)
    if isinstance(form, FormData):
        return form
    return await request.form()


def once(request: Request, data: Submitted) -> Once | None:
    """The form's one-time token (``ideas.form_tokens``), bound to the person sending it."""
    user = context.viewer(request)
    return Once.sent(data, user.id) if user is not None else None


async def within_limit(request: Request, limit: Limit, form: Form) -> bool:
    """Count one ``limit`` action. Over the limit, False: the refusal is at the top of
    ``form`` (429, with Retry-After), and the view shows the form again as typed."""
    try:
        await hit(request, limit)
    except HTTPException as refused:
        if refused.status_code != 429:
            raise
        headers = {"Retry-After": "60", **(refused.headers or {})}
        form.refuse(
            _(
                "%(problem)s What you typed is still here: send it again then.",
                problem=refused.detail,
            ),
            status=429,
            headers=headers,
        )
        return False
    return True
