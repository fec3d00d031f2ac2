"""What participants do with comments. Each function is one transaction.

An idea's ``comment_count`` is the number of its published comments; it moves
in the same transaction as the comment that changes it. Who may change a
comment is asked of ``policy`` here, under the comment's lock.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import audit, form_tokens, languages, markdown, policy
from ideas.accounts.models import User
from ideas.challenges.phases import Phase
from ideas.comments.models import Comment, CommentStatus
from ideas.db import write
from ideas.errors import Conflict, NotFound
from ideas.form_tokens import Once
from ideas.i18n import _, status_word
from ideas.live import events as live
from ideas.notifications import events as notification_events
from ideas.policy import Action
from ideas.submissions import queries as idea_queries
from ideas.submissions.models import VISIBLE_STATUSES, Idea


def no_comments_on(status: str) -> str:
    """Why an idea that is not visible (withdrawn, hidden) takes no comments."""
    return _("This idea is %(status)s, so it takes no new comments.", status=status_word(status))


async def _thread_root(tx: AsyncSession, idea_id: int, parent_id: int) -> Comment:
    """The top-level comment a reply joins: a reply to a reply joins that reply's thread."""
    named = await tx.get(Comment, parent_id)
    if named is None or named.idea_id != idea_id:
        raise NotFound()
    root = named
    if named.parent_id is not None:
        found = await tx.get(Comment, named.parent_id)
        if found is None:
            raise NotFound()
        root = found
    if named.status is not CommentStatus.PUBLISHED or root.status is not CommentStatus.PUBLISHED:
        raise Conflict(_("That comment was taken down, so it cannot be answered."))
    return root


async def post_comment(
    session: AsyncSession,
    *,
    idea_id: int,
    author_id: int,
    body: str,
    parent_id: int | None = None,
    now: datetime,
    once: Once | None = None,
    language: str = "",
) -> Comment:
    """Publish a comment on a visible idea, or a reply in a top-level comment's thread.

    A form sent again with ``once`` used already posts nothing: the comment it
    posted comes back.
    """
    async with write(session) as tx:
        if (made_id := await form_tokens.claim(tx, once, "comment", now)) is not None:
            return await form_tokens.earlier(tx, Comment, made_id)
        idea = (
            await tx.execute(
                select(Idea.challenge_id, Idea.status).where(Idea.id == idea_id).with_for_update()
            )
        ).one_or_none()
        if idea is None:
            raise NotFound()
        phase = await _require_open(tx, idea_id, author_id, now)
        if idea.status not in VISIBLE_STATUSES:
            raise Conflict(no_comments_on(idea.status.value))
        root_id = None
        if parent_id is not None:
            root_id = (await _thread_root(tx, idea_id, parent_id)).id
        comment = Comment(
            language=language or languages.detect(body),
            idea_id=idea_id,
            author_id=author_id,
            parent_id=root_id,
            body=body,
            body_html=markdown.render(body),
            status=CommentStatus.PUBLISHED,
            created_at=now,
        )
        tx.add(comment)
        await tx.execute(
            update(Idea)
            .where(Idea.id == idea_id)
            .values(comment_count=Idea.comment_count + 1, last_activity_at=now)
        )
        await tx.flush()
        audit.record(
            tx,
            actor_id=author_id,
            action="comment.post",
            subject_type="comment",
            subject_id=comment.id,
            challenge_id=idea.challenge_id,
            at=now,
            idea_id=idea_id,
            parent_id=root_id,
        )
        await form_tokens.made(tx, once, comment.id)
        live.commented(tx, idea_id=idea_id, phase=phase, idea_visible=True)
        await notification_events.on_comment_posted(
            tx, comment=comment, replied_to=parent_id, now=now
        )
    return comment


async def _require_open(tx: AsyncSession, idea_id: int, person_id: int, now: datetime) -> Phase:
    """Commenting, and changing one's comment, are open to ``person_id`` on the idea now,
    in the phase returned."""
    idea = await idea_queries.for_policy(tx, idea_id)
    if idea is None:
        raise NotFound()
    roles = policy.idea_roles(await tx.get(User, person_id), idea.challenge, idea)
    policy.check(Action.COMMENT, idea.challenge, roles, now)
    return idea.challenge.phase_at(now)


async def _challenge_of(tx: AsyncSession, idea_id: int) -> int | None:
    challenge_id: int | None = await tx.scalar(select(Idea.challenge_id).where(Idea.id == idea_id))
    return challenge_id


async def edit_comment(
    session: AsyncSession,
    *,
    comment_id: int,
    editor_id: int,
    body: str,
    now: datetime,
    language: str = "",
) -> Comment:
    """The author rewrites a published comment within ``EDIT_WINDOW`` of posting it."""
    async with write(session) as tx:
        comment = await tx.get(Comment, comment_id, with_for_update=True)
        if comment is None:
            raise NotFound()
        policy.require_edit_comment(await tx.get(User, editor_id), comment, now)
        await _require_open(tx, comment.idea_id, editor_id, now)
        comment.body = body
        comment.body_html = markdown.render(body)
        comment.language = language or languages.detect(body)
        comment.edited_at = now
        audit.record(
            tx,
            actor_id=editor_id,
            action="comment.edit",
            subject_type="comment",
            subject_id=comment.id,
            challenge_id=await _challenge_of(tx, comment.idea_id),
            at=now,
            idea_id=comment.idea_id,
        )
    return comment


async def delete_comment(
    session: AsyncSession, *, comment_id: int, actor_id: int, now: datetime
) -> Comment:
    """The author takes a comment down. Its row stays, emptied, so its replies keep their place."""
    async with write(session) as tx:
        comment = await tx.get(Comment, comment_id, with_for_update=True)
        if comment is None:
            raise NotFound()
        policy.require_delete_comment(await tx.get(User, actor_id), comment)
        counted = comment.status is CommentStatus.PUBLISHED
        comment.status = CommentStatus.DELETED
        comment.body = ""
        comment.body_html = ""
        if counted:
            await tx.execute(
                update(Idea)
                .where(Idea.id == comment.idea_id)
                .values(comment_count=Idea.comment_count - 1)
            )
        audit.record(
            tx,
            actor_id=actor_id,
            action="comment.delete",
            subject_type="comment",
            subject_id=comment.id,
            challenge_id=await _challenge_of(tx, comment.idea_id),
            at=now,
            idea_id=comment.idea_id,
        )
    return comment
