"""The forms of impact: an update, check-in dates, a pledge, a follow-up round.

Each ``parse_*`` returns the form (what was typed, the problem beside each field) and
the checked input, or None when something needs fixing. Pictures are read by the view
(``ideas.media.uploads``), which has the uploaded files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from starlette.datastructures import FormData

from ideas.i18n import _
from ideas.impact.models import ImpactStatus, PledgeKind
from ideas.media.pictures import Prepared
from ideas.policy import PLEDGE_CONDITION_MAX
from ideas.web.forms import Form

BODY_MAX = 10_000
LINKS_MAX = 5
LINK_LENGTH = 500
FIGURES_MAX = 3
PICTURES_MAX = 3
UNIT_MAX = 40
MEASURES_MAX = 120
WHAT_MAX = 200
CHECK_INS_MAX = 12
TITLE_MAX = 120

Submitted = FormData | Mapping[str, str]


@dataclass(frozen=True)
class Figure:
    """ "meals saved per week: 340": ``value`` 340, ``unit`` "meals", ``measures`` what."""

    value: float
    unit: str
    measures: str

    def as_data(self) -> dict[str, object]:
        return {"value": self.value, "unit": self.unit, "measures": self.measures}


@dataclass(frozen=True)
class PictureInput:
    picture: Prepared
    alt: str


@dataclass(frozen=True)
class UpdateInput:
    status: ImpactStatus
    body: str
    links: tuple[str, ...] = ()
    figures: tuple[Figure, ...] = ()
    pictures: tuple[PictureInput, ...] = field(default=())


@dataclass(frozen=True)
class PledgeInput:
    kind: PledgeKind
    what: str
    condition: int | None = None  # "if N others pledge too"


@dataclass(frozen=True)
class FollowUpInput:
    title: str
    idea_ids: tuple[int, ...]


def figure_fields(n: int) -> tuple[str, str, str]:
    return (f"figure-value-{n}", f"figure-unit-{n}", f"figure-measures-{n}")


def picture_fields(n: int) -> tuple[str, str]:
    return (f"picture-{n}", f"picture-alt-{n}")


UPDATE_NAMES = (
    "status",
    "body",
    "links",
    *(name for n in range(FIGURES_MAX) for name in figure_fields(n)),
    *(picture_fields(n)[1] for n in range(PICTURES_MAX)),
)


def _number(form: Form, name: str) -> float | None:
    raw = form.values.get(name, "").strip().replace(",", "")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if value != value or abs(value) > 1e12:
        form.errors[name] = _("Give a number, like 340 or 2.5.")
        return None
    return value


def parse_update(
    data: Submitted, pictures: Sequence[Prepared | None] = ()
) -> tuple[Form, UpdateInput | None]:
    """A status, a text, up to ``LINKS_MAX`` links, ``FIGURES_MAX`` figures (a row
    left empty is left out) and ``PICTURES_MAX`` pictures, each described."""
    form = Form.from_submission(data, UPDATE_NAMES)
    raw_status = form.values.get("status", "")
    status = next((s for s in ImpactStatus if s.value == raw_status), None)
    if status is None:
        form.errors["status"] = _("Choose where the idea stands now.")
    body = form.text(
        "body", label=_("What happened"), max_length=BODY_MAX, required=True, multiline=True
    )
    links = form.web_addresses(
        "links", label=_("Evidence links"), most=LINKS_MAX, max_length=LINK_LENGTH
    )
    figures = []
    for n in range(FIGURES_MAX):
        value_field, unit_field, measures_field = figure_fields(n)
        value = _number(form, value_field)
        unit = form.text(unit_field, label=_("Unit"), max_length=UNIT_MAX, required=False)
        measures = form.text(
            measures_field, label=_("What it measures"), max_length=MEASURES_MAX, required=False
        )
        if value is None and not unit and not measures:
            continue
        if value is None and value_field not in form.errors:
            form.errors[value_field] = _("Give the number, or clear this figure.")
        elif not measures:
            form.errors[measures_field] = _("Say what the number measures.")
        elif value is not None:
            figures.append(Figure(value, unit, measures))
    chosen = []
    for n, picture in enumerate(pictures[:PICTURES_MAX]):
        alt_field = picture_fields(n)[1]
        alt = form.text(alt_field, label=_("The picture's description"), max_length=200,
                        required=False)  # fmt: skip
        if picture is None:
            continue
        if not alt:
            form.errors[alt_field] = _("Describe the picture for those who cannot see it.")
        else:
            chosen.append(PictureInput(picture, alt))
    if not form.ok or status is None:
        return form, None
    return form, UpdateInput(status, body, tuple(links), tuple(figures), tuple(chosen))


def parse_check_ins(data: Submitted) -> tuple[Form, list[date] | None]:
    """Up to ``CHECK_INS_MAX`` dates, one a line (2027-03-01)."""
    form = Form.from_submission(data, ("dates",))
    text = form.text(
        "dates", label=_("Check-in dates"), max_length=CHECK_INS_MAX * 12, required=False,
        multiline=True,
    )  # fmt: skip
    days = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            days.append(date.fromisoformat(line.strip()))
        except ValueError:
            form.errors["dates"] = _(
                "“%(line)s” is not a date like 2027-03-01.", line=line.strip()[:20]
            )
            break
    if len(days) > CHECK_INS_MAX and "dates" not in form.errors:
        form.errors["dates"] = _("Give at most %(most)d dates.", most=CHECK_INS_MAX)
    return form, sorted(set(days)) if form.ok else None


PLEDGE_NAMES = ("kind", "what", "conditional", "condition")


def parse_pledge(data: Submitted) -> tuple[Form, PledgeInput | None]:
    form = Form.from_submission(data, PLEDGE_NAMES)
    kind = next((k for k in PledgeKind if k.value == form.values.get("kind")), None)
    if kind is None:
        form.errors["kind"] = _("Choose what you pledge: time, a skill or a thing.")
    what = form.text("what", label=_("What you pledge"), max_length=WHAT_MAX)
    condition = None
    if form.checked("conditional") or form.values.get("condition", "").strip():
        condition = form.integer(
            "condition", label=_("How many others"), minimum=1, maximum=PLEDGE_CONDITION_MAX
        )
        if condition is None and "condition" not in form.errors:
            form.errors["condition"] = _("Say how many others must pledge too.")
    if not form.ok or kind is None:
        return form, None
    return form, PledgeInput(kind, what, condition)


def parse_follow_up(data: Submitted, offered: Sequence[int]) -> tuple[Form, FollowUpInput | None]:
    form = Form.from_submission(data, ("title",))
    title = form.text("title", label=_("Title"), max_length=TITLE_MAX)
    chosen: list[int] = []
    if isinstance(data, FormData):
        raw = data.getlist("carry")
    else:
        raw = [data["carry"]] if "carry" in data else []
    for value in raw:
        if isinstance(value, str) and value.isdigit() and int(value) in offered:
            chosen.append(int(value))
    return form, FollowUpInput(title, tuple(dict.fromkeys(chosen))) if form.ok else None
