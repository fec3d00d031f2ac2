"""Parts of pages kept between requests are made again as soon as what they show changes."""

from __future__ import annotations

from typing import Any

import jinja2
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User, UserStatus
from ideas.accounts.services import set_avatar
from ideas.challenges.models import ChallengeTag
from ideas.comments import services
from ideas.comments.models import Comment
from ideas.db import utcnow
from ideas.form_tokens import Once, for_element
from ideas.submissions.models import Idea, IdeaTag
from ideas.web import fragments
from ideas.web.csrf_tokens import unmask
from ideas.web.fragments import KEPT, FragmentCache
from tests.factories.pictures import an_avatar
from tests.factories.rounds import tag_ids
from tests.html import Page


def environment(*, auto_reload: bool = False) -> jinja2.Environment:
    env = jinja2.Environment(autoescape=True, extensions=[FragmentCache], auto_reload=auto_reload)
    made: list[str] = []

    def make(text: str) -> str:
        made.append(text)
        return text

    env.globals["make"] = make
    env.globals["made"] = made
    return env


def test_a_part_is_made_once_for_a_key_and_again_for_another() -> None:
    env = environment()
    template = env.from_string("{% cache 'card', n %}<b>{{ make(text) }}</b>{% endcache %}")

    assert template.render(n=1, text="<one>") == "<b>&lt;one&gt;</b>"
    assert template.render(n=1, text="<one>") == "<b>&lt;one&gt;</b>"
    assert template.render(n=2, text="two") == "<b>two</b>"
    assert env.globals["made"] == ["<one>", "two"]


def test_a_key_that_cannot_be_kept_makes_the_part_each_time() -> None:
    env = environment()
    template = env.from_string("{% cache [n] %}{{ make('x') }}{% endcache %}")

    assert template.render(n=1) + template.render(n=1) == "xx"
    assert env.globals["made"] == ["x", "x"]


def test_the_same_key_in_two_templates_keeps_two_parts() -> None:
    env = environment()
    env.loader = jinja2.DictLoader(
        {"a.html": "{% cache 1 %}a{% endcache %}", "b.html": "{% cache 1 %}b{% endcache %}"}
    )

    assert env.get_template("a.html").render() + env.get_template("b.html").render() == "ab"


def test_the_oldest_parts_are_forgotten_first() -> None:
    env = environment()
    template = env.from_string("{% cache n %}{{ make('x') }}{% endcache %}")
    for n in range(KEPT + 1):
        template.render(n=n)

    template.render(n=KEPT)  # kept
    template.render(n=0)  # forgotten
    made = env.globals["made"]
    assert isinstance(made, list)
    assert len(made) == KEPT + 2


def test_the_oldest_parts_are_forgotten_first_when_the_kept_text_grows_too_long(
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(fragments, "KEPT_CHARACTERS", 10)
    env = environment()
    template = env.from_string("{% cache n %}{{ make(n) }}-----{% endcache %}")

    for n in (1, 2, 2, 1):  # 1 and 2 take six characters each: 2 pushes 1 out
        template.render(n=n)

    assert env.globals["made"] == [1, 2, 1]


def test_in_development_nothing_is_kept() -> None:
    env = environment(auto_reload=True)
    template = env.from_string("{% cache 1 %}{{ make('x') }}{% endcache %}")

    assert template.render() + template.render() == "xx"


def test_a_kept_part_gives_each_page_its_own_csrf_token() -> None:
    env = environment()
    template = env.from_string(
        "{% cache 'form', n %}{{ make('<form>') }}<input value=\"{{ csrf_token }}\">"
        '<input value="{{ csrf_token }}"></form>{% endcache %}'
    )

    assert template.render(n=1, csrf_token="tok-a") == (
        '&lt;form&gt;<input value="tok-a"><input value="tok-a"></form>'
    )
    assert template.render(n=1, csrf_token="tok-b") == (
        '&lt;form&gt;<input value="tok-b"><input value="tok-b"></form>'
    )
    # Made without a token, a part is kept apart from one made with a token.
    assert (
        template.render(n=1, csrf_token="") == '&lt;form&gt;<input value=""><input value=""></form>'
    )
    assert template.render(n=1, csrf_token="tok-c").count("tok-c") == 2
    assert env.globals["made"] == ["<form>", "<form>"]


async def test_an_idea_card_shows_its_changes_at_once(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user("Priya")
    idea = await make_idea(challenge, author, title="Compost club")
    viewer = await sign_in(await make_user())
    url = f"/challenges/{challenge.slug}"

    def card(response: Any) -> str:
        return Page(response).text("#ideas .idea-card")

    before = card(await viewer.get(url))
    for shown in ("Compost club", "Priya", "0 comments"):
        assert shown in before

    await session.execute(
        update(Idea).where(Idea.id == idea.id).values(title="Compost collective", comment_count=1)
    )
    await session.execute(update(User).where(User.id == author.id).values(display_name="Priya S."))
    after = card(await viewer.get(url))
    for shown in ("Compost collective", "Priya S.", "1 comment "):
        assert shown in after

    await session.execute(
        update(User).where(User.id == author.id).values(status=UserStatus.DELETED)
    )
    assert "a deleted participant" in card(await viewer.get(url))


async def test_a_renamed_tag_reaches_the_card_and_the_idea_page(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True), tags=("Compost", "Schools"))
    idea = await make_idea(challenge, await make_user("Priya"), title="Compost club")
    tags = await tag_ids(session, challenge)
    session.add_all([IdeaTag(idea_id=idea.id, tag_id=tag_id) for tag_id in tags.values()])
    await session.commit()
    viewer = await sign_in(await make_user())
    urls = {
        f"/challenges/{challenge.slug}": "#ideas .idea-card .tag",
        f"/ideas/{idea.id}/{idea.slug}": ".idea .tag-list .tag",
    }
    for url, shown in urls.items():
        assert [tag.text_content() for tag in Page(await viewer.get(url)).select(shown)] == [
            "Compost",
            "Schools",
        ]

    await session.execute(
        update(ChallengeTag).where(ChallengeTag.id == tags["Schools"]).values(name="Classrooms")
    )
    await session.commit()
    for url, shown in urls.items():
        assert [tag.text_content() for tag in Page(await viewer.get(url)).select(shown)] == [
            "Compost",
            "Classrooms",
        ], url


async def test_a_comment_shows_its_changes_at_once_and_each_report_form_its_own_token(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user())
    author = await make_user("Tomas")
    for body in ("Soup on Sundays", "And on Mondays"):
        await services.post_comment(
            session, idea_id=idea.id, author_id=author.id, body=body, now=utcnow()
        )
    viewer = await sign_in(await make_user())
    url = f"/ideas/{idea.id}/{idea.slug}"

    def comments(page: Page) -> list[str]:
        return [" ".join(c.text_content().split()) for c in page.select("article.comment")]

    first = Page(await viewer.get(url))
    assert any("Soup on Sundays" in text for text in comments(first))
    tokens = [field.get("value") for field in first.select('.report [name="form_token"]')]
    again = Page(await viewer.get(url))
    more = [field.get("value") for field in again.select('.report [name="form_token"]')]
    assert len(set(tokens + more)) == len(tokens + more) >= 3  # the idea's and each comment's

    await session.execute(
        update(Comment).where(Comment.body == "Soup on Sundays").values(body_html="<p>Soup!</p>")
    )
    texts = comments(Page(await viewer.get(url)))
    assert any("Soup!" in text for text in texts)
    assert not any("Soup on Sundays" in text for text in texts)

    await session.execute(update(User).where(User.id == author.id).values(display_name="Tom"))
    texts = comments(Page(await viewer.get(url)))
    assert all("Tom " in text for text in texts)
    assert not any("Tomas" in text for text in texts)


async def test_each_viewer_gets_vote_buttons_with_their_own_token_and_state(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user())
    priya, tomas = await sign_in(await make_user()), await sign_in(await make_user())
    url = f"/challenges/{challenge.slug}"

    def button(page: Page) -> tuple[str, str]:
        form = page.one(f"#vote-{idea.id} form")
        token = unmask(form.cssselect('[name="csrf_token"]')[0].get("value"))
        return (token or b"").decode(), " ".join(form.text_content().split())

    assert button(Page(await priya.get(url))) == (priya.csrf, f"Vote for “{idea.title}”")
    assert button(Page(await tomas.get(url))) == (tomas.csrf, f"Vote for “{idea.title}”")
    await priya.post(f"/ideas/{idea.id}/vote", {"action": "vote"})
    voted = f"✓ Vote for “{idea.title}”"
    assert button(Page(await priya.get(url))) == (priya.csrf, voted)
    assert button(Page(await tomas.get(url))) == (tomas.csrf, f"Vote for “{idea.title}”")
    assert Page(await tomas.get(url)).text(f"#vote-count-{idea.id}") == "1 vote"


def test_a_kept_part_gives_each_page_its_own_form_tokens() -> None:
    env = environment()
    env.globals["form_token_for"] = for_element
    template = env.from_string(
        "{% cache 'form', n %}{{ make('made') }}"
        "<input value=\"{{ form_token_for(form_page_token, 'reply-' ~ n) }}\">"
        '<input value="{{ csrf_token }}">{% endcache %}'
    )

    first = template.render(n=1, csrf_token="tok-a", form_page_token="page-a-0123456789")
    again = template.render(n=1, csrf_token="tok-b", form_page_token="page-b-0123456789")

    assert first == 'made<input value="page-a-0123456789-reply-1"><input value="tok-a">'
    assert again == 'made<input value="page-b-0123456789-reply-1"><input value="tok-b">'
    assert env.globals["made"] == ["made"]


async def test_kept_comments_give_each_viewer_their_own_tokens_and_only_theirs_work(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user())
    comment = await services.post_comment(
        session, idea_id=idea.id, author_id=(await make_user()).id, body="Soup", now=utcnow()
    )
    priya, tomas = await sign_in(await make_user()), await sign_in(await make_user())
    url = f"/ideas/{idea.id}/{idea.slug}"
    reply = f"#reply-{comment.id}-form"
    report = f"#report-comment-{comment.id}"

    def tokens(page: Page, form: str) -> tuple[str, str]:
        csrf = page.one(f'{form} [name="csrf_token"]').get("value") or ""
        once = page.one(f'{form} [name="form_token"]').get("value") or ""
        return csrf, once

    pages = [Page(await person.get(url)) for person in (priya, tomas, priya)]
    for page, person in zip(pages, (priya, tomas, priya), strict=True):
        for form in (reply, report):
            csrf, _once = tokens(page, form)
            assert (unmask(csrf) or b"").decode() == person.csrf
    form_tokens = [tokens(page, form)[1] for page in pages for form in (reply, report)]
    assert len(set(form_tokens)) == len(form_tokens)
    assert all(Once.sent({"form_token": token}, 1) is not None for token in form_tokens)

    tomas_csrf, tomas_once = tokens(pages[1], reply)
    sent = {"body": "Not mine to send", "parent_id": str(comment.id), "form_token": tomas_once}
    refused = await priya.post(f"/ideas/{idea.id}/comments", {**sent, "csrf_token": tomas_csrf})
    assert refused.status_code == 403
    taken = await tomas.post(f"/ideas/{idea.id}/comments", {**sent, "csrf_token": tomas_csrf})
    assert taken.status_code == 303
    replies = await session.scalars(select(Comment).where(Comment.parent_id == comment.id))
    assert [c.body for c in replies] == ["Not mine to send"]


async def test_the_page_chrome_shows_each_viewer_their_own_and_its_changes_at_once(
    make_user: Any, sign_in: Any, visitor: Any, session: AsyncSession
) -> None:
    priya_user = await make_user("Priya Sharma")
    priya, tomas = await sign_in(priya_user), await sign_in(await make_user("Tomas Berg"))

    def chrome(page: Page) -> tuple[str, str, set[str]]:
        """What the account menu says, the language the page is in, and the tokens of
        every form the header and footer hold (unmasked)."""
        tokens = {
            (unmask(field.get("value")) or b"").decode()
            for field in page.select('.site-header [name="csrf_token"], footer [name="csrf_token"]')
        }
        return " ".join(page.text(".account-nav").split()), page.one("html").get("lang"), tokens

    menu, lang, tokens = chrome(Page(await priya.get("/notifications")))
    assert ("Priya Sharma" in menu, "PS" in menu, "admin" in menu, lang) == (
        True,
        True,
        False,
        "en",
    )
    assert tokens == {priya.csrf}
    menu, _, tokens = chrome(Page(await tomas.get("/notifications")))
    assert "Tomas Berg" in menu
    assert "Priya" not in menu
    assert tokens == {tomas.csrf}

    # The name (with the same initials, then others), the picture, the roles: each shows
    # at once.
    await session.execute(
        update(User).where(User.id == priya_user.id).values(display_name="Priya Shah")
    )
    menu, _, _ = chrome(Page(await priya.get("/notifications")))
    assert "Priya Shah" in menu
    assert "Sharma" not in menu
    await session.execute(
        update(User).where(User.id == priya_user.id).values(display_name="Ama Owusu")
    )
    menu, _, _ = chrome(Page(await priya.get("/notifications")))
    assert "Ama Owusu" in menu
    assert "AO" in menu
    assert "Priya" not in menu
    assert Page(await priya.get("/notifications")).select(".account-nav img.avatar") == []
    await set_avatar(session, user_id=priya_user.id, picture=an_avatar())
    assert Page(await priya.get("/notifications")).select(".account-nav img.avatar")
    await session.execute(update(User).where(User.id == priya_user.id).values(is_host=True))
    assert "host" in chrome(Page(await priya.get("/notifications")))[0]
    await session.execute(update(User).where(User.id == priya_user.id).values(is_admin=True))
    page = Page(await priya.get("/notifications"))
    assert "admin" in chrome(page)[0]
    assert "Admin" in chrome(page)[0]
    await session.execute(update(User).where(User.id == priya_user.id).values(is_admin=False))
    assert "Admin" not in chrome(Page(await priya.get("/notifications")))[0]

    # The language, and the page the language form returns to.
    await session.execute(update(User).where(User.id == priya_user.id).values(locale="ar"))
    page = Page(await priya.get("/settings"))
    assert (page.one("html").get("lang"), page.one("html").get("dir")) == ("ar", "rtl")
    assert page.one('footer [name="next"]').get("value") == "/settings"
    assert Page(await priya.get("/notifications")).one('footer [name="next"]').get("value") == (
        "/notifications"
    )

    # A visitor: no account, no token, a link to sign in.
    page = Page(await visitor.get("/sign-in"))
    assert chrome(page)[1:] == ("en", set())
    assert "Sign in" in chrome(page)[0]
    assert "Ama" not in chrome(page)[0]


async def test_the_kept_language_form_returns_each_page_to_itself(
    make_user: Any, sign_in: Any
) -> None:
    priya = await sign_in(await make_user("Priya Sharma"))

    for path in ("/notifications", "/settings", "/notifications?page=2"):
        page = Page(await priya.get(path))
        form = page.one("form#language-form")
        fields = {field.get("name"): field.get("value") for field in form.cssselect("input")}
        # The page to return to stands outside the kept form and belongs to it.
        fields |= {
            field.get("name"): field.get("value")
            for field in page.select('input[form="language-form"]')
        }
        assert fields["next"] == path
        assert (unmask(fields["csrf_token"]) or b"").decode() == priya.csrf

    chosen = await priya.post("/language", {"locale": "fr", "next": fields["next"]})
    assert chosen.headers["location"].endswith("/notifications?page=2")
