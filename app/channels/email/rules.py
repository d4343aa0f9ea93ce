"""Pure rules of the e-mail channel: the signed reply address and Message-IDs, the ticket
reference in a subject, which messages must never be answered automatically, and what the
receiving server says about the sender. No Flask, no database, no clock."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping

#: ``support+<ticket id>.<signature>@domain``: the signature makes the address unguessable
#: from the ticket number (nobody can write into a ticket by counting).
_TOKEN = re.compile(r"^[^@+]+\+(\d{1,12})\.([a-z2-7]{16})@", re.IGNORECASE)
#: ``<ticket.<id>.<kind>.<nonce>.<signature>@domain>``: a Message-ID we sent for a ticket.
_OUR_ID = re.compile(r"ticket\.(\d{1,12})\.([a-z_]{1,20})\.([a-z0-9]{1,32})\.([a-z2-7]{16})@", re.I)
_SUBJECT_REF = re.compile(r"\[#(\d{1,12})\]")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
#: Senders that are machines reporting on mail, never people (RFC 3834 section 2, RFC 5321).
DAEMON_LOCAL_PARTS = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon")
BULK_PRECEDENCE = ("bulk", "junk", "list")
#: The subjects out-of-office answers get from clients that set none of the headers (Outlook's
#: "Automatic reply:", older Exchange's "Out of Office:", German, French, Spanish); the colon
#: keeps a person's "Out of office mode is broken" a person's message.
_AUTOMATIC_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto-?reply|out of (the )?office( reply)?|abwesenheitsnotiz|"
    r"automatische antwort|r\u00e9ponse automatique|respuesta autom\u00e1tica)\s*:",
    re.IGNORECASE,
)


def _signature(secret: str, text: str) -> str:
    digest = hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()[:10]
    return base64.b32encode(digest).decode().lower()


def reply_address(support_address: str, ticket_id: int, secret: str) -> str:
    """The ticket's own reply address (``support+1234.k3ab...@growgrebuddy.com``)."""
    local, _, domain = support_address.partition("@")
    return f"{local}+{ticket_id}.{_signature(secret, f'reply:{ticket_id}')}@{domain}"


def ticket_from_address(address: str, secret: str) -> int | None:
    """The ticket a reply address names, if its signature is right."""
    match = _TOKEN.match(address.strip())
    if match is None:
        return None
    ticket_id, signature = int(match[1]), match[2].lower()
    expected = _signature(secret, f"reply:{ticket_id}")
    return ticket_id if hmac.compare_digest(signature, expected) else None


def our_message_id(ticket_id: int, kind: str, nonce: str, domain: str, secret: str) -> str:
    signature = _signature(secret, f"msgid:{ticket_id}:{kind}:{nonce}")
    return f"<ticket.{ticket_id}.{kind}.{nonce}.{signature}@{domain}>"


def ticket_from_message_ids(ids: Iterable[str], secret: str) -> int | None:
    """The ticket of the newest Message-ID we sent among ``ids`` (``References`` lists the
    oldest first, so the last one we signed wins)."""
    found = None
    for message_id in ids:
        match = _OUR_ID.search(message_id)
        if match is None:
            continue
        ticket_id, kind, nonce, signature = int(match[1]), match[2], match[3], match[4].lower()
        expected = _signature(secret, f"msgid:{ticket_id}:{kind}:{nonce}")
        if hmac.compare_digest(signature, expected):
            found = ticket_id
    return found


def message_ids(value: str) -> list[str]:
    """The ``<...>`` ids of an ``In-Reply-To`` or ``References`` header, in order."""
    return _MESSAGE_ID.findall(value or "")


def ticket_from_subject(subject: str) -> int | None:
    """The ``[#1234]`` reference in a subject (trusted only for the ticket's requester)."""
    match = _SUBJECT_REF.search(subject or "")
    return int(match[1]) if match else None


def automatic_reason(
    headers: Mapping[str, str], sender: str, own_addresses: Iterable[str], subject: str = ""
) -> str:
    """Why a message must get no automatic answer (empty: a person wrote it).

    RFC 3834: ``Auto-Submitted`` other than ``no``; the de-facto ``Precedence`` and
    ``X-Autoreply`` headers; an out-of-office subject; mail daemons; and mail from our own
    address (a loop).
    """
    auto = headers.get("auto-submitted", "").strip().lower()
    if auto and auto.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {auto}"
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("x-autoreply", "x-autorespond"):
        if name in headers:
            return f"{name} header"
    if _AUTOMATIC_SUBJECT.match(subject):
        return "an out-of-office subject"
    local = sender.partition("@")[0].lower()
    if is_daemon(sender):
        return f"sent by {local}"
    if sender.lower() in {address.lower() for address in own_addresses}:
        return "sent from our own address"
    return ""


def is_daemon(sender: str) -> bool:
    return bool(sender) and sender.partition("@")[0].lower() in DAEMON_LOCAL_PARTS


def authentication_verdict(results: Iterable[str], trusted_host: str | None) -> bool:
    """Whether the receiving server vouches for the From address.

    Only ``Authentication-Results`` headers whose authserv-id is ``trusted_host`` count (anyone
    can write the header; our MTA adds its own on top). The sender is unverified when DMARC
    fails, or SPF fails with no DMARC verdict; with no trusted host configured, or no header
    from it, the address is taken as given (the MTA's own policy applies).
    """
    if not trusted_host:
        return True
    for header in results:
        serv_id, _, rest = header.partition(";")
        words = serv_id.split()
        if not words or words[0].lower() != trusted_host.strip().lower():
            continue
        verdicts = dict(re.findall(r"\b(dmarc|spf|dkim)\s*=\s*([a-z]+)", rest.lower()))
        if verdicts.get("dmarc") == "fail":
            return False
        return "dmarc" in verdicts or verdicts.get("spf") not in ("fail", "softfail")
    return True
