"""Home page, challenge pages, and what hosts do to a challenge as a whole."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ideas import languages, markdown, policy, zones
from ideas.accounts.names import public_name
from ideas.challenges import forms, hosting, queries, services, translations
from ideas.challenges.loaders import challenge_for, visible_challenge_page
from ideas.challenges.models import Challenge
from ideas.challenges.page_state import page_state
from ideas.challenges.pages import ChallengePage
from ideas.challenges.phases import Phase, next_change
from ideas.db import utcnow
from ideas.errors import Invalid
from ideas.i18n import _
from ideas.impact import queries as impact_queries
from ideas.jury import services as jury_services
from ideas.jury.queries import NO_JURY, JuryNotice
from ideas.media.uploads import picture_from
from ideas.policy import Action
from ideas.submissions import cluster_queries
from ideas.submissions import queries as idea_queries
from ideas.voting.loaders import list_vote_context
from ideas.web import context
from ideas.web.forms import Form, once, submitted, wants_preview, within_limit
from ideas.web.htmx import is_htmx, redirect
from ideas.web.ratelimit import Limit
from ideas.web.templating import render
from ideas.web.timing import evenly
from ideas.zones import current_zone


async def home(request: Request) -> Response:
    user = context.viewer(request)
    listing = await queries.for_home(context.db(request), user, utcnow())
    return render(
        request,
        "home.html",
        {"listing": listing, "may_create": policy.may_create_challenge(user)},
    )


async def new_challenge(request: Request) -> Response:
    user = context.signed_in(request)
    policy.require_create_challenge(user)
    form = forms.blank(current_zone(), languages.reader_language())
    preview = None
    if request.method == "POST":
        sent = await submitted(request)
        form, data = forms.parse(sent, current_zone())
        if wants_preview(sent):
            form = form.as_typed()
            preview = markdown.render(form.values["brief"])
        elif data is not None and await within_limit(request, Limit.POST, form):
            try:
                data = replace(data, cover=await picture_from(sent, "cover"))
                challenge = await services.create_challenge(
                    context.db(request),
                    host_id=user.id,
                    data=data,
                    now=utcnow(),
                    once=once(request, sent),
                )
            except Invalid as error:
                form.errors.update(error.errors)
            else:
                return redirect(
                    request, context.path_for(request, "challenge.detail", slug=challenge.slug)
                )
    return render(
        request,
        "challenges/new.html",
        {"form": form, "preview": preview, "challenge": None, "slug_locked": False},
        block="form",
        status_code=form.status,
        headers=form.headers,
    )


def challenge_path(request: Request, challenge: Challenge) -> str:
    return context.path_for(request, "challenge.detail", slug=challenge.slug)


async def challenge_detail(request: Request) -> Response:
    """The challenge page; its ideas list sorts, filters, searches and pages by cursor.

    For htmx: a request for more ideas (``after``) gets only the next cards and
    the new "more" link; any other gets the ideas section.
    """
    found, roles = await visible_challenge_page(request, request.path_params["slug"])
    challenge = found.challenge
    viewer = context.viewer(request)
    htmx = is_htmx(request)
    now = utcnow()
    params = request.query_params
    db = context.db(request)
    themes = found.themes
    filters = idea_queries.Filters.parse(
        params,
        tag_ids={tag.id for tag in found.tags},
        theme_ids={theme.id for theme in themes},
    )
    sort, sort_chosen = idea_queries.Sort.chosen(params.get("sort"), searching=bool(filters.q))
    after = None
    if params.get("after"):
        try:
            after = idea_queries.Cursor.decode(params["after"], sort)
        except idea_queries.InvalidCursor:
            raise HTTPException(
                400, _("That link to more ideas is out of date. Start again from the first ideas.")
            ) from None
    page = await idea_queries.challenge_ideas(
        db, challenge, roles, now, sort=sort, filters=filters, after=after
    )
    more_only = after is not None and htmx
    matching = (
        await idea_queries.count_challenge_ideas(db, challenge.id, filters)
        if filters.active and not more_only
        else None
    )
    winners = (
        (await queries.winners(db, [challenge.id])).get(challenge.id, [])
        if found.has_winners and not htmx
        else []
    )
    state = await page_state(
        db,
        viewer=viewer,
        challenge=challenge,
        idea_ids=[idea.id for idea in page.ideas],
        around=not htmx,
    )
    phase = challenge.phase_at(now)

    def listing_url(**changes: str) -> str:
        values = {
            "sort": sort.value if sort_chosen else "",
            "q": filters.q,
            "tag": str(filters.tag_id or ""),
            "status": filters.status.value if filters.status else "",
            "theme": str(filters.theme_id or ""),
            **changes,
        }
        query = urlencode({name: value for name, value in values.items() if value})
        return f"{request.url.path}?{query}" if query else request.url.path

    sorts = idea_queries.Sort.offered(searching=bool(filters.q))
    return render(
        request,
        "challenges/detail.html",
        ChallengePage(
            challenge=challenge,
            text=(
                translations.original(challenge)
                if htmx
                else await translations.shown_text(db, challenge, languages.reader_language())
            ),
            phase=phase,
            next_change=next_change(challenge.schedule, phase, now),
            ideas=page.ideas,
            builds_on=page.builds_on,
            more_url=(
                listing_url(sort=sort.value, after=page.next_after.encode())
                if page.next_after
                else None
            ),
            first_url=listing_url() if after is not None else None,
            clear_url=listing_url(q="", tag="", status="", theme="") if filters.active else None,
            filters=filters,
            tag_options=tuple((tag.id, tag.name) for tag in found.tags),
            matching=matching,
            statuses=idea_queries.LISTED_STATUSES,
            winners=winners,
            sort=sort,
            sort_chosen=sort_chosen,
            sorts=sorts,
            sort_urls={option: listing_url(sort=option.value) for option in sorts},
            may_post=policy.may(Action.POST_IDEA, challenge, roles, now),
            may_switch=policy.may(Action.SWITCH_PHASE, challenge, roles, now),
            may_edit=policy.may(Action.EDIT_CHALLENGE, challenge, roles, now),
            may_run=policy.may(Action.RUN_CHALLENGE, challenge, roles, now),
            may_shortlist=policy.may(Action.SHORTLIST, challenge, roles, now),
            may_award=policy.may(Action.ANNOUNCE_WINNERS, challenge, roles, now),
            may_join_teams=policy.may(Action.JOIN_TEAM, challenge, roles, now),
            may_compare=policy.may(Action.COMPARE, challenge, roles, now),
            may_suggest_teams=policy.may(Action.SUGGEST_TEAMS, challenge, roles, now),
            is_visitor=policy.Role.VISITOR in roles,
            host_names=tuple(public_name(host.user) for host in challenge.hosts),
            follows_challenge=None if viewer is None or htmx else state.follows,
            show_teams=phase in (Phase.TEAMS, Phase.CLOSED),
            votes=list_vote_context(request, challenge, roles, page.ideas, state.standing),
            jury=NO_JURY if htmx else JuryNotice(found.jury_weight, state.is_juror),
            rounds=(
                await impact_queries.rounds_around(db, challenge.id, viewer=viewer, now=now)
                if found.has_rounds and not htmx
                else impact_queries.NO_ROUNDS
            ),
            progress=(
                await impact_queries.timelines_in(db, challenge.id)
                if phase in (Phase.TEAMS, Phase.CLOSED) and not htmx
                else None
            ),
            clusters=(
                await cluster_queries.clusters_of(db, state.clustered) if state.clustered else {}
            ),
            may_group=policy.may(Action.GROUP_DUPLICATES, challenge, roles, now),
            themes=tuple(themes),
        ),
        block="idea_page" if more_only else "ideas",
    )


async def edit_challenge(request: Request) -> Response:
    """Hosts edit the brief, schedule, tags and settings; the address only while in draft."""
    challenge = await challenge_for(request, Action.EDIT_CHALLENGE)
    zone = zones.zone_of(challenge.time_zone, context.settings(request).zone)
    slug_locked = not policy.may_change_address(challenge, utcnow())
    form = forms.from_challenge(challenge, context.settings(request).zone)
    preview = None
    if request.method == "POST":
        sent = await submitted(request)
        form, data = forms.parse(
            sent,
            zone,
            fixed_slug=challenge.slug if slug_locked else None,
            language=challenge.language,
        )
        if wants_preview(sent):
            form = form.as_typed()
            preview = markdown.render(form.values["brief"])
        elif data is not None and await within_limit(request, Limit.POST, form):
            try:
                data = replace(data, cover=await picture_from(sent, "cover"))
                saved = await services.update_challenge(
                    context.db(request),
                    challenge_id=challenge.id,
                    actor_id=context.signed_in(request).id,
                    data=data,
                    now=utcnow(),
                )
            except Invalid as error:
                form.errors.update(error.errors)
            else:
                return redirect(request, challenge_path(request, saved))
    return render(
        request,
        "challenges/edit.html",
        {"form": form, "preview": preview, "challenge": challenge, "slug_locked": slug_locked},
        block="form",
        status_code=form.status,
        headers=form.headers,
    )


async def switch_phase(request: Request) -> Response:
    challenge = await challenge_for(request, Action.SWITCH_PHASE)
    sent = await submitted(request)

    def phase_field(name: str) -> Phase | None:
        raw = sent.get(name)
        try:
            return Phase(raw) if isinstance(raw, str) and raw else None
        except ValueError:
            raise HTTPException(400, _("Choose a phase to switch to.")) from None

    to = phase_field("phase")
    if to is None:
        raise HTTPException(400, _("Choose a phase to switch to."))
    await services.switch_phase(
        context.db(request),
        challenge_id=challenge.id,
        to=to,
        actor_id=context.signed_in(request).id,
        now=utcnow(),
        expected=phase_field("from"),
    )
    if to is Phase.REVIEW:
        # Jurors hear at once that scoring is open (the worker tells them otherwise).
        await jury_services.tell_jurors_review_opened(
            context.db(request), challenge_id=challenge.id, now=utcnow()
        )
    return redirect(request, challenge_path(request, challenge))


# Co-hosts ----------------------------------------------------------------------


async def hosts_page(request: Request) -> Response:
    """The challenge's hosts; any of them invites co-hosts by e-mail or removes them."""
    challenge = await challenge_for(request, Action.MANAGE_HOSTS)
    form = Form(values={"email": ""})
    here = context.path_for(request, "challenge.hosts", slug=challenge.slug)
    if request.method == "POST":
        sent = await submitted(request)
        form = Form.from_submission(sent, ("email",))
        email = form.email("email", label=_("E-mail address"))
        if form.ok and await within_limit(request, Limit.POST, form):
            try:
                # The answer must not tell whether anyone uses the address: the same
                # words, and the same time.
                async with evenly():
                    await hosting.invite_host(
                        context.db(request),
                        challenge_id=challenge.id,
                        email=email,
                        actor_id=context.signed_in(request).id,
                        now=utcnow(),
                        once=once(request, sent),
                    )
            except Invalid as error:
                form.errors.update(error.errors)
            else:
                return redirect(request, f"{here}?done=invited")
    invited = request.query_params.get("done") == "invited" and request.method == "GET"
    return render(
        request,
        "challenges/hosts.html",
        {
            "challenge": challenge,
            "form": form,
            "invitations": await queries.host_invitations_waiting(
                context.db(request), challenge.id
            ),
            "notice": _("If someone uses that address, they have been invited to co-host.")
            if invited
            else None,
        },
        block="hosts",
        status_code=form.status,
        headers=form.headers,
    )


async def remove_host(request: Request) -> Response:
    challenge = await challenge_for(request, Action.MANAGE_HOSTS)
    user = context.signed_in(request)
    user_id = request.path_params["user_id"]
    await services.remove_host(
        context.db(request),
        challenge_id=challenge.id,
        user_id=user_id,
        actor_id=user.id,
        now=utcnow(),
    )
    if user_id == user.id:
        # Who leaves the hosts loses the host pages too.
        return redirect(request, challenge_path(request, challenge))
    return redirect(request, context.path_for(request, "challenge.hosts", slug=challenge.slug))
