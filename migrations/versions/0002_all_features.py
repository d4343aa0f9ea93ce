"""Join every feature's branch, so `flask db upgrade` has one head to go to.

Revision ID: 0002_all_features
Revises: api_0001, kb_0001, search_0001, tickets_0002, wiki_0001
Create Date: 2026-11-28 20:16:36.755028

"""

# revision identifiers, used by Alembic.
revision = "0002_all_features"
down_revision = ("api_0001", "kb_0001", "search_0001", "tickets_0002", "wiki_0001")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
