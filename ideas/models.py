"""Every table, imported in one place for Alembic and the application."""

from ideas.accounts.models import Identity, Skill, User, UserSkill, WebSession
from ideas.audit import AuditEntry
from ideas.challenges.models import Challenge, ChallengeHost
from ideas.db import Base
from ideas.submissions.models import Idea

__all__ = [
    "AuditEntry",
    "Base",
    "Challenge",
    "ChallengeHost",
    "Idea",
    "Identity",
    "Skill",
    "User",
    "UserSkill",
    "WebSession",
]
