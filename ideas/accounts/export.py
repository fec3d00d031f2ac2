"""Download my data: everything a person did here, and everything the site keeps about them.

Each column that holds a person's id names the key of the export that carries
its rows (``SECTION_OF``), or says why it is left out (``LEFT_OUT``); a test
walks the tables and fails on a column that is in neither, so a new table
about people cannot be forgotten here. Secrets stay out: session tokens (and
their hashes), CSRF tokens and sign-in state.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ideas.accounts.models import Identity, Skill, User, UserSkill, WebSession
from ideas.audit import AuditEntry
from ideas.challenges.models import Challenge, ChallengeHost, HostInvitation
from ideas.comments.models import Comment
from ideas.impact.models import ImpactUpdate, Pledge
from ideas.jury.models import Juror, JuryConflict, JuryScore
from ideas.media.models import Picture
from ideas.moderation.models import Report
from ideas.notifications.models import ChallengeFollow, IdeaFollow, Notification, OutboxMail
from ideas.submissions.models import Idea, IdeaCoauthor, IdeaLink, IdeaRevision
from ideas.teams.models import (
    JoinRequest,
    Team,
    TeamMember,
    TeamPreference,
    TeamRole,
    TeamSeeker,
    TeamUpdate,
)
from ideas.voting.models import Comparison, Vote

SECTION_OF: dict[str, str] = {
    "users.id": "profile",
    "user_skills.user_id": "profile",
    "identities.user_id": "sign_in_accounts",
    "sessions.user_id": "sessions",
    "challenges.created_by_id": "challenges_created",
    "challenge_hosts.user_id": "challenges_hosted",
    "host_invitations.user_id": "invitations_to_co_host",
    "host_invitations.invited_by_id": "co_host_invitations_sent",
    "jurors.user_id": "juries",
    "jurors.invited_by_id": "jurors_invited",
    "jury_scores.user_id": "jury_scores",
    "jury_conflicts.user_id": "jury_conflicts",
    "ideas.author_id": "ideas",
    "idea_coauthors.user_id": "ideas_coauthored",
    "idea_revisions.editor_id": "idea_revisions",
    "comments.author_id": "comments",
    "votes.user_id": "votes",
    "comparisons.user_id": "comparisons",
    "reports.reporter_id": "reports",
    "teams.lead_id": "teams_led",
    "team_members.user_id": "team_memberships",
    "team_roles.filled_by_id": "team_roles_filled",
    "join_requests.user_id": "join_requests",
    "team_seekers.user_id": "looking_for_a_team",
    "team_preferences.user_id": "team_preferences",
    "team_updates.author_id": "team_updates",
    "impact_updates.author_id": "impact_updates",
    "pledges.user_id": "pledges",
    "notifications.user_id": "notifications",
    "challenge_follows.user_id": "follows",
    "idea_follows.user_id": "follows",
    "outbox.user_id": "emails",
    "pictures.uploaded_by_id": "pictures",
    "audit_log.actor_id": "activity",
    "audit_log.subject_id": "activity_about_you",  # when subject_type is "user"
}
"""For each column holding a person's id: the key of the export that carries its rows."""

LEFT_OUT: dict[str, str] = {
    "notifications.actor_id": (
        "a notification belongs to the person it tells; what the actor did is in the "
        "actor's own export, from the table of the act (idea, comment, vote, team …)"
    ),
    "used_form_tokens.user_id": (
        "a form's one-time token, kept a day so that the form sent twice makes one thing; "
        "what it made is in the export under its own table"
    ),
    **dict.fromkeys(
        (
            "idea_clusters.created_by",
            "idea_cluster_members.added_by",
            "cluster_requests.requested_by",
            "cluster_requests.answered_by",
        ),
        "grouping ideas as duplicates, asking for it and answering are each in the audit "
        "log, exported with the person's other acts",
    ),
}
"""Columns holding a person's id whose rows are deliberately not exported, and why."""


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


async def _rows(session: AsyncSession, query: Select[*tuple[Any, ...]]) -> list[dict[str, Any]]:
    result = await session.execute(query)
    return [{key: _plain(value) for key, value in row.items()} for row in result.mappings()]


async def export(session: AsyncSession, user_id: int) -> dict[str, Any]:
    """Everything a person wrote and did here, for "download my data"; {} for nobody."""
    user = await session.get(User, user_id)
    if user is None:
        return {}
    skills = list(
        await session.scalars(
            select(Skill.name)
            .join(UserSkill, UserSkill.skill_id == Skill.id)
            .where(UserSkill.user_id == user_id)
            .order_by(Skill.name)
        )
    )
    my_ideas = select(Idea.id).where(Idea.author_id == user_id)
    return {
        "profile": {
            "id": user.id,
            "display_name": user.display_name,
            "email": user.email,
            "avatar_url": user.avatar_url,
            "picture_id": user.avatar_id,
            "bio": user.bio,
            "location": user.location,
            "time_zone": user.time_zone,
            "links": user.links,
            "skills": skills,
            "roles": [r for r, on in (("host", user.is_host), ("admin", user.is_admin)) if on],
            "status": user.status.value,
            "joined": _when(user.created_at),
        },
        "email_settings": {
            "frequency": user.email_frequency,
            "last_digest": _when(user.last_digest_at),
        },
        "sign_in_accounts": await _rows(
            session,
            select(
                Identity.provider,
                Identity.subject,
                Identity.email,
                Identity.created_at.label("linked"),
                Identity.last_used_at.label("last_used"),
            )
            .where(Identity.user_id == user_id)
            .order_by(Identity.id),
        ),
        # When each browser signed in and was last seen; never the token or its hash.
        "sessions": await _rows(
            session,
            select(WebSession.created_at.label("started"), WebSession.last_seen_at)
            .where(WebSession.user_id == user_id)
            .order_by(WebSession.created_at),
        ),
        "challenges_created": await _rows(
            session,
            select(Challenge.id, Challenge.slug, Challenge.title, Challenge.created_at)
            .where(Challenge.created_by_id == user_id)
            .order_by(Challenge.id),
        ),
        "challenges_hosted": await _rows(
            session,
            select(
                Challenge.slug,
                Challenge.title,
                Challenge.question,
                Challenge.brief,
                ChallengeHost.added_at.label("hosting_since"),
            )
            .join(ChallengeHost, ChallengeHost.challenge_id == Challenge.id)
            .where(ChallengeHost.user_id == user_id)
            .order_by(Challenge.id),
        ),
        "invitations_to_co_host": await _rows(
            session,
            select(
                Challenge.slug.label("challenge"),
                HostInvitation.email,
                HostInvitation.status,
                HostInvitation.created_at,
                HostInvitation.decided_at,
            )
            .join(Challenge, Challenge.id == HostInvitation.challenge_id)
            .where(HostInvitation.user_id == user_id)
            .order_by(HostInvitation.id),
        ),
        # The addresses the person invited to co-host, as they typed them.
        "co_host_invitations_sent": await _rows(
            session,
            select(
                Challenge.slug.label("challenge"),
                HostInvitation.email,
                HostInvitation.status,
                HostInvitation.created_at,
            )
            .join(Challenge, Challenge.id == HostInvitation.challenge_id)
            .where(HostInvitation.invited_by_id == user_id)
            .order_by(HostInvitation.id),
        ),
        "juries": await _rows(
            session,
            select(Challenge.slug.label("challenge"), Juror.email, Juror.named, Juror.invited_at)
            .join(Challenge, Challenge.id == Juror.challenge_id)
            .where(Juror.user_id == user_id)
            .order_by(Juror.id),
        ),
        "jurors_invited": await _rows(
            session,
            select(Challenge.slug.label("challenge"), Juror.email, Juror.invited_at)
            .join(Challenge, Challenge.id == Juror.challenge_id)
            .where(Juror.invited_by_id == user_id)
            .order_by(Juror.id),
        ),
        # A juror's own scores, with their private notes: theirs alone.
        "jury_scores": await _rows(
            session,
            select(
                Challenge.slug.label("challenge"),
                JuryScore.idea_id,
                JuryScore.marks,
                JuryScore.note,
                JuryScore.submitted_at,
                JuryScore.updated_at,
            )
            .join(Challenge, Challenge.id == JuryScore.challenge_id)
            .where(JuryScore.user_id == user_id)
            .order_by(JuryScore.id),
        ),
        "jury_conflicts": await _rows(
            session,
            select(
                Challenge.slug.label("challenge"),
                JuryConflict.idea_id,
                JuryConflict.reason,
                JuryConflict.created_at,
            )
            .join(Challenge, Challenge.id == JuryConflict.challenge_id)
            .where(JuryConflict.user_id == user_id)
            .order_by(JuryConflict.id),
        ),
        "ideas": await _ideas(session, Idea.author_id == user_id),
        "ideas_coauthored": await _rows(
            session,
            select(Idea.id.label("idea_id"), Idea.title, IdeaCoauthor.added_at)
            .join(IdeaCoauthor, IdeaCoauthor.idea_id == Idea.id)
            .where(IdeaCoauthor.user_id == user_id)
            .order_by(Idea.id),
        ),
        "idea_revisions": await _rows(
            session,
            select(
                IdeaRevision.idea_id,
                IdeaRevision.number,
                IdeaRevision.title,
                IdeaRevision.summary,
                IdeaRevision.body,
                IdeaRevision.created_at,
            )
            .where(IdeaRevision.editor_id == user_id)
            .order_by(IdeaRevision.idea_id, IdeaRevision.number),
        ),
        # What the person's ideas build on, and what they said they took or changed.
        "build_on_links": await _rows(
            session,
            select(
                IdeaLink.child_id.label("idea_id"),
                IdeaLink.parent_id.label("builds_on"),
                IdeaLink.note,
                IdeaLink.created_at,
            )
            .where(IdeaLink.child_id.in_(my_ideas))
            .order_by(IdeaLink.child_id, IdeaLink.parent_id),
        ),
        "comments": await _rows(
            session,
            select(
                Comment.id,
                Comment.idea_id,
                Comment.parent_id.label("reply_to"),
                Comment.body,
                Comment.status,
                Comment.created_at,
                Comment.edited_at,
            )
            .where(Comment.author_id == user_id)
            .order_by(Comment.id),
        ),
        "votes": await _rows(
            session,
            select(Challenge.slug.label("challenge"), Vote.idea_id, Idea.title, Vote.created_at)
            .join(Idea, Idea.id == Vote.idea_id)
            .join(Challenge, Challenge.id == Vote.challenge_id)
            .where(Vote.user_id == user_id)
            .order_by(Vote.id),
        ),
        "comparisons": await _rows(
            session,
            select(
                Challenge.slug.label("challenge"),
                Comparison.first_id,
                Comparison.second_id,
                # None: "can't decide".
                Comparison.winner_id.label("better"),
                Comparison.created_at,
            )
            .join(Challenge, Challenge.id == Comparison.challenge_id)
            .where(Comparison.user_id == user_id)
            .order_by(Comparison.id),
        ),
        "reports": await _rows(
            session,
            select(
                Report.idea_id,
                Report.comment_id,
                Report.reason,
                Report.note,
                Report.created_at,
                Report.resolved_at,
            )
            .where(Report.reporter_id == user_id)
            .order_by(Report.id),
        ),
        "follows": {
            "challenges": list(
                await session.scalars(
                    select(Challenge.slug)
                    .join(ChallengeFollow, ChallengeFollow.challenge_id == Challenge.id)
                    .where(ChallengeFollow.user_id == user_id)
                    .order_by(Challenge.id)
                )
            ),
            "ideas": list(
                await session.scalars(
                    select(IdeaFollow.idea_id)
                    .where(IdeaFollow.user_id == user_id)
                    .order_by(IdeaFollow.idea_id)
                )
            ),
        },
        "teams_led": await _rows(
            session,
            select(Team.id.label("team_id"), Team.idea_id, Team.about)
            .where(Team.lead_id == user_id)
            .order_by(Team.id),
        ),
        "team_memberships": await _rows(
            session,
            select(TeamMember.team_id, Team.idea_id, TeamMember.role_title, TeamMember.joined_at)
            .join(Team, Team.id == TeamMember.team_id)
            .where(TeamMember.user_id == user_id)
            .order_by(TeamMember.team_id),
        ),
        "team_roles_filled": await _rows(
            session,
            select(TeamRole.team_id, TeamRole.title, TeamRole.description)
            .where(TeamRole.filled_by_id == user_id)
            .order_by(TeamRole.id),
        ),
        "join_requests": await _rows(
            session,
            select(
                JoinRequest.team_id,
                JoinRequest.kind,
                JoinRequest.email,
                JoinRequest.status,
                JoinRequest.message,
                JoinRequest.skills,
                JoinRequest.reason,
                JoinRequest.created_at,
                JoinRequest.decided_at,
            )
            .where(JoinRequest.user_id == user_id)
            .order_by(JoinRequest.id),
        ),
        "looking_for_a_team": await _rows(
            session,
            select(Challenge.slug.label("challenge"), TeamSeeker.note, TeamSeeker.created_at)
            .join(Challenge, Challenge.id == TeamSeeker.challenge_id)
            .where(TeamSeeker.user_id == user_id)
            .order_by(Challenge.id),
        ),
        "team_preferences": await _rows(
            session,
            select(Challenge.slug.label("challenge"), TeamPreference.rank, TeamPreference.team_id)
            .join(Challenge, Challenge.id == TeamPreference.challenge_id)
            .where(TeamPreference.user_id == user_id)
            .order_by(Challenge.id, TeamPreference.rank),
        ),
        "team_updates": await _rows(
            session,
            select(TeamUpdate.team_id, TeamUpdate.body, TeamUpdate.created_at)
            .where(TeamUpdate.author_id == user_id)
            .order_by(TeamUpdate.id),
        ),
        "impact_updates": await _rows(
            session,
            select(
                ImpactUpdate.idea_id,
                ImpactUpdate.status,
                ImpactUpdate.body,
                ImpactUpdate.links,
                ImpactUpdate.figures,
                ImpactUpdate.created_at,
            )
            .where(ImpactUpdate.author_id == user_id)
            .order_by(ImpactUpdate.id),
        ),
        "pledges": await _rows(
            session,
            select(
                Pledge.team_id,
                Pledge.kind,
                Pledge.what,
                Pledge.condition,
                Pledge.created_at,
                Pledge.met_at,
                Pledge.withdrawn_at,
                Pledge.honoured_at,
            )
            .where(Pledge.user_id == user_id)
            .order_by(Pledge.id),
        ),
        "notifications": await _rows(
            session,
            select(
                Notification.kind,
                Notification.challenge_id,
                Notification.idea_id,
                Notification.data,
                Notification.created_at,
                Notification.read_at,
            )
            .where(Notification.user_id == user_id)
            .order_by(Notification.id),
        ),
        "emails": await _rows(
            session,
            select(
                OutboxMail.to_address,
                OutboxMail.subject,
                OutboxMail.status,
                OutboxMail.created_at,
                OutboxMail.sent_at,
            )
            .where(OutboxMail.user_id == user_id)
            .order_by(OutboxMail.id),
        ),
        "pictures": await _rows(
            session,
            select(Picture.id, Picture.width, Picture.height, Picture.created_at)
            .where(Picture.uploaded_by_id == user_id)
            .order_by(Picture.id),
        ),
        "activity": await _activity(session, AuditEntry.actor_id == user_id, with_data=True),
        # What others (admins, hosts) did to the person's account; who did it stays out.
        "activity_about_you": await _activity(
            session,
            (AuditEntry.subject_type == "user")
            & (AuditEntry.subject_id == user_id)
            & or_(AuditEntry.actor_id.is_(None), AuditEntry.actor_id != user_id),
            with_data=False,
        ),
    }


async def _ideas(session: AsyncSession, condition: Any) -> list[dict[str, Any]]:
    challenge = aliased(Challenge)
    return await _rows(
        session,
        select(
            Idea.id,
            challenge.slug.label("challenge"),
            Idea.title,
            Idea.summary,
            Idea.body,
            Idea.status,
            Idea.image_id.label("picture_id"),
            Idea.image_alt.label("picture_description"),
            Idea.created_at.label("posted"),
            Idea.updated_at.label("updated"),
        )
        .join(challenge, challenge.id == Idea.challenge_id)
        .where(condition)
        .order_by(Idea.id),
    )


async def _activity(session: AsyncSession, condition: Any, *, with_data: bool) -> Sequence[Any]:
    entries = (
        await session.scalars(select(AuditEntry).where(condition).order_by(AuditEntry.at))
    ).all()
    return [
        {
            "at": _when(entry.at),
            "action": entry.action,
            "subject": entry.subject_type,
            "subject_id": entry.subject_id,
            **({"details": entry.data} if with_data else {}),
        }
        for entry in entries
    ]
