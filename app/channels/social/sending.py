"""Agents' replies back to the platform: the ticket notifier decides and records, the outbox
sends.

When an agent answers a social ticket, :func:`deliver_notice` (registered with
:mod:`app.tickets.notices`) checks what the platform will accept *before anything is saved*
(Meta's 24-hour window for direct messages, the public reply lengths) and refuses the reply
with the reason next to the field; otherwise it records a :class:`SocialDelivery` and a
``social_send`` outbox event in the reply's own transaction. After the commit,
:func:`send_delivery` calls the platform's send API with the account's token; rate limits and
server errors are retried by the outbox with back-off, refusals are shown on the ticket.
"""

from __future__ import annotations

import logging
from datetime import datetime

import requests
from flask import current_app

from app.channels.social import rules, tokens
from app.channels.social.models import SocialConversation, SocialDelivery
from app.channels.social.receiving import conversation_for
from app.errors import DomainError
from app.extensions import db
from app.models import utcnow
from app.outbox import PermanentError, RetryLater, record, seconds_left
from app.tickets.models import Ticket
from app.tickets.notices import RequesterNotice
from app.tickets.services import log_channel_event

log = logging.getLogger(__name__)


def deliver_notice(notice: RequesterNotice, now: datetime) -> bool:
    """The social channel's notifier: agents' public replies go to the platform; receipts and
    status notices are not posted there (``False``: the requester's e-mail, if they have one).

    :raises DomainError: the platform would refuse the reply (field ``body``).
    """
    if notice.kind != "agent_reply" or notice.message is None:
        return False
    conversation = conversation_for(notice.ticket.id)
    if conversation is None:
        return False
    delivery = prepare_delivery(conversation, notice.message.body, notice.message.id, now)
    record("social_send", {"delivery_id": delivery.id}, now)
    return True


def check_reply(ticket: Ticket, body: str, now: datetime) -> None:
    """The social channel's reply check: refuse before saving what the platform would not
    take (registered with :func:`app.tickets.notices.register_reply_check`).

    :raises DomainError: with the reason, on field ``body``.
    """
    conversation = conversation_for(ticket.id)
    if conversation is not None:
        outgoing_text(conversation, body, now)


def outgoing_text(conversation: SocialConversation, body: str, now: datetime) -> str:
    """What will be sent for ``body``: the reply, plus the invitation on the first public one.

    :raises DomainError: the account is disconnected, Meta's window closed, or too long.
    """
    account = conversation.account
    platform = account.platform
    if account.disconnected_at is not None:
        raise DomainError(
            f"The {rules.PLATFORMS[platform]} account {account.name} is disconnected, so the "
            "reply cannot be sent. Reconnect it or answer another way.",
            "body",
        )
    problem = rules.window_problem(
        platform, conversation.kind, conversation.last_inbound_at, now,
        current_app.config["SOCIAL_META_WINDOW_HOURS"],
    )  # fmt: skip
    text = rules.compose(body, _invite(conversation))
    problem = problem or rules.length_problem(platform, conversation.public, text)
    if problem:
        raise DomainError(problem, "body")
    return text


def _invite(conversation: SocialConversation) -> str | None:
    if conversation.public and conversation.invited_private_at is None:
        return current_app.config["SOCIAL_PRIVATE_INVITE"]
    return None


def prepare_delivery(
    conversation: SocialConversation, body: str, message_id: int, now: datetime
) -> SocialDelivery:
    text = outgoing_text(conversation, body, now)
    public = conversation.public
    delivery = SocialDelivery(
        ticket_id=conversation.ticket_id, message_id=message_id,
        account_id=conversation.account_id, action="reply" if public else "dm",
        target_id=conversation.reply_to_id if public else conversation.participant_id,
        text=text, created_at=now, status="pending", attempts=0,
    )  # fmt: skip
    db.session.add(delivery)
    if _invite(conversation):
        conversation.invited_private_at = now
    db.session.flush()
    return delivery


def base_url(platform: str) -> str:
    key = "SOCIAL_X_API_URL" if platform == "x" else "SOCIAL_META_GRAPH_URL"
    return current_app.config[key].rstrip("/")


def send_delivery(payload: dict) -> None:
    """Outbox handler of ``social_send``: one call to the platform's send API.

    :raises PermanentError: the platform refused (the delivery is marked failed, the ticket
        says so); any other exception is retried by the outbox with back-off.
    """
    delivery = db.session.get(SocialDelivery, payload.get("delivery_id"))
    if delivery is None:
        raise PermanentError("the delivery no longer exists")
    if delivery.status != "pending":
        return  # sent before (a retried event after a lost commit): never post twice
    now = utcnow()
    account = delivery.account
    try:
        if account.disconnected_at is not None:
            raise ValueError("the account was disconnected")
        token = tokens.decrypt(account.token_ciphertext)
    except (ValueError, DomainError) as exc:
        _refused(delivery, str(exc), now)
        raise PermanentError(str(exc)) from exc
    path, body = rules.send_request(
        account.platform, delivery.action, account.external_id, delivery.target_id, delivery.text
    )
    delivery.attempts += 1
    try:
        answer = requests.post(
            base_url(account.platform) + path, json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=seconds_left(current_app.config["SOCIAL_SEND_TIMEOUT"]),
            allow_redirects=False,
        )  # fmt: skip
        outcome = rules.classify(account.platform, answer.status_code, _json(answer))
        if outcome.result == "retry" and answer.status_code == 429:
            wait = rules.retry_after(answer.headers, now)
            outcome = rules.SendOutcome("retry", outcome.detail, retry_after=wait)
    except requests.RequestException as exc:
        outcome = rules.SendOutcome("retry", f"{type(exc).__name__}: {exc}"[:300])
    if outcome.result == "sent":
        delivery.status = "sent"
        delivery.platform_message_id = outcome.platform_message_id[:120]
        delivery.sent_at = now
        delivery.error = None
        account.last_sent_at = now
        return
    account.last_error, account.last_error_at = outcome.detail, now
    if outcome.result == "retry" and delivery.attempts < current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        delivery.error = outcome.detail
        if outcome.retry_after is not None:
            # The platform said when: the outbox waits at least that long (its back-off if longer).
            raise RetryLater(outcome.detail, outcome.retry_after)
        # Any exception but PermanentError: the outbox keeps the event and backs off.
        raise RuntimeError(outcome.detail)
    _refused(delivery, outcome.detail, now)
    raise PermanentError(outcome.detail)


def _refused(delivery: SocialDelivery, detail: str, now: datetime) -> None:
    delivery.status, delivery.error = "failed", detail
    delivery.account.last_error, delivery.account.last_error_at = detail, now
    ticket = db.session.get(Ticket, delivery.ticket_id)
    log_channel_event(ticket, "social_not_sent", now, detail[:300])


def _json(answer: requests.Response) -> object:
    try:
        return answer.json()
    except ValueError:
        return None
