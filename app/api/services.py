"""API operations: tokens and tour progress. They take ``now`` explicitly, flush, never commit."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.api import validation
from app.api.models import ApiToken, TourProgress
from app.errors import DomainError
from app.extensions import db

#: Every token starts with this, so secret scanners and people can recognise one.
TOKEN_PREFIX = "ghc_"  # noqa: S105  (a public marker, not a secret)
#: Characters of the token kept in clear for display (the prefix plus a few random ones).
DISPLAY_CHARS = 10


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    """A token just made: the row, and the plain token, which exists only in this object."""

    token: ApiToken
    plain: str


def create_token(user: User, name: str, now: datetime, *, max_active: int = 20) -> NewToken:
    """Make a token for ``user`` called ``name``.

    :raises DomainError: empty or long name, or already ``max_active`` active tokens.
    """
    name = (name or "").strip()
    if not name:
        raise DomainError("Give the token a name, such as the device it is for.", field="name")
    if len(name) > 80:
        raise DomainError("Use at most 80 characters.", field="name")
    active = db.session.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )
    if active >= max_active:
        raise DomainError(
            f"You already have {max_active} active tokens. Revoke one you no longer use first.",
            field="name",
        )
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=plain[:DISPLAY_CHARS],
        token_hash=hash_token(plain),
        created_at=now,
    )
    db.session.add(token)
    db.session.flush()
    return NewToken(token, plain)


def list_tokens(user: User, *, page: int = 1, per_page: int = 20, active_only: bool = False):
    """The user's tokens, newest first, as a page."""
    query = select(ApiToken).where(ApiToken.user_id == user.id)
    if active_only:
        query = query.where(ApiToken.revoked_at.is_(None))
    query = query.order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def active_tokens(user: User) -> list[ApiToken]:
    """The user's tokens that still work, newest first (there are at most a few)."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def users_active_since(since: datetime) -> set[int]:
    """Accounts that used an API token since ``since`` (last use is recorded at most every
    ``API_TOKEN_TOUCH_SECONDS``): activity for the quarterly survey's sample."""
    return set(
        db.session.scalars(
            select(ApiToken.user_id).where(ApiToken.last_used_at >= since).distinct()
        )
    )


def get_own_token(user: User, token_id: int) -> ApiToken:
    """One of the user's own tokens.

    :raises DomainError: no such token, or somebody else's (the same error, so ids don't leak).
    """
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise DomainError("That token does not exist.")
    return token


def revoke_token(user: User, token_id: int, now: datetime) -> ApiToken:
    """Revoke one of the user's tokens; revoking twice keeps the first time.

    :raises DomainError: not the user's token.
    """
    token = get_own_token(user, token_id)
    if token.revoked_at is None:
        token.revoked_at = now
        db.session.flush()
    return token


def revoke_all_tokens(user: User, now: datetime) -> int:
    """Revoke every working token of the user (signed out everywhere: a new password, say).

    :returns: how many were revoked.
    """
    tokens = active_tokens(user)
    for token in tokens:
        token.revoked_at = now
    db.session.flush()
    return len(tokens)


@dataclass(frozen=True)
class Authenticated:
    """Who a token belongs to, and whether its ``last_used_at`` was refreshed (needs a commit)."""

    user: User
    touched: bool


def authenticate(plain: str, now: datetime, *, touch_seconds: int = 300) -> Authenticated | None:
    """The active user a bearer token belongs to, or None (unknown, revoked, suspended).

    ``last_used_at`` is refreshed at most every ``touch_seconds`` so that a busy app does not
    turn every read into a write.
    """
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
    if token is None or token.revoked_at is not None:
        return None
    user = token.user
    if user.is_suspended:
        return None
    touched = token.last_used_at is None or now - token.last_used_at >= timedelta(
        seconds=touch_seconds
    )
    if touched:
        token.last_used_at = now
        db.session.flush()
    return Authenticated(user, touched)


def record_tour_progress(
    tour_name: str,
    step_index: int,
    step_id: str,
    event: str,
    now: datetime,
    *,
    user: User | None = None,
    install_id: str | None = None,
) -> TourProgress:
    """Record one progress event of a tour for a user or, without one, an installation.

    :raises DomainError: neither a user nor an installation id, or an unknown event.
    """
    if event not in validation.TOUR_EVENTS:
        raise DomainError("Unknown event.", field="event")
    if user is None and not install_id:
        raise DomainError("Send a bearer token or an X-Install-Id header.", field="X-Install-Id")
    subject = (
        TourProgress.user_id == user.id
        if user is not None
        else TourProgress.install_id == install_id
    )
    # Locked (PostgreSQL) so two reports of the same subject at once cannot lose an update.
    query = (
        select(TourProgress).where(TourProgress.tour_name == tour_name, subject).with_for_update()
    )
    progress = db.session.scalar(query)
    if progress is None:
        progress = TourProgress(
            tour_name=tour_name,
            user_id=user.id if user is not None else None,
            install_id=None if user is not None else install_id,
            status="in_progress",
            last_step=step_id,
            furthest_step=0,
            started_at=now,
            updated_at=now,
        )
        try:
            # A savepoint: two first reports racing each other must not fail the request.
            with db.session.begin_nested():
                db.session.add(progress)
        except IntegrityError:
            progress = db.session.scalar(query)
    status, furthest = validation.progress_after(
        progress.status, progress.furthest_step, event, step_index
    )
    if status == "completed" and progress.completed_at is None:
        progress.completed_at = now
    if status == "dismissed" and progress.dismissed_at is None:
        progress.dismissed_at = now
    progress.status = status
    progress.furthest_step = furthest
    progress.last_step = step_id
    progress.updated_at = now
    db.session.flush()
    return progress


@dataclass(frozen=True)
class TourStats:
    """Completion figures of one tour."""

    tour_name: str
    started: int
    completed: int
    dismissed: int

    @property
    def completion_rate(self) -> float | None:
        return validation.completion_rate(self.started, self.completed)


def tour_stats(tour_name: str) -> TourStats:
    """How many subjects started, completed and dismissed ``tour_name``."""
    counts = dict(
        db.session.execute(
            select(TourProgress.status, func.count())
            .where(TourProgress.tour_name == tour_name)
            .group_by(TourProgress.status)
        ).all()
    )
    return TourStats(
        tour_name,
        started=sum(counts.values()),
        completed=counts.get("completed", 0),
        dismissed=counts.get("dismissed", 0),
    )
