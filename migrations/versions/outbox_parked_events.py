"""outbox: park events that can never succeed (parked_at)

Revision ID: outbox_parked_events
Revises: forum_trust_and_races
"""

import sqlalchemy as sa
from alembic import op

import app.models

revision = "outbox_parked_events"
down_revision = "forum_trust_and_races"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("parked_at", app.models.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.drop_column("parked_at")
