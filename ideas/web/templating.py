"""Jinja2 templates, rendered whole or as one named block for htmx."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, fields
from datetime import datetime
from types import CodeType
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from jinja2_fragments.starlette import Jinja2Blocks
from starlette.requests import Request
from starlette.responses import Response

from ideas import languages, zones
from ideas.accounts import names
from ideas.accounts.providers import avatar_origins
from ideas.challenges.phases import PHASES, Phase
from ideas.db import utcnow
from ideas.form_tokens import for_element, new_token
from ideas.i18n import (
    LANGUAGES,
    current_locale,
    format_day,
    format_list,
    format_moment,
    format_number,
    format_relative,
    gettext,
    install_gettext,
    text_direction,
)
from ideas.media.pictures import AVATAR_SIZE, picture_path
from ideas.policy import May, may_see_avatar_of
from ideas.settings import TEMPLATES_DIR, Settings
from ideas.web import context
from ideas.web.csrf_tokens import mask
from ideas.web.fragments import FragmentCache
from ideas.web.htmx import is_htmx
from ideas.web.static import static_version
from ideas.zones import current_zone


def absolute_url(request: Request, path: str) -> str:
    """``path`` on this site as an absolute URL, for links read away from the site."""
    return context.site_origin(request) + path


class _Environment(jinja2.Environment):
    """Jinja2's environment, with each template's globals in a plain dict.

    Jinja2 gives each template a ChainMap over the environment's globals, and
    every ``{% from "…" import … %}`` compares the rendering context's globals
    with the imported template's, name by name through the ChainMap: tens of
    microseconds for each import, which the templates of a comment and of a
    card run once for each comment and card. A dict answers in C. The
    environment's globals are all set before any template loads
    (``create_templates``), so nothing is missed by copying them.
    """

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


class CompiledTemplates(jinja2.BytecodeCache):
    """Each template's compiled code, kept for the life of the process and shared by
    every environment given the same instance (they must be configured alike).

    A process that makes many applications (the tests make one for each test)
    otherwise parses and compiles every template again for each: most of the time
    a request of theirs takes. A template whose text changed is compiled afresh,
    for Jinja2 compares a checksum of its source with the one kept.
    """

    def __init__(self) -> None:
        self._kept: dict[str, tuple[str, CodeType]] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        kept = self._kept.get(bucket.key)
        if kept is not None and kept[0] == bucket.checksum:
            bucket.code = kept[1]

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.code is not None:
            self._kept[bucket.key] = (bucket.checksum, bucket.code)

    def clear(self) -> None:
        self._kept.clear()


_COMPILED_PAGES = CompiledTemplates()


def status_label(status: object) -> str:
    """The status of an idea or an item of the moderation queue, in words."""
    value = str(getattr(status, "value", status))
    labels = {
        "published": gettext("Published"),
        "hidden": gettext("Hidden"),
        "withdrawn": gettext("Withdrawn"),
        "shortlisted": gettext("Shortlisted"),
        "winner": gettext("Winner"),
        "deleted": gettext("Deleted"),
    }
    return labels.get(value, value.capitalize())


def load_every_template(templates: Jinja2Blocks) -> None:
    """Compile and load every template now.

    A process that serves compiles each template on its first use otherwise: a
    tenth of a second or more for a page's first request, which every request
    waiting on the same process waits for too, once for each page and process.
    A template that does not compile stops the start instead of failing a page.
    """
    for name in templates.env.list_templates():
        templates.env.get_template(name)


def create_templates(settings: Settings) -> Jinja2Blocks:
    env = _Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=settings.is_development,
        # Every template is kept, in a plain dict: there are a hundred or so, all loaded
        # at start (``load_every_template``), and Jinja2's bounded cache moves the one
        # asked for to the end of a queue on each lookup, a scan of that queue, for
        # each page, each import and each include.
        cache_size=-1,
        extensions=[FragmentCache, "jinja2.ext.i18n"],
        bytecode_cache=_COMPILED_PAGES,
    )
    # Every string a person reads is translated (ideas.i18n): {{ _("…") }} in templates.
    install_gettext(env)

    def local(value: datetime, zone: ZoneInfo | None = None) -> datetime:
        return value.astimezone(zone or current_zone())

    def when(value: datetime | None, zone: ZoneInfo | None = None) -> str:
        """A moment as the viewer reads it: in their zone, or in ``zone``."""
        if value is None:
            return gettext("not scheduled")
        moment = local(value, zone)
        return f"{format_moment(moment)} {moment.tzname()}"

    def iso(value: datetime) -> str:
        return local(value).isoformat(timespec="minutes")

    def datetime_local(value: datetime | str | None, zone: ZoneInfo | None = None) -> str:
        """A value for <input type=datetime-local>: typed text is kept as it was."""
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        return f"{local(value, zone):%Y-%m-%dT%H:%M}"

    def relative(value: datetime, now: datetime | None = None) -> str:
        return format_relative(value, now or utcnow())

    @jinja2.pass_context
    def path_for(ctx: jinja2.runtime.Context, name: str, /, **params: Any) -> str:
        return context.path_for(ctx["request"], name, **params)

    @jinja2.pass_context
    def absolute_url_for(ctx: jinja2.runtime.Context, path: str) -> str:
        return absolute_url(ctx["request"], path)

    picture_origins = tuple(f"{origin}/" for origin in avatar_origins(settings))

    def picture(person: Any) -> str | None:
        """The picture the person uploaded, served here; else their provider's, if the
        Content-Security-Policy lets it show; else None (their initials show)."""
        avatar_id: int | None = getattr(person, "avatar_id", None)
        url: str | None = getattr(person, "avatar_url", None)
        if (avatar_id is None and not url) or not may_see_avatar_of(person):
            return None
        if avatar_id is not None:
            return picture_path(avatar_id, AVATAR_SIZE)
        if url and url.startswith(picture_origins):
            return url
        return None

    env.filters.update(
        when=when,
        iso=iso,
        datetime_local=datetime_local,
        relative=relative,
        number=format_number,
        day=format_day,
        list_of=format_list,
        quoted=lambda text: gettext("“%(text)s”", text=text),
        status_label=status_label,
        public_name=names.public_name,
        public_name_capitalised=names.public_name_capitalised,
    )
    env.globals.update(
        static=lambda path: f"/static/{path}?v={static_version(path)}",
        path_for=path_for,
        absolute_url=absolute_url_for,
        picture=picture,
        # A fresh one-time token for each form that makes something (ideas.form_tokens);
        # for a form kept in a part of the page made once (ideas.web.fragments),
        # form_token_for(form_page_token, its element id).
        form_token=new_token,
        form_token_for=for_element,
        PHASES=PHASES,
        Phase=Phase,
        settings=settings,
        # The viewer's time zone, by its name (a function: it changes with each request).
        time_zone=lambda: current_zone().key,
        zone_label=zones.offset_label,
        zone_names=zones.names,
        zone_of_challenge=lambda challenge: zones.zone_of(challenge.time_zone, settings.zone),
        content_languages=languages.CONTENT_LANGUAGES,
        content_language_name=languages.name_of,
        html_lang=languages.html_lang,
        current_lang=current_locale,
        LANGUAGES=LANGUAGES,
        text_direction=text_direction,
    )
    return Jinja2Blocks(env=env)


@dataclass(frozen=True)
class PageContext:
    """What a template is given, as a small frozen dataclass (Datasette does this):
    a template's inputs are written down in one place, with their types.

    ``render`` hands each field to the template under its own name. A field that
    holds another ``PageContext`` is a part that several templates share (a
    comment thread, a vote button): its fields are handed on under their own
    names, so that a fragment reads the same names on every page including it.
    """

    def template_context(self) -> dict[str, Any]:
        names: dict[str, Any] = {}
        for field in _field_names(type(self)):
            value = getattr(self, field)
            given = value.template_context() if isinstance(value, PageContext) else {}
            for name, item in (given or {field: value}).items():
                if name in names and names[name] is not item and names[name] != item:
                    raise ValueError(f"{type(self).__name__} gives {name!r} two values")
                names[name] = item
        return names


_FIELD_NAMES: dict[type[PageContext], tuple[str, ...]] = {}


def _field_names(page: type[PageContext]) -> tuple[str, ...]:
    """The names of the fields of a kind of page or part, worked out once for each kind."""
    names = _FIELD_NAMES.get(page)
    if names is None:
        names = _FIELD_NAMES[page] = tuple(field.name for field in fields(page))
    return names


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | PageContext | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Render ``template``; for an htmx request, only ``block`` of it.

    One URL serves the page and its fragment, so the response varies on
    HX-Request whenever a block is named. ``context`` is a ``PageContext`` for a
    page with more than a handful of inputs, a plain mapping for the others.
    """
    if isinstance(context, PageContext):
        context = context.template_context()
    templates: Jinja2Blocks = request.app.state.templates
    state = request.state
    web_session = getattr(state, "web_session", None)
    viewer = getattr(state, "user", None)
    full_context: dict[str, Any] = {
        "current_user": viewer,
        "may": May(viewer),
        # Masked afresh for each response, never the session's token as it is (BREACH).
        "csrf_token": mask(web_session.csrf_token) if web_session is not None else "",
        # The random part of this page's one-time form tokens (``form_token_for``).
        "form_page_token": new_token(),
        "request_id": getattr(state, "request_id", "-"),
        "now": utcnow(),
        **(context or {}),
    }
    response_headers = dict(headers or {})
    if block is not None:
        response_headers["Vary"] = "HX-Request"
    if block is not None and is_htmx(request):
        response: Response = templates.TemplateResponse(
            request,
            template,
            full_context,
            status_code=status_code,
            headers=response_headers,
            block_name=block,
        )
    else:
        response = templates.TemplateResponse(
            request, template, full_context, status_code=status_code, headers=response_headers
        )
    return response
