"""Hosts write a challenge's title, question and brief in other languages."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ideas import languages
from ideas.challenges import translations
from ideas.challenges.loaders import challenge_for
from ideas.db import utcnow
from ideas.errors import Invalid
from ideas.policy import Action
from ideas.web import context
from ideas.web.forms import submitted, within_limit
from ideas.web.htmx import redirect
from ideas.web.ratelimit import Limit
from ideas.web.templating import render


async def translations_page(request: Request) -> Response:
    """The challenge's versions in other languages, and a form to add or change one
    (``?language=fr`` fills it with the French one)."""
    challenge = await challenge_for(request, Action.EDIT_CHALLENGE)
    db = context.db(request)
    existing = {t.language: t for t in await translations.of_challenge(db, challenge.id)}
    asked = request.query_params.get("language", "")
    form = translations.blank(asked if asked in languages.SUPPORTED else "", existing.get(asked))
    here = context.path_for(request, "challenge.translations", slug=challenge.slug)
    if request.method == "POST":
        form, data = translations.parse(await submitted(request), challenge)
        if data is not None and await within_limit(request, Limit.POST, form):
            try:
                await translations.save_translation(
                    db,
                    challenge_id=challenge.id,
                    actor_id=context.signed_in(request).id,
                    data=data,
                    now=utcnow(),
                )
            except Invalid as error:
                form.errors.update(error.errors)
            else:
                return redirect(request, f"{here}?done={data.language}")
        elif form.status == 200:
            form.status = 400
    done = request.query_params.get("done", "")
    return render(
        request,
        "challenges/translations.html",
        {
            "challenge": challenge,
            "form": form,
            "translations": list(existing.values()),
            "offered": [code for code in languages.SUPPORTED if code != challenge.language],
            "saved": done if done in existing else None,
        },
        block="form",
        status_code=form.status,
        headers=form.headers,
    )


async def remove_translation(request: Request) -> Response:
    challenge = await challenge_for(request, Action.EDIT_CHALLENGE)
    await translations.remove_translation(
        context.db(request),
        challenge_id=challenge.id,
        actor_id=context.signed_in(request).id,
        language=request.path_params["language"],
        now=utcnow(),
    )
    return redirect(
        request, context.path_for(request, "challenge.translations", slug=challenge.slug)
    )
