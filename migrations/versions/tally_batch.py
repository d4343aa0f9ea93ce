"""Counted page views and searches written in batches: the ids of Redis batches already written.

Revision ID: tally_batch
Revises: kb_0002_rendered_with
Create Date: 2026-12-07 12:00:00

"""

import sqlalchemy as sa
from alembic import op

import app.models

revision = "tally_batch"
down_revision = "kb_0002_rendered_with"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tally_batch",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("applied_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tally_batch")),
    )


def downgrade():
    op.drop_table("tally_batch")
