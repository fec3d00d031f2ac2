"""teams: members, open roles, requests and invitations, seekers, preferences, updates

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 17:58:46.465965
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ideas.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "team_seekers",
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("created_at", ideas.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_team_seekers_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_team_seekers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("challenge_id", "user_id", name=op.f("pk_team_seekers")),
    )
    with op.batch_alter_table("team_seekers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_seekers_user_id"), ["user_id"], unique=False)

    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("about", sa.Text(), nullable=False),
        sa.Column("member_count", sa.Integer(), nullable=False),
        sa.Column("created_at", ideas.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_teams_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_teams_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["lead_id"], ["users.id"], name=op.f("fk_teams_lead_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("idea_id", name=op.f("uq_teams_idea_id")),
    )
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_teams_challenge_id"), ["challenge_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_teams_lead_id"), ["lead_id"], unique=False)

    op.create_table(
        "join_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("request", "invitation", name="requestkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "declined",
                "withdrawn",
                "expired",
                name="requeststatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("message", sa.String(length=1000), nullable=False),
        sa.Column("skills", sa.String(length=300), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", ideas.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", ideas.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_join_requests_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_join_requests_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_join_requests")),
    )
    with op.batch_alter_table("join_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_join_requests_pending",
            ["team_id", "user_id"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
        batch_op.create_index(
            "ix_join_requests_user_id_created_at", ["user_id", "created_at"], unique=False
        )

    op.create_table(
        "team_members",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("role_title", sa.String(length=80), nullable=False),
        sa.Column("joined_at", ideas.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_team_members_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_team_members_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_team_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_team_members")),
    )
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.create_index(
            "ix_team_members_challenge_id_user_id", ["challenge_id", "user_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_team_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "team_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_team_preferences_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_team_preferences_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_team_preferences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_preferences")),
        sa.UniqueConstraint(
            "challenge_id",
            "user_id",
            "rank",
            name=op.f("uq_team_preferences_challenge_id_user_id_rank"),
        ),
        sa.UniqueConstraint(
            "challenge_id",
            "user_id",
            "team_id",
            name=op.f("uq_team_preferences_challenge_id_user_id_team_id"),
        ),
    )
    with op.batch_alter_table("team_preferences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_preferences_team_id"), ["team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_team_preferences_user_id"), ["user_id"], unique=False)

    op.create_table(
        "team_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("filled_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", ideas.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["filled_by_id"],
            ["users.id"],
            name=op.f("fk_team_roles_filled_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_roles_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_roles")),
    )
    with op.batch_alter_table("team_roles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_roles_team_id"), ["team_id"], unique=False)

    op.create_table(
        "team_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("created_at", ideas.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_team_updates_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_team_updates_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_updates")),
    )
    with op.batch_alter_table("team_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_updates_author_id"), ["author_id"], unique=False)
        batch_op.create_index(
            "ix_team_updates_team_id_created_at", ["team_id", "created_at"], unique=False
        )

    op.create_table(
        "team_role_skills",
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["team_roles.id"],
            name=op.f("fk_team_role_skills_role_id_team_roles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skills.id"],
            name=op.f("fk_team_role_skills_skill_id_skills"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("role_id", "skill_id", name=op.f("pk_team_role_skills")),
    )
    with op.batch_alter_table("team_role_skills", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_team_role_skills_skill_id"), ["skill_id"], unique=False
        )

    # Ideas already on the shortlist get their team, led by the author.
    op.execute(
        "INSERT INTO teams (challenge_id, idea_id, lead_id, about, member_count, created_at) "
        "SELECT challenge_id, id, author_id, '', 1, COALESCE(shortlisted_at, updated_at) "
        "FROM ideas WHERE status IN ('shortlisted', 'winner')"
    )
    op.execute(
        "INSERT INTO team_members (team_id, user_id, challenge_id, role_title, joined_at) "
        "SELECT id, lead_id, challenge_id, 'Lead', created_at FROM teams"
    )


def downgrade() -> None:
    with op.batch_alter_table("team_role_skills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_role_skills_skill_id"))

    op.drop_table("team_role_skills")
    with op.batch_alter_table("team_updates", schema=None) as batch_op:
        batch_op.drop_index("ix_team_updates_team_id_created_at")
        batch_op.drop_index(batch_op.f("ix_team_updates_author_id"))

    op.drop_table("team_updates")
    with op.batch_alter_table("team_roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_roles_team_id"))

    op.drop_table("team_roles")
    with op.batch_alter_table("team_preferences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_preferences_user_id"))
        batch_op.drop_index(batch_op.f("ix_team_preferences_team_id"))

    op.drop_table("team_preferences")
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_members_user_id"))
        batch_op.drop_index("ix_team_members_challenge_id_user_id")

    op.drop_table("team_members")
    with op.batch_alter_table("join_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_join_requests_user_id_created_at")
        batch_op.drop_index(
            "ix_join_requests_pending",
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )

    op.drop_table("join_requests")
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teams_lead_id"))
        batch_op.drop_index(batch_op.f("ix_teams_challenge_id"))

    op.drop_table("teams")
    with op.batch_alter_table("team_seekers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_seekers_user_id"))

    op.drop_table("team_seekers")
