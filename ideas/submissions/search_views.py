"""Finding ideas: the site-wide search page, and similar ideas while one is typed."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ideas import policy
from ideas.challenges.loaders import visible_challenge_alone
from ideas.db import utcnow
from ideas.errors import Invalid
from ideas.i18n import _
from ideas.policy import Action
from ideas.submissions import forms, queries, search
from ideas.web import context
from ideas.web.templating import render

IDEAS_PER_CHALLENGE = 5
SIMILAR_MAX = 5


def _text(request: Request, *names: str) -> str:
    return " ".join(search.clean(request.query_params.get(name, "")) for name in names)


async def search_page(request: Request) -> Response:
    """Challenges whose text holds the words, and matching ideas grouped by challenge.

    Only what the viewer may see: challenges by the policy (drafts only for
    their hosts), and their visible ideas.
    """
    q = _text(request, "q")
    found_challenges: list[queries.FoundChallenge] = []
    groups: list[queries.IdeaGroup] = []
    if q:
        db = context.db(request)
        viewer = context.viewer(request)
        now = utcnow()
        candidates = await queries.challenges_for_search(db, q)
        visible = [
            found
            for found in candidates
            if policy.may(
                Action.SEE_CHALLENGE,
                found.challenge,
                policy.challenge_roles(viewer, found.challenge),
                now,
            )
        ]
        found_challenges = [found for found in visible if found.matches]
        groups = list(
            await queries.search_ideas(
                db,
                q,
                {found.challenge.id: found.challenge for found in visible},
                per_challenge=IDEAS_PER_CHALLENGE,
            )
        )
    return render(
        request,
        "search.html",
        {
            "q": q,
            "challenges": [found.challenge for found in found_challenges],
            "groups": groups,
            "idea_total": sum(group.total for group in groups),
        },
        block="results",
    )


async def similar_ideas(request: Request) -> Response:
    """Up to five visible ideas of the challenge like the title and summary being typed.

    A fragment for the new-idea form; empty when nothing is similar. A title or
    summary longer than the form lets anyone type is refused (400).
    """
    challenge, _roles = await visible_challenge_alone(request, request.path_params["slug"])
    if len(request.query_params.get("title", "")) > forms.TITLE_MAX:
        raise Invalid({"title": _("A title is at most %(num)d characters.", num=forms.TITLE_MAX)})
    if len(request.query_params.get("summary", "")) > forms.SUMMARY_MAX:
        raise Invalid(
            {"summary": _("A summary is at most %(num)d characters.", num=forms.SUMMARY_MAX)}
        )
    text = _text(request, "title", "summary")
    ideas = await queries.similar(context.db(request), challenge.id, text, limit=SIMILAR_MAX)
    return render(request, "submissions/_similar.html", {"challenge": challenge, "ideas": ideas})
