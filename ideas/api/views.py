"""The API's endpoints and their routes, mounted at /api/v1 by ``ideas.routes``.

Every answer is the one a visitor gets: the signed-in person, if any, is
never looked at, so no draft or other non-public data can leak through here.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ideas.api import openapi, queries, serializers
from ideas.api.http import BadRequest, Endpoint, Links, Nowhere, json_response
from ideas.challenges import queries as challenge_queries
from ideas.db import utcnow
from ideas.errors import NotFound
from ideas.i18n import _
from ideas.impact import queries as impact_queries
from ideas.jury.standings import standings
from ideas.submissions import cluster_queries
from ideas.submissions import queries as idea_queries
from ideas.themes import queries as theme_queries
from ideas.web import context

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_ID = idea_queries.MAX_ID
SORTS = ", ".join(sort.value for sort in queries.IDEA_SORTS)


def _whole_number(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise BadRequest(
            _(
                "%(name)s must be a whole number from %(low)s to %(high)s.",
                name=name,
                low=low,
                high=high,
            )
        )
    return int(raw)


class Challenges(Endpoint):
    """Every challenge a visitor may see, oldest first, a page at a time."""

    async def get(self, request: Request) -> Response:
        after = _whole_number(request, "after", 0, 0, MAX_ID)
        limit = _whole_number(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        now = utcnow()
        page = await queries.challenge_page(context.db(request), after=after, limit=limit, now=now)
        links = Links(request)
        next_url = None
        if page.next_after is not None:
            next_url = links.api("api.challenges") + f"?after={page.next_after}&limit={limit}"
        return json_response(
            {
                "items": [serializers.challenge_summary(c, links, now) for c in page.challenges],
                "next": next_url,
            }
        )


class ChallengeResource(Endpoint):
    """One challenge a visitor may see; a draft is as absent as an unknown slug."""

    async def get(self, request: Request) -> Response:
        now = utcnow()
        db = context.db(request)
        challenge = await queries.visible_challenge(db, request.path_params["slug"], now)
        if challenge is None:
            raise NotFound()
        winners = (await challenge_queries.winners(db, [challenge.id])).get(challenge.id, [])
        return json_response(serializers.challenge_detail(challenge, winners, Links(request), now))


def _sort(request: Request) -> idea_queries.Sort:
    raw = request.query_params.get("sort", idea_queries.Sort.TOP.value)
    for sort in queries.IDEA_SORTS:
        if sort.value == raw:
            return sort
    raise BadRequest(_("sort must be one of %(sorts)s.", sorts=SORTS))


def _cursor(request: Request, sort: idea_queries.Sort) -> idea_queries.Cursor | None:
    raw = request.query_params.get("after")
    if raw is None:
        return None
    try:
        return idea_queries.Cursor.decode(raw, sort)
    except idea_queries.InvalidCursor:
        raise BadRequest(
            _("after must be a cursor taken from the next link of a page in the same sort order.")
        ) from None


def _theme_message() -> str:
    return _("theme must be the id of one of the challenge's themes.")


def _theme(request: Request) -> int | None:
    """The id of ``?theme=``, not yet checked against the challenge's themes."""
    raw = request.query_params.get("theme")
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise BadRequest(_theme_message())
    return int(raw)


class ChallengeIdeas(Endpoint):
    """The visible ideas of a challenge a visitor may see, sorted, a page at a time; kept
    to one of its themes with ``?theme=``."""

    async def get(self, request: Request) -> Response:
        sort = _sort(request)
        after = _cursor(request, sort)
        limit = _whole_number(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        theme_id = _theme(request)
        db = context.db(request)
        slug = request.path_params["slug"]
        now = utcnow()
        challenge = await queries.public_challenge(db, slug, now)
        if challenge is None:
            raise NotFound()
        if theme_id is not None:
            themes = await theme_queries.challenge_themes(db, challenge.id)
            if theme_id not in {theme.id for theme in themes}:
                raise BadRequest(_theme_message())
        page = await idea_queries.challenge_ideas(
            db,
            challenge,
            queries.VISITOR,
            now,
            sort=sort,
            filters=idea_queries.Filters(theme_id=theme_id),
            after=after,
            limit=limit,
            with_coauthors=True,
        )
        links = Links(request)
        next_url = None
        if page.next_after is not None:
            kept_to = f"&theme={theme_id}" if theme_id is not None else ""
            next_url = (
                links.api("api.challenge_ideas", slug=slug)
                + f"?sort={sort.value}&after={page.next_after.encode()}&limit={limit}{kept_to}"
            )
        idea_ids = [i.id for i in page.ideas]
        clusters = await cluster_queries.clusters_of(db, idea_ids)
        themes_of = await theme_queries.themes_of(db, idea_ids)
        return json_response(
            {
                "items": [
                    serializers.idea_summary(
                        i, challenge, links, clusters.get(i.id), themes_of.get(i.id)
                    )
                    for i in page.ideas
                ],
                "next": next_url,
            }
        )


class ChallengeThemes(Endpoint):
    """The themes of a challenge a visitor may see, largest first, with their sizes."""

    async def get(self, request: Request) -> Response:
        db = context.db(request)
        now = utcnow()
        challenge = await queries.public_challenge(db, request.path_params["slug"], now)
        if challenge is None:
            raise NotFound()
        themes = await theme_queries.theme_sizes(db, challenge.id, now)
        return json_response(serializers.theme_list(themes))


class IdeaResource(Endpoint):
    """One idea a visitor may see, with the ideas it builds on and that build on it."""

    async def get(self, request: Request) -> Response:
        db = context.db(request)
        now = utcnow()
        idea = await queries.visible_idea(db, request.path_params["id"], now)
        if idea is None:
            raise NotFound()
        direct = await queries.direct_links(db, idea, now)
        cluster = (await cluster_queries.clusters_of(db, [idea.id])).get(idea.id)
        theme = (await theme_queries.themes_of(db, [idea.id])).get(idea.id)
        return json_response(serializers.idea_detail(idea, direct, Links(request), cluster, theme))


class IdeaLineage(Endpoint):
    """The family of an idea a visitor may see, as nodes and edges."""

    async def get(self, request: Request) -> Response:
        idea_id: int = request.path_params["id"]
        family = await queries.public_family(context.db(request), idea_id, utcnow())
        if family is None:
            raise NotFound()
        return json_response(serializers.lineage(family, Links(request)))


class IdeaUpdates(Endpoint):
    """The impact updates of an idea a visitor may see, the latest first."""

    async def get(self, request: Request) -> Response:
        db = context.db(request)
        idea = await queries.visible_idea(db, request.path_params["id"], utcnow())
        if idea is None:
            raise NotFound()
        links = Links(request)
        updates = await impact_queries.updates_of(db, idea.id)
        return json_response(
            {
                "idea": serializers.idea_api_url(idea.id, links),
                "status": updates[0].status.value if updates else None,
                "items": [serializers.impact_update(u, links) for u in updates],
            }
        )


class ChallengeTeams(Endpoint):
    """The teams of a challenge a visitor may see: members and open roles, nothing private."""

    async def get(self, request: Request) -> Response:
        db = context.db(request)
        challenge = await queries.public_challenge(db, request.path_params["slug"], utcnow())
        if challenge is None:
            raise NotFound()
        rows = await queries.teams(db, challenge.id)
        counts = await impact_queries.pledge_counts(db, [team.id for team, _idea in rows])
        links = Links(request)
        body: serializers.TeamList = {
            "items": [
                serializers.team_out(team, idea, challenge, links, counts.get(team.id))
                for team, idea in rows
            ]
        }
        return json_response(body)


class ChallengeResults(Endpoint):
    """Every ranking of a public challenge's ideas, with its method; the jury's once published."""

    async def get(self, request: Request) -> Response:
        db = context.db(request)
        challenge = await queries.public_challenge(db, request.path_params["slug"], utcnow())
        if challenge is None:
            raise NotFound()
        found = await standings(db, challenge, host=False)
        return json_response(serializers.results(found, Links(request)))


class OpenAPIDocument(Endpoint):
    async def get(self, request: Request) -> Response:
        return json_response(openapi.DOCUMENT)


def routes() -> list[Route]:
    """The API's routes; built after ``ideas.web.convertors.register()``, for ``:id``.

    An id past what the database holds matches no route here but the last one.
    """
    return [
        Route("/challenges", Challenges, name="api.challenges"),
        Route("/challenges/{slug}", ChallengeResource, name="api.challenge"),
        Route("/challenges/{slug}/ideas", ChallengeIdeas, name="api.challenge_ideas"),
        Route("/challenges/{slug}/themes", ChallengeThemes, name="api.challenge_themes"),
        Route("/challenges/{slug}/teams", ChallengeTeams, name="api.challenge_teams"),
        Route("/challenges/{slug}/results", ChallengeResults, name="api.challenge_results"),
        Route("/ideas/{id:id}", IdeaResource, name="api.idea"),
        Route("/ideas/{id:id}/lineage", IdeaLineage, name="api.idea_lineage"),
        Route("/ideas/{id:id}/updates", IdeaUpdates, name="api.idea_updates"),
        Route("/openapi.json", OpenAPIDocument, name="api.openapi"),
        # Last: any other address under the API is a JSON 404, not the site's HTML page.
        Route("/{path:path}", Nowhere(), name="api.not_found"),
    ]
