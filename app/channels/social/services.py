"""Connected accounts (admins) and identity links (agents) of the social channel."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select

from app.accounts.models import User
from app.accounts.permissions import can
from app.accounts.services import find_user_by_email
from app.channels import inbound
from app.channels.models import ChannelIdentity
from app.channels.social import rules, tokens
from app.channels.social.models import SocialAccount, SocialConversation
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.tickets.models import Ticket
from app.tickets.services import log_channel_event

_EXTERNAL_ID = re.compile(r"[0-9A-Za-z_]{1,64}")
TOKEN_MIN, TOKEN_MAX = 12, 2000


def _require(user: User, permission: str) -> None:
    if not can(user, permission):
        raise PermissionDenied("You may not do this.")


def _check_token(token: str) -> str:
    token = (token or "").strip()
    if not TOKEN_MIN <= len(token) <= TOKEN_MAX or any(c.isspace() for c in token):
        raise DomainError(
            f"Paste the whole token ({TOKEN_MIN} to {TOKEN_MAX} characters, no spaces).", "token"
        )
    return token


def connect_account(
    admin: User, platform: str, external_id: str, name: str, token: str, now: datetime
) -> SocialAccount:
    """Connect an official account (or reconnect a disconnected one with a new token).

    :raises DomainError: a field is wrong, no encryption key, or already connected.
    """
    _require(admin, "tickets.configure")
    if platform not in rules.PLATFORMS:
        raise DomainError("Choose a platform.", "platform")
    external_id = (external_id or "").strip()
    if not _EXTERNAL_ID.fullmatch(external_id):
        raise DomainError(
            "Enter the account's numeric id from the platform (Page id, Instagram account id "
            "or X user id).",
            "external_id",
        )
    name = (name or "").strip()
    if not 1 <= len(name) <= 120:
        raise DomainError("Enter a name agents know the account by (up to 120 characters).", "name")
    token = _check_token(token)
    ciphertext = tokens.encrypt(token)
    account = db.session.scalar(
        select(SocialAccount).where(
            SocialAccount.platform == platform, SocialAccount.external_id == external_id
        )
    )
    if account is not None and account.disconnected_at is None:
        raise DomainError(
            "This account is connected already; replace its token instead.", "external_id"
        )
    if account is None:
        account = SocialAccount(platform=platform, external_id=external_id, connected_at=now)
        db.session.add(account)
    account.name = name
    account.connected_at = now
    account.disconnected_at = None
    _store_token(account, token, ciphertext, now)
    db.session.flush()
    return account


def _store_token(account: SocialAccount, token: str, ciphertext: str, now: datetime) -> None:
    account.token_ciphertext = ciphertext
    account.token_hint = tokens.hint(token)
    account.token_set_at = now
    # A new token is a fresh start: the old token's failure is no longer this account's health.
    account.last_error = None
    account.last_error_at = None


def get_account(admin: User, account_id: int) -> SocialAccount:
    _require(admin, "tickets.configure")
    account = db.session.get(SocialAccount, account_id)
    if account is None:
        raise NotFound("No such account.")
    return account


def rotate_token(admin: User, account_id: int, token: str, now: datetime) -> SocialAccount:
    """Replace an account's token (the platform issued a new one, or the old one leaked)."""
    account = get_account(admin, account_id)
    token = _check_token(token)
    _store_token(account, token, tokens.encrypt(token), now)
    db.session.flush()
    return account


def disconnect_account(admin: User, account_id: int, now: datetime) -> SocialAccount:
    """Stop importing and sending for an account; its token is dropped (the platform's copy
    should be revoked there too). Its tickets stay."""
    account = get_account(admin, account_id)
    account.disconnected_at = now
    account.token_ciphertext = ""
    account.token_hint = ""
    db.session.flush()
    return account


def accounts() -> list[SocialAccount]:
    return list(
        db.session.scalars(
            select(SocialAccount).order_by(
                SocialAccount.disconnected_at.is_not(None),
                SocialAccount.platform,
                SocialAccount.name,
            )
        )
    )


def reencrypt_tokens() -> int:
    """Re-encrypt every stored token under the first configured key (key rotation).

    :raises ValueError: a token was encrypted with a key no longer configured.
    """
    count = 0
    for account in db.session.scalars(
        select(SocialAccount).where(SocialAccount.token_ciphertext != "")
    ):
        account.token_ciphertext = tokens.reencrypt(account.token_ciphertext)
        count += 1
    db.session.flush()
    return count


def conversation_for_agent(agent: User, ticket_id: int) -> SocialConversation:
    _require(agent, "tickets.work")
    conversation = db.session.scalar(
        select(SocialConversation).where(SocialConversation.ticket_id == ticket_id)
    )
    if conversation is None:
        raise NotFound("This ticket did not come from social media.")
    return conversation


def link_identity(agent: User, ticket_id: int, email: str, now: datetime) -> ChannelIdentity:
    """An agent says the social identity behind this ticket is the account with ``email``:
    the person's future messages land in that requester's tickets. Never automatic (two
    people can share a display name), and existing tickets stay where they are.

    :raises DomainError: no account with that address (field ``email``).
    """
    conversation = conversation_for_agent(agent, ticket_id)
    requester = find_user_by_email((email or "").strip().lower())
    if requester is None or requester.is_contact or requester.is_suspended:
        raise DomainError("No active account has this e-mail address.", "email")
    identity = db.session.get(ChannelIdentity, conversation.identity_id)
    inbound.link_identity(identity, requester)
    ticket = db.session.get(Ticket, ticket_id)
    label = identity.handle or identity.display_name or identity.address
    log_channel_event(ticket, "identity_linked", now, f"{label} is {requester.display_name}")
    return identity
