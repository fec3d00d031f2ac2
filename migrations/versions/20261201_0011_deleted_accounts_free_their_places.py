"""deleted accounts free their places: a team may have no lead while it has nobody

Deleting an account now takes the person off their teams (a team they led is
led on by its longest-standing member, or by nobody when it is left empty),
withdraws their open requests and invitations, and drops their rankings of
teams, "looking for a team", notifications, follows and queued e-mail. Accounts
deleted before this change get the same here. The downgrade gives a team with
no lead back to its idea's author; the places freed stay free.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 09:00:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.alter_column("lead_id", existing_type=sa.Integer(), nullable=True)
    _free_places_of_deleted_accounts(op.get_bind())


def _free_places_of_deleted_accounts(bind: sa.Connection) -> None:
    now = sa.bindparam("now", datetime.now(UTC), type_=sa.DateTime(timezone=True))
    led = bind.execute(
        sa.text(
            "SELECT id, lead_id FROM teams "
            "WHERE lead_id IN (SELECT id FROM users WHERE status = 'deleted') ORDER BY id"
        )
    ).all()
    for team_id, lead_id in led:
        successor = bind.execute(
            sa.text(
                "SELECT user_id FROM team_members WHERE team_id = :team AND user_id <> :lead "
                "AND user_id NOT IN (SELECT id FROM users WHERE status = 'deleted') "
                "ORDER BY joined_at, user_id LIMIT 1"
            ),
            {"team": team_id, "lead": lead_id},
        ).scalar()
        bind.execute(
            sa.text("UPDATE teams SET lead_id = :successor WHERE id = :team"),
            {"successor": successor, "team": team_id},
        )
        if successor is not None:
            bind.execute(
                sa.text(
                    "UPDATE team_members SET role_title = 'Lead' "
                    "WHERE team_id = :team AND user_id = :successor"
                ),
                {"successor": successor, "team": team_id},
            )
    bind.execute(
        sa.text(
            "DELETE FROM team_members "
            "WHERE user_id IN (SELECT id FROM users WHERE status = 'deleted')"
        )
    )
    bind.execute(
        sa.text(
            "UPDATE teams SET member_count = "
            "(SELECT count(*) FROM team_members WHERE team_members.team_id = teams.id)"
        )
    )
    bind.execute(
        sa.text(
            "UPDATE team_roles SET filled_by_id = NULL "
            "WHERE filled_by_id IN (SELECT id FROM users WHERE status = 'deleted')"
        )
    )
    bind.execute(
        sa.text(
            "UPDATE join_requests SET status = 'withdrawn', decided_at = :now "
            "WHERE status = 'pending' "
            "AND user_id IN (SELECT id FROM users WHERE status = 'deleted')"
        ).bindparams(now)
    )
    for statement in (
        "DELETE FROM team_preferences WHERE user_id IN (SELECT id FROM users WHERE status = 'deleted')",
        "DELETE FROM team_seekers WHERE user_id IN (SELECT id FROM users WHERE status = 'deleted')",
        "DELETE FROM notifications WHERE user_id IN (SELECT id FROM users WHERE status = 'deleted')",
        "DELETE FROM challenge_follows "
        "WHERE user_id IN (SELECT id FROM users WHERE status = 'deleted')",
        "DELETE FROM idea_follows WHERE user_id IN (SELECT id FROM users WHERE status = 'deleted')",
        "DELETE FROM outbox WHERE user_id IN (SELECT id FROM users WHERE status = 'deleted')",
    ):
        bind.execute(sa.text(statement))


def downgrade() -> None:
    op.execute(
        "UPDATE teams SET lead_id = (SELECT author_id FROM ideas WHERE ideas.id = teams.idea_id) "
        "WHERE lead_id IS NULL"
    )
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.alter_column("lead_id", existing_type=sa.Integer(), nullable=False)
