"""kb: the renderer version that made each article's and tooltip's HTML

Revision ID: kb_0002_rendered_with
Revises: accounts_pending_registration
"""

import sqlalchemy as sa
from alembic import op

revision = "kb_0002_rendered_with"
down_revision = "accounts_pending_registration"
branch_labels = None
depends_on = None


def upgrade():
    # Empty for the rows there are: the next `flask content sync` renders them again.
    for table in ("kb_article", "kb_snippet"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("rendered_with", sa.String(length=60), server_default="", nullable=False)
            )


def downgrade():
    for table in ("kb_article", "kb_snippet"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("rendered_with")
