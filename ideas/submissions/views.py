"""Posting, editing, withdrawing and reading ideas; their history and lineage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ideas import markdown, policy
from ideas.challenges.loaders import visible_challenge
from ideas.challenges.models import Challenge
from ideas.comments.loaders import thread_context
from ideas.db import utcnow
from ideas.errors import Invalid, NotFound
from ideas.i18n import _
from ideas.impact import queries as impact_queries
from ideas.media.uploads import picture_from
from ideas.policy import Action
from ideas.similarity.queries import Similar
from ideas.submissions import (
    cluster_queries,
    forms,
    graph,
    history,
    lineage,
    people,
    picker,
    queries,
    search,
    services,
)
from ideas.submissions.lineage import LinkedIdea
from ideas.submissions.loaders import idea_path, visible_idea
from ideas.submissions.models import Idea
from ideas.submissions.page_state import idea_page_state
from ideas.submissions.pages import HistoryPage, IdeaFormPage, IdeaPage
from ideas.submissions.search_views import SIMILAR_MAX
from ideas.voting.loaders import vote_button
from ideas.web import context
from ideas.web.forms import Form, once, parse_id, submitted, wants_preview, within_limit
from ideas.web.htmx import redirect
from ideas.web.ratelimit import Limit
from ideas.web.templating import render

# Ideas like the one shown, on its page.
ALIKE_MAX = 3


@dataclass(frozen=True)
class _Picking:
    """What the parents picker shows when the form comes back: the search and its finds."""

    query: str = ""
    found: Sequence[Idea] | None = None


def _form_context(
    challenge: Challenge,
    form: Form,
    *,
    idea: Idea | None,
    chosen_tags: list[int],
    parents: Sequence[Idea | LinkedIdea],
    preview: str | None,
    picking: _Picking | None = None,
    similar: Sequence[Similar] = (),
) -> IdeaFormPage:
    picking = picking or _Picking()
    return IdeaFormPage(
        challenge=challenge,
        form=form,
        idea=idea,
        chosen_tags=chosen_tags,
        parents=parents,
        preview=preview,
        limits=forms,
        parent_query=picking.query,
        parents_found=picking.found,
        similar=similar,
    )


def _wants_picking(sent: FormData) -> bool:
    """ "Find" or "Add" was pressed in the parents picker (a plain form, without htmx)."""
    return sent.get("intent") == picker.FIND or sent.get(picker.ADD) is not None


async def _pick(
    request: Request,
    challenge: Challenge,
    sent: FormData,
    form: Form,
    parent_ids: list[int],
    *,
    idea: Idea | None,
) -> _Picking:
    """Add the idea whose "Add" was pressed to ``parent_ids`` (and its empty note to the
    form), and search the challenge's ideas for what was typed in the picker."""
    db = context.db(request)
    added = parse_id(sent.get(picker.ADD))
    if (
        added is not None
        and added not in parent_ids
        and (idea is None or added != idea.id)
        and len(parent_ids) < forms.BUILDS_ON_MAX
        and await picker.one_to_add(db, challenge.id, added) is not None
    ):
        parent_ids.append(added)
        form.values.setdefault(f"note-{added}", "")
    query = search.clean(str(sent.get("parent_q") or ""))
    if not query:
        return _Picking()
    leaving_out = [*parent_ids, *([idea.id] if idea is not None else [])]
    found = await picker.titled(db, challenge.id, query, leaving_out=leaving_out)
    return _Picking(query=query, found=found)


async def _similar_to_typed(
    request: Request, challenge: Challenge, form: Form
) -> Sequence[Similar]:
    """Ideas like the title and summary typed, for a new-idea form that comes back (htmx
    fetches them as they are typed)."""
    text = search.clean(f"{form.values.get('title', '')} {form.values.get('summary', '')}")
    if not text:
        return []
    return await queries.similar(context.db(request), challenge.id, text, limit=SIMILAR_MAX)


async def _parents_for_form(request: Request, challenge: Challenge, ids: list[int]) -> list[Idea]:
    """The ideas named in the form, as far as they belong to this challenge."""
    found = await lineage.ideas_by_ids(context.db(request), ids)
    return [idea for idea in found if idea.challenge_id == challenge.id]


def _requested_ids(request: Request, name: str) -> list[int]:
    ids: list[int] = []
    for raw in request.query_params.getlist(name):
        if (chosen := parse_id(raw)) is not None and chosen not in ids:
            ids.append(chosen)
    return ids


async def new_idea(request: Request) -> Response:
    """Post an idea; ``?builds_on=ID`` (repeatable) links it, ``?remix=ID`` copies one to rework."""
    challenge, roles = await visible_challenge(request, request.path_params["slug"])
    now = utcnow()
    if request.method == "GET" and context.viewer(request) is None:
        query = urlencode(
            {"next": str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")}
        )
        return RedirectResponse(f"{context.path_for(request, 'sign_in')}?{query}", status_code=303)
    policy.check(Action.POST_IDEA, challenge, roles, now)
    preview = None
    picking = None
    similar: Sequence[Similar] = ()
    if request.method == "POST":
        sent = await submitted(request)
        offered = [tag.id for tag in challenge.tags]
        form, data, chosen_tags, parent_ids = forms.parse(sent, offered_tags=offered)
        if wants_preview(sent):
            form = form.as_typed()
            preview = markdown.render(form.values["body"])
        elif _wants_picking(sent):
            form = form.as_typed()
            picking = await _pick(request, challenge, sent, form, parent_ids, idea=None)
        elif data is not None and await within_limit(request, Limit.POST, form):
            try:
                data = replace(data, image=await picture_from(sent, "image"))
                idea = await services.post_idea(
                    context.db(request),
                    challenge_id=challenge.id,
                    author_id=context.signed_in(request).id,
                    data=data,
                    now=now,
                    once=once(request, sent),
                )
            except Invalid as error:
                form.errors.update(error.errors)
            else:
                return redirect(request, idea_path(request, idea))
        building_on = await _parents_for_form(request, challenge, parent_ids)
        similar = await _similar_to_typed(request, challenge, form)
    else:
        form, chosen_tags, building_on = await _starting_form(request, challenge)
    return render(
        request,
        "submissions/new.html",
        _form_context(
            challenge,
            form,
            idea=None,
            chosen_tags=chosen_tags,
            parents=building_on,
            preview=preview,
            picking=picking,
            similar=similar,
        ),
        block="form",
        status_code=form.status,
        headers=form.headers,
    )


async def _starting_form(
    request: Request, challenge: Challenge
) -> tuple[Form, list[int], list[Idea]]:
    """A blank form, or one building on the ideas asked for; a remix starts from a copy."""
    remix = _requested_ids(request, "remix")[:1]
    wanted = remix + [i for i in _requested_ids(request, "builds_on") if i not in remix]
    parents = [
        idea
        for idea in await _parents_for_form(request, challenge, wanted[: forms.BUILDS_ON_MAX])
        if idea.is_visible
    ]
    values = dict.fromkeys(forms.FIELDS, "")
    chosen_tags: list[int] = []
    original = next((idea for idea in parents if remix and idea.id == remix[0]), None)
    if original is not None:
        values.update(title=original.title, summary=original.summary, body=original.body)
        values[f"note-{original.id}"] = "A remix: "
    return Form(values=values), chosen_tags, parents


async def edit_idea(request: Request) -> Response:
    """Authors and co-authors edit the text, tags and what it builds on; each save is a revision."""
    idea, challenge, roles = await visible_idea(request)
    now = utcnow()
    policy.check(Action.EDIT_OWN_IDEA, challenge, roles, now)
    db = context.db(request)
    await queries.offered_tags(db, challenge)
    preview = None
    picking = None
    building_on: Sequence[Idea | LinkedIdea]
    if request.method == "POST":
        sent = await submitted(request)
        offered = [tag.id for tag in challenge.tags]
        form, data, chosen_tags, parent_ids = forms.parse(sent, offered_tags=offered)
        if wants_preview(sent):
            form = form.as_typed()
            preview = markdown.render(form.values["body"])
        elif _wants_picking(sent):
            form = form.as_typed()
            picking = await _pick(request, challenge, sent, form, parent_ids, idea=idea)
        elif data is not None and await within_limit(request, Limit.POST, form):
            try:
                data = replace(data, image=await picture_from(sent, "image"))
                saved = await services.edit_idea(
                    db,
                    idea_id=idea.id,
                    editor_id=context.signed_in(request).id,
                    data=data,
                    now=now,
                )
            except Invalid as error:
                form.errors.update(error.errors)
            else:
                return redirect(request, idea_path(request, saved))
        building_on = await lineage.ideas_by_ids(db, parent_ids)
    else:
        links = await lineage.links(db, idea, viewer=context.viewer(request), now=now)
        values = {
            "title": idea.title,
            "summary": idea.summary,
            "body": idea.body,
            "image_alt": idea.image_alt,
            "language": idea.language,
        }
        values.update({f"note-{n.idea.id}": n.note for n in links.parents})
        form = Form(values=values)
        chosen_tags = [tag.id for tag in idea.tags]
        building_on = [n.idea for n in links.parents]
    return render(
        request,
        "submissions/edit.html",
        _form_context(
            challenge,
            form,
            idea=idea,
            chosen_tags=chosen_tags,
            parents=building_on,
            preview=preview,
            picking=picking,
        ),
        block="form",
        status_code=form.status,
        headers=form.headers,
    )


async def idea_detail(request: Request) -> Response:
    idea, challenge, roles = await visible_idea(request)
    if request.path_params.get("slug") != idea.slug:
        return RedirectResponse(idea_path(request, idea), status_code=301)
    now = utcnow()
    db = context.db(request)
    user = context.viewer(request)
    links = await lineage.links(db, idea, viewer=user, now=now)
    may_manage = policy.may_manage_coauthors(user, idea)
    candidates = (
        await people.commenters(
            db, idea.id, leaving_out=[idea.author_id, *(c.user_id for c in idea.coauthors)]
        )
        if may_manage
        else []
    )
    thread = await thread_context(request, idea, challenge, roles)
    state = await idea_page_state(db, viewer=user, challenge=challenge, idea_id=idea.id)
    return render(
        request,
        "submissions/detail.html",
        IdeaPage(
            idea=idea,
            challenge=challenge,
            phase=challenge.phase_at(now),
            parents=tuple(n for n in links.parents if n.idea.is_visible),
            children=tuple(n for n in links.children if n.idea.is_visible),
            alike=tuple(await queries.like_idea(db, idea, limit=ALIKE_MAX)),
            show_shortlist_note=policy.may_read_shortlist_note(roles),
            may_edit=policy.may(Action.EDIT_OWN_IDEA, challenge, roles, now),
            may_withdraw=policy.may_withdraw(user, challenge, idea, now)
            and idea.status.value == "published",
            may_build=idea.is_visible and policy.may(Action.POST_IDEA, challenge, roles, now),
            may_manage_coauthors=may_manage,
            may_report=idea.is_visible
            and policy.may_report(user, [idea.author_id, *(c.user_id for c in idea.coauthors)]),
            may_moderate=policy.may_moderate(user, challenge),
            coauthor_candidates=candidates,
            follows_idea=state.follows,
            is_visitor=policy.Role.VISITOR in roles,
            vote=vote_button(request, idea, challenge, roles, state.standing),
            comments=thread,
            impact=await impact_queries.idea_impact(db, idea, viewer=user, now=now),
            cluster=await cluster_queries.cluster_section(db, idea, challenge, user, roles, now),
        ),
    )


async def withdraw(request: Request) -> Response:
    idea, _challenge, _roles = await visible_idea(request)
    await services.withdraw_idea(
        context.db(request), idea_id=idea.id, actor_id=context.signed_in(request).id, now=utcnow()
    )
    return redirect(request, idea_path(request, idea))


# History -------------------------------------------------------------------------


def _number(raw: str | None) -> int | None:
    return parse_id(raw)


async def idea_history(request: Request) -> Response:
    """Every revision, and what changed between two of them (``?from=&to=``)."""
    idea, challenge, _ignored = await visible_idea(request)
    revisions = await history.revisions(context.db(request), idea.id)
    by_number = {revision.number: revision for revision in revisions}
    newest = revisions[0].number if revisions else 1
    to = _number(request.query_params.get("to")) or newest
    start = _number(request.query_params.get("from")) or max(1, to - 1)
    if to not in by_number or start not in by_number:
        raise NotFound()
    older, newer = sorted((start, to))
    return render(
        request,
        "submissions/history.html",
        HistoryPage(
            idea=idea,
            challenge=challenge,
            revisions=revisions,
            older=by_number[older],
            newer=by_number[newer],
            changes=history.compare(by_number[older], by_number[newer]),
        ),
        block="diff",
    )


# Lineage -------------------------------------------------------------------------


@dataclass
class Branch:
    """One idea in a lineage tree, with the note of the link that led to it."""

    idea: Idea | None  # None: an idea the lineage does not show
    idea_id: int
    note: str | None
    branches: list[Branch]
    repeated: bool = False


def _grow(
    family: lineage.Family,
    idea_id: int,
    note: str | None,
    *,
    upward: bool,
    seen: set[int],
    depth: int,
) -> Branch:
    repeated = idea_id in seen
    seen.add(idea_id)
    edges = family.parents_of(idea_id) if upward else family.children_of(idea_id)
    branches = []
    if not repeated and depth < 12:
        for edge in edges:
            nxt = edge.parent_id if upward else edge.child_id
            branches.append(
                _grow(family, nxt, family.note(edge), upward=upward, seen=seen, depth=depth + 1)
            )
    return Branch(family.shown(idea_id), idea_id, note, branches, repeated)


async def idea_lineage(request: Request) -> Response:
    """The whole family of an idea as a graph (when ``dot`` can draw it) and as nested
    lists, the text alternative: what it builds on, and what builds on it."""
    idea, challenge, _ignored = await visible_idea(request)
    family = await lineage.family(
        context.db(request), idea.id, viewer=context.viewer(request), now=utcnow()
    )
    ancestors = _grow(family, idea.id, "", upward=True, seen=set(), depth=0)
    descendants = _grow(family, idea.id, "", upward=False, seen=set(), depth=0)
    drawing = None
    if len(family.ideas) > 1:
        drawing = await graph.family_svg(
            family,
            lambda member: context.path_for(
                request, "idea.detail", idea_id=member.id, slug=member.slug
            ),
            label=_("The family of “%(title)s” as a graph", title=idea.title),
        )
    return render(
        request,
        "submissions/lineage.html",
        {
            "idea": idea,
            "challenge": challenge,
            "family": family,
            "ancestors": ancestors,
            "descendants": descendants,
            "graph": drawing,
        },
    )


# Co-authors ----------------------------------------------------------------------


async def add_coauthor(request: Request) -> Response:
    idea, _challenge, _roles = await visible_idea(request)
    user = context.signed_in(request)
    policy.require_manage_coauthors(user, idea)
    sent = await submitted(request)
    chosen = parse_id(sent.get("user_id"))
    if chosen is None:
        raise Invalid({"coauthor": _("Choose someone who has commented on the idea.")})
    await services.add_coauthor(
        context.db(request),
        idea_id=idea.id,
        user_id=chosen,
        actor_id=user.id,
        now=utcnow(),
        once=once(request, sent),
    )
    return redirect(request, idea_path(request, idea) + "#authors")


async def remove_coauthor(request: Request) -> Response:
    idea, _challenge, _roles = await visible_idea(request)
    user = context.signed_in(request)
    await services.remove_coauthor(
        context.db(request),
        idea_id=idea.id,
        user_id=request.path_params["user_id"],
        actor_id=user.id,
        now=utcnow(),
    )
    return redirect(request, idea_path(request, idea) + "#authors")
