"""outbox: a Message-ID made when the mail is queued, its footer apart, a lease token

``message_id`` keeps a resent mail the same message for mail programs;
``footer_text`` lets several mails to one person go as one e-mail, a section
each; ``claim_token`` tells a worker whether the lease it renews is still its
own. Mail queued before gets a Message-ID from its row.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("footer_text", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("message_id", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("claim_token", sa.String(length=32), nullable=True))
    op.execute(
        "UPDATE outbox SET message_id = '<outbox.' || CAST(id AS VARCHAR(20)) || '@ideas.local>'"
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("footer_text", server_default=None)
        batch_op.alter_column("message_id", existing_type=sa.String(length=255), nullable=False)


def downgrade() -> None:
    # A mail still to send says again, at its end, why the person gets it.
    op.execute(
        "UPDATE outbox SET body_text = body_text || '\n--\n' || footer_text "
        "WHERE footer_text <> '' AND status = 'pending'"
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("claim_token")
        batch_op.drop_column("message_id")
        batch_op.drop_column("footer_text")
