"""Reading a form never fails on what people (or scripts) send.

Whatever is typed or sent, every form's parser either accepts it or puts a
problem beside a field; no exception comes out of it, and what it keeps to
show again can be put in a page. Then the same through the site: input that
used to be a 500 is a message beside its field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData, QueryParams
from starlette.exceptions import HTTPException

from ideas.accounts import forms as profile_forms
from ideas.audit import AuditEntry
from ideas.challenges import forms as challenge_forms
from ideas.comments import forms as comment_forms
from ideas.errors import NotFound
from ideas.moderation import forms as moderation_forms
from ideas.submissions import forms as idea_forms
from ideas.submissions.models import Idea
from ideas.teams import forms as team_forms
from ideas.teams.matching_views import parse_choices
from ideas.voting.compare_views import _answer as compare_answer
from ideas.web.forms import MAX_ID, Form, parse_id
from tests.factories.queries import count
from tests.html import Page

ZONE = ZoneInfo("Pacific/Kiritimati")  # UTC+14: the last moments of 9999 do not exist in UTC
HARD = [
    "",
    " ",
    "0",
    "-1",
    "+7",
    "²",
    "١٢",
    "\uff11\uff12",  # fullwidth digits
    "9" * 40,
    str(MAX_ID),
    str(MAX_ID + 1),
    "2147483648",
    "1e9",
    "http://[::1",
    "http://[::1]:99999/",
    "https://example.org:0x1/",
    "javascript:alert(1)",
    "mailto:",
    "a@b",
    "@@",
    "10000-01-01T00:00",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "2026-02-30T09:00",
    "2026-03-01T09:00+25:00",
    "9999-12-31",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "\u202e",
    "\r\n\r\n",
    "x" * 30_000,
]
values = st.one_of(
    st.sampled_from(HARD),
    st.text(st.characters(exclude_categories=())),  # surrogates and NUL included
    st.integers().map(str),
    st.datetimes().map(lambda moment: moment.isoformat()),
    st.from_regex(r"\Ahttps?://[^\s]{0,20}\Z"),
)


def submission(names: list[str]) -> st.SearchStrategy[FormData]:
    """A form of these fields (and some others), each sent zero, one or more times."""
    pairs = st.lists(st.tuples(st.sampled_from([*names, "other"]), values), max_size=12)
    return pairs.map(lambda items: FormData([(name, value) for name, value in items]))


def audit_items(data: FormData) -> list[tuple[str, str]]:
    return [(name, str(value)) for name, value in data.multi_items()]


def shows(form: Form) -> None:
    """What a parser keeps to show again can go in a page (UTF-8, no NUL)."""
    for text in [*form.values.values(), *form.errors.values(), form.problem]:
        text.encode("utf-8")
        assert "\x00" not in text


PARSERS: dict[str, tuple[list[str], Callable[[FormData], Any]]] = {
    "idea": (
        [*idea_forms.FIELDS, "tags", "builds_on", "note-1", "note-2"],
        lambda data: idea_forms.parse(data, offered_tags=[1, 2, 3])[0],
    ),
    "challenge": (list(challenge_forms.FIELDS), lambda d: challenge_forms.parse(d, ZONE)[0]),
    "challenge, address fixed": (
        list(challenge_forms.FIELDS),
        lambda data: challenge_forms.parse(data, ZONE, fixed_slug="fixed")[0],
    ),
    "comment": (["body", "parent_id"], lambda data: comment_forms.parse(data)[0]),
    "profile": (list(profile_forms.FIELDS), lambda data: profile_forms.parse(data)[0]),
    "report": (["reason", "note"], lambda data: moderation_forms.parse_report(data)[0]),
    "reason kept hidden": (["reason"], lambda d: moderation_forms.parse_hidden_reason(d)[0]),
    "audit filters": (
        list(moderation_forms.AUDIT_FIELDS),
        # The filters come from the query string.
        lambda data: moderation_forms.parse_audit_filters(QueryParams(audit_items(data)), ZONE)[0],
    ),
    "ask to join": (["message", "skills"], lambda data: team_forms.parse_ask(data)[0]),
    "decline": (["reason"], lambda data: team_forms.parse_reason(data)[0]),
    "invite": (["user_id", "email", "message"], lambda data: team_forms.parse_invite(data)[0]),
    "team role": (["title", "description", "skills"], lambda d: team_forms.parse_role(d)[0]),
    "team update": (["body"], lambda data: team_forms.parse_update(data)[0]),
    "about the team": (["about"], lambda data: team_forms.parse_about(data)[0]),
}


@pytest.mark.parametrize("name", list(PARSERS))
def test_no_input_makes_a_form_parser_fail(name: str) -> None:
    names, parse = PARSERS[name]

    @settings(
        max_examples=150,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(submission(names))
    def check(data: FormData) -> None:
        shows(parse(data))

    check()


@settings(max_examples=150, deadline=None, database=None)
@given(submission(["first", "second", "third"]))
def test_no_ranking_of_teams_makes_its_parser_fail(data: FormData) -> None:
    form = Form.from_submission(data, ("first", "second", "third"))
    for team_id in parse_choices(form):
        assert 1 <= team_id <= MAX_ID
    shows(form)


@settings(max_examples=150, deadline=None, database=None)
@given(submission(["user_id"]))
def test_a_person_chosen_in_a_button_form_is_an_id_or_not_found(data: FormData) -> None:
    """Hidden fields of buttons (hand over, fill a role): nothing there to show a message
    beside, so a value that names nobody is a 404, never an error of ours."""
    try:
        chosen = team_forms.optional_person_id(data)
    except NotFound:
        return
    assert chosen is None or 1 <= chosen <= MAX_ID


@settings(max_examples=150, deadline=None, database=None)
@given(submission(["first", "second", "winner", "token"]))
def test_an_answer_to_the_compare_page_is_read_or_refused_with_400(data: FormData) -> None:
    form = Form.from_submission(data, ("first", "second", "winner", "token"))
    try:
        answer = compare_answer(form)
    except HTTPException as refused:
        status = refused.status_code
    else:
        status = 200
        assert 1 <= answer.first_id < answer.second_id <= MAX_ID
    assert status in {200, 400}


@settings(max_examples=300, deadline=None, database=None)
@given(values)
def test_every_field_reader_gives_a_value_or_a_message(raw: str) -> None:
    form = Form.from_submission({"f": raw}, ("f",))
    number = form.integer("f", label="N", minimum=1, maximum=100)
    assert number is None or 1 <= number <= 100
    chosen = form.identifier("f", message="Choose one.")
    assert chosen is None or 1 <= chosen <= MAX_ID
    form.moment("f", label="Start", zone=ZONE)
    form.day("f", label="Day")
    form.email("f", label="E-mail")
    for url in form.web_addresses("f", label="Links", most=5, max_length=300):
        assert url
    form.text("f", label="Text", max_length=10)
    assert parse_id(raw) is None or 1 <= (parse_id(raw) or 0) <= MAX_ID
    shows(form)


@pytest.mark.parametrize(
    ("raw", "zone", "problem"),
    [
        ("10000-01-01T00:00", "UTC", "must be a date and time"),
        # The last minute of 9999 at UTC-12 is a moment UTC cannot hold.
        ("9999-12-31T23:59", "Etc/GMT+12", "must be a date and time"),
        ("0001-01-01T00:00", "Pacific/Kiritimati", "between the years 2000 and 9998"),
        ("1999-12-31T23:00", "UTC", "between the years 2000 and 9998"),
        ("2026-03-01T09:00+25:00", "UTC", "must be a date and time"),
    ],
)
def test_a_moment_past_the_calendar_is_a_message(raw: str, zone: str, problem: str) -> None:
    form = Form(values={"start": raw})

    assert form.moment("start", label="Start", zone=ZoneInfo(zone)) is None
    assert problem in form.errors["start"]


# Through the site ------------------------------------------------------------------------


async def test_a_malformed_profile_link_is_a_message_beside_the_field(
    make_user: Any, sign_in: Any
) -> None:
    priya = await sign_in(await make_user("Priya"))

    response = await priya.post(
        "/settings/profile",
        {"display_name": "Priya", "links": "https://priya.example.org\nhttp://[::1"},
    )

    assert response.status_code == 200
    page = Page(response)
    assert page.text("#f-links-error") == (
        "Error: “http://[::1” is not a web address starting with https://."
    )
    assert page.field_value("links") == "https://priya.example.org\nhttp://[::1"


@pytest.mark.parametrize("raw", ["²", "99999999999999999999", str(MAX_ID + 1), "0", "-4"])
async def test_an_id_no_row_can_have_is_a_message_not_a_failure(
    raw: str, make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True), tags=("food",))
    idea = await make_idea(challenge, await make_user())
    priya = await sign_in(await make_user("Priya"))
    ideas_before = await count(session, Idea)

    reply = await priya.post(f"/ideas/{idea.id}/comments", {"body": "Yes", "parent_id": raw})
    built = await priya.post(
        f"/challenges/{challenge.slug}/ideas/new",
        {"title": "More", "summary": "Much more.", "builds_on": raw, "tags": raw},
    )
    started = await priya.get(f"/challenges/{challenge.slug}/ideas/new?builds_on={raw}")

    assert reply.status_code == 200
    assert Page(reply).text("#comment-form .form-problem") == comment_forms.NO_PARENT
    assert built.status_code == 200
    assert Page(built).text("#f-builds_on-error") == f"Error: {idea_forms.NO_PARENT}"
    assert Page(built).field_value("title") == "More"
    assert started.status_code == 200
    assert await count(session, Idea) == ideas_before


async def test_a_schedule_past_the_calendar_is_a_message(make_user: Any, sign_in: Any) -> None:
    hamid = await sign_in(await make_user("Hamid", host=True))

    response = await hamid.post(
        "/challenges/new",
        {
            "title": "Late",
            "question": "How late can it be?",
            "ideas_opens_at": "10000-01-01T00:00",
            "closes_at": "9998-12-31T23:59",
            "vote_budget": "9" * 40,
            "team_capacity": "²",
            "report_threshold": "3",
        },
    )

    assert response.status_code == 200
    page = Page(response)
    assert "must be a date and time" in page.text("#f-ideas_opens_at-error")
    assert "whole number" in page.text("#f-team_capacity-error")
    assert "between 1 and 1,000" in page.text("#f-vote_budget-error")


async def test_audit_filters_past_the_calendar_are_messages(
    make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    ada = await sign_in(await make_user("Ada", admin=True))

    response = await ada.get(
        "/admin/audit", params={"from": "9999-12-31", "to": "9999-12-31", "before": "²",
                                "actor": "99999999999"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "between the years 2000 and 9998" in Page(response).text("main")
    assert await count(session, AuditEntry) >= 0


async def test_a_nul_byte_never_reaches_the_database(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    priya = await sign_in(await make_user("Priya"))

    response = await priya.post(
        f"/challenges/{challenge.slug}/ideas/new",
        {"title": "Share\x00 leftovers", "summary": "To a\x00 food bank.", "body": "\x00"},
    )

    assert response.status_code == 303
    await session.commit()
    idea = await session.get(Idea, int(response.headers["location"].split("/")[2]))
    assert idea is not None
    assert (idea.title, idea.summary) == ("Share leftovers", "To a food bank.")
