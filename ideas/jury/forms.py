"""The jury's forms: the rubric, the settings, an invitation, a score, a conflict.

Each ``parse_*`` returns the form (what was typed, and the problem beside each
field) and the checked input, or None when something needs fixing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from starlette.datastructures import FormData

from ideas.i18n import _
from ideas.jury.models import SCALE_HIGH, SCALE_LOW, SCOPES
from ideas.web.forms import Form

CRITERIA_ROWS = 6
NAME_MAX = 80
MEANING_MAX = 200
NOTE_MAX = 2_000
REASON_MAX = 300
WEIGHT_MAX = 10

Submitted = FormData | Mapping[str, str]


@dataclass(frozen=True)
class CriterionInput:
    name: str
    low: str
    high: str
    weight: int


@dataclass(frozen=True)
class SettingsInput:
    jury_weight: float  # 0..1
    jurors_per_idea: int
    scope: str


@dataclass(frozen=True)
class ScoreInput:
    marks: dict[int, int]
    note: str
    submit: bool


def criterion_fields(n: int) -> tuple[str, ...]:
    return (f"name-{n}", f"low-{n}", f"high-{n}", f"weight-{n}")


def rubric_names() -> tuple[str, ...]:
    return tuple(name for n in range(CRITERIA_ROWS) for name in criterion_fields(n))


def parse_rubric(data: Submitted) -> tuple[Form, list[CriterionInput] | None]:
    """Up to ``CRITERIA_ROWS`` criteria; a row with no name is left out."""
    form = Form.from_submission(data, rubric_names())
    criteria = []
    for n in range(CRITERIA_ROWS):
        name_field, low_field, high_field, weight_field = criterion_fields(n)
        name = form.text(name_field, label=_("Name"), max_length=NAME_MAX, required=False)
        if not name:
            continue
        low = form.text(low_field, label=_("What a 1 means"), max_length=MEANING_MAX)
        high = form.text(high_field, label=_("What a 5 means"), max_length=MEANING_MAX)
        weight = form.integer(
            weight_field, label=_("Weight"), minimum=1, maximum=WEIGHT_MAX, default=1
        )
        criteria.append(CriterionInput(name, low, high, weight or 1))
    if not criteria and not form.errors:
        form.errors["name-0"] = _("Give the rubric at least one criterion.")
    return form, criteria if form.ok else None


SETTINGS_NAMES = ("jury_weight", "jurors_per_idea", "scope")


def parse_settings(data: Submitted) -> tuple[Form, SettingsInput | None]:
    form = Form.from_submission(data, SETTINGS_NAMES)
    weight = form.integer(
        "jury_weight", label=_("The jury's share"), minimum=0, maximum=100, default=None
    )
    if weight is None and "jury_weight" not in form.errors:
        form.errors["jury_weight"] = _("Give the jury's share, from 0 to 100 per cent.")
    per_idea = form.integer(
        "jurors_per_idea", label=_("Jurors per idea"), minimum=1, maximum=50, default=None
    )
    if per_idea is None and "jurors_per_idea" not in form.errors:
        form.errors["jurors_per_idea"] = _("Give how many jurors score each idea.")
    scope = form.values.get("scope", "")
    if scope not in SCOPES:
        form.errors["scope"] = _("Choose which ideas the jury scores.")
    if not form.ok or weight is None or per_idea is None:
        return form, None
    return form, SettingsInput(weight / 100, per_idea, scope)


def parse_invitation(data: Submitted) -> tuple[Form, str | None]:
    form = Form.from_submission(data, ("email",))
    email = form.email("email", label=_("E-mail address"))
    return form, email if form.ok else None


def mark_field(criterion_id: int) -> str:
    return f"mark-{criterion_id}"


def parse_score(data: Submitted, criterion_ids: Sequence[int]) -> tuple[Form, ScoreInput | None]:
    """A mark per criterion (all of them to submit; a draft may leave some out)."""
    names = (*(mark_field(c) for c in criterion_ids), "note", "action")
    form = Form.from_submission(data, names)
    submit = form.values.get("action") == "submit"
    marks = {}
    for criterion_id in criterion_ids:
        field = mark_field(criterion_id)
        mark = form.integer(field, label=_("Score"), minimum=SCALE_LOW, maximum=SCALE_HIGH)
        if mark is not None:
            marks[criterion_id] = mark
        elif submit and field not in form.errors:
            form.errors[field] = _("Give a score from 1 to 5 to submit.")
    note = form.text("note", label=_("Note"), max_length=NOTE_MAX, required=False, multiline=True)
    return form, ScoreInput(marks, note, submit) if form.ok else None


def parse_conflict(data: Submitted) -> tuple[Form, str | None]:
    form = Form.from_submission(data, ("reason",))
    reason = form.text("reason", label=_("Reason"), max_length=REASON_MAX)
    return form, reason if form.ok else None
