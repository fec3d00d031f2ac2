"""Authors edit their ideas (every save a revision), withdraw them and choose co-authors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.audit import AuditEntry
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.comments.models import Comment
from ideas.db import utcnow
from ideas.errors import Forbidden
from ideas.submissions import services
from ideas.submissions.forms import IdeaInput
from ideas.submissions.models import Idea, IdeaCoauthor, IdeaRevision, IdeaStatus
from tests.factories.queries import count
from tests.factories.rounds import set_phase
from tests.html import Page

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=//evil.example></iframe>",
    '<svg onload="alert(1)">',
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '![x](x" onerror="alert(1))',
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<form action="javascript:alert(1)"><input type=submit></form>',
    "[x](vbscript:msgbox(1))",
    "<<script>script>alert(1)<</script>/script>",
    '<a href="&#106;avascript:alert(1)">x</a>',
    "<body onload=alert(1)>",
    '<object data="javascript:alert(1)"></object>',
    '<base href="javascript:alert(1)//">',
]


async def saved(session: AsyncSession, model: type[Any], row_id: int) -> Any:
    """The row as it is saved now."""
    await session.commit()
    return await session.get(model, row_id, populate_existing=True)


async def audit_actions(session: AsyncSession, action: str) -> list[AuditEntry]:
    await session.commit()
    return list(await session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def form(title: str, summary: str = "Short.", body: str = "") -> dict[str, str]:
    return {"title": title, "summary": summary, "body": body}


async def test_an_author_edits_and_each_save_is_a_revision_with_a_readable_diff(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user("Priya")
    idea = await make_idea(challenge, author, title="Share leftovers")
    priya = await sign_in(author)

    first = await priya.post(
        f"/ideas/{idea.id}/edit", form("Share leftovers daily", "Give food away.")
    )
    second = await priya.post(
        f"/ideas/{idea.id}/edit", form("Share leftovers daily", "Give food away.", "New")
    )

    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == f"/ideas/{idea.id}/share-leftovers-daily"
    numbers = (
        await session.scalars(
            select(IdeaRevision.number)
            .where(IdeaRevision.idea_id == idea.id)
            .order_by(IdeaRevision.number)
        )
    ).all()
    assert numbers == [1, 2, 3]
    history = Page(await priya.get(f"/ideas/{idea.id}/history?from=1&to=2"))
    title_change = history.select(".diff__field")[0]
    assert [x.text_content() for x in title_change.cssselect("ins")] == [" daily"]
    assert "Summary of" in " ".join(x.text_content() for x in history.select(".diff__text del"))
    assert len(history.select(".revision-list li")) == 3
    fragment = Page(
        await priya.get(f"/ideas/{idea.id}/history?from=2&to=3", headers={"HX-Request": "true"})
    )
    assert fragment.select("h1") == []
    assert fragment.text("#diff .diff__text ins") == "New"


async def test_saving_unchanged_text_adds_no_revision(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    idea = await make_idea(challenge, author, title="Same")
    response = await (await sign_in(author)).post(
        f"/ideas/{idea.id}/edit", form("Same", idea.summary)
    )
    assert response.status_code == 303
    assert await count(session, IdeaRevision) == 1


async def test_an_old_idea_url_redirects_to_its_new_title(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, visitor: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    idea = await make_idea(challenge, author, title="Old title")
    await (await sign_in(author)).post(f"/ideas/{idea.id}/edit", form("New title"))
    for path in (f"/ideas/{idea.id}/old-title", f"/ideas/{idea.id}"):
        response = await visitor.get(path)
        assert response.status_code == 301
        assert response.headers["location"] == f"/ideas/{idea.id}/new-title"


@pytest.mark.parametrize(
    ("who", "phase", "status"),
    [
        ("someone else", Phase.IDEAS, 403),
        ("author", Phase.TEAMS, 403),
        ("author", Phase.CLOSED, 403),
        ("visitor", Phase.IDEAS, 403),
    ],
)
async def test_edits_are_refused_to_others_and_outside_ideas_and_review(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    visitor: Any,
    session: AsyncSession,
    who: str,
    phase: Phase,
    status: int,
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    idea = await make_idea(challenge, author, title="Mine")
    await set_phase(session, challenge, phase)
    client = {"author": None, "visitor": visitor}.get(who)
    if client is None:
        client = await sign_in(author if who == "author" else await make_user())

    page = await client.get(f"/ideas/{idea.id}/edit")
    response = await client.post(f"/ideas/{idea.id}/edit", form("Changed"))

    # A visitor is sent to sign in first; a form post is refused all the same.
    assert page.status_code == (303 if who == "visitor" else status)
    assert response.status_code == status
    assert (await session.get(Idea, idea.id, populate_existing=True)).title == "Mine"  # type: ignore[union-attr]
    assert await count(session, IdeaRevision) == 1


async def test_authors_refine_during_review(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    idea = await make_idea(challenge, author, title="Mine")
    await set_phase(session, challenge, Phase.REVIEW)
    response = await (await sign_in(author)).post(f"/ideas/{idea.id}/edit", form("Refined"))
    assert response.status_code == 303


async def test_a_too_long_title_comes_back_beside_the_field_with_the_text_kept(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    idea = await make_idea(challenge, author, title="Mine")
    long_title = "t" * 121
    response = await (await sign_in(author)).post(
        f"/ideas/{idea.id}/edit", form(long_title, "Kept.")
    )
    assert response.status_code == 200
    page = Page(response)
    assert page.text("#f-title-error") == "Error: Title must be at most 120 characters (it is 121)."
    assert page.field_value("title") == long_title
    assert page.field_value("summary") == "Kept."
    assert await count(session, IdeaRevision) == 1


# Withdrawing ---------------------------------------------------------------------------


async def test_an_author_withdraws_an_idea_and_it_leaves_the_lists(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    visitor: Any,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    idea = await make_idea(challenge, author, title="Taken back")
    priya = await sign_in(author)

    response = await priya.post(f"/ideas/{idea.id}/withdraw")

    assert response.status_code == 303
    assert (await session.get(Idea, idea.id, populate_existing=True)).status is IdeaStatus.WITHDRAWN  # type: ignore[union-attr]
    assert (await session.get(Challenge, challenge.id, populate_existing=True)).idea_count == 0  # type: ignore[union-attr]
    assert (await visitor.get(f"/ideas/{idea.id}/{idea.slug}")).status_code == 404
    own = Page(await priya.get(f"/ideas/{idea.id}/{idea.slug}"))
    assert "Withdrawn by its author" in own.text("aside[aria-label=Withdrawn]")
    assert "Taken back" not in Page(await visitor.get(f"/challenges/{challenge.slug}")).text("main")


async def test_only_the_author_may_withdraw(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user())
    response = await (await sign_in(await make_user())).post(f"/ideas/{idea.id}/withdraw")
    assert response.status_code == 403
    assert (await session.get(Idea, idea.id, populate_existing=True)).status is IdeaStatus.PUBLISHED  # type: ignore[union-attr]


@pytest.mark.parametrize("phase", [Phase.TEAMS, Phase.CLOSED])
async def test_the_service_refuses_to_withdraw_once_the_idea_can_no_longer_be_edited(
    phase: Phase, make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    idea = await make_idea(challenge, author)
    await set_phase(session, challenge, phase)

    with pytest.raises(Forbidden, match="while it can still be edited"):
        await services.withdraw_idea(session, idea_id=idea.id, actor_id=author.id, now=utcnow())

    assert (await saved(session, Idea, idea.id)).status is IdeaStatus.PUBLISHED
    assert (await saved(session, Challenge, challenge.id)).idea_count == 1
    assert await audit_actions(session, "idea.withdraw") == []


async def test_the_service_refuses_a_withdrawal_by_anyone_but_the_author(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    idea = await make_idea(challenge, await make_user())
    coauthor = await make_user()
    session.add(IdeaCoauthor(idea_id=idea.id, user_id=coauthor.id, added_at=utcnow()))
    await session.commit()

    for person in (coauthor, host, await make_user()):
        with pytest.raises(Forbidden):
            await services.withdraw_idea(session, idea_id=idea.id, actor_id=person.id, now=utcnow())

    assert (await saved(session, Idea, idea.id)).status is IdeaStatus.PUBLISHED
    assert await audit_actions(session, "idea.withdraw") == []


async def test_the_service_refuses_an_edit_by_others_and_after_the_round(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    idea = await make_idea(challenge, author, title="As posted")
    change = IdeaInput(title="Changed", summary="Short.", body="")

    with pytest.raises(Forbidden):
        await services.edit_idea(
            session, idea_id=idea.id, editor_id=(await make_user()).id, data=change, now=utcnow()
        )
    await set_phase(session, challenge, Phase.CLOSED)
    with pytest.raises(Forbidden, match="Closed phase"):
        await services.edit_idea(
            session, idea_id=idea.id, editor_id=author.id, data=change, now=utcnow()
        )

    assert (await saved(session, Idea, idea.id)).title == "As posted"
    assert await count(session, IdeaRevision) == 1


# Co-authors ------------------------------------------------------------------------------


async def comment(session: AsyncSession, idea: Idea, user: Any) -> None:
    session.add(
        Comment(
            idea_id=idea.id,
            author_id=user.id,
            body="Nice",
            body_html="<p>Nice</p>",
            created_at=utcnow() - timedelta(minutes=1),
        )
    )
    await session.commit()


async def test_an_author_adds_a_commenter_as_co_author_who_can_then_edit(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user("Priya")
    tomas = await make_user("Tomás")
    idea = await make_idea(challenge, author)
    await comment(session, idea, tomas)
    priya = await sign_in(author)

    page = Page(await priya.get(f"/ideas/{idea.id}/{idea.slug}"))
    response = await priya.post(f"/ideas/{idea.id}/coauthors", {"user_id": str(tomas.id)})

    assert [o.text_content() for o in page.select("#coauthor-select option")] == ["Tomás"]
    assert response.status_code == 303
    assert (await session.scalars(select(IdeaCoauthor.user_id))).all() == [tomas.id]
    edited = await (await sign_in(tomas)).post(f"/ideas/{idea.id}/edit", form("Together"))
    assert edited.status_code == 303
    byline = Page(await priya.get(f"/ideas/{idea.id}/together")).text("#authors")
    assert "Priya and Tomás" in byline


async def test_someone_who_has_not_commented_cannot_be_made_co_author(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    stranger = await make_user()
    idea = await make_idea(challenge, author)
    response = await (await sign_in(author)).post(
        f"/ideas/{idea.id}/coauthors", {"user_id": str(stranger.id)}
    )
    assert response.status_code == 400
    assert "commented" in Page(response).text("main")
    assert await count(session, IdeaCoauthor) == 0


async def test_only_the_author_chooses_co_authors(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user())
    commenter = await make_user()
    await comment(session, idea, commenter)
    response = await (await sign_in(commenter)).post(
        f"/ideas/{idea.id}/coauthors", {"user_id": str(commenter.id)}
    )
    assert response.status_code == 403
    assert await count(session, IdeaCoauthor) == 0


async def test_others_are_refused_before_the_co_author_form_is_read(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user())

    response = await (await sign_in(await make_user())).post(f"/ideas/{idea.id}/coauthors", {})

    assert response.status_code == 403
    assert "Only the idea's author" in Page(response).text("main")


async def test_the_service_lets_only_the_author_choose_co_authors(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user())
    coauthor, commenter = await make_user(), await make_user()
    await comment(session, idea, commenter)
    session.add(IdeaCoauthor(idea_id=idea.id, user_id=coauthor.id, added_at=utcnow()))
    await session.commit()

    with pytest.raises(Forbidden, match="Only the idea's author chooses its co-authors"):
        await services.add_coauthor(
            session, idea_id=idea.id, user_id=commenter.id, actor_id=coauthor.id, now=utcnow()
        )
    with pytest.raises(Forbidden, match="Only the idea's author chooses its co-authors"):
        await services.remove_coauthor(
            session, idea_id=idea.id, user_id=coauthor.id, actor_id=coauthor.id, now=utcnow()
        )

    await session.commit()
    assert (await session.scalars(select(IdeaCoauthor.user_id))).all() == [coauthor.id]


# Markdown that tries to run script --------------------------------------------------


@pytest.mark.parametrize("payload", XSS)
async def test_hostile_markdown_comes_out_harmless(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession, payload: str
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    priya = await sign_in(await make_user())
    response = await priya.post(
        f"/challenges/{challenge.slug}/ideas/new", form("Try", body=payload)
    )
    assert response.status_code == 303
    idea = (await session.scalars(select(Idea))).one()
    page = Page(f"<div>{idea.body_html}</div>")
    assert (
        page.select("script, iframe, object, embed, style, svg, math, form, img, base, body") == []
    )
    for element in page.root.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (payload, name)
            assert name.lower() != "style", payload
            assert not value.strip().lower().startswith(("javascript:", "vbscript:", "data:")), (
                payload
            )
