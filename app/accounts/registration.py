"""Registration by e-mail: the account is created when the address's owner confirms, so the
sign-up page answers alike whether or not the address has an account. Same conventions as
``services.py``: explicit ``now``, flush only, :class:`DomainError` for the person to fix."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from app.accounts.models import PendingRegistration, User
from app.accounts.services import (
    add_user,
    check_new_account,
    find_user_by_email,
    hash_password,
    token_hash,
)
from app.errors import DomainError
from app.extensions import db
from app.mail import OutgoingMail
from app.outbox import record_mail


def start_registration(
    email: str, display_name: str, password: str, now: datetime, links: dict[str, Callable]
) -> None:
    """Register by e-mail: the same answer and the same work whether or not the address has
    an account (the password is hashed, one message is queued), so neither the page nor its
    timing tells. A new address gets a confirmation link that creates the account; an address
    with an account gets a note that someone tried, with the sign-in and reset links.

    :param links: ``confirm(token)``, ``login()`` and ``reset()`` make absolute URLs.
    :raises DomainError: a field is not acceptable.
    """
    email, display_name = check_new_account(email, display_name, password)
    password_hash = hash_password(password)
    token = secrets.token_urlsafe(32)
    existing = find_user_by_email(email)
    if existing is not None and not existing.is_contact:
        body = (
            "Hello,\n\n"
            "Someone (hopefully you) tried to create a GrowgrEbuddy Help Center account with "
            "this address, which already has an account. Nothing was changed.\n\n"
            f"Sign in: {links['login']()}\n"
            f"Forgot your password? Choose a new one: {links['reset']()}\n\n"
            "If it wasn't you, ignore this message.\n\nGrowgrEbuddy Support\n"
        )
        subject = "Your GrowgrEbuddy Help Center account"
    else:
        hours = current_app.config["REGISTRATION_CONFIRM_HOURS"]
        db.session.add(
            PendingRegistration(
                token_hash=token_hash(token),
                email=email,
                display_name=display_name,
                password_hash=password_hash,
                created_at=now,
                expires_at=now + timedelta(hours=hours),
            )
        )
        body = (
            f"Hello {display_name},\n\n"
            "To finish creating your GrowgrEbuddy Help Center account, open this link and "
            f"confirm:\n\n{links['confirm'](token)}\n\n"
            f"The link works once and expires in {hours} hours. If you did not sign up, "
            "ignore this message: no account is created.\n\nGrowgrEbuddy Support\n"
        )
        subject = "Confirm your GrowgrEbuddy Help Center account"
    record_mail(OutgoingMail(email, subject, body), now)
    db.session.flush()


def _valid_registration(token: str, now: datetime) -> PendingRegistration:
    pending = db.session.scalar(
        select(PendingRegistration).where(PendingRegistration.token_hash == token_hash(token))
    )
    if pending is None or pending.expires_at <= now:
        raise DomainError("This confirmation link is invalid, used or expired. Register again.")
    return pending


def check_registration_token(token: str, now: datetime) -> None:
    """:raises DomainError: the link is unknown, used or expired."""
    _valid_registration(token, now)


def confirm_registration(token: str, now: datetime) -> User:
    """Create the account of a confirmed registration; every other pending registration of
    that address is dropped (their links stop working). A contact with this address (someone
    who wrote to support by mail or chat) becomes the account, so their requests are theirs.

    :raises DomainError: bad link, or the address got an account meanwhile.
    """
    pending = _valid_registration(token, now)
    email = pending.email
    db.session.execute(delete(PendingRegistration).where(PendingRegistration.email == email))
    existing = find_user_by_email(email)
    if existing is not None and existing.is_contact:
        # Owning the mailbox (the confirmation link) is what claims the contact's requests.
        existing.is_contact = False
        existing.password_hash = pending.password_hash
        existing.display_name = pending.display_name
        db.session.flush()
        return existing
    if existing is not None:
        raise DomainError("This address has an account already. Sign in instead.")
    return add_user(email, pending.display_name, pending.password_hash, now, "member")
