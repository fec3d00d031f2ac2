"""What the jury templates are given."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ideas.challenges.models import Challenge
from ideas.jury.models import Criterion, Juror, JuryConflict, JuryScore, JurySettings
from ideas.jury.queries import Figures
from ideas.submissions.models import Idea
from ideas.web.forms import Form
from ideas.web.templating import PageContext


@dataclass(frozen=True)
class SetupPage(PageContext):
    """``jury/setup.html``: the hosts' jury: rubric, settings, jurors, progress, figures."""

    challenge: Challenge
    settings: JurySettings | None
    criteria: list[Criterion]
    jurors: list[Juror]
    juror_labels: Mapping[int, str]  # user id → "Juror 1" (or their name)
    rubric_form: Form
    settings_form: Form
    invite_form: Form
    may_set_up: bool
    may_publish: bool
    frozen: bool  # a score is in: the weighting and the rubric stay as they are
    done: int
    wanted: int
    conflicts: list[JuryConflict]
    idea_titles: Mapping[int, str]
    figures: Figures | None
    criterion_names: Mapping[int, str]
    rows: int  # rubric rows offered
    notice: str


@dataclass(frozen=True)
class QueueItem:
    idea: Idea
    score: JuryScore | None

    @property
    def state(self) -> str:
        if self.score is None:
            return "to score"
        return "submitted" if self.score.submitted_at is not None else "draft"


@dataclass(frozen=True)
class QueuePage(PageContext):
    """``jury/queue.html``: a juror's ideas to score."""

    challenge: Challenge
    items: list[QueueItem]
    criteria: list[Criterion]
    may_score: bool
    submitted: int
    juror: Juror
    notice: str


@dataclass(frozen=True)
class OtherScore:
    label: str
    marks: Mapping[int, int]


@dataclass(frozen=True)
class ScorePage(PageContext):
    """``jury/score.html``: one idea with the rubric beside it and the juror's form."""

    challenge: Challenge
    idea: Idea
    criteria: list[Criterion]
    form: Form
    score: JuryScore | None
    may_score: bool
    others: list[OtherScore]  # other jurors' submitted scores: only once this one submitted
    conflict_form: Form
    scale: list[int]
