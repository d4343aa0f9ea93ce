"""Wiki redirects left by renames yield to new pages unless a moderator kept them.

Revision ID: wiki_redirect_kept
Revises: 0002_all_features
Create Date: 2026-12-07 11:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "wiki_redirect_kept"
down_revision = "0002_all_features"
branch_labels = None
depends_on = None


def upgrade():
    # Existing redirects yield too: the titles they reserved become free to take.
    with op.batch_alter_table("wiki_redirect") as batch:
        batch.add_column(sa.Column("kept", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("wiki_redirect") as batch:
        batch.drop_column("kept")
