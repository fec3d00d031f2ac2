"""Objects made from rows of columns (``ideas.db``)."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import InvalidRequestError

from ideas.accounts.models import User
from ideas.submissions.models import Idea, IdeaStatus


def test_an_object_of_columns_holds_them_in_no_session() -> None:
    idea = Idea.of_columns(id=7, title="A bench by the bus stop", status=IdeaStatus.PUBLISHED)
    assert (idea.id, idea.title, idea.status) == (
        7,
        "A bench by the bus stop",
        IdeaStatus.PUBLISHED,
    )
    assert getattr(idea, "slug") is None  # noqa: B009 (not given: nothing to load it from)
    assert inspect(idea).transient
    # Set as loaded, not as changed: nothing for a session to write.
    assert not inspect(idea).modified


def test_a_detached_object_has_its_identity_and_loads_nothing() -> None:
    columns = dict.fromkeys(User.__table__.columns.keys()) | {"id": 3, "display_name": "Priya"}
    user = User.detached(**columns)
    state = inspect(user)
    assert state.detached
    assert state.identity == (3,)
    assert user.display_name == "Priya"
    with pytest.raises(InvalidRequestError):
        _ = user.identities  # not given: never read as empty
