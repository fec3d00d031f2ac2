"""The challenge form: what a host types to create or edit a round."""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from slugify import slugify
from starlette.datastructures import FormData

from ideas import languages, zones
from ideas.challenges.models import DEFAULT_REPORT_THRESHOLD, DEFAULT_TEAM_CAPACITY, Challenge
from ideas.challenges.phases import Phase, Schedule
from ideas.i18n import _
from ideas.media.pictures import Prepared
from ideas.web.forms import Form

FIELDS = (
    "title",
    "slug",
    "question",
    "sponsor",
    "brief",
    "tags",
    "ideas_opens_at",
    "review_opens_at",
    "teams_opens_at",
    "closes_at",
    "vote_budget",
    "team_capacity",
    "one_team_per_participant",
    "report_threshold",
    "allow_self_votes",
    "cover_alt",
    "remove_cover",
    "time_zone",
    "language",
)
SCHEDULE_FIELDS = {
    "ideas": "ideas_opens_at",
    "review": "review_opens_at",
    "teams": "teams_opens_at",
    "closed": "closes_at",
}
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RESERVED_SLUGS = frozenset({"new", "edit", "api", "static", "admin"})
TAG_MAX = 40
TAGS_MAX = 20
TITLE_MAX = 120
QUESTION_MAX = 300
BRIEF_MAX = 20_000


@dataclass(frozen=True)
class ChallengeInput:
    title: str
    slug: str
    question: str
    sponsor: str
    brief: str
    schedule: Schedule
    tags: tuple[str, ...] = ()
    vote_budget: int | None = None
    team_capacity: int = DEFAULT_TEAM_CAPACITY
    one_team_per_participant: bool = True
    report_threshold: int = DEFAULT_REPORT_THRESHOLD
    allow_self_votes: bool = False
    cover: Prepared | None = None
    cover_alt: str = ""
    remove_cover: bool = False
    # The zone its schedule was typed in (None: the site's), and its main language.
    time_zone: str | None = None
    language: str = languages.ENGLISH
    # False: the address was left empty and ``slug`` was derived from the title; the
    # challenge then gets the first free one of ``slug``, ``slug-2``, ``slug-3``…
    slug_typed: bool = True


def make_slug(text: str) -> str:
    return slugify(text, max_length=60, word_boundary=True) or "challenge"


def blank(zone: ZoneInfo, language: str) -> Form:
    """The form for a new challenge, with the default settings filled in: the host's
    time zone, and the language they read the site in."""
    return Form(
        values={
            **dict.fromkeys(FIELDS, ""),
            "time_zone": zone.key,
            "language": language,
            "team_capacity": str(DEFAULT_TEAM_CAPACITY),
            "report_threshold": str(DEFAULT_REPORT_THRESHOLD),
            "one_team_per_participant": "on",
        }
    )


def from_challenge(challenge: Challenge, site_zone: ZoneInfo) -> Form:
    """The form filled in with what the challenge holds now (``tags`` loaded); its
    schedule in the challenge's own zone."""
    zone = zones.zone_of(challenge.time_zone, site_zone)

    def local(phase: str) -> str:
        start = challenge.schedule.start_of(Phase(phase))
        return f"{start.astimezone(zone):%Y-%m-%dT%H:%M}" if start else ""

    values = {
        "title": challenge.title,
        "slug": challenge.slug,
        "question": challenge.question,
        "sponsor": challenge.sponsor,
        "brief": challenge.brief,
        "tags": ", ".join(tag.name for tag in challenge.tags),
        "vote_budget": "" if challenge.vote_budget is None else str(challenge.vote_budget),
        "team_capacity": str(challenge.team_capacity),
        "one_team_per_participant": "on" if challenge.one_team_per_participant else "",
        "report_threshold": str(challenge.report_threshold),
        "allow_self_votes": "on" if challenge.allow_self_votes else "",
        "cover_alt": challenge.cover_alt,
        "time_zone": zone.key,
        "language": challenge.language,
    }
    values.update({name: local(phase) for phase, name in SCHEDULE_FIELDS.items()})
    return Form(values=values)


def parse_tags(form: Form) -> tuple[str, ...]:
    """Tags separated by commas; repeats (in any case) are dropped, the first spelling kept."""
    tags: list[str] = []
    seen: set[str] = set()
    for raw in form.values.get("tags", "").split(","):
        tag = " ".join(raw.split())
        if not tag or tag.casefold() in seen:
            continue
        if len(tag) > TAG_MAX:
            form.errors["tags"] = _(
                "Each tag must be at most %(most)s characters (“%(tag)s” is longer).",
                most=TAG_MAX,
                tag=tag,
            )
            return ()
        seen.add(tag.casefold())
        tags.append(tag)
    if len(tags) > TAGS_MAX:
        form.errors["tags"] = _(
            "Offer at most %(most)s tags (there are %(count)s).", most=TAGS_MAX, count=len(tags)
        )
    return tuple(tags)


def parse(
    data: FormData,
    zone: ZoneInfo,
    *,
    fixed_slug: str | None = None,
    language: str = languages.ENGLISH,
) -> tuple[Form, ChallengeInput | None]:
    """Check a submitted challenge form. ``fixed_slug``: the address may no longer change.

    The schedule is read in the zone named on the form (``zone``, the host's, when
    it is left empty), and stored in UTC.
    """
    form = Form.from_submission(data, FIELDS)
    chosen_zone = form.zone("time_zone", label=_("Time zone"))
    if chosen_zone is not None:
        zone = chosen_zone
    # Not sent (an older form): the language it had.
    language = form.language("language", detect=True) or language
    title = form.text("title", label=_("Title"), max_length=TITLE_MAX)
    question = form.text("question", label=_("Question"), max_length=QUESTION_MAX)
    sponsor = form.text("sponsor", label=_("Sponsor"), max_length=120, required=False)
    brief = form.text(
        "brief", label=_("Brief"), max_length=BRIEF_MAX, required=False, multiline=True
    )
    slug_typed = True
    if fixed_slug is not None:
        slug = form.values["slug"] = fixed_slug
    else:
        slug = form.text("slug", label=_("Address"), max_length=80, required=False).lower()
        if not slug:
            # Derived from the title: the service picks a free one (never a reserved word).
            slug_typed = False
            slug = make_slug(title) if title else ""
        elif not SLUG_PATTERN.fullmatch(slug):
            form.errors["slug"] = _(
                "Use lowercase letters, digits and single hyphens, like food-waste."
            )
        elif slug in RESERVED_SLUGS:
            form.errors["slug"] = _("That address is reserved; choose another.")
    tags = parse_tags(form)
    starts = {
        phase: form.moment(
            name,
            label=_("Start of the %(phase)s phase", phase=Phase(phase).label.lower()),
            zone=zone,
        )
        for phase, name in SCHEDULE_FIELDS.items()
    }
    schedule = Schedule(**starts)
    for phase, problem in schedule.problems().items():
        form.errors.setdefault(SCHEDULE_FIELDS[phase.value], f"This {problem}.")
    vote_budget = form.integer("vote_budget", label=_("Vote budget"), minimum=1, maximum=1000)
    if "vote_budget" in form.errors:
        form.errors["vote_budget"] += _(" Leave it empty for no limit.")
    team_capacity = form.integer(
        "team_capacity",
        label=_("Team capacity"),
        minimum=2,
        maximum=50,
        default=DEFAULT_TEAM_CAPACITY,
    )
    report_threshold = form.integer(
        "report_threshold",
        label=_("Reports before hiding"),
        minimum=1,
        maximum=100,
        default=DEFAULT_REPORT_THRESHOLD,
    )
    cover_alt = form.text(
        "cover_alt", label=_("The picture's description"), max_length=200, required=False
    )
    if not form.ok:
        return form, None
    assert team_capacity is not None
    assert report_threshold is not None
    return form, ChallengeInput(
        title=title,
        slug=slug,
        question=question,
        sponsor=sponsor,
        brief=brief,
        schedule=schedule,
        tags=tags,
        vote_budget=vote_budget,
        team_capacity=team_capacity,
        one_team_per_participant=form.checked("one_team_per_participant"),
        report_threshold=report_threshold,
        allow_self_votes=form.checked("allow_self_votes"),
        cover_alt=cover_alt,
        remove_cover=form.checked("remove_cover"),
        slug_typed=slug_typed,
        time_zone=zone.key,
        language=language,
    )
