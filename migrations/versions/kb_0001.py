"""kb: articles with revisions, votes, daily views, guide outcomes, help snippets and tours

Revision ID: kb_0001
Revises: 0001_foundation
Create Date: 2026-11-28 20:00:00

"""

import sqlalchemy as sa
from alembic import op

import app.models

# revision identifiers, used by Alembic.
revision = "kb_0001"
down_revision = "0001_foundation"
branch_labels = ("kb",)
depends_on = None


def upgrade():
    op.create_table(
        "kb_article",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("section", sa.String(length=60), nullable=False),
        sa.Column("is_troubleshooting", sa.Boolean(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("related", sa.JSON(), nullable=False),
        sa.Column("screens", sa.JSON(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("structure", sa.JSON(), nullable=False),
        sa.Column("video", sa.JSON(), nullable=False),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.Column("revision_number", sa.Integer(), nullable=False),
        sa.Column("source_path", sa.String(length=300), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("edited_in_browser", sa.Boolean(), nullable=False),
        sa.Column("is_archived", sa.Boolean(), nullable=False),
        sa.Column("archived_at", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("helpful_yes", sa.Integer(), nullable=False),
        sa.Column("helpful_no", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_article")),
        sa.UniqueConstraint("slug", name=op.f("uq_kb_article_slug")),
    )
    with op.batch_alter_table("kb_article", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_article_section"), ["section"], unique=False)

    op.create_table(
        "kb_snippet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("lang", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("article_slug", sa.String(length=120), nullable=False),
        sa.Column("screens", sa.JSON(), nullable=False),
        sa.Column("revision_number", sa.Integer(), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("is_archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_snippet")),
        sa.UniqueConstraint("key", "lang", name=op.f("uq_kb_snippet_key")),
    )
    op.create_table(
        "kb_tour",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("is_archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_tour")),
        sa.UniqueConstraint("name", name=op.f("uq_kb_tour_name")),
    )
    op.create_table(
        "kb_article_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.String(length=300), nullable=False),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["kb_article.id"],
            name=op.f("fk_kb_article_revision_article_id_kb_article"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_kb_article_revision_author_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_article_revision")),
        sa.UniqueConstraint("article_id", "number", name=op.f("uq_kb_article_revision_article_id")),
    )
    op.create_table(
        "kb_guide_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("steps_tried", sa.Integer(), nullable=False),
        sa.Column("steps_total", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["kb_article.id"],
            name=op.f("fk_kb_guide_outcome_article_id_kb_article"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_kb_guide_outcome_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_guide_outcome")),
    )
    with op.batch_alter_table("kb_guide_outcome", schema=None) as batch_op:
        batch_op.create_index(
            "ix_kb_guide_outcome_article_created", ["article_id", "created_at"], unique=False
        )

    op.create_table(
        "kb_snippet_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snippet_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["snippet_id"],
            ["kb_snippet.id"],
            name=op.f("fk_kb_snippet_revision_snippet_id_kb_snippet"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_snippet_revision")),
        sa.UniqueConstraint("snippet_id", "number", name=op.f("uq_kb_snippet_revision_snippet_id")),
    )
    op.create_table(
        "kb_tour_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tour_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("target", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("placement", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["tour_id"],
            ["kb_tour.id"],
            name=op.f("fk_kb_tour_step_tour_id_kb_tour"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_tour_step")),
        sa.UniqueConstraint("tour_id", "position", name=op.f("uq_kb_tour_step_tour_id")),
    )
    op.create_table(
        "kb_view_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["kb_article.id"],
            name=op.f("fk_kb_view_day_article_id_kb_article"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_view_day")),
        sa.UniqueConstraint("article_id", "day", name=op.f("uq_kb_view_day_article_id")),
    )
    op.create_table(
        "kb_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("visitor_id", sa.String(length=64), nullable=True),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["kb_article.id"],
            name=op.f("fk_kb_vote_article_id_kb_article"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_kb_vote_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_vote")),
        sa.UniqueConstraint("article_id", "user_id", name="uq_kb_vote_article_user"),
        sa.UniqueConstraint("article_id", "visitor_id", name="uq_kb_vote_article_visitor"),
    )


def downgrade():
    op.drop_table("kb_vote")
    op.drop_table("kb_view_day")
    op.drop_table("kb_tour_step")
    op.drop_table("kb_snippet_revision")
    with op.batch_alter_table("kb_guide_outcome", schema=None) as batch_op:
        batch_op.drop_index("ix_kb_guide_outcome_article_created")

    op.drop_table("kb_guide_outcome")
    op.drop_table("kb_article_revision")
    op.drop_table("kb_tour")
    op.drop_table("kb_snippet")
    with op.batch_alter_table("kb_article", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kb_article_section"))

    op.drop_table("kb_article")
