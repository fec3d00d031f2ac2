"""The application factory."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.orm import configure_mappers
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp

import ideas.models  # noqa: F401 - every table, so that foreign keys resolve
from ideas import languages
from ideas.accounts.providers import Providers, avatar_origins, configured
from ideas.db import Database
from ideas.live.hub import Hub, InProcessBackend
from ideas.logs import configure_logging
from ideas.notifications import mail
from ideas.notifications import worker as notifications_worker
from ideas.outages import OutageWatch
from ideas.routes import api_path_builder, path_builder, routes
from ideas.settings import Settings, load_settings
from ideas.similarity import queries as similarity
from ideas.web.cache import PageCache
from ideas.web.csrf import CSRFMiddleware
from ideas.web.errors import OutageMiddleware, exception_handlers
from ideas.web.language import LanguageMiddleware
from ideas.web.proxies import ForwardedClientMiddleware
from ideas.web.ratelimit import RateLimiter, VisitorPostsMiddleware
from ideas.web.routing import SegmentRouter
from ideas.web.security import RequestIdMiddleware, SecurityHeadersMiddleware
from ideas.web.sessions import RequestContextMiddleware, cookie_name
from ideas.web.templating import create_templates, load_every_template
from ideas.web.turns import LongAnswersNextTurnMiddleware

# How many objects a worker makes before the garbage collector walks the newest
# (Python's default is 700), and how many walks of each generation before the next
# one up is walked (10 and 10 by default). A request makes thousands of objects, and
# with many in flight a walk finds most of them still in use: at the defaults, under
# votes on PostgreSQL, the walks took 9% of a worker's time; at these, 5%.
COLLECTION_THRESHOLDS = (10_000, 20, 20)


class Site(Starlette):
    """Starlette, with long answers sent on the loop's next turn, compression, the client's
    address behind trusted proxies, request ids, security headers and the visitors' page
    cache outside everything else.

    Starlette always puts its server-error middleware outermost; these go around
    it so that a 500 page carries them too, and a cached page skips the rest.
    """

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        self._settings = settings
        super().__init__(**kwargs)
        # Starlette's router, asking only the routes a path's first segment can match.
        self.router = SegmentRouter(kwargs.get("routes"), lifespan=kwargs.get("lifespan"))

    def build_middleware_stack(self) -> ASGIApp:
        inner = super().build_middleware_stack()
        # Linking an account posts a form that redirects to the provider.
        form_targets = [provider.origin for provider in configured(self._settings)]
        cached = PageCache(
            inner,
            ttl=self._settings.page_cache_ttl,
            session_cookie=cookie_name(self._settings),
            default_locale=self._settings.default_locale,
        )
        # Pages compressed on the way out (pictures, fonts and event streams are not:
        # Starlette leaves them alone); under a kilobyte it is not worth the work. Long
        # answers, as sent, go out on the loop's next turn (``ideas.web.turns``).
        return LongAnswersNextTurnMiddleware(
            GZipMiddleware(
                ForwardedClientMiddleware(
                    RequestIdMiddleware(
                        SecurityHeadersMiddleware(
                            cached,
                            self._settings,
                            form_targets=form_targets,
                            image_sources=avatar_origins(self._settings),
                        )
                    ),
                    trusted=self._settings.trusted_proxies,
                ),
                minimum_size=1000,
                compresslevel=6,
            )
        )


def create_app(
    settings: Settings | None = None, database: Database | None = None, live: Hub | None = None
) -> Starlette:
    """Build the site. ``database`` is given by tests; otherwise one is opened at start-up.
    ``live`` (tests): where changes are told to open pages; by default one process's own
    hub when ``database`` is given (started by whoever needs it), else from the settings."""
    settings = settings or load_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if database is not None:
            yield
            return
        app.state.database = Database.from_settings(settings)
        app.state.database.mail = app.state.mail
        app.state.database.live = app.state.live
        await app.state.live.start()
        app.state.live.end_streams_on_exit_signals()
        try:
            # Queued e-mail is sent from here too, unless a separate `ideas worker` does it;
            # the similar ideas' indexes are built beside start-up, not by requests.
            async with (
                notifications_worker.in_background(app.state.database, settings),
                similarity.kept_ready(app.state.database) as indexes,
            ):
                # Set once they are built, never when shutting down cancels the building.
                built = threading.Event()
                indexes.add_done_callback(lambda task: None if task.cancelled() else built.set())
                settling = threading.Thread(target=_settle, args=(built,), name="start-up")
                settling.daemon = True
                settling.start()
                yield
        finally:
            await app.state.live.close()
            await app.state.outages.close()
            await app.state.database.dispose()

    app = Site(
        debug=False,
        settings=settings,
        routes=routes(settings),
        middleware=[
            Middleware(OutageMiddleware),
            Middleware(RequestContextMiddleware, settings=settings),
            Middleware(LanguageMiddleware, settings=settings),
            Middleware(VisitorPostsMiddleware),
            Middleware(CSRFMiddleware, settings=settings),
        ],
        exception_handlers=exception_handlers(),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.outages = OutageWatch()
    # The site's URL builders, made from its own routes, for views, templates and e-mail.
    app.state.path_for = path_builder(app.router)
    app.state.api_path_for = api_path_builder(app.router)
    # What services need to queue e-mail, carried by the database they are handed.
    app.state.mail = mail.setup_for(settings, app.state.path_for)
    app.state.templates = create_templates(settings)
    app.state.rate_limiter = RateLimiter.from_settings(settings)
    app.state.providers = Providers(settings)
    if live is None:
        live = Hub(InProcessBackend()) if database is not None else Hub.from_settings(settings)
    app.state.live = live
    if database is not None:
        database.mail = app.state.mail
        database.live = live
        app.state.database = database
    return app


def serve_app() -> Starlette:
    """Entry point for uvicorn's --factory: settings from the environment."""
    settings = load_settings()
    configure_logging(settings.log_level)
    app = create_app(settings)
    # Before the freeze: the compiled templates live as long as the process too.
    load_every_template(app.state.templates)
    _freeze_startup_objects()
    return app


def _settle(indexes_built: threading.Event) -> None:
    """What start-up leaves to be done beside it, in a thread: load the language detector's
    model (seconds: not in start-up, and not at the first post); then, once the open
    challenges' similar ideas' indexes are built too, freeze what the two brought in
    (scikit-learn, the model: tens of thousands of objects) as start-up froze the rest,
    if it did (a server; not a test)."""
    languages.load()
    indexes_built.wait()
    if gc.get_freeze_count():
        _freeze_startup_objects()


def _freeze_startup_objects() -> None:
    """Keep what start-up built out of the garbage collector's full passes.

    The modules, the ORM's mappers and the site's routes are well over a
    hundred thousand objects that live as long as the process. A full
    collection walked all of them every few seconds under load, pausing the
    worker and every request on it for about a tenth of a second; frozen, they
    are never walked again, and a full collection takes milliseconds. What requests
    make is then walked less often than Python does by default
    (``COLLECTION_THRESHOLDS``).
    """
    configure_mappers()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*COLLECTION_THRESHOLDS)
