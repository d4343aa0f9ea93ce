"""wiki: pages, revisions, redirects, watches, links

Revision ID: wiki_0001
Revises: 0001_foundation
Create Date: 2026-11-28 19:36:41.841916

The page and revision tables point at each other (a revision belongs to a page; the page points
at its current revision), so the page's pointer gets its foreign key after both tables exist.
"""

import sqlalchemy as sa
from alembic import op

import app.models

# revision identifiers, used by Alembic.
revision = "wiki_0001"
down_revision = "0001_foundation"
branch_labels = ("wiki",)
depends_on = None


def upgrade():
    op.create_table(
        "wiki_page",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("current_revision_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("protection", sa.String(length=10), nullable=False),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_wiki_page_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wiki_page")),
        sa.UniqueConstraint("slug", name=op.f("uq_wiki_page_slug")),
    )

    op.create_table(
        "wiki_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("size_delta", sa.Integer(), nullable=False),
        sa.Column("merged", sa.Boolean(), nullable=False),
        sa.Column("edit_token", sa.String(length=64), nullable=True),
        sa.Column("is_hidden", sa.Boolean(), nullable=False),
        sa.Column("hidden_at", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_wiki_revision_author_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"],
            ["user_account.id"],
            name=op.f("fk_wiki_revision_hidden_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["page_id"],
            ["wiki_page.id"],
            name=op.f("fk_wiki_revision_page_id_wiki_page"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["wiki_revision.id"],
            name=op.f("fk_wiki_revision_parent_id_wiki_revision"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["user_account.id"],
            name=op.f("fk_wiki_revision_reviewed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wiki_revision")),
        sa.UniqueConstraint("edit_token", name=op.f("uq_wiki_revision_edit_token")),
        sa.UniqueConstraint("page_id", "number", name=op.f("uq_wiki_revision_page_id")),
    )
    with op.batch_alter_table("wiki_revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wiki_revision_author_id"), ["author_id"], unique=False)
        batch_op.create_index("ix_wiki_revision_recent", ["created_at", "id"], unique=False)

    op.create_table(
        "wiki_redirect",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"],
            ["wiki_page.id"],
            name=op.f("fk_wiki_redirect_page_id_wiki_page"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wiki_redirect")),
        sa.UniqueConstraint("slug", name=op.f("uq_wiki_redirect_slug")),
    )

    op.create_table(
        "wiki_watch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"],
            ["wiki_page.id"],
            name=op.f("fk_wiki_watch_page_id_wiki_page"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_wiki_watch_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wiki_watch")),
        sa.UniqueConstraint("page_id", "user_id", name=op.f("uq_wiki_watch_page_id")),
    )
    with op.batch_alter_table("wiki_watch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wiki_watch_user_id"), ["user_id"], unique=False)

    op.create_table(
        "wiki_link",
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("target_slug", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"],
            ["wiki_page.id"],
            name=op.f("fk_wiki_link_page_id_wiki_page"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("page_id", "target_slug", name=op.f("pk_wiki_link")),
    )
    with op.batch_alter_table("wiki_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wiki_link_target_slug"), ["target_slug"], unique=False)

    # Batch mode: SQLite can't add a foreign key in place, so the (empty) table is rebuilt.
    with op.batch_alter_table("wiki_page", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_wiki_page_current_revision_id_wiki_revision"),
            "wiki_revision",
            ["current_revision_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("wiki_page", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_wiki_page_current_revision_id_wiki_revision"), type_="foreignkey"
        )
    op.drop_table("wiki_link")
    op.drop_table("wiki_watch")
    op.drop_table("wiki_redirect")
    op.drop_table("wiki_revision")
    op.drop_table("wiki_page")
