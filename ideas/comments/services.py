"""What participants do with comments. Each function is one transaction.

An idea's ``comment_count`` is the number of its published comments; it moves
in the same transaction as the comment that changes it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import audit, form_tokens, markdown
from ideas.comments.models import EDIT_WINDOW, Comment, CommentStatus
from ideas.db import write
from ideas.errors import Conflict, Forbidden, NotFound
from ideas.form_tokens import Once
from ideas.notifications import events as notification_events
from ideas.submissions.models import VISIBLE_STATUSES, Idea

# How long after posting its author may still change a comment.


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
        raise Conflict("That comment was taken down, so it cannot be answered.")
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
        if idea.status not in VISIBLE_STATUSES:
            raise Conflict(f"A {idea.status.value} idea takes no new comments.")
        root_id = None
        if parent_id is not None:
            root_id = (await _thread_root(tx, idea_id, parent_id)).id
        comment = Comment(
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
        await notification_events.on_comment_posted(
            tx, comment=comment, replied_to=parent_id, now=now
        )
    return comment


async def _challenge_of(tx: AsyncSession, idea_id: int) -> int | None:
    challenge_id: int | None = await tx.scalar(select(Idea.challenge_id).where(Idea.id == idea_id))
    return challenge_id


async def edit_comment(
    session: AsyncSession, *, comment_id: int, editor_id: int, body: str, now: datetime
) -> Comment:
    """The author rewrites a published comment within ``EDIT_WINDOW`` of posting it."""
    async with write(session) as tx:
        comment = await tx.get(Comment, comment_id, with_for_update=True)
        if comment is None:
            raise NotFound()
        if comment.author_id != editor_id:
            raise Forbidden("Only its author can edit a comment.")
        if comment.status is not CommentStatus.PUBLISHED:
            raise Conflict(f"A {comment.status.value} comment cannot be edited.")
        if now - comment.created_at > EDIT_WINDOW:
            raise Forbidden(edit_window_passed())
        comment.body = body
        comment.body_html = markdown.render(body)
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


def edit_window_passed() -> str:
    minutes = int(EDIT_WINDOW.total_seconds() // 60)
    return f"A comment can be edited for {minutes} minutes after it is posted."


async def delete_comment(
    session: AsyncSession, *, comment_id: int, actor_id: int, now: datetime
) -> Comment:
    """The author takes a comment down. Its row stays, emptied, so its replies keep their place."""
    async with write(session) as tx:
        comment = await tx.get(Comment, comment_id, with_for_update=True)
        if comment is None:
            raise NotFound()
        if comment.author_id != actor_id:
            raise Forbidden("Only its author can delete a comment.")
        if comment.status is CommentStatus.DELETED:
            raise Conflict("That comment was already deleted.")
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
