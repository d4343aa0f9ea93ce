"""Accounts: a user, the server-side record of each signed-in session, and reset tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

ROLES = ("member", "contributor", "moderator", "agent_t1", "agent_t2", "agent_t3", "admin")
ROLE_LABELS = {
    "member": "Member",
    "contributor": "Contributor",
    "moderator": "Moderator",
    "agent_t1": "Agent (Tier 1)",
    "agent_t2": "Agent (Tier 2)",
    "agent_t3": "Agent (Tier 3)",
    "admin": "Administrator",
}


class User(db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased so that look-ups and the unique constraint ignore case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    #: One of :data:`ROLES`; what it may do is decided in ``permissions.py`` alone.
    role: Mapped[str] = mapped_column(String(20), default="member")
    #: Suspended users cannot sign in; their sessions are ended.
    is_suspended: Mapped[bool] = mapped_column(default=False)
    #: A contact: someone who wrote to support by e-mail, chat or social media without an
    #: account. Contacts cannot sign in; signing up with the address claims the account and
    #: its requests (``registration.confirm_registration``).
    is_contact: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]

    sessions: Mapped[list[LoginSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # Flask-Login protocol. The id it keeps in the cookie is the login session's token, not the
    # user id, so that ending the session on the server ends it everywhere the cookie was copied.
    login_token = None  # set on load; not a column

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return not self.is_suspended

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.login_token

    @property
    def tier(self) -> int | None:
        """The agent tier (1, 2, 3) for agents, None for everybody else."""
        return int(self.role[-1]) if self.role.startswith("agent_t") else None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class LoginSession(db.Model):
    """One signed-in browser. Deleting the row signs that browser out."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the random token kept in the signed session cookie.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime]
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship(back_populates="sessions")


class PasswordResetToken(db.Model):
    """A single-use, short-lived password reset link."""

    __tablename__ = "password_reset_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class PendingRegistration(db.Model):
    """A registration waiting for its address to be confirmed: the account is created only
    when the link mailed to the address is used, so the sign-up page never has to say whether
    an address already has an account."""

    __tablename__ = "pending_registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the token in the confirmation link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    display_name: Mapped[str] = mapped_column(String(80))
    #: Hashed at registration, so the password never waits anywhere in clear.
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
