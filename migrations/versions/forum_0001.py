"""forum: categories, threads, posts, revisions, likes, flags, follows, read marks, user state,
review queue and moderation log; seeds the standard categories.

Revision ID: forum_0001
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

import app.models

revision = "forum_0001"
down_revision = "0001_foundation"
branch_labels = ("forum",)
depends_on = None

#: The support plan's categories plus General (the same list as ``flask forum seed-categories``).
CATEGORIES = [
    ("account", "Account", "Signing in, your profile and account settings."),
    ("billing-and-payments", "Billing and Payments", "Subscriptions, invoices and refunds."),
    ("app-functionality", "App Functionality", "How the app's features work."),
    ("feature-requests", "Feature Requests", "Ideas for the app, and votes on them."),
    ("bug-reports", "Bug Reports", "Something doesn't work as it should."),
    ("data-and-privacy", "Data and Privacy", "Your data, exports and privacy settings."),
    ("general", "General", "Everything else about home gardening with GrowgrEbuddy."),
]


def upgrade():
    op.create_table(
        "forum_category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_category")),
        sa.UniqueConstraint("slug", name=op.f("uq_forum_category_slug")),
    )
    op.create_table(
        "forum_moderation_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("target_type", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
            name=op.f("fk_forum_moderation_log_actor_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_moderation_log")),
    )
    with op.batch_alter_table("forum_moderation_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_forum_moderation_log_actor_id"), ["actor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_forum_moderation_log_created_at"), ["created_at"], unique=False
        )
    op.create_table(
        "forum_thread",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("is_locked", sa.Boolean(), nullable=False),
        sa.Column("is_pinned", sa.Boolean(), nullable=False),
        sa.Column("accepted_post_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("escalated_ticket_id", sa.Integer(), nullable=True),
        sa.Column("escalated_ticket_ref", sa.String(length=40), nullable=True),
        sa.Column("escalated_at", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user_account.id"], name=op.f("fk_forum_thread_author_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["forum_category.id"],
            name=op.f("fk_forum_thread_category_id_forum_category"),
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["forum_thread.id"],
            name=op.f("fk_forum_thread_merged_into_id_forum_thread"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_thread")),
    )
    with op.batch_alter_table("forum_thread", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_forum_thread_author_id"), ["author_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_forum_thread_category_id"), ["category_id"], unique=False
        )
        batch_op.create_index(
            "ix_forum_thread_listing", ["category_id", "status", "last_activity_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_forum_thread_status"), ["status"], unique=False)
    op.create_table(
        "forum_user_state",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("posts_read", sa.Integer(), nullable=False),
        sa.Column("silenced_until", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_forum_user_state_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_forum_user_state")),
    )
    op.create_table(
        "forum_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("is_opening", sa.Boolean(), nullable=False),
        sa.Column("is_staff_reply", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("body_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("edited_at", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("like_count", sa.Integer(), nullable=False),
        sa.Column("moderation_note", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user_account.id"], name=op.f("fk_forum_post_author_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["forum_thread.id"], name=op.f("fk_forum_post_thread_id_forum_thread")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_post")),
    )
    with op.batch_alter_table("forum_post", schema=None) as batch_op:
        batch_op.create_index(
            "ix_forum_post_author_created", ["author_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_forum_post_body_hash"), ["body_hash"], unique=False)
        batch_op.create_index(
            "ix_forum_post_thread_status", ["thread_id", "status", "id"], unique=False
        )
    op.create_table(
        "forum_read_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("last_post_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["forum_thread.id"],
            name=op.f("fk_forum_read_mark_thread_id_forum_thread"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_forum_read_mark_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_read_mark")),
        sa.UniqueConstraint("user_id", "thread_id", name=op.f("uq_forum_read_mark_user_id")),
    )
    op.create_table(
        "forum_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["forum_category.id"],
            name=op.f("fk_forum_subscription_category_id_forum_category"),
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["forum_thread.id"],
            name=op.f("fk_forum_subscription_thread_id_forum_thread"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_forum_subscription_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_subscription")),
    )
    with op.batch_alter_table("forum_subscription", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_forum_subscription_category_id"), ["category_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_forum_subscription_thread_id"), ["thread_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_forum_subscription_user_id"), ["user_id"], unique=False
        )
    op.create_table(
        "forum_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("flagger_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("weight", sa.Double(), nullable=False),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("resolved_at", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["flagger_id"], ["user_account.id"], name=op.f("fk_forum_flag_flagger_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["forum_post.id"], name=op.f("fk_forum_flag_post_id_forum_post")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_flag")),
        sa.UniqueConstraint("post_id", "flagger_id", name=op.f("uq_forum_flag_post_id")),
    )
    with op.batch_alter_table("forum_flag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_forum_flag_flagger_id"), ["flagger_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_forum_flag_post_id"), ["post_id"], unique=False)
    op.create_table(
        "forum_like",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["forum_post.id"], name=op.f("fk_forum_like_post_id_forum_post")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_forum_like_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_like")),
        sa.UniqueConstraint("post_id", "user_id", name=op.f("uq_forum_like_post_id")),
    )
    with op.batch_alter_table("forum_like", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_forum_like_post_id"), ["post_id"], unique=False)
    op.create_table(
        "forum_post_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("edited_by_id", sa.Integer(), nullable=False),
        sa.Column("edited_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["edited_by_id"],
            ["user_account.id"],
            name=op.f("fk_forum_post_revision_edited_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["forum_post.id"], name=op.f("fk_forum_post_revision_post_id_forum_post")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_post_revision")),
    )
    with op.batch_alter_table("forum_post_revision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_forum_post_revision_post_id"), ["post_id"], unique=False
        )
    op.create_table(
        "forum_review_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_by_id", sa.Integer(), nullable=True),
        sa.Column("claimed_until", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["claimed_by_id"],
            ["user_account.id"],
            name=op.f("fk_forum_review_item_claimed_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["forum_post.id"], name=op.f("fk_forum_review_item_post_id_forum_post")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["user_account.id"],
            name=op.f("fk_forum_review_item_resolved_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_review_item")),
    )
    with op.batch_alter_table("forum_review_item", schema=None) as batch_op:
        batch_op.create_index(
            "ix_forum_review_item_open", ["resolved_at", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_forum_review_item_post_id"), ["post_id"], unique=False)

    category = sa.table(
        "forum_category",
        sa.column("name", sa.String),
        sa.column("slug", sa.String),
        sa.column("description", sa.String),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(
        category,
        [
            {"slug": slug, "name": name, "description": description, "position": position}
            for position, (slug, name, description) in enumerate(CATEGORIES)
        ],
    )


def downgrade():
    with op.batch_alter_table("forum_review_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forum_review_item_post_id"))
        batch_op.drop_index("ix_forum_review_item_open")
    op.drop_table("forum_review_item")
    with op.batch_alter_table("forum_post_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forum_post_revision_post_id"))
    op.drop_table("forum_post_revision")
    with op.batch_alter_table("forum_like", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forum_like_post_id"))
    op.drop_table("forum_like")
    with op.batch_alter_table("forum_flag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forum_flag_post_id"))
        batch_op.drop_index(batch_op.f("ix_forum_flag_flagger_id"))
    op.drop_table("forum_flag")
    with op.batch_alter_table("forum_subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forum_subscription_user_id"))
        batch_op.drop_index(batch_op.f("ix_forum_subscription_thread_id"))
        batch_op.drop_index(batch_op.f("ix_forum_subscription_category_id"))
    op.drop_table("forum_subscription")
    op.drop_table("forum_read_mark")
    with op.batch_alter_table("forum_post", schema=None) as batch_op:
        batch_op.drop_index("ix_forum_post_thread_status")
        batch_op.drop_index(batch_op.f("ix_forum_post_body_hash"))
        batch_op.drop_index("ix_forum_post_author_created")
    op.drop_table("forum_post")
    op.drop_table("forum_user_state")
    with op.batch_alter_table("forum_thread", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forum_thread_status"))
        batch_op.drop_index("ix_forum_thread_listing")
        batch_op.drop_index(batch_op.f("ix_forum_thread_category_id"))
        batch_op.drop_index(batch_op.f("ix_forum_thread_author_id"))
    op.drop_table("forum_thread")
    with op.batch_alter_table("forum_moderation_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forum_moderation_log_created_at"))
        batch_op.drop_index(batch_op.f("ix_forum_moderation_log_actor_id"))
    op.drop_table("forum_moderation_log")
    op.drop_table("forum_category")
