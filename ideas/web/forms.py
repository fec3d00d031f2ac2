"""Reading and checking submitted forms.

A ``Form`` keeps exactly what the person typed (to show it again), the problem
found with each field, and the cleaned values. Concept packages describe their
forms with these pieces in their own ``forms.py``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from starlette.datastructures import FormData


@dataclass
class Form:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_submission(cls, data: FormData | Mapping[str, str], names: tuple[str, ...]) -> Form:
        values = {}
        for name in names:
            raw = data.get(name)
            values[name] = raw if isinstance(raw, str) else ""
        return cls(values=values)

    @property
    def ok(self) -> bool:
        return not self.errors

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
            self.errors[name] = f"{label} is required."
        elif len(value) > max_length:
            self.errors[name] = (
                f"{label} must be at most {max_length:,} characters (it is {len(value):,})."
            )
        return value

    def integer(
        self, name: str, *, label: str, minimum: int, maximum: int, default: int | None = None
    ) -> int | None:
        """A whole number in [minimum, maximum]; empty gives ``default``."""
        raw = self.values.get(name, "").strip()
        if not raw:
            return default
        try:
            number = int(raw)
        except ValueError:
            self.errors[name] = f"{label} must be a whole number, like {minimum + 1}."
            return default
        if not minimum <= number <= maximum:
            self.errors[name] = f"{label} must be between {minimum:,} and {maximum:,}."
        return number

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
        except ValueError:
            self.errors[name] = f"{label} must be a date and time, like 2026-03-01T09:00."
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=zone)
        return parsed


def _normalise(value: str, *, multiline: bool) -> str:
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        value = " ".join(value.split())
    # Control characters other than newline and tab have no place in text people read.
    value = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return value.strip()


def wants_preview(form_data: object) -> bool:
    """The person pressed "Preview" (the form works without JavaScript too)."""
    getter = getattr(form_data, "get", None)
    return getter is not None and getter("intent") == "preview"
