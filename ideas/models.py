"""Every table, imported in one place for Alembic and the application."""

from ideas.accounts.models import Identity, Skill, User, UserSkill, WebSession
from ideas.audit import AuditEntry
from ideas.challenges.models import (
    Challenge,
    ChallengeHost,
    ChallengeTag,
    ChallengeTranslation,
    HostInvitation,
)
from ideas.comments.models import Comment
from ideas.db import Base
from ideas.form_tokens import UsedFormToken
from ideas.impact.models import CheckIn, FollowUp, ImpactPicture, ImpactUpdate, Pledge
from ideas.jury.models import Criterion, Juror, JuryConflict, JuryScore, JurySettings
from ideas.media.models import Picture, PictureFile
from ideas.moderation.models import Report
from ideas.notifications.models import ChallengeFollow, IdeaFollow, Notification, OutboxMail
from ideas.submissions.models import (
    ClusterRequest,
    Idea,
    IdeaCluster,
    IdeaClusterMember,
    IdeaCoauthor,
    IdeaLink,
    IdeaRevision,
    IdeaTag,
)
from ideas.teams.models import (
    JoinRequest,
    Team,
    TeamMember,
    TeamPreference,
    TeamRole,
    TeamRoleSkill,
    TeamSeeker,
    TeamUpdate,
)
from ideas.themes.models import IdeaTheme, Theme, ThemeFit
from ideas.voting.models import BridgingFit, BridgingScore, Comparison, Vote

__all__ = [
    "AuditEntry",
    "Base",
    "BridgingFit",
    "BridgingScore",
    "Challenge",
    "ChallengeFollow",
    "ChallengeHost",
    "ChallengeTag",
    "ChallengeTranslation",
    "CheckIn",
    "ClusterRequest",
    "Comment",
    "Comparison",
    "Criterion",
    "FollowUp",
    "HostInvitation",
    "Idea",
    "IdeaCluster",
    "IdeaClusterMember",
    "IdeaCoauthor",
    "IdeaFollow",
    "IdeaLink",
    "IdeaRevision",
    "IdeaTag",
    "IdeaTheme",
    "Identity",
    "ImpactPicture",
    "ImpactUpdate",
    "JoinRequest",
    "Juror",
    "JuryConflict",
    "JuryScore",
    "JurySettings",
    "Notification",
    "OutboxMail",
    "Picture",
    "PictureFile",
    "Pledge",
    "Report",
    "Skill",
    "Team",
    "TeamMember",
    "TeamPreference",
    "TeamRole",
    "TeamRoleSkill",
    "TeamSeeker",
    "TeamUpdate",
    "Theme",
    "ThemeFit",
    "UsedFormToken",
    "User",
    "UserSkill",
    "Vote",
    "WebSession",
]
