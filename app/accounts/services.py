"""Account operations. They take the acting data and ``now`` explicitly, flush but never commit,
and raise :class:`DomainError` for anything the person can fix."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import delete, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts.models import (
    ROLES,
    LoginSession,
    PasswordResetToken,
    User,
)
from app.errors import DomainError
from app.extensions import db
from app.mail import OutgoingMail
from app.outbox import record_mail

#: Checked when the e-mail is unknown, so a wrong address costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password-at-all")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


#: The one message for an address the rule below refuses (forms, CLI, every page).
EMAIL_MESSAGE = "Enter an e-mail address like name@example.com."


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str) -> str:
    """The one e-mail rule of the site (registration, sign-in, reset, ``flask users``).

    Syntax as ``email-validator`` checks it, without a DNS look-up, and *with* special-use
    domains (``.local``, ``.test``, ``.localhost``...): the first admin the CLI creates is
    ``admin@growgrebuddy.local``, and a form that refused it would lock that admin out.

    :returns: the normalised (stripped, lower-cased) address.
    :raises DomainError: not an e-mail address (``field="email"``).
    """
    address = normalise_email(email)
    if len(address) > 254 or "." not in address.rpartition("@")[2]:
        raise DomainError(EMAIL_MESSAGE, field="email")
    # email-validator refuses special-use domains outright; a ".com" appended to the domain
    # keeps every other syntax check and lifts only that one.
    try:
        validate_email(address + ".com", check_deliverability=False)
    except EmailNotValidError:
        raise DomainError(EMAIL_MESSAGE, field="email") from None
    return address


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password_rules(password: str) -> None:
    """Length only: at least ``PASSWORD_MIN_LENGTH`` characters, no composition rules."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise DomainError(f"Use at least {minimum} characters.", field="password")
    if len(password) > 1024:
        raise DomainError("Use at most 1024 characters.", field="password")


#: Roles whose display names nobody else may take (a look-alike "moderator" is a phishing tool).
_RESERVED_NAME_ROLES = tuple(role for role in ROLES if role not in ("member", "contributor"))
#: Letters that look like Latin ones (Cyrillic, Greek, digits), folded after NFKC and casefold.
_LOOK_ALIKES = str.maketrans(
    "аеорсухіјѕһԁԛԝкмнтвαβεηικνορτυχζ013457|",  # noqa: RUF001 (the look-alikes are the point)
    "aeopcyxijshdqwkmhtbabenikvoptuxzoleastl",
)


def name_skeleton(name: str) -> str:
    """What a display name reads as: case, width, accents, invisible characters, spacing,
    punctuation and look-alike letters ignored (Cyrillic o and a read as Latin ones)."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name).casefold())
    text = "".join(char for char in text.translate(_LOOK_ALIKES) if char.isalnum())
    # i, l and 1 (and rn, m) are told apart by few readers in most fonts.
    return text.replace("rn", "m").replace("i", "l")


def check_display_name_free(display_name: str) -> None:
    """:raises DomainError: the name reads the same as a staff member's display name."""
    skeleton = name_skeleton(display_name)
    staff_names = db.session.scalars(
        select(User.display_name).where(User.role.in_(_RESERVED_NAME_ROLES))
    )
    if skeleton and any(name_skeleton(name) == skeleton for name in staff_names):
        raise DomainError(
            "This name is reserved for a member of the support team; choose another.",
            field="display_name",
        )


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def check_new_account(email: str, display_name: str, password: str) -> tuple[str, str]:
    """:returns: the normalised address and display name.
    :raises DomainError: a field is not acceptable (never because the address is taken)."""
    email = check_email(email)
    display_name = display_name.strip()
    if not display_name:
        raise DomainError("Enter a display name.", field="display_name")
    check_display_name_free(display_name)
    check_password_rules(password)
    return email, display_name


def create_user(
    email: str, display_name: str, password: str, now: datetime, *, role: str = "member"
) -> User:
    """Create an account at once (the CLI, and staff tools; people confirm by e-mail first).

    :raises DomainError: the e-mail is taken, the password too short, or the role unknown.
    """
    if role not in ROLES:
        raise DomainError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.", "role")
    email, display_name = check_new_account(email, display_name, password)
    if find_user_by_email(email) is not None:
        raise DomainError("An account with this e-mail address already exists.", field="email")
    return add_user(email, display_name, hash_password(password), now, role)


def add_user(email: str, display_name: str, password_hash: str, now: datetime, role: str) -> User:
    user = User(
        email=email,
        display_name=display_name,
        password_hash=password_hash,
        role=role,
        created_at=now,
        is_suspended=False,
    )
    db.session.add(user)
    db.session.flush()
    return user


#: The password hash of a contact: not a hash any password can match.
CONTACT_PASSWORD_HASH = "!contact"  # noqa: S105  (a marker, not a secret)


def add_contact(email: str, display_name: str, now: datetime) -> User:
    """A requester who wrote through a channel without an account (see ``User.is_contact``).

    :param email: their address, or a reserved ``.invalid`` one for a platform handle (no
        mail is ever sent there: :func:`app.mail.deliverable`).
    """
    user = add_user(email.lower(), display_name[:80] or email, CONTACT_PASSWORD_HASH, now, "member")
    user.is_contact = True
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User:
    """Return the user for these credentials.

    :raises DomainError: wrong e-mail or password (one message for both), or suspended.
    """
    user = find_user_by_email(email)
    if user is None or user.is_contact:
        # A contact has no password; it answers like an unknown address.
        check_password_hash(_DUMMY_HASH, password)
        raise DomainError("The e-mail address or password is not right.")
    if not check_password_hash(user.password_hash, password):
        raise DomainError("The e-mail address or password is not right.")
    if user.is_suspended:
        raise DomainError("This account is suspended. Contact support@growgrebuddy.com.")
    return user


def start_login_session(user: User, now: datetime, user_agent: str = "") -> str:
    """Record a new signed-in session and return its token (kept in the session cookie)."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            user_agent=user_agent[:200],
        )
    )
    user.last_login_at = now
    user.login_token = token
    db.session.flush()
    return token


def user_for_login_token(token: str) -> User | None:
    """The signed-in user for a session token, or None when the session was ended."""
    # Every signed-in request runs this: one statement, and only the user is loaded.
    user = db.session.scalar(
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token_hash == token_hash(token))
    )
    if user is None or user.is_suspended:
        return None
    user.login_token = token
    # Kept past a commit in the view (which expires the row), so after-request hooks can tell
    # who asked without loading the user again.
    user.request_identity = (user.id, user.role)
    return user


def end_login_session(token: str | None) -> None:
    if token:
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == token_hash(token)))


def end_all_sessions(user: User, now: datetime) -> None:
    """Sign the user out everywhere: every login session, and what other features register in
    ``app.extensions["sign_out_everywhere"]`` as ``hook(user, now)`` (the API revokes the
    user's tokens there). A password change or reset, or a suspension, calls this."""
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    for hook in current_app.extensions.get("sign_out_everywhere", []):
        hook(user, now)


def change_password(
    user: User, current_password: str, new_password: str, now: datetime, user_agent: str = ""
) -> str:
    """Change the password, end every other session, and return a fresh session token.

    :raises DomainError: the current password is wrong or the new one too short.
    """
    if not check_password_hash(user.password_hash, current_password):
        raise DomainError("Your current password is not right.", field="current_password")
    try:
        check_password_rules(new_password)
    except DomainError as error:
        raise DomainError(error.message, field="new_password") from None
    set_password(user, new_password, now)
    return start_login_session(user, now, user_agent)


def request_password_reset(email: str, now: datetime, reset_url_for) -> None:
    """E-mail a single-use reset link if the address has an account, and a note that no
    account uses it otherwise: the same answer and work either way (nothing for a
    suspended account, whose owner contacts support).

    :param reset_url_for: turns a token into the absolute URL of the reset page.
    """
    user = find_user_by_email(email)
    if user is None:
        body = (
            "Hello,\n\n"
            "Someone (hopefully you) asked to reset the password of a GrowgrEbuddy Help Center "
            "account for this address, but no account uses it. Perhaps you registered with "
            "another address. If it wasn't you, ignore this message.\n\n"
            "GrowgrEbuddy Support\n"
        )
        subject = "Reset your GrowgrEbuddy Help Center password"
        record_mail(OutgoingMail(normalise_email(email), subject, body), now)
        db.session.flush()
        return
    if user.is_suspended:
        body = (
            f"Hello {user.display_name},\n\n"
            "Someone (hopefully you) asked to reset the password of your GrowgrEbuddy Help "
            "Center account, which is suspended: its password can't be reset. Contact "
            "support@growgrebuddy.com if you think this is a mistake.\n\nGrowgrEbuddy Support\n"
        )
        subject = "Reset your GrowgrEbuddy Help Center password"
        record_mail(OutgoingMail(user.email, subject, body), now)
        db.session.flush()
        return
    token = secrets.token_urlsafe(32)
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    db.session.add(
        PasswordResetToken(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    body = (
        f"Hello {user.display_name},\n\n"
        "Someone (hopefully you) asked to reset the password of your GrowgrEbuddy Help Center "
        "account. Open this link to choose a new password:\n\n"
        f"{reset_url_for(token)}\n\n"
        f"The link works once and expires in {hours} hour{'s' if hours != 1 else ''}. "
        "If you did not ask for it, ignore this message: your password stays the same.\n\n"
        "GrowgrEbuddy Support\n"
    )
    record_mail(OutgoingMail(user.email, "Reset your GrowgrEbuddy Help Center password", body), now)
    db.session.flush()


def _valid_reset_token(token: str, now: datetime) -> PasswordResetToken:
    reset = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash(token))
    )
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        raise DomainError("This reset link is invalid, used or expired. Ask for a new one.")
    return reset


def check_reset_token(token: str, now: datetime) -> None:
    """:raises DomainError: the link is unknown, already used or expired."""
    _valid_reset_token(token, now)


def reset_password(token: str, new_password: str, now: datetime) -> User:
    """Set a new password from a reset link; the link is spent and every session ended.

    :raises DomainError: bad link or too short a password.
    """
    reset = _valid_reset_token(token, now)
    check_password_rules(new_password)
    user = db.session.get(User, reset.user_id)
    set_password(user, new_password, now)
    # The link reached the mailbox: a contact who sets a password owns the account now.
    user.is_contact = False
    return user


def set_password(user: User, new_password: str, now: datetime) -> None:
    """The one way a password changes (change, reset, staff): the new hash, every session
    ended, and every reset link still out there spent, so an older link mailed before this
    change can never set the password again."""
    user.password_hash = hash_password(new_password)
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    end_all_sessions(user, now)
    db.session.flush()


def set_role(user: User, role: str) -> None:
    """:raises DomainError: unknown role."""
    if role not in ROLES:
        raise DomainError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.", "role")
    user.role = role
    db.session.flush()


def count_admins() -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.role == "admin"))
