"""The jury's pages: the hosts' setup and figures, a juror's queue and score form.

Every action is a plain form post answered by a redirect (or, with a problem,
by the page again with the problem beside its field and what was typed).
"""

from __future__ import annotations

import contextlib

from starlette.requests import Request
from starlette.responses import Response

from ideas import policy
from ideas.challenges.loaders import challenge_for, visible_challenge
from ideas.challenges.models import Challenge
from ideas.db import utcnow
from ideas.errors import AlreadyDone, Forbidden, Invalid, NotFound
from ideas.i18n import _
from ideas.jury import forms, queries, services
from ideas.jury.models import SCALE_HIGH, SCALE_LOW, Juror, JuryScore
from ideas.jury.pages import OtherScore, QueueItem, QueuePage, ScorePage, SetupPage
from ideas.policy import Action
from ideas.submissions import queries as idea_queries
from ideas.web import context
from ideas.web.forms import Form, submitted
from ideas.web.htmx import redirect
from ideas.web.templating import render

NOTICES = {
    "rubric": "The rubric is saved.",
    "settings": "The settings are saved.",
    "invited": "The invitation is sent.",
    "published": "The jury's scores are published.",
    "saved": "Your draft is saved.",
    "submitted": "Your scores are submitted.",
    "conflict": "The idea is out of your queue; the hosts see your reason.",
    "named": "Your choice is saved.",
}


def _notice(request: Request) -> str:
    key = request.query_params.get("done", "")
    return _(NOTICES[key]) if key in NOTICES else ""


# The hosts' setup ------------------------------------------------------------------


def _rubric_form(found: queries.Jury) -> Form:
    values: dict[str, str] = {}
    for n, c in enumerate(found.criteria):
        name, low, high, weight = forms.criterion_fields(n)
        values |= {name: c.name, low: c.low, high: c.high, weight: str(c.weight)}
    return Form(values=values)


def _settings_form(found: queries.Jury) -> Form:
    s = found.settings
    return Form(
        values={
            "jury_weight": str(round((s.jury_weight if s else 0.5) * 100)),
            "jurors_per_idea": str(s.jurors_per_idea if s else 2),
            "scope": s.scope if s else "all",
        }
    )


async def _setup(
    request: Request,
    challenge: Challenge,
    *,
    rubric_form: Form | None = None,
    settings_form: Form | None = None,
    invite_form: Form | None = None,
    status_code: int = 200,
) -> Response:
    db = context.db(request)
    found = await queries.jury(db, challenge.id)
    roles = policy.challenge_roles(context.viewer(request), challenge)
    now = utcnow()
    done, wanted = found.progress()
    scored = bool(found.scores)
    figures = queries.figures(found) if found.submitted_marks() else None
    page = SetupPage(
        challenge=challenge,
        settings=found.settings,
        criteria=found.criteria,
        jurors=found.jurors,
        juror_labels=queries.juror_labels(found.jurors),
        rubric_form=rubric_form or _rubric_form(found),
        settings_form=settings_form or _settings_form(found),
        invite_form=invite_form or Form(),
        may_set_up=policy.may(Action.SET_UP_JURY, challenge, roles, now),
        may_publish=policy.may(Action.PUBLISH_JURY, challenge, roles, now)
        and scored
        and not (found.settings is not None and found.settings.published_at is not None),
        frozen=scored,
        done=done,
        wanted=wanted,
        conflicts=found.conflicts,
        idea_titles={i.id: i.title for i in found.ideas},
        figures=figures,
        criterion_names={c.id: c.name for c in found.criteria},
        rows=forms.CRITERIA_ROWS,
        notice=_notice(request),
    )
    return render(request, "jury/setup.html", page, status_code=status_code)


def _setup_path(request: Request, challenge: Challenge, done: str) -> str:
    return context.path_for(request, "jury.setup", slug=challenge.slug) + f"?done={done}"


async def setup_page(request: Request) -> Response:
    challenge = await challenge_for(request, Action.RUN_CHALLENGE)
    return await _setup(request, challenge)


async def save_rubric(request: Request) -> Response:
    challenge = await challenge_for(request, Action.SET_UP_JURY)
    form, criteria = forms.parse_rubric(await submitted(request))
    if criteria is None:
        return await _setup(request, challenge, rubric_form=form, status_code=400)
    try:
        await services.save_rubric(
            context.db(request), challenge_id=challenge.id, criteria=criteria,
            actor_id=context.signed_in(request).id, now=utcnow(),
        )  # fmt: skip
    except Invalid as refused:
        form.errors |= refused.errors
        return await _setup(request, challenge, rubric_form=form, status_code=400)
    return redirect(request, _setup_path(request, challenge, "rubric"))


async def save_settings(request: Request) -> Response:
    challenge = await challenge_for(request, Action.SET_UP_JURY)
    form, data = forms.parse_settings(await submitted(request))
    if data is None:
        return await _setup(request, challenge, settings_form=form, status_code=400)
    try:
        await services.save_settings(
            context.db(request), challenge_id=challenge.id, data=data,
            actor_id=context.signed_in(request).id, now=utcnow(),
        )  # fmt: skip
    except Invalid as refused:
        form.errors |= refused.errors
        return await _setup(request, challenge, settings_form=form, status_code=400)
    return redirect(request, _setup_path(request, challenge, "settings"))


async def invite(request: Request) -> Response:
    challenge = await challenge_for(request, Action.SET_UP_JURY)
    form, email = forms.parse_invitation(await submitted(request))
    if email is None:
        return await _setup(request, challenge, invite_form=form, status_code=400)
    try:
        await services.invite_juror(
            context.db(request), challenge_id=challenge.id, email=email,
            actor_id=context.signed_in(request).id, now=utcnow(),
        )  # fmt: skip
    except Invalid as refused:
        form.errors |= refused.errors
        return await _setup(request, challenge, invite_form=form, status_code=400)
    return redirect(request, _setup_path(request, challenge, "invited"))


async def publish(request: Request) -> Response:
    challenge = await challenge_for(request, Action.PUBLISH_JURY)
    with contextlib.suppress(AlreadyDone):  # published already: as asked
        await services.publish(
            context.db(request), challenge_id=challenge.id,
            actor_id=context.signed_in(request).id, now=utcnow(),
        )  # fmt: skip
    return redirect(request, _setup_path(request, challenge, "published"))


# A juror's queue and scores ----------------------------------------------------------


async def _juror(request: Request) -> tuple[Challenge, queries.Jury, Juror, int]:
    """The challenge, its jury and the viewer's place on it; 403 for anyone else."""
    challenge, _roles = await visible_challenge(request, request.path_params["slug"])
    user = context.signed_in(request)
    db = context.db(request)
    juror = await queries.juror_for(db, challenge.id, user)
    if juror is None:
        raise Forbidden(services.NOT_A_JUROR)
    return challenge, await queries.jury(db, challenge.id), juror, user.id


def _may_score(request: Request, challenge: Challenge) -> bool:
    roles = policy.jury_roles(context.viewer(request), challenge, juror=True)
    return policy.may(Action.SCORE_IDEAS, challenge, roles, utcnow())


async def queue_page(request: Request) -> Response:
    challenge, found, juror, user_id = await _juror(request)
    mine = found.queues().get(user_id, set())
    scores = {s.idea_id: s for s in found.scores if s.user_id == user_id}
    items = [QueueItem(i, scores.get(i.id)) for i in found.ideas if i.id in mine]
    page = QueuePage(
        challenge=challenge,
        items=items,
        criteria=found.criteria,
        may_score=_may_score(request, challenge),
        submitted=sum(1 for item in items if item.state == "submitted"),
        juror=juror,
        notice=_notice(request),
    )
    return render(request, "jury/queue.html", page)


def _score_form(score: JuryScore | None) -> Form:
    if score is None:
        return Form()
    values = {forms.mark_field(int(c)): str(v) for c, v in score.marks.items()}
    return Form(values=values | {"note": score.note})


async def _score_page(
    request: Request,
    *,
    form: Form | None = None,
    conflict_form: Form | None = None,
    status_code: int = 200,
) -> Response:
    challenge, found, _juror_row, user_id = await _juror(request)
    idea_id: int = request.path_params["idea_id"]
    idea = await idea_queries.by_id(context.db(request), idea_id)
    if (
        idea is None
        or idea.challenge_id != challenge.id
        or idea_id not in {i.id for i in found.ideas}
    ):
        raise NotFound()
    mine = next((s for s in found.scores if s.user_id == user_id and s.idea_id == idea_id), None)
    labels = queries.juror_labels(found.jurors)
    others = []
    if mine is not None and mine.submitted_at is not None:
        others = [
            OtherScore(labels.get(s.user_id, _("A juror")), {int(c): v for c, v in s.marks.items()})
            for s in found.scores
            if s.idea_id == idea_id and s.user_id != user_id and s.submitted_at is not None
        ]
    page = ScorePage(
        challenge=challenge,
        idea=idea,
        criteria=found.criteria,
        form=form or _score_form(mine),
        score=mine,
        may_score=_may_score(request, challenge),
        others=others,
        conflict_form=conflict_form or Form(),
        scale=list(range(SCALE_LOW, SCALE_HIGH + 1)),
    )
    return render(request, "jury/score.html", page, status_code=status_code)


async def score_page(request: Request) -> Response:
    return await _score_page(request)


async def save_score(request: Request) -> Response:
    challenge, found, _juror_row, user_id = await _juror(request)
    idea_id: int = request.path_params["idea_id"]
    form, data = forms.parse_score(await submitted(request), [c.id for c in found.criteria])
    if data is None:
        return await _score_page(request, form=form, status_code=400)
    try:
        await services.save_score(
            context.db(request), challenge_id=challenge.id, idea_id=idea_id, user_id=user_id,
            data=data, now=utcnow(),
        )  # fmt: skip
    except Invalid as refused:
        form.errors |= refused.errors
        return await _score_page(request, form=form, status_code=400)
    except AlreadyDone:
        pass  # submitted already, from another tab: the page shows it as it stands
    path = context.path_for(request, "jury.queue", slug=challenge.slug)
    return redirect(request, f"{path}?done={'submitted' if data.submit else 'saved'}")


async def declare_conflict(request: Request) -> Response:
    challenge, _found, _juror_row, user_id = await _juror(request)
    idea_id: int = request.path_params["idea_id"]
    form, reason = forms.parse_conflict(await submitted(request))
    if reason is None:
        return await _score_page(request, conflict_form=form, status_code=400)
    with contextlib.suppress(AlreadyDone):  # declared already, from another tab
        await services.declare_conflict(
            context.db(request), challenge_id=challenge.id, idea_id=idea_id, user_id=user_id,
            reason=reason, now=utcnow(),
        )  # fmt: skip
    path = context.path_for(request, "jury.queue", slug=challenge.slug)
    return redirect(request, f"{path}?done=conflict")


async def set_named(request: Request) -> Response:
    challenge, _found, _juror_row, user_id = await _juror(request)
    form = Form.from_submission(await submitted(request), ("named",))
    await services.set_named(
        context.db(request), challenge_id=challenge.id, user_id=user_id,
        named=form.checked("named"), now=utcnow(),
    )  # fmt: skip
    path = context.path_for(request, "jury.queue", slug=challenge.slug)
    return redirect(request, f"{path}?done=named")
