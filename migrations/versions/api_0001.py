"""api: API tokens and onboarding-tour progress

Revision ID: api_0001
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

import app.models

revision = "api_0001"
down_revision = "0001_foundation"
branch_labels = ("api",)
depends_on = None


def upgrade():
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_api_token_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "tour_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tour_name", sa.String(length=80), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("install_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("last_step", sa.String(length=80), nullable=False),
        sa.Column("furthest_step", sa.Integer(), nullable=False),
        sa.Column("started_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dismissed_at", app.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_tour_progress_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tour_progress")),
        sa.UniqueConstraint("tour_name", "user_id", name="uq_tour_progress_tour_user"),
        sa.UniqueConstraint("tour_name", "install_id", name="uq_tour_progress_tour_install"),
    )
    with op.batch_alter_table("tour_progress", schema=None) as batch_op:
        batch_op.create_index("ix_tour_progress_tour_status", ["tour_name", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_tour_progress_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("tour_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tour_progress_user_id"))
        batch_op.drop_index("ix_tour_progress_tour_status")
    op.drop_table("tour_progress")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))
    op.drop_table("api_token")
