"""Fixtures for the moderation tests: comments, reporters and visitors with a session."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.comments.models import Comment
from ideas.comments.services import post_comment
from ideas.db import utcnow
from ideas.submissions.models import Idea
from tests.factories.accounts import Person, visitor_with_a_session


@pytest.fixture
def make_comment(session: AsyncSession) -> Any:
    async def make(idea: Idea, author: Any, body: str = "A comment.") -> Comment:
        return await post_comment(
            session, idea_id=idea.id, author_id=author.id, body=body, now=utcnow()
        )

    return make


@pytest.fixture
def reporters(make_user: Any, sign_in: Any) -> Any:
    """``await reporters(3)`` → that many signed-in participants."""

    async def make(how_many: int) -> list[Person]:
        return [await sign_in(await make_user(f"Reporter {n}")) for n in range(1, how_many + 1)]

    return make


@pytest.fixture
def visitor_with_session(make_client: Any, session: AsyncSession, settings: Any) -> Any:
    """A visitor whose browser has a session and so a form token: refusals come from the
    view's own guard, not from the CSRF check."""

    async def make() -> Person:
        return await visitor_with_a_session(make_client, session, settings)

    return make
