"""forum: when a support agent first took an escalated thread's request

Revision ID: forum_escalation_taken
Revises: search_query_log_token
"""

import sqlalchemy as sa
from alembic import op

import app.models

revision = "forum_escalation_taken"
down_revision = "search_query_log_token"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("forum_thread", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("escalation_taken_at", app.models.UTCDateTime(timezone=True), nullable=True)
        )
    # Threads whose request an agent already claimed or answered keep saying so.
    op.execute(
        "UPDATE forum_thread SET escalation_taken_at = escalated_at WHERE escalated_ticket_id IN"
        " (SELECT id FROM ticket WHERE assignee_id IS NOT NULL OR first_responded_at IS NOT NULL)"
    )


def downgrade():
    # A plain DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch copy of forum_thread would have
    # to drop a table that posts and tickets still point at.
    op.execute("ALTER TABLE forum_thread DROP COLUMN escalation_taken_at")
