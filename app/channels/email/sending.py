"""The e-mail channel's notifier: the tickets' notices (receipt, agent replies, status
changes) go out as mail the requester's client threads, with our signed ``Message-ID``, the
requester's message in ``In-Reply-To`` and ``References``, the ticket's reply address in
``Reply-To``, and ``Auto-Submitted`` on what no person wrote. Agents' replies carry an HTML
alternative (their Markdown, rendered and sanitised when saved) and their attachments.
"""

from __future__ import annotations

import html
import re
import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app.channels.email import rules
from app.channels.email.batch import once_per_batch
from app.channels.email.receiving import CURRENT, QUIET, SENDER
from app.channels.models import InboundMessage
from app.extensions import db
from app.kb.models import Article
from app.kb.visibility import public_articles_filter
from app.mail import OutgoingMail, deliverable, site_link
from app.outbox import record_mail
from app.tickets import attachments as files
from app.tickets.models import TicketAttachment
from app.tickets.notices import RequesterNotice

#: The receipt's Message-ID is the same every time it is built for a ticket, so each later
#: mail can name it in ``References`` (the thread's root in the requester's client).
RECEIPT_NONCE = "0"
_WORD = re.compile(r"[^\W\d_]{4,}")


def notify(notice: RequesterNotice, now: datetime) -> bool:
    """Deliver a notice of an e-mail ticket; always takes it (``True``)."""
    ticket = notice.ticket
    if notice.kind == "receipt" and db.session.info.get(QUIET):
        return True  # an auto-reply, a list or a bulk message: answering it could loop
    config = current_app.config
    secret, support = config["SECRET_KEY"] or "", config["EMAIL_SUPPORT_ADDRESS"]
    domain = support.partition("@")[2]
    current = db.session.info.get(CURRENT, "")
    importing = notice.kind == "receipt" and bool(db.session.info.get(SENDER))
    # The receipt of a ticket the import is opening: no mail reached that ticket before this
    # one, which is still being linked to it; no need to look (two queries per message).
    thread = [] if importing else thread_message_ids(ticket.id)
    if current.startswith("<") and current not in thread:
        thread.append(current)
    receipt_id = rules.our_message_id(ticket.id, "receipt", RECEIPT_NONCE, domain, secret)
    if notice.kind == "receipt":
        message_id = receipt_id
    else:
        message_id = rules.our_message_id(
            ticket.id, notice.kind, secrets.token_hex(6), domain, secret
        )
    references = list(dict.fromkeys([*thread[:1], receipt_id, *thread[-3:]]))
    references = [ref for ref in references if ref != message_id]
    headers = [("Reply-To", rules.reply_address(support, ticket.id, secret))]
    parent = thread[-1] if thread else (receipt_id if notice.kind != "receipt" else "")
    if parent:
        headers.append(("In-Reply-To", parent))
    if references:
        headers.append(("References", " ".join(references)))
    if notice.kind != "agent_reply":
        # RFC 3834: what a machine sent says so, and asks other machines not to answer.
        headers.append(
            ("Auto-Submitted", "auto-replied" if notice.kind == "receipt" else "auto-generated")
        )
        headers.append(("X-Auto-Response-Suppress", "All"))
    body, markup, attached = notice.body, "", ()
    if notice.kind == "agent_reply" and notice.message is not None:
        body, markup = _agent_reply(notice)
        attached = _attachments(notice.message.id)
    elif notice.kind == "receipt":
        body = notice.body + _suggestions(ticket.subject)
    address = db.session.info[SENDER] if importing else _address(ticket)
    if not deliverable(address):
        return True
    mail = OutgoingMail(address, notice.subject, body, tuple(headers), message_id, markup, attached)
    record_mail(mail, now)
    return True


def thread_message_ids(ticket_id: int) -> list[str]:
    """The Message-IDs the requester's mails into this ticket had, oldest first."""
    return [
        external_id
        for external_id in db.session.scalars(
            select(InboundMessage.external_id)
            .where(
                InboundMessage.channel == "email",
                InboundMessage.ticket_id == ticket_id,
                InboundMessage.outcome.in_(("ticket", "reply", "follow_up")),
            )
            .order_by(InboundMessage.received_at, InboundMessage.id)
        )
        if external_id.startswith("<")
    ]


def _address(ticket) -> str:
    """Where the requester wrote from last (an identity an agent linked may differ from the
    account's address), else the account's address."""
    record = db.session.scalar(
        select(InboundMessage)
        .where(InboundMessage.ticket_id == ticket.id, InboundMessage.identity_id.is_not(None))
        .order_by(InboundMessage.id.desc())
        .limit(1)
    )
    if (
        record is not None
        and record.identity is not None
        and record.identity.user_id == ticket.requester_id
    ):
        return record.identity.address
    return ticket.requester.email


def _agent_reply(notice: RequesterNotice) -> tuple[str, str]:
    message, ticket = notice.message, notice.ticket
    link = site_link("tickets.show", ticket_id=ticket.id)
    footer = f"Reply to this e-mail or follow the request at {link}\n{ticket.ref}"
    text = f"{message.body}\n\n-- \n{footer}\n"
    markup = (
        f"{message.body_html}\n<hr>\n<p>Reply to this e-mail or "
        f'<a href="{html.escape(link)}">follow the request online</a>. '
        f"{html.escape(ticket.ref)}</p>"
    )
    return text, markup


def _attachments(message_id: int) -> tuple[tuple[str, str, str], ...]:
    rows = db.session.scalars(
        select(TicketAttachment).where(TicketAttachment.message_id == message_id)
        .order_by(TicketAttachment.id)
    )  # fmt: skip
    return tuple((a.filename, a.content_type, str(files.path_of(a.stored_name))) for a in rows)


def suggested_articles(subject: str, limit: int) -> list[tuple[str, str]]:
    """``(title, slug)`` of help articles whose titles share a word with the subject (the
    deflection the web form does as one types; features do not use search, so titles are
    matched here), the most shared words first."""
    words = sorted({w.lower() for w in _WORD.findall(subject)}, key=len, reverse=True)[:6]
    if not words or limit <= 0:
        return []
    # Every receipt of a fetched batch reads the same titles: once per batch.
    titles = once_per_batch("article_titles", _article_titles)
    matches = [(title, slug) for title, slug in titles if any(w in title.lower() for w in words)]
    return sorted(matches, key=lambda match: -sum(w in match[0].lower() for w in words))[:limit]


def _article_titles() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Article.title, Article.slug)
        # Public articles only: a receipt goes to anybody who writes to us.
        .where(Article.is_archived.is_(False), public_articles_filter())
        .order_by(Article.title)
    )
    return [(title, slug) for title, slug in rows]


def _suggestions(subject: str) -> str:
    articles = suggested_articles(subject, current_app.config["EMAIL_SUGGESTED_ARTICLES"])
    if not articles:
        return ""
    lines = "\n".join(
        f"- {title}: {site_link('kb.article', slug=slug)}" for title, slug in articles
    )
    return f"\nThese help articles may answer your question already:\n{lines}\n"
