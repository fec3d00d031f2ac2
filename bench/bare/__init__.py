"""The bare stack: the yardstick the app's signed-in pages are held against.

A minimal ASGI app built with the libraries the app uses (Starlette, Jinja2
with autoescape, SQLAlchemy 2 asyncio, served by uvicorn) that does the work
of three of the app's answers, and no more:

- ``GET /challenges/{slug}?sort=...``: the viewer (from the session cookie
  the app sets, looked up in the app's sessions table by the token's hash),
  the challenge, its 20 visible ideas in the sort's order with their authors'
  names and counts, which of them the viewer voted for, rendered as 20 cards
  with a vote button each (a form with a CSRF hidden field). Four queries.
- ``GET /ideas/{id}`` (and ``/ideas/{id}/{slug}``, the app's address): the
  viewer, the idea with its author, its challenge and whether the viewer
  voted for it, its co-authors, its newest top-level comments (as many as
  the app's idea page shows) and their replies, with their authors. Five
  queries.
- ``POST /ideas/{id}/vote``: the viewer, the CSRF token (the ``X-CSRF-Token``
  header or the ``csrf_token`` field) checked against the session's, then in
  one transaction the vote inserted (``action=vote``) or deleted
  (``action=withdraw``) and the idea's ``vote_count`` moved. Answered as the
  app answers: a 303 to ``next`` for a plain form post, the vote button in
  its new state (200) for htmx, 409 when there was nothing to do, 403 for a
  bad token.

It reads with SQLAlchemy Core: ``select()`` of the columns a page shows, on
the app's tables, giving plain rows to the templates. That is what a
competent engineer writing the least code for these pages would use: no
objects to build, no identity map, no relationship loading; the app's ORM
models serve only as the schema. The statements are built once, with bound
parameters.

The database is reached as the app reaches it: the engine comes from
``ideas.db.create_engine``; reads run outside a transaction (PostgreSQL in
autocommit, SQLite without BEGIN), as the app's request sessions do; on
SQLite a write begins IMMEDIATE and queues, within a process and across the
workers, on the lock file the app's writers use (``ideas.db.WriteLock``), the
house's one way to write on SQLite. What the app does besides and the bare
stack leaves out: security headers, request ids, rate limits, the page
cache, Origin checks, the rules of who may see and vote (phases, co-authors,
budgets; the bare stack only keeps votes to visible ideas of someone else),
and on the pages the tags, lineage, hosts, winners, timeline, follow buttons
and report forms.
"""

from __future__ import annotations

import contextlib
import gc
import hmac
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import jinja2
from sqlalchemy import Integer, String, Table, bindparam, exists, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from ideas.accounts.models import User, UserStatus, WebSession
from ideas.accounts.sessions import hash_token
from ideas.challenges.models import Challenge
from ideas.comments.models import Comment
from ideas.comments.queries import THREAD_LIMIT
from ideas.db import READ_OPTION, WRITE_OPTION, UTCDateTime, WriteLock, create_engine
from ideas.submissions.models import VISIBLE_STATUSES, Idea, IdeaCoauthor
from ideas.voting.models import Vote

TEMPLATES = Path(__file__).parent / "templates"
PAGE_SIZE = 20
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"

_sessions = cast(Table, WebSession.__table__)
_users = cast(Table, User.__table__)
_challenges = cast(Table, Challenge.__table__)
_ideas = cast(Table, Idea.__table__)
_coauthors = cast(Table, IdeaCoauthor.__table__)
_comments = cast(Table, Comment.__table__)
_votes = cast(Table, Vote.__table__)

_authors = _users.alias("author")

# The column each sort orders by, descending, ties broken by id; "top" for any other.
SORTS: dict[str, Any] = {
    "top": _ideas.c.vote_count,
    "newest": _ideas.c.created_at,
    "built-on": _ideas.c.build_count,
    "influence": _ideas.c.influence,
    "pairwise": func.coalesce(_ideas.c.pairwise_score, literal(-1.0)),
    "trending": _ideas.c.last_activity_at,
}
SORT_LABELS = {
    "top": "Top",
    "newest": "Newest",
    "built-on": "Most built on",
    "influence": "Most influence",
    "pairwise": "Pairwise rank",
    "trending": "Trending",
}

_VIEWER = (
    select(_users.c.id, _users.c.display_name, _sessions.c.csrf_token)
    .select_from(_sessions.join(_users, _users.c.id == _sessions.c.user_id))
    .where(
        _sessions.c.id == bindparam("token_hash", type_=String),
        _sessions.c.last_seen_at > bindparam("seen_since", type_=UTCDateTime()),
        _users.c.status == UserStatus.ACTIVE,
    )
)

_CHALLENGE = select(
    _challenges.c.id,
    _challenges.c.slug,
    _challenges.c.title,
    _challenges.c.question,
    _challenges.c.brief_html,
    _challenges.c.idea_count,
).where(_challenges.c.slug == bindparam("slug", type_=String))

_CARD_COLUMNS = (
    _ideas.c.id,
    _ideas.c.slug,
    _ideas.c.title,
    _ideas.c.summary,
    _ideas.c.status,
    _ideas.c.author_id,
    _ideas.c.vote_count,
    _ideas.c.comment_count,
    _ideas.c.build_count,
    _ideas.c.created_at,
    _authors.c.display_name.label("author_name"),
    _authors.c.status.label("author_status"),
)


def _page_of_ideas(key: Any) -> Any:
    return (
        select(*_CARD_COLUMNS)
        .select_from(_ideas.join(_authors, _authors.c.id == _ideas.c.author_id))
        .where(
            _ideas.c.challenge_id == bindparam("challenge_id", type_=Integer),
            _ideas.c.status.in_(VISIBLE_STATUSES),
        )
        .order_by(key.desc(), _ideas.c.id.desc())
        .limit(PAGE_SIZE)
    )


_PAGES = {sort: _page_of_ideas(key) for sort, key in SORTS.items()}

_VOTED_AMONG = select(_votes.c.idea_id).where(
    _votes.c.user_id == bindparam("viewer", type_=Integer),
    _votes.c.idea_id.in_(bindparam("idea_ids", expanding=True)),
)

_IDEA = (
    select(
        *_CARD_COLUMNS,
        _ideas.c.body_html,
        _ideas.c.influence,
        _challenges.c.slug.label("challenge_slug"),
        _challenges.c.title.label("challenge_title"),
        exists()
        .where(
            _votes.c.idea_id == _ideas.c.id,
            _votes.c.user_id == bindparam("viewer", type_=Integer),
        )
        .label("voted"),
    )
    .select_from(
        _ideas.join(_authors, _authors.c.id == _ideas.c.author_id).join(
            _challenges, _challenges.c.id == _ideas.c.challenge_id
        )
    )
    .where(
        _ideas.c.id == bindparam("idea_id", type_=Integer),
        _ideas.c.status.in_(VISIBLE_STATUSES),
    )
)

_COAUTHORS = (
    select(_users.c.display_name, _users.c.status)
    .select_from(_coauthors.join(_users, _users.c.id == _coauthors.c.user_id))
    .where(_coauthors.c.idea_id == bindparam("idea_id", type_=Integer))
    .order_by(_coauthors.c.added_at)
)

_COMMENT_COLUMNS = (
    _comments.c.id,
    _comments.c.parent_id,
    _comments.c.author_id,
    _comments.c.body_html,
    _comments.c.status,
    _comments.c.created_at,
    _comments.c.edited_at,
    _users.c.display_name.label("author_name"),
    _users.c.status.label("author_status"),
)
_COMMENTED = _comments.join(_users, _users.c.id == _comments.c.author_id)
_NEWEST_COMMENTS = (
    select(*_COMMENT_COLUMNS)
    .select_from(_COMMENTED)
    .where(
        _comments.c.idea_id == bindparam("idea_id", type_=Integer),
        _comments.c.parent_id.is_(None),
    )
    .order_by(_comments.c.created_at.desc(), _comments.c.id.desc())
    .limit(THREAD_LIMIT)
)
_REPLIES = (
    select(*_COMMENT_COLUMNS)
    .select_from(_COMMENTED)
    .where(
        _comments.c.idea_id == bindparam("idea_id", type_=Integer),
        _comments.c.parent_id.in_(bindparam("parent_ids", expanding=True)),
    )
    .order_by(_comments.c.created_at, _comments.c.id)
)

_IDEA_ID = bindparam("idea_id", type_=Integer)
_VOTER = bindparam("voter", type_=Integer)
_NOW = bindparam("at", type_=UTCDateTime())
# A vote for a visible idea of someone else, unless there is one already.
_VOTABLE = select(_ideas.c.id, _VOTER, _ideas.c.challenge_id, _NOW).where(
    _ideas.c.id == _IDEA_ID,
    _ideas.c.status.in_(VISIBLE_STATUSES),
    _ideas.c.author_id != _VOTER,
)
_VOTE_COLUMNS = ["idea_id", "user_id", "challenge_id", "created_at"]
_CAST = {
    dialect: insert(_votes)
    .from_select(_VOTE_COLUMNS, _VOTABLE)
    .on_conflict_do_nothing(index_elements=["idea_id", "user_id"])
    .returning(_votes.c.idea_id)
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}
_WITHDRAW = (
    _votes.delete()
    .where(_votes.c.idea_id == _IDEA_ID, _votes.c.user_id == _VOTER)
    .returning(_votes.c.idea_id)
)
_COUNT_UP = (
    update(_ideas)
    .where(_ideas.c.id == _IDEA_ID)
    .values(vote_count=_ideas.c.vote_count + 1, last_activity_at=_NOW)
    .returning(_ideas.c.vote_count, _ideas.c.title)
)
_COUNT_DOWN = (
    update(_ideas)
    .where(_ideas.c.id == _IDEA_ID)
    .values(vote_count=_ideas.c.vote_count - 1)
    .returning(_ideas.c.vote_count, _ideas.c.title)
)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["day"] = lambda moment: f"{moment:%-d %b %Y}"
    env.filters["iso"] = lambda moment: moment.isoformat(timespec="minutes")
    return env


class Bare:
    """The engine, the templates and the one write path of a bare app's process."""

    def __init__(self, url: str, *, cookie: str, idle: timedelta) -> None:
        self.url = url
        self.cookie = cookie
        self.idle = idle
        self.templates = _environment()
        self._engine: AsyncEngine | None = None
        self._reading: AsyncEngine | None = None
        self._writing: AsyncEngine | None = None
        self._write_lock: WriteLock | None = None

    async def start(self) -> None:
        engine = self._engine = create_engine(self.url)
        if engine.dialect.name == "postgresql":
            self._reading = engine.execution_options(isolation_level="AUTOCOMMIT")
            self._writing = engine
        else:
            self._reading = engine.execution_options(**{READ_OPTION: True})
            self._writing = engine.execution_options(**{WRITE_OPTION: True})
            database = make_url(self.url).database
            # The file the app's writers lock, beside the database.
            self._write_lock = WriteLock(Path(f"{database}.write-lock") if database else None)

    async def stop(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()

    @contextlib.asynccontextmanager
    async def reads(self) -> AsyncIterator[AsyncConnection]:
        """A connection whose statements each see what was committed when they began."""
        if self._reading is None:
            raise RuntimeError("the bare app has not started")
        async with self._reading.connect() as connection:
            yield connection

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """One write transaction, committed when the block ends."""
        if self._writing is None:
            raise RuntimeError("the bare app has not started")
        lock = self._write_lock
        async with (
            lock if lock is not None else contextlib.nullcontext(),
            self._writing.begin() as connection,
        ):
            yield connection

    async def viewer(self, db: AsyncConnection, request: Request) -> Any:
        """The signed-in person (id, display_name, csrf_token), or None."""
        token = request.cookies.get(self.cookie)
        if not token:
            return None
        params = {"token_hash": hash_token(token), "seen_since": datetime.now(UTC) - self.idle}
        return (await db.execute(_VIEWER, params)).one_or_none()

    def render(self, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
        html = self.templates.get_template(template).render(context)
        headers = {"Cache-Control": "private, no-cache"}
        return HTMLResponse(html, status_code=status_code, headers=headers)


def _bare(request: Request) -> Bare:
    bare: Bare = request.app.state.bare
    return bare


def _person(name: str, status: str) -> str:
    return name if status in (UserStatus.ACTIVE, UserStatus.SUSPENDED) else "a deleted participant"


async def challenge_page(request: Request) -> Response:
    bare = _bare(request)
    sort = request.query_params.get("sort", "")
    if sort not in SORTS:
        sort = "top"
    async with bare.reads() as db:
        viewer = await bare.viewer(db, request)
        challenge = (
            await db.execute(_CHALLENGE, {"slug": request.path_params["slug"]})
        ).one_or_none()
        if challenge is None:
            return PlainTextResponse("Not found", status_code=404)
        ideas = (await db.execute(_PAGES[sort], {"challenge_id": challenge.id})).all()
        voted: set[int] = set()
        if viewer is not None and ideas:
            ids = [idea.id for idea in ideas]
            params = {"viewer": viewer.id, "idea_ids": ids}
            voted = set((await db.scalars(_VOTED_AMONG, params)).all())
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return bare.render(
        "challenge.html",
        {
            "viewer": viewer,
            "csrf_token": viewer.csrf_token if viewer is not None else "",
            "challenge": challenge,
            "ideas": ideas,
            "voted_ids": voted,
            "sort": sort,
            "sorts": SORT_LABELS,
            "here": here,
            "person": _person,
            "now": datetime.now(UTC),
        },
    )


async def idea_page(request: Request) -> Response:
    bare = _bare(request)
    idea_id = request.path_params["idea_id"]
    async with bare.reads() as db:
        viewer = await bare.viewer(db, request)
        params = {"idea_id": idea_id, "viewer": viewer.id if viewer is not None else -1}
        idea = (await db.execute(_IDEA, params)).one_or_none()
        if idea is None:
            return PlainTextResponse("Not found", status_code=404)
        coauthors = (await db.execute(_COAUTHORS, {"idea_id": idea_id})).all()
        newest = (await db.execute(_NEWEST_COMMENTS, {"idea_id": idea_id})).all()
        replies: dict[int, list[Any]] = {comment.id: [] for comment in newest}
        if newest:
            found = await db.execute(_REPLIES, {"idea_id": idea_id, "parent_ids": list(replies)})
            for reply in found:
                replies[reply.parent_id].append(reply)
    return bare.render(
        "idea.html",
        {
            "viewer": viewer,
            "csrf_token": viewer.csrf_token if viewer is not None else "",
            "idea": idea,
            "coauthors": coauthors,
            "thread": [(comment, replies[comment.id]) for comment in reversed(newest)],
            "here": request.url.path,
            "person": _person,
            "now": datetime.now(UTC),
        },
    )


def _safe_next(value: str, default: str) -> str:
    """A path on this site to go back to; ``default`` for anything else."""
    if value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return default


async def vote(request: Request) -> Response:
    bare = _bare(request)
    idea_id = request.path_params["idea_id"]
    async with bare.reads() as db:
        viewer = await bare.viewer(db, request)
    async with request.form() as form:
        action = form.get("action")
        next_path = form.get("next")
        sent = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)
    if viewer is None or not isinstance(sent, str):
        return PlainTextResponse("Forbidden", status_code=403)
    if not hmac.compare_digest(sent.encode(), viewer.csrf_token.encode()):
        return PlainTextResponse("Forbidden", status_code=403)
    if action not in ("vote", "withdraw"):
        return PlainTextResponse("Choose to vote or to withdraw your vote.", status_code=400)
    params = {"idea_id": idea_id, "voter": viewer.id, "at": datetime.now(UTC)}
    async with bare.transaction() as tx:
        if action == "vote":
            changed = await tx.scalar(_CAST[tx.dialect.name], params)
            counted = (await tx.execute(_COUNT_UP, params)).one() if changed else None
        else:
            changed = await tx.scalar(_WITHDRAW, params)
            counted = (await tx.execute(_COUNT_DOWN, params)).one() if changed else None
    if counted is None:
        return PlainTextResponse("Nothing to change.", status_code=409)
    idea_path = f"/ideas/{idea_id}"
    back = _safe_next(next_path if isinstance(next_path, str) else "", idea_path)
    if request.headers.get("HX-Request") != "true":
        return RedirectResponse(back, status_code=303)
    response = bare.render(
        "_vote.html",
        {
            "idea": {"id": idea_id, "title": counted.title, "vote_count": counted.vote_count},
            "voted": action == "vote",
            "may_vote": True,
            "csrf_token": viewer.csrf_token,
            "here": back.split("#", 1)[0],
        },
    )
    response.headers.update({"HX-Trigger": "idea.voted", "Vary": "HX-Request"})
    return response


async def ready(request: Request) -> Response:
    return PlainTextResponse("ready")


def create_app(url: str, *, cookie: str, idle: timedelta = timedelta(days=14)) -> Starlette:
    """The bare app on the database at ``url``, reading the session cookie ``cookie``."""
    bare = Bare(url, cookie=cookie, idle=idle)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await bare.start()
        try:
            yield
        finally:
            await bare.stop()

    app = Starlette(
        routes=[
            Route("/readyz", ready),
            Route("/challenges/{slug}", challenge_page),
            Route("/ideas/{idea_id:int}/vote", vote, methods=["POST"]),
            Route("/ideas/{idea_id:int}", idea_page),
            Route("/ideas/{idea_id:int}/{slug}", idea_page),
        ],
        lifespan=lifespan,
    )
    app.state.bare = bare
    return app


def serve_app() -> Starlette:
    """For uvicorn's --factory: the database, the cookie's name and the sessions' idle
    time as the app reads them from the environment."""
    from ideas.settings import load_settings
    from ideas.web.sessions import cookie_name

    settings = load_settings()
    app = create_app(
        settings.effective_database_url,
        cookie=cookie_name(settings),
        idle=timedelta(minutes=settings.session_idle_minutes),
    )
    # As the app does: what start-up built stays out of the collector's full passes,
    # so that a full collection does not pause the worker.
    gc.collect()
    gc.freeze()
    return app
