"""Loaded objects to the JSON the API sends, shaped as the OpenAPI document's schemas.

One TypedDict per schema and one function per TypedDict. Functions take
objects with what they need already loaded and never query.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypedDict

from ideas import policy
from ideas.accounts.models import User
from ideas.accounts.names import is_named, public_name_in_data
from ideas.api.http import Links
from ideas.api.queries import DirectLinks, LinkedIdea
from ideas.challenges.models import Challenge
from ideas.challenges.phases import SCHEDULED_PHASES, Phase, next_change
from ideas.impact.models import ImpactUpdate
from ideas.impact.queries import PledgeCounts
from ideas.jury.standings import Standings
from ideas.submissions.cluster_queries import Cluster
from ideas.submissions.lineage import Family
from ideas.submissions.listing import ListedIdea, ListedPerson
from ideas.submissions.models import Idea
from ideas.teams.models import Team, TeamMember, TeamRole
from ideas.themes.queries import ThemeChoice, ThemeSize
from ideas.voting import bridging


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC to the second, with a Z: ``2030-03-01T09:00:00Z``."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def optional_timestamp(moment: datetime | None) -> str | None:
    return None if moment is None else timestamp(moment)


# Challenges ------------------------------------------------------------------


class NextChange(TypedDict):
    phase: str
    at: str


class ChallengeSettings(TypedDict):
    vote_budget: int | None
    team_capacity: int
    one_team_per_participant: bool


class ChallengeSummary(TypedDict):
    id: int
    slug: str
    title: str
    question: str
    sponsor: str
    phase: str
    schedule: dict[str, str | None]
    next_change: NextChange | None
    idea_count: int
    tags: list[str]
    settings: ChallengeSettings
    url: str
    api_url: str


class Person(TypedDict):
    name: str
    url: str | None


class Winner(TypedDict):
    id: int
    title: str
    citation: str
    url: str


class ChallengeDetail(ChallengeSummary):
    brief: str
    brief_html: str
    hosts: list[Person]
    winners: list[Winner]


def challenge_summary(challenge: Challenge, links: Links, now: datetime) -> ChallengeSummary:
    """Needs ``challenge.tags`` loaded."""
    phase = challenge.phase_at(now)
    schedule = challenge.schedule
    upcoming = next_change(schedule, phase, now)
    return {
        "id": challenge.id,
        "slug": challenge.slug,
        "title": challenge.title,
        "question": challenge.question,
        "sponsor": challenge.sponsor,
        "phase": phase.value,
        "schedule": {p.value: optional_timestamp(schedule.start_of(p)) for p in SCHEDULED_PHASES},
        "next_change": _next_change(upcoming),
        "idea_count": challenge.idea_count,
        "tags": [tag.name for tag in challenge.tags],
        "settings": {
            "vote_budget": challenge.vote_budget,
            "team_capacity": challenge.team_capacity,
            "one_team_per_participant": challenge.one_team_per_participant,
        },
        "url": links.page("challenge.detail", slug=challenge.slug),
        "api_url": links.api("api.challenge", slug=challenge.slug),
    }


def _next_change(upcoming: tuple[Phase, datetime] | None) -> NextChange | None:
    if upcoming is None:
        return None
    phase, at = upcoming
    return {"phase": phase.value, "at": timestamp(at)}


def challenge_detail(
    challenge: Challenge, winners: Sequence[Idea], links: Links, now: datetime
) -> ChallengeDetail:
    """Needs ``challenge.tags`` and ``challenge.hosts`` with their users loaded."""
    return {
        **challenge_summary(challenge, links, now),
        "brief": challenge.brief,
        "brief_html": challenge.brief_html,
        "hosts": [person(host.user, links) for host in challenge.hosts],
        "winners": [winner(idea, links) for idea in winners],
    }


# People and ideas ------------------------------------------------------------


def person(user: User | ListedPerson, links: Links) -> Person:
    """A name, and a profile link where a visitor may see the profile.

    Someone who deleted their account is "deleted participant", without a link.
    """
    if not is_named(user):
        return {"name": public_name_in_data(user), "url": None}
    visible = policy.may_see_profile(user, None)
    return {
        "name": public_name_in_data(user),
        "url": links.page("profile", user_id=user.id) if visible else None,
    }


def winner(idea: Idea, links: Links) -> Winner:
    return {
        "id": idea.id,
        "title": idea.title,
        "citation": idea.citation,
        "url": links.page("idea.detail", idea_id=idea.id, slug=idea.slug),
    }


# Ideas -----------------------------------------------------------------------


class ChallengeRef(TypedDict):
    slug: str
    title: str
    url: str
    api_url: str


class IdeaCounts(TypedDict):
    votes: int
    comments: int
    build_count: int
    influence: int
    comparisons: int
    pairwise_score: float | None


class ClusterRef(TypedDict):
    id: int
    ideas: list[str]
    supporters: int


class ThemeRef(TypedDict):
    id: int
    name: str


class IdeaSummary(TypedDict):
    id: int
    title: str
    summary: str
    status: str
    tags: list[str]
    authors: list[Person]
    counts: IdeaCounts
    created_at: str
    updated_at: str
    challenge: ChallengeRef
    cluster: ClusterRef | None
    theme: ThemeRef | None
    url: str
    api_url: str


class IdeaLinkOut(TypedDict):
    id: int
    title: str
    note: str
    url: str
    api_url: str


class IdeaDetail(IdeaSummary):
    body: str
    body_html: str
    builds_on: list[IdeaLinkOut]
    built_on_by: list[IdeaLinkOut]


def idea_url(idea: Idea | ListedIdea, links: Links) -> str:
    return links.page("idea.detail", idea_id=idea.id, slug=idea.slug)


def idea_api_url(idea_id: int, links: Links) -> str:
    return links.api("api.idea", id=idea_id)


def challenge_ref(challenge: Challenge, links: Links) -> ChallengeRef:
    return {
        "slug": challenge.slug,
        "title": challenge.title,
        "url": links.page("challenge.detail", slug=challenge.slug),
        "api_url": links.api("api.challenge", slug=challenge.slug),
    }


def idea_counts(idea: Idea | ListedIdea) -> IdeaCounts:
    """The counters kept on the idea's row."""
    return {
        "votes": idea.vote_count,
        "comments": idea.comment_count,
        "build_count": idea.build_count,
        "influence": idea.influence,
        "comparisons": idea.comparison_count,
        "pairwise_score": idea.pairwise_score,
    }


def authors(idea: Idea | ListedIdea, links: Links) -> list[Person]:
    """The author first, then the co-authors in the order they were added."""
    return [person(idea.author, links)] + [person(c.user, links) for c in idea.coauthors]


def cluster_ref(cluster: Cluster | None, links: Links) -> ClusterRef | None:
    if cluster is None:
        return None
    return {
        "id": cluster.id,
        "ideas": [idea_api_url(member.id, links) for member in cluster.members],
        "supporters": cluster.supporters,
    }


def theme_ref(theme: ThemeChoice | None) -> ThemeRef | None:
    return None if theme is None else {"id": theme.id, "name": theme.name}


def idea_summary(
    idea: Idea | ListedIdea,
    challenge: Challenge,
    links: Links,
    cluster: Cluster | None = None,
    theme: ThemeChoice | None = None,
) -> IdeaSummary:
    """Needs ``idea.author``, ``idea.coauthors`` with their users and ``idea.tags`` loaded;
    ``cluster``: the duplicates cluster it is in, as everyone sees it; ``theme``: its
    theme, if it is in one."""
    return {
        "id": idea.id,
        "title": idea.title,
        "summary": idea.summary,
        "status": idea.status.value,
        "tags": [tag.name for tag in idea.tags],
        "authors": authors(idea, links),
        "counts": idea_counts(idea),
        "created_at": timestamp(idea.created_at),
        "updated_at": timestamp(idea.updated_at),
        "challenge": challenge_ref(challenge, links),
        "cluster": cluster_ref(cluster, links),
        "theme": theme_ref(theme),
        "url": idea_url(idea, links),
        "api_url": idea_api_url(idea.id, links),
    }


def linked_idea(link: LinkedIdea, links: Links) -> IdeaLinkOut:
    return {
        "id": link.idea.id,
        "title": link.idea.title,
        "note": link.note,
        "url": idea_url(link.idea, links),
        "api_url": idea_api_url(link.idea.id, links),
    }


def idea_detail(
    idea: Idea,
    direct: DirectLinks,
    links: Links,
    cluster: Cluster | None = None,
    theme: ThemeChoice | None = None,
) -> IdeaDetail:
    """Needs what ``idea_summary`` needs, and ``idea.challenge``."""
    return {
        **idea_summary(idea, idea.challenge, links, cluster, theme),
        "body": idea.body,
        "body_html": idea.body_html,
        "builds_on": [linked_idea(link, links) for link in direct.builds_on],
        "built_on_by": [linked_idea(link, links) for link in direct.built_on_by],
    }


# Themes ----------------------------------------------------------------------


class ThemeOut(TypedDict):
    id: int
    name: str
    size: int


class ThemeList(TypedDict):
    items: list[ThemeOut]


def theme_list(themes: Sequence[ThemeSize]) -> ThemeList:
    return {
        "items": [
            {"id": found.theme.id, "name": found.theme.shown_name, "size": found.ideas}
            for found in themes
        ]
    }


# Lineage ---------------------------------------------------------------------


class LineageNode(TypedDict):
    id: int
    title: str | None
    depth: int
    url: str | None
    api_url: str | None


class LineageEdge(TypedDict):
    child: int
    parent: int
    note: str | None


class Lineage(TypedDict):
    idea_id: int
    nodes: list[LineageNode]
    edges: list[LineageEdge]


def lineage(family: Family, links: Links) -> Lineage:
    """The family as a graph; ideas a visitor may not see keep their place, not their words.

    A withdrawn or hidden idea is a node without title or links, and the note
    on a link it made is left out with it.
    """
    depths = {i: d for i, d in _depths(family).items() if i in family.ideas}
    nodes: list[LineageNode] = []
    for idea_id, depth in sorted(depths.items(), key=lambda item: (item[1], item[0])):
        shown = family.shown(idea_id)
        nodes.append(
            {
                "id": idea_id,
                "title": shown.title if shown else None,
                "depth": depth,
                "url": idea_url(shown, links) if shown else None,
                "api_url": idea_api_url(idea_id, links) if shown else None,
            }
        )
    edges: list[LineageEdge] = [
        {"child": edge.child_id, "parent": edge.parent_id, "note": family.note(edge)}
        for edge in sorted(family.edges, key=lambda e: (e.child_id, e.parent_id))
        if edge.child_id in depths and edge.parent_id in depths
    ]
    return {"idea_id": family.root, "nodes": nodes, "edges": edges}


def _depths(family: Family) -> dict[int, int]:
    """How many links separate each idea from the root: below zero up, above zero down.

    The fewest links count where there are several paths.
    """
    parents: dict[int, list[int]] = {}
    children: dict[int, list[int]] = {}
    for edge in family.edges:
        parents.setdefault(edge.child_id, []).append(edge.parent_id)
        children.setdefault(edge.parent_id, []).append(edge.child_id)
    depths = {family.root: 0}
    depths.update({i: -d for i, d in _distances(family.root, parents, family.ideas).items()})
    depths.update(_distances(family.root, children, family.ideas))
    return depths


def _distances(
    root: int, neighbours: Mapping[int, Iterable[int]], known: Mapping[int, Idea]
) -> dict[int, int]:
    """Breadth-first distances from ``root`` along ``neighbours``, within ``known`` ideas."""
    found: dict[int, int] = {}
    queue = deque([(root, 0)])
    while queue:
        current, distance = queue.popleft()
        for following in neighbours.get(current, ()):
            if following in known and following not in found and following != root:
                found[following] = distance + 1
                queue.append((following, distance + 1))
    return found


# Teams -----------------------------------------------------------------------


class TeamIdea(TypedDict):
    id: int
    title: str
    url: str


class TeamMemberOut(TypedDict):
    name: str
    url: str | None
    role_title: str


class OpenRole(TypedDict):
    title: str
    description: str
    skills: list[str]


class PledgeCountsOut(TypedDict):
    standing: int  # unconditional, or their condition met
    waiting: int  # waiting for others to pledge too


class TeamOut(TypedDict):
    id: int
    idea: TeamIdea
    lead: Person | None  # None while nobody is on the team
    members: list[TeamMemberOut]
    member_count: int
    capacity: int
    open_roles: list[OpenRole]
    pledges: PledgeCountsOut


class TeamList(TypedDict):
    items: list[TeamOut]


def team_member(member: TeamMember, links: Links) -> TeamMemberOut:
    return {**person(member.user, links), "role_title": member.role_title}


def open_role(role: TeamRole) -> OpenRole:
    return {
        "title": role.title,
        "description": role.description,
        "skills": [skill.name for skill in role.skills],
    }


def team_out(
    team: Team, idea: Idea, challenge: Challenge, links: Links, pledges: PledgeCounts | None = None
) -> TeamOut:
    """Needs ``team.lead``, ``team.members`` with their users, and ``team.roles`` (only
    the open ones) with their skills loaded. Requests, invitations and notes stay out;
    of pledges, only how many there are."""
    counts = pledges or PledgeCounts()
    return {
        "id": team.id,
        "idea": {"id": idea.id, "title": idea.title, "url": idea_url(idea, links)},
        "lead": person(team.lead, links) if team.lead is not None else None,
        "members": [team_member(member, links) for member in team.members],
        "member_count": team.member_count,
        "capacity": challenge.team_capacity,
        "open_roles": [open_role(role) for role in team.roles if role.filled_by_id is None],
        "pledges": {"standing": counts.met, "waiting": counts.waiting},
    }


def impact_update(update: ImpactUpdate, links: Links) -> dict[str, Any]:
    """Needs ``update.author`` and ``update.pictures`` loaded."""
    return {
        "id": update.id,
        "status": update.status.value,
        "text": update.body,
        "html": update.body_html,
        "links": list(update.links),
        "figures": [
            {"value": f["value"], "unit": f["unit"], "measures": f["measures"]}
            for f in update.figures
        ],
        "pictures": [
            {
                "url": links.page("picture", picture_id=p.picture_id, size="full"),
                "alt": p.alt,
            }
            for p in update.pictures
        ],
        "author": person(update.author, links) if update.author is not None else None,
        "posted_at": timestamp(update.created_at),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def results(found: Standings, links: Links) -> dict[str, Any]:
    """A challenge's results: every ranking side by side (``ideas.jury.standings``)."""
    slug = found.challenge.slug
    items = []
    for row in sorted(
        found.rows, key=lambda r: (r.combined.rank if r.combined else 10**9, r.vote_rank, r.idea.id)
    ):
        pairwise = None
        if row.pairwise is not None:
            low, high = row.pairwise_interval or (None, None)
            pairwise = {
                "score": _rounded(row.pairwise),
                "low": _rounded(low),
                "high": _rounded(high),
            }
        bridged = None
        if row.bridging is not None:
            bridged = {
                "score": _rounded(row.bridging.score),
                "low": _rounded(row.bridging.low),
                "high": _rounded(row.bridging.high),
                "ratings": row.bridging.ratings,
                "rank": row.bridging_rank,
            }
        jury = None
        if found.jury_published and row.jury is not None and row.jury_rank is not None:
            jury = {
                "score": _rounded(row.jury.score),
                "low": _rounded(row.jury.low),
                "high": _rounded(row.jury.high),
                "jurors": row.jury.jurors,
                "rank": row.jury_rank,
            }
        combined = row.combined if found.jury_published else None
        items.append(
            {
                "idea": links.api("api.idea", id=row.idea.id),
                "title": row.idea.title,
                "votes": row.votes,
                "vote_rank": row.vote_rank,
                "pairwise": pairwise,
                "pairwise_rank": row.pairwise_rank,
                "comparisons": row.comparisons,
                "bridging": bridged,
                "jury": jury,
                "combined_rank": combined.rank if combined else None,
                "combined_score": _rounded(combined.score) if combined else None,
                "cluster": row.cluster.id if row.cluster else None,
            }
        )
    return {
        "challenge": links.api("api.challenge", slug=slug),
        "page": links.page("challenge.results", slug=slug),
        "jury_published": found.jury_published,
        "bridging": bridging_summary(found),
        "methods": found.methods,
        "items": items,
        "clusters": [
            {
                "id": cluster.id,
                "ideas": [links.api("api.idea", id=idea_id) for idea_id in cluster.idea_ids],
                "supporters": cluster.supporters,
                "vote_rank": cluster.vote_rank,
            }
            for cluster in found.clusters
        ],
    }


def bridging_summary(found: Standings) -> dict[str, Any]:
    """Whether the bridging scores are shown, and what the last fit rested on: how many
    people and ratings, and the opinion groups' sizes (never who is in them)."""
    fit = found.bridging_fit
    return {
        "enough_data": found.bridging_shown,
        "fitted_at": timestamp(fit.fitted_at) if fit is not None else None,
        "people": fit.people if fit is not None else 0,
        "ratings": fit.ratings if fit is not None else 0,
        "groups": list(fit.groups) if fit is not None and fit.enough else [],
        "minimums": {
            "people": bridging.MIN_PEOPLE,
            "ratings_per_person": bridging.MIN_RATINGS_PER_PERSON,
            "ratings_per_idea": bridging.MIN_RATINGS_PER_IDEA,
        },
    }
