"""API tables: per-user bearer tokens and onboarding-tour progress."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.extensions import db


class ApiToken(db.Model):
    """A personal token the app sends as ``Authorization: Bearer <token>``.

    Only the SHA-256 of the token is stored; the plain token is shown once when it is made.
    """

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: What the person called it ("My phone"), to tell tokens apart in the list.
    name: Mapped[str] = mapped_column(String(80))
    #: The first characters of the token, safe to show, so a leaked token can be recognised.
    prefix: Mapped[str] = mapped_column(String(16))
    #: SHA-256 (hex) of the whole token; look-ups go through this, never the plain token.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    #: Updated at most every ``API_TOKEN_TOUCH_SECONDS`` so reads don't each cost a write.
    last_used_at: Mapped[datetime | None]
    #: Set when revoked; a revoked token never authenticates again.
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class TourProgress(db.Model):
    """How far one person (by token user) or one app installation got through one tour."""

    __tablename__ = "tour_progress"
    __table_args__ = (
        UniqueConstraint("tour_name", "user_id", name="uq_tour_progress_tour_user"),
        UniqueConstraint("tour_name", "install_id", name="uq_tour_progress_tour_install"),
        Index("ix_tour_progress_tour_status", "tour_name", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_name: Mapped[str] = mapped_column(String(80))
    #: Set when the app sent a bearer token; otherwise ``install_id`` identifies the subject.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: The anonymous ``X-Install-Id`` header of an app installation without a signed-in user.
    install_id: Mapped[str | None] = mapped_column(String(64))
    #: ``in_progress``, ``completed`` or ``dismissed`` (the latest terminal event wins).
    status: Mapped[str] = mapped_column(String(20))
    #: The id of the last step reported.
    last_step: Mapped[str] = mapped_column(String(80))
    #: The furthest step (0-based position in the tour) reached, for a funnel of where people stop.
    furthest_step: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    dismissed_at: Mapped[datetime | None]
