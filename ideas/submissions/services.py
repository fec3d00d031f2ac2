"""What participants do with ideas. Each function is one transaction.

Who may post an idea (or build on one), withdraw it, edit it and choose its
co-authors, and in which phase, is asked of ``policy`` here, inside the
transaction and after its locks: a service refuses on its own.
"""

from __future__ import annotations

from datetime import datetime

from slugify import slugify
from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import audit, form_tokens, languages, markdown, policy
from ideas.accounts.models import User
from ideas.challenges import queries as challenge_queries
from ideas.challenges.models import Challenge, ChallengeTag
from ideas.challenges.phases import Phase
from ideas.comments.models import Comment, CommentStatus
from ideas.db import write
from ideas.errors import Conflict, Invalid, NotFound
from ideas.form_tokens import Once
from ideas.i18n import _, status_word
from ideas.live import events as live
from ideas.media import pictures
from ideas.notifications import events as notification_events
from ideas.policy import Action
from ideas.submissions import lineage, queries
from ideas.submissions.forms import IdeaInput
from ideas.submissions.models import (
    Idea,
    IdeaCoauthor,
    IdeaRevision,
    IdeaStatus,
    IdeaTag,
)


def make_slug(title: str) -> str:
    return slugify(title, max_length=60, word_boundary=True) or "idea"


async def _lock_challenge(tx: AsyncSession, challenge_id: int) -> None:
    """Serialise changes to a challenge's build-on graph (no two edits make a loop).

    NO KEY UPDATE, as the UPDATEs of the challenge's counters take: it queues
    writers of the challenge without blocking the foreign-key checks of rows
    that point at it (a vote, a comparison)."""
    await tx.execute(
        select(Challenge.id).where(Challenge.id == challenge_id).with_for_update(key_share=True)
    )


async def lock_idea(tx: AsyncSession, idea_id: int) -> Idea | None:
    """The idea, locked for update, after its challenge's row: the order every writer
    keeps (an answer to the compare page, a refit, an edit), so that two writers never
    wait for each other in a circle. None if there is no such idea."""
    challenge_id = await tx.scalar(select(Idea.challenge_id).where(Idea.id == idea_id))
    if challenge_id is None:
        return None
    await _lock_challenge(tx, challenge_id)
    return await tx.get(Idea, idea_id, with_for_update=True)


async def _with_people(tx: AsyncSession, idea_id: int) -> Idea:
    """The idea with what ``policy`` reads to tell its authors, hosts and team apart;
    taken after its locks (``lock_idea``), as it takes none itself."""
    idea = await queries.for_policy(tx, idea_id)
    if idea is None:
        raise NotFound()
    return idea


async def _set_tags(
    tx: AsyncSession, idea_id: int, challenge_id: int, tag_ids: tuple[int, ...]
) -> None:
    offered = set(
        await tx.scalars(
            select(ChallengeTag.id).where(
                ChallengeTag.challenge_id == challenge_id, ChallengeTag.id.in_(tag_ids)
            )
        )
    )
    await tx.execute(delete(IdeaTag).where(IdeaTag.idea_id == idea_id))
    for tag_id in tag_ids:
        if tag_id in offered:
            tx.add(IdeaTag(idea_id=idea_id, tag_id=tag_id))


async def _touch(tx: AsyncSession, idea_ids: set[int], now: datetime) -> None:
    if idea_ids:
        await tx.execute(update(Idea).where(Idea.id.in_(idea_ids)).values(last_activity_at=now))


async def _require_posting(
    tx: AsyncSession, challenge_id: int, author_id: int, now: datetime
) -> Phase:
    """``author_id`` may post an idea (or build on one) in the challenge at ``now``, which
    is in the phase returned."""
    challenge = await challenge_queries.for_policy(tx, challenge_id)
    if challenge is None:
        raise NotFound()
    roles = policy.challenge_roles(await tx.get(User, author_id), challenge)
    policy.check(Action.POST_IDEA, challenge, roles, now)
    return challenge.phase_at(now)


def _language_of(data: IdeaInput) -> str:
    """The language the author chose, or the one its text is in."""
    return data.language or languages.detect(f"{data.title}\n{data.summary}\n{data.body}")


async def post_idea(
    session: AsyncSession,
    *,
    challenge_id: int,
    author_id: int,
    data: IdeaInput,
    now: datetime,
    once: Once | None = None,
) -> Idea:
    """Publish an idea (revision 1), with its tags and the ideas it builds on.

    The challenge's idea count, and the build and influence counts of every
    idea it descends from, move in the same transaction. A form sent again
    with ``once`` used already posts nothing: the idea it posted comes back.
    """
    async with write(session) as tx:
        if (made_id := await form_tokens.claim(tx, once, "idea", now)) is not None:
            return await form_tokens.earlier(tx, Idea, made_id)
        phase = await _require_posting(tx, challenge_id, author_id, now)
        if data.builds_on:
            await _lock_challenge(tx, challenge_id)
            await lineage.check_links(
                tx, child_id=None, challenge_id=challenge_id, links=data.builds_on
            )
        idea = Idea(
            challenge_id=challenge_id,
            author_id=author_id,
            title=data.title,
            slug=make_slug(data.title),
            summary=data.summary,
            body=data.body,
            body_html=markdown.render(data.body),
            language=_language_of(data),
            created_at=now,
            updated_at=now,
            last_activity_at=now,
        )
        if data.image is not None:
            idea.image_id = await pictures.store(tx, data.image, uploaded_by=author_id)
            idea.image_alt = data.image_alt
        tx.add(idea)
        await tx.execute(
            update(Challenge)
            .where(Challenge.id == challenge_id)
            .values(idea_count=Challenge.idea_count + 1)
        )
        await tx.flush()
        tx.add(
            IdeaRevision(
                idea_id=idea.id,
                number=1,
                editor_id=author_id,
                title=data.title,
                summary=data.summary,
                body=data.body,
                created_at=now,
            )
        )
        await _set_tags(tx, idea.id, challenge_id, data.tag_ids)
        if data.builds_on:
            await lineage.set_links(
                tx, child_id=idea.id, challenge_id=challenge_id, links=data.builds_on, now=now
            )
            await _touch(tx, {link.parent_id for link in data.builds_on}, now)
        audit.record(
            tx,
            actor_id=author_id,
            action="idea.post",
            subject_type="idea",
            subject_id=idea.id,
            challenge_id=challenge_id,
            at=now,
            builds_on=[link.parent_id for link in data.builds_on],
        )
        await form_tokens.made(tx, once, idea.id)
        live.idea_posted(tx, challenge_id=challenge_id, phase=phase)
        await notification_events.on_idea_posted(
            tx, idea=idea, parent_ids=[link.parent_id for link in data.builds_on], now=now
        )
    return idea


async def edit_idea(
    session: AsyncSession, *, idea_id: int, editor_id: int, data: IdeaInput, now: datetime
) -> Idea:
    """Save an edit as a new revision; tags and build-on links are replaced too."""
    async with write(session) as tx:
        if await lock_idea(tx, idea_id) is None:
            raise NotFound()
        idea = await _with_people(tx, idea_id)
        roles = policy.idea_roles(await tx.get(User, editor_id), idea.challenge, idea)
        policy.check(Action.EDIT_OWN_IDEA, idea.challenge, roles, now)
        await lineage.set_links(
            tx, child_id=idea.id, challenge_id=idea.challenge_id, links=data.builds_on, now=now
        )
        text_changed = (idea.title, idea.summary, idea.body) != (
            data.title,
            data.summary,
            data.body,
        )
        if text_changed:
            number = await tx.scalar(
                select(func.coalesce(func.max(IdeaRevision.number), 0)).where(
                    IdeaRevision.idea_id == idea_id
                )
            )
            tx.add(
                IdeaRevision(
                    idea_id=idea_id,
                    number=int(number or 0) + 1,
                    editor_id=editor_id,
                    title=data.title,
                    summary=data.summary,
                    body=data.body,
                    created_at=now,
                )
            )
        idea.title = data.title
        idea.slug = make_slug(data.title)
        idea.summary = data.summary
        idea.body = data.body
        idea.body_html = markdown.render(data.body)
        idea.language = _language_of(data)
        idea.updated_at = now
        idea.last_activity_at = now
        idea.image_alt = data.image_alt
        if data.remove_image:
            idea.image_id = None
        if data.image is not None:
            idea.image_id = await pictures.store(tx, data.image, uploaded_by=editor_id)
        await _set_tags(tx, idea.id, idea.challenge_id, data.tag_ids)
        audit.record(
            tx,
            actor_id=editor_id,
            action="idea.edit",
            subject_type="idea",
            subject_id=idea.id,
            challenge_id=idea.challenge_id,
            at=now,
        )
    return idea


async def withdraw_idea(
    session: AsyncSession, *, idea_id: int, actor_id: int, now: datetime
) -> None:
    """The author takes a published idea back: it leaves the lists; its links and credit stay."""
    async with write(session) as tx:
        if await lock_idea(tx, idea_id) is None:
            raise NotFound()
        idea = await _with_people(tx, idea_id)
        policy.require_withdraw(await tx.get(User, actor_id), idea.challenge, idea, now)
        if idea.status is not IdeaStatus.PUBLISHED:
            raise Conflict(
                _("A %(status)s idea cannot be withdrawn.", status=status_word(idea.status))
            )
        idea.status = IdeaStatus.WITHDRAWN
        idea.updated_at = now
        await tx.execute(
            update(Challenge)
            .where(Challenge.id == idea.challenge_id)
            .values(idea_count=Challenge.idea_count - 1)
        )
        audit.record(
            tx,
            actor_id=actor_id,
            action="idea.withdraw",
            subject_type="idea",
            subject_id=idea.id,
            challenge_id=idea.challenge_id,
            at=now,
        )


async def add_coauthor(
    session: AsyncSession,
    *,
    idea_id: int,
    user_id: int,
    actor_id: int,
    now: datetime,
    once: Once | None = None,
) -> None:
    """Add as co-author someone who has commented on the idea (once per form sent)."""
    async with write(session) as tx:
        if await form_tokens.claim(tx, once, "coauthor", now) is not None:
            return
        idea = await tx.get(Idea, idea_id)
        if idea is None:
            raise NotFound()
        policy.require_manage_coauthors(await tx.get(User, actor_id), idea)
        if user_id == idea.author_id:
            raise Invalid({"coauthor": _("The author is already an author.")})
        commented = await tx.scalar(
            select(
                exists().where(
                    Comment.idea_id == idea_id,
                    Comment.author_id == user_id,
                    Comment.status == CommentStatus.PUBLISHED,
                )
            )
        )
        if not commented:
            raise Invalid(
                {"coauthor": _("Only people who have commented on the idea can be added.")}
            )
        if await tx.get(IdeaCoauthor, (idea_id, user_id)) is not None:
            raise Invalid({"coauthor": _("They are already a co-author.")})
        tx.add(IdeaCoauthor(idea_id=idea_id, user_id=user_id, added_at=now))
        await form_tokens.made(tx, once, user_id)
        audit.record(
            tx,
            actor_id=actor_id,
            action="idea.coauthor.add",
            subject_type="idea",
            subject_id=idea_id,
            challenge_id=idea.challenge_id,
            at=now,
            user_id=user_id,
        )


async def remove_coauthor(
    session: AsyncSession, *, idea_id: int, user_id: int, actor_id: int, now: datetime
) -> None:
    async with write(session) as tx:
        idea = await tx.get(Idea, idea_id)
        if idea is None:
            raise NotFound()
        policy.require_manage_coauthors(await tx.get(User, actor_id), idea)
        link = await tx.get(IdeaCoauthor, (idea_id, user_id))
        if link is None:
            raise NotFound()
        await tx.delete(link)
        audit.record(
            tx,
            actor_id=actor_id,
            action="idea.coauthor.remove",
            subject_type="idea",
            subject_id=idea_id,
            challenge_id=idea.challenge_id,
            at=now,
            user_id=user_id,
        )
