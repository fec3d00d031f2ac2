"""A challenge's data for its hosts, as CSV or JSON, streamed in batches.

A dataset is one entry in ``DATASETS``: its columns, the query that reads its
rows in a stable order, and how a row becomes a record. A format is one entry
in ``FORMATS``. Rows are read ``BATCH_SIZE`` at a time through a server-side
cursor and written out batch by batch, so a large round never sits in memory.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ideas import audit, policy
from ideas.accounts.models import User
from ideas.accounts.names import Someone, public_name_in_data
from ideas.challenges.models import Challenge
from ideas.db import Database, write
from ideas.i18n import lazy_gettext
from ideas.impact.models import ImpactUpdate, Pledge
from ideas.jury.models import Juror, JuryScore
from ideas.submissions.models import VISIBLE_STATUSES, Idea, IdeaCluster, IdeaClusterMember
from ideas.teams.models import Team, TeamMember
from ideas.themes.models import IdeaTheme, Theme
from ideas.voting.models import Comparison, Vote

BATCH_SIZE = 500

Value = str | int | None
Record = dict[str, Value]
UrlFor = Callable[..., str]
"""``url_for(route_name, **params)``: the absolute URL of a page of the site."""
Query = Select[*tuple[Any, ...]]
QueryRow = Row[*tuple[Any, ...]]


@dataclass(frozen=True)
class Dataset:
    name: str
    label: str
    columns: tuple[str, ...]
    query: Callable[[int], Query]  # the rows of one challenge, by its id
    record: Callable[[QueryRow, UrlFor], Record]


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


# Ideas --------------------------------------------------------------------------


def _ideas_query(challenge_id: int) -> Query:
    """Every idea of the challenge, withdrawn and hidden ones too, oldest first."""
    return (
        select(
            Idea.id,
            Idea.slug,
            Idea.title,
            Idea.summary,
            Idea.body,
            Idea.status,
            User.display_name.label("author_name"),
            User.status.label("author_status"),
            Idea.created_at,
            Idea.vote_count,
            Idea.comment_count,
            Idea.build_count,
            Idea.shortlist_note,
            Idea.citation,
            IdeaClusterMember.cluster_id,
            Theme.id.label("theme_id"),
            Theme.shown_name.label("theme_name"),
        )
        .join(User, User.id == Idea.author_id)
        .outerjoin(IdeaClusterMember, IdeaClusterMember.idea_id == Idea.id)
        .outerjoin(IdeaTheme, IdeaTheme.idea_id == Idea.id)
        .outerjoin(Theme, Theme.id == IdeaTheme.theme_id)
        .where(Idea.challenge_id == challenge_id)
        .order_by(Idea.id)
    )


def _idea_record(row: QueryRow, url_for: UrlFor) -> Record:
    return {
        "id": row.id,
        "url": url_for("idea.detail", idea_id=row.id, slug=row.slug),
        "title": row.title,
        "summary": row.summary,
        "body": row.body,
        "status": row.status.value,
        "author": public_name_in_data(Someone(row.author_name, row.author_status)),
        "created_at": _iso(row.created_at),
        "vote_count": row.vote_count,
        "comment_count": row.comment_count,
        "build_count": row.build_count,
        "shortlist_note": row.shortlist_note,
        "citation": row.citation,
        "cluster_id": row.cluster_id,
        "theme_id": row.theme_id,  # empty: in no theme
        "theme_name": row.theme_name,
    }


IDEAS = Dataset(
    name="ideas",
    label=lazy_gettext("Ideas"),
    columns=(
        "id",
        "url",
        "title",
        "summary",
        "body",
        "status",
        "author",
        "created_at",
        "vote_count",
        "comment_count",
        "build_count",
        "shortlist_note",
        "citation",
        "cluster_id",
        "theme_id",
        "theme_name",
    ),
    query=_ideas_query,
    record=_idea_record,
)


# Votes and comparisons -------------------------------------------------------------
#
# Both name who voted or compared only by a number, the same in both exports of a
# challenge, so that anyone can link a person's votes and comparisons (the bridging
# score needs that) without learning who they are: participants are numbered in the
# order they first voted or compared in the challenge.


def _participants(challenge_id: int) -> Any:
    """Each participant who voted or compared in the challenge, with their number."""
    acts = (
        select(Vote.user_id, Vote.created_at)
        .where(Vote.challenge_id == challenge_id)
        .union_all(
            select(Comparison.user_id, Comparison.created_at).where(
                Comparison.challenge_id == challenge_id
            )
        )
        .subquery()
    )
    first = (
        select(acts.c.user_id, func.min(acts.c.created_at).label("first_at"))
        .group_by(acts.c.user_id)
        .subquery()
    )
    return select(
        first.c.user_id,
        func.row_number().over(order_by=(first.c.first_at, first.c.user_id)).label("number"),
    ).subquery()


def _votes_query(challenge_id: int) -> Query:
    """Every vote cast in the challenge, on withdrawn and hidden ideas too, oldest first."""
    participant = _participants(challenge_id)
    return (
        select(
            Vote.idea_id,
            Idea.title.label("idea_title"),
            participant.c.number,
            Vote.created_at,
        )
        .join(Idea, Idea.id == Vote.idea_id)
        .join(participant, participant.c.user_id == Vote.user_id)
        .where(Vote.challenge_id == challenge_id)
        .order_by(Vote.id)
    )


def _vote_record(row: QueryRow, url_for: UrlFor) -> Record:
    return {
        "idea_id": row.idea_id,
        "idea_title": row.idea_title,
        "participant": row.number,
        "created_at": _iso(row.created_at),
    }


VOTES = Dataset(
    name="votes",
    label=lazy_gettext("Votes"),
    columns=("idea_id", "idea_title", "participant", "created_at"),
    query=_votes_query,
    record=_vote_record,
)


def _comparisons_query(challenge_id: int) -> Query:
    """Every answer to "which of these two?" in the challenge, oldest first."""
    first, second = aliased(Idea), aliased(Idea)
    participant = _participants(challenge_id)
    return (
        select(
            Challenge.slug.label("challenge"),
            Comparison.first_id,
            first.title.label("first_title"),
            Comparison.second_id,
            second.title.label("second_title"),
            Comparison.winner_id,
            participant.c.number,
            Comparison.created_at,
        )
        .join(first, first.id == Comparison.first_id)
        .join(second, second.id == Comparison.second_id)
        .join(participant, participant.c.user_id == Comparison.user_id)
        .join(Challenge, Challenge.id == Comparison.challenge_id)
        .where(Comparison.challenge_id == challenge_id)
        .order_by(Comparison.id)
    )


def _comparison_record(row: QueryRow, url_for: UrlFor) -> Record:
    return {
        "challenge": row.challenge,
        "first_id": row.first_id,
        "first_title": row.first_title,
        "second_id": row.second_id,
        "second_title": row.second_title,
        "winner_id": row.winner_id,  # empty: "can't decide"
        "participant": row.number,
        "created_at": _iso(row.created_at),
    }


COMPARISONS = Dataset(
    name="comparisons",
    label=lazy_gettext("Comparisons"),
    columns=(
        "challenge",
        "first_id",
        "first_title",
        "second_id",
        "second_title",
        "winner_id",
        "participant",
        "created_at",
    ),
    query=_comparisons_query,
    record=_comparison_record,
)


# Teams --------------------------------------------------------------------------


def _teams_query(challenge_id: int) -> Query:
    """One row per member of each team, leads first, team by team."""
    return (
        select(
            Team.id.label("team_id"),
            Team.idea_id,
            Idea.title.label("idea_title"),
            User.display_name.label("member_name"),
            User.status.label("member_status"),
            (TeamMember.user_id == Team.lead_id).label("is_lead"),
            TeamMember.role_title,
            TeamMember.joined_at,
        )
        .join(Idea, Idea.id == Team.idea_id)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .join(User, User.id == TeamMember.user_id)
        .where(Team.challenge_id == challenge_id)
        .order_by(Team.id, (TeamMember.user_id == Team.lead_id).desc(), TeamMember.joined_at)
    )


def _team_record(row: QueryRow, url_for: UrlFor) -> Record:
    member = Someone(row.member_name, row.member_status)
    return {
        "team_id": row.team_id,
        "idea_id": row.idea_id,
        "idea_title": row.idea_title,
        "member": public_name_in_data(member),
        "lead": bool(row.is_lead),
        "role": row.role_title,
        "joined_at": _iso(row.joined_at),
    }


TEAMS = Dataset(
    name="teams",
    label=lazy_gettext("Teams"),
    columns=("team_id", "idea_id", "idea_title", "member", "lead", "role", "joined_at"),
    query=_teams_query,
    record=_team_record,
)


# Jury scores --------------------------------------------------------------------


def _jury_query(challenge_id: int) -> Query:
    """Every submitted jury score, by idea; each juror numbered in the order they were
    invited, as the jury pages number them, and named only if they agreed to be."""
    number = (
        select(
            Juror.user_id,
            Juror.named,
            func.row_number().over(order_by=Juror.id).label("number"),
        )
        .where(Juror.challenge_id == challenge_id)
        .subquery()
    )
    return (
        select(
            JuryScore.idea_id,
            Idea.title.label("idea_title"),
            number.c.number,
            number.c.named,
            User.display_name.label("juror_name"),
            User.status.label("juror_status"),
            JuryScore.marks,
            JuryScore.submitted_at,
        )
        .join(Idea, Idea.id == JuryScore.idea_id)
        .join(number, number.c.user_id == JuryScore.user_id)
        .join(User, User.id == JuryScore.user_id)
        .where(JuryScore.challenge_id == challenge_id, JuryScore.submitted_at.is_not(None))
        .order_by(JuryScore.idea_id, number.c.number)
    )


def _jury_record(row: QueryRow, url_for: UrlFor) -> Record:
    juror = (
        public_name_in_data(Someone(row.juror_name, row.juror_status))
        if row.named
        else f"juror {row.number}"
    )
    marks = {str(k): int(v) for k, v in sorted(row.marks.items(), key=lambda kv: int(kv[0]))}
    return {
        "idea_id": row.idea_id,
        "idea_title": row.idea_title,
        "juror": juror,
        "marks": json.dumps(marks),  # criterion id → mark from 1 to 5
        "submitted_at": _iso(row.submitted_at),
    }


JURY = Dataset(
    name="jury",
    label="Jury scores",
    columns=("idea_id", "idea_title", "juror", "marks", "submitted_at"),
    query=_jury_query,
    record=_jury_record,
)

# Impact updates and pledges -------------------------------------------------------


def _updates_query(challenge_id: int) -> Query:
    """Every impact update of the round, idea by idea, in the order they were posted."""
    return (
        select(
            ImpactUpdate.id,
            ImpactUpdate.idea_id,
            Idea.title.label("idea_title"),
            ImpactUpdate.status,
            ImpactUpdate.body,
            ImpactUpdate.links,
            ImpactUpdate.figures,
            User.display_name.label("author_name"),
            User.status.label("author_status"),
            ImpactUpdate.created_at,
        )
        .join(Idea, Idea.id == ImpactUpdate.idea_id)
        .outerjoin(User, User.id == ImpactUpdate.author_id)
        .where(ImpactUpdate.challenge_id == challenge_id)
        .order_by(ImpactUpdate.idea_id, ImpactUpdate.id)
    )


def _update_record(row: QueryRow, url_for: UrlFor) -> Record:
    return {
        "update_id": row.id,
        "idea_id": row.idea_id,
        "idea_title": row.idea_title,
        "status": row.status.value,
        "text": row.body,
        "links": json.dumps(list(row.links or [])),
        "figures": json.dumps(list(row.figures or [])),
        "author": public_name_in_data(Someone(row.author_name, row.author_status))
        if row.author_name is not None
        else None,
        "posted_at": _iso(row.created_at),
    }


UPDATES = Dataset(
    name="impact",
    label="Impact updates",
    columns=(
        "update_id",
        "idea_id",
        "idea_title",
        "status",
        "text",
        "links",
        "figures",
        "author",
        "posted_at",
    ),
    query=_updates_query,
    record=_update_record,
)


def _pledges_query(challenge_id: int) -> Query:
    """Every pledge to the round's teams, withdrawn ones too, team by team."""
    return (
        select(
            Pledge.id,
            Pledge.team_id,
            Idea.title.label("idea_title"),
            User.display_name.label("pledger_name"),
            User.status.label("pledger_status"),
            Pledge.kind,
            Pledge.what,
            Pledge.condition,
            Pledge.created_at,
            Pledge.met_at,
            Pledge.withdrawn_at,
            Pledge.honoured_at,
        )
        .join(Team, Team.id == Pledge.team_id)
        .join(Idea, Idea.id == Team.idea_id)
        .join(User, User.id == Pledge.user_id)
        .where(Pledge.challenge_id == challenge_id)
        .order_by(Pledge.team_id, Pledge.id)
    )


def _pledge_record(row: QueryRow, url_for: UrlFor) -> Record:
    return {
        "pledge_id": row.id,
        "team_id": row.team_id,
        "idea_title": row.idea_title,
        "pledger": public_name_in_data(Someone(row.pledger_name, row.pledger_status)),
        "kind": row.kind.value,
        "what": row.what,
        "if_others": row.condition,
        "pledged_at": _iso(row.created_at),
        "met_at": _iso(row.met_at),
        "withdrawn_at": _iso(row.withdrawn_at),
        "honoured_at": _iso(row.honoured_at),
    }


PLEDGES = Dataset(
    name="pledges",
    label="Pledges",
    columns=(
        "pledge_id",
        "team_id",
        "idea_title",
        "pledger",
        "kind",
        "what",
        "if_others",
        "pledged_at",
        "met_at",
        "withdrawn_at",
        "honoured_at",
    ),
    query=_pledges_query,
    record=_pledge_record,
)

# Duplicate clusters ---------------------------------------------------------------


def _clusters_query(challenge_id: int) -> Query:
    """Every idea in a cluster of duplicates, cluster by cluster, with the cluster's
    distinct supporters (people who voted for any of its listed ideas, counted once)."""
    voted = aliased(IdeaClusterMember)
    supporters = (
        select(func.count(func.distinct(Vote.user_id)))
        .select_from(voted)
        .join(Vote, Vote.idea_id == voted.idea_id)
        .join(Idea, Idea.id == voted.idea_id)
        .where(voted.cluster_id == IdeaCluster.id, Idea.status.in_(VISIBLE_STATUSES))
        .correlate(IdeaCluster)
        .scalar_subquery()
    )
    return (
        select(
            IdeaCluster.id.label("cluster_id"),
            IdeaCluster.created_at,
            supporters.label("supporters"),
            Idea.id.label("idea_id"),
            Idea.slug,
            Idea.title,
            Idea.status,
            Idea.vote_count,
            IdeaClusterMember.added_at,
        )
        .join(IdeaClusterMember, IdeaClusterMember.cluster_id == IdeaCluster.id)
        .join(Idea, Idea.id == IdeaClusterMember.idea_id)
        .where(IdeaCluster.challenge_id == challenge_id)
        .order_by(IdeaCluster.id, Idea.id)
    )


def _cluster_record(row: QueryRow, url_for: UrlFor) -> Record:
    return {
        "cluster_id": row.cluster_id,
        "cluster_created_at": _iso(row.created_at),
        "cluster_supporters": row.supporters,
        "idea_id": row.idea_id,
        "idea_url": url_for("idea.detail", idea_id=row.idea_id, slug=row.slug),
        "idea_title": row.title,
        "idea_status": row.status.value,
        "idea_vote_count": row.vote_count,
        "added_at": _iso(row.added_at),
    }


CLUSTERS = Dataset(
    name="clusters",
    label=lazy_gettext("Duplicate clusters"),
    columns=(
        "cluster_id",
        "cluster_created_at",
        "cluster_supporters",
        "idea_id",
        "idea_url",
        "idea_title",
        "idea_status",
        "idea_vote_count",
        "added_at",
    ),
    query=_clusters_query,
    record=_cluster_record,
)

# Themes -----------------------------------------------------------------------------


def _themes_query(challenge_id: int) -> Query:
    """Every theme of the challenge as the worker last found it, largest first, with how
    many listed ideas it holds (withdrawn and hidden ones left out, as on the dashboard)."""
    size = (
        select(func.count(IdeaTheme.idea_id))
        .join(Idea, Idea.id == IdeaTheme.idea_id)
        .where(IdeaTheme.theme_id == Theme.id, Idea.status.in_(policy.LISTED_STATUSES))
        .correlate(Theme)
        .scalar_subquery()
    )
    return (
        select(
            Theme.id,
            Theme.shown_name.label("name"),
            Theme.words,
            Theme.language,
            size.label("size"),
            Theme.created_at,
        )
        .where(Theme.challenge_id == challenge_id)
        .order_by(Theme.position, Theme.id)
    )


def _theme_record(row: QueryRow, url_for: UrlFor) -> Record:
    return {
        "theme_id": row.id,
        "name": row.name,  # the hosts' name, or its words'
        "words": json.dumps(list(row.words or []), ensure_ascii=False),  # most telling first
        "language": row.language,
        "size": row.size,
        "created_at": _iso(row.created_at),
    }


THEMES = Dataset(
    name="themes",
    label=lazy_gettext("Themes"),
    columns=("theme_id", "name", "words", "language", "size", "created_at"),
    query=_themes_query,
    record=_theme_record,
)

DATASETS: dict[str, Dataset] = {
    dataset.name: dataset
    for dataset in (IDEAS, VOTES, COMPARISONS, TEAMS, JURY, UPDATES, PLEDGES, CLUSTERS, THEMES)
}


# Formats ------------------------------------------------------------------------

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Value) -> Value:
    """Text a spreadsheet would run as a formula, made inert by a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def _csv_lines(rows: Sequence[Sequence[Value]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def _csv_batch(columns: Sequence[str], records: Sequence[Record], first: bool) -> str:
    return _csv_lines([[neutralise(record[column]) for column in columns] for record in records])


def _json_batch(columns: Sequence[str], records: Sequence[Record], first: bool) -> str:
    lines = ",\n".join(json.dumps(record, ensure_ascii=False) for record in records)
    return lines if first else f",\n{lines}"


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    media_type: str
    opening: Callable[[Sequence[str]], str]
    batch: Callable[[Sequence[str], Sequence[Record], bool], str]  # columns, records, first?
    closing: str


FORMATS: dict[str, Format] = {
    fmt.name: fmt
    for fmt in (
        Format(
            name="csv",
            label="CSV",
            media_type="text/csv; charset=utf-8",
            opening=lambda columns: _csv_lines([columns]),
            batch=_csv_batch,
            closing="",
        ),
        Format(
            name="json",
            label="JSON",
            media_type="application/json",
            opening=lambda columns: "[\n",
            batch=_json_batch,
            closing="\n]\n",
        ),
    )
}


# Reading and recording ----------------------------------------------------------


async def stream(
    database: Database, dataset: Dataset, fmt: Format, *, challenge_id: int, url_for: UrlFor
) -> AsyncIterator[str]:
    """The export as text chunks, one per batch of rows.

    It reads in a session of its own, closed when the last chunk is out (or
    the client goes away): a response body outlives the request's session.
    """
    yield fmt.opening(dataset.columns)
    async with database.session() as session:
        result = await session.stream(
            dataset.query(challenge_id).execution_options(yield_per=BATCH_SIZE)
        )
        first = True
        async for rows in result.partitions():
            records = [dataset.record(row, url_for) for row in rows]
            yield fmt.batch(dataset.columns, records, first)
            first = False
    yield fmt.closing


async def record_export(
    session: AsyncSession,
    *,
    challenge_id: int,
    actor_id: int,
    dataset: Dataset,
    fmt: Format,
    now: datetime,
) -> None:
    """Note in the audit log who took which data out of the challenge, and when."""
    async with write(session) as tx:
        audit.record(
            tx,
            actor_id=actor_id,
            action="challenge.export",
            subject_type="challenge",
            subject_id=challenge_id,
            challenge_id=challenge_id,
            at=now,
            dataset=dataset.name,
            format=fmt.name,
        )
