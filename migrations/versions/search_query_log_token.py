"""Searches are logged in batches: each log entry gets a random token its clicks name.

Revision ID: search_query_log_token
Revises: tally_batch
Create Date: 2026-12-07 12:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "search_query_log_token"
down_revision = "tally_batch"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("search_query_log") as batch:
        batch.add_column(sa.Column("token", sa.String(length=32), nullable=True))
        batch.create_unique_constraint("uq_search_query_log_token", ["token"])


def downgrade():
    with op.batch_alter_table("search_query_log") as batch:
        batch.drop_constraint("uq_search_query_log_token", type_="unique")
        batch.drop_column("token")
