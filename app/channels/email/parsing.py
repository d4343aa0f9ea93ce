"""Reading a received message, whatever shape it arrives in: any charset (or a wrong one),
RFC 2047 encoded words, malformed headers, missing Date or Message-ID, nested multiparts,
delivery status notifications. Nothing here raises for bad input: what cannot be read
becomes empty text or a note for the agent, and the original is kept as an ``.eml``.

Pure: no Flask, no database (the HTML goes through the one sanitiser, :func:`app.markup.clean`).
"""

from __future__ import annotations

import contextlib
import email
import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parseaddr

from mailparser_reply import EmailReplyParser

from app.channels.email.rules import message_ids
from app.markup import clean, plain_text

#: Languages whose "On ... wrote:" lines and signatures the quote stripper knows.
REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pl", "sv"]
_BLOCK = re.compile(r"<(?:/p|br\s*/?|/div|/li|/h[1-6]|/tr|/blockquote|/pre)>", re.IGNORECASE)
_LINK = re.compile(r'<a\b[^>]*href="([^"]+)"[^>]*>(.*?)</a>', re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class DeliveryFailure:
    """One recipient of a delivery status notification (RFC 3464)."""

    recipient: str
    action: str
    status: str
    diagnostic: str = ""


@dataclass
class ParsedMail:
    #: The ``Message-ID``, or ``sha256:<digest of the bytes>`` when it has none (so a second
    #: delivery of the same bytes is still recognised).
    message_id: str
    sender: str
    display_name: str
    subject: str
    #: Everything the recipients may have been addressed as (To, Cc, Delivered-To ...).
    recipients: list[str]
    in_reply_to: list[str]
    references: list[str]
    #: Lower-cased header name to its first value (for the loop rules).
    headers: dict[str, str]
    authentication_results: list[str]
    #: The whole text (plain part, or the sanitised HTML as text).
    text: str
    html: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    #: Parts that could not be read, for the agent.
    notes: list[str] = field(default_factory=list)
    #: Set for a delivery status notification (a bounce).
    failures: list[DeliveryFailure] | None = None
    #: The Message-IDs of the message that bounced (its Message-ID, In-Reply-To, References).
    bounced_ids: list[str] = field(default_factory=list)


def decoded_header(raw: object) -> str:
    """Header text with encoded words decoded; never raises (bad bytes are replaced)."""
    if raw is None:
        return ""
    text = str(raw) if not isinstance(raw, str) else raw
    with contextlib.suppress(LookupError, ValueError, UnicodeError, AssertionError, IndexError):
        text = str(make_header(decode_header(text)))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # raw 8-bit bytes in a header (kept as surrogate escapes)
        text = decode_text(text.encode("utf-8", "surrogateescape"), None)
    return " ".join(storable_text(text).split())


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
        if value is None:  # RFC 5322 4.5: obsolete "Subject  :" (space before the colon)
            wanted = name.lower()
            value = next((v for k, v in message.items() if k.strip().lower() == wanted), None)
        return decoded_header(value)
    except Exception:  # a header object that cannot even be read is "absent"
        return ""


def _addresses(message: Message, *names: str) -> list[str]:
    values = []
    for name in names:
        try:
            values.extend(decoded_header(value) for value in message.get_all(name) or [])
        except Exception:  # noqa: S112 - an unreadable address header counts as absent
            continue
    return [address.lower() for _, address in getaddresses(values) if "@" in address]


_WINDOWS_SUPERSETS = {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "iso_8859-1"}


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_text(data: bytes, charset: str | None) -> str:
    """Bytes of a text part in its declared charset, else UTF-8, else Latin-1 (which reads any
    byte): 8-bit garbage becomes odd characters, never an error."""
    if (charset or "").lower() in _WINDOWS_SUPERSETS:
        # As browsers do (WHATWG Encoding): mail labelled Latin-1 or ASCII is often Windows-1252.
        charset = "utf-8" if _is_utf8(data) else "cp1252"
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


def storable_text(text: str) -> str:
    """Text any database takes: no NUL, no lone surrogates (both come with 8-bit garbage)."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def html_to_text(html: str) -> str:
    """Sanitised HTML as plain text: paragraphs and line breaks kept, links as ``text (url)``."""
    cleaned = clean(html)
    cleaned = _LINK.sub(lambda m: f"{m[2]} ({m[1]})" if m[1] not in m[2] else m[2], cleaned)
    text = plain_text(_BLOCK.sub(lambda m: m[0] + "\n", cleaned))
    return re.sub(r"\n\s*\n\s*\n+", "\n\n", "\n".join(line.rstrip() for line in text.splitlines()))


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # broken base64/quoted-printable: take it as it is
        data = None
    if data is None:
        raw = part.get_payload()
        data = raw.encode("utf-8", "replace") if isinstance(raw, str) else b""
    return data


def _charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:
        return None


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    return decoded_header(name) if name else ""


_OBSOLETE_NAME = re.compile(rb"^([!-9;-~]+)[ \t]+:", re.MULTILINE)


def _modern_headers(raw: bytes) -> bytes:
    """RFC 5322 4.5's obsolete ``Subject  :`` (spaces before the colon) as ``Subject:``; the
    parser would otherwise take the whole header as body."""
    end = raw.find(b"\r\n\r\n")
    end = raw.find(b"\n\n") if end < 0 else end
    head, rest = (raw[:end], raw[end:]) if end >= 0 else (raw, b"")
    return _OBSOLETE_NAME.sub(rb"\1:", head) + rest


_COMMENT = re.compile(r"\([^()]*\)")


def _mailbox(value: str) -> tuple[str, str]:
    """Name and address of a mailbox header; the obsolete syntax of RFC 5322 section 4 (comments
    and spaces inside the address) is read too."""
    name, address = parseaddr(value)
    if "@" not in address:
        inside = re.search(r"<([^<>]*)>", value)
        candidate = "".join(_COMMENT.sub("", inside[1] if inside else value).split())
        if re.fullmatch(r"[^@\s]+@[^@\s]+", candidate):
            address = candidate
            name = _COMMENT.sub("", value.split("<")[0]).strip().strip('"') if inside else ""
    return name, address


def parse(raw: bytes) -> ParsedMail:
    """Read one RFC 5322 message. Never raises for malformed input."""
    message = email.message_from_bytes(_modern_headers(raw), policy=policy.compat32)
    display_name, sender = parseaddr(_header(message, "From"))
    if "@" not in sender:
        display_name, sender = parseaddr(
            _header(message, "Sender") or _header(message, "Return-Path")
        )
    message_id = (message_ids(_header(message, "Message-ID")) or [""])[0]
    if not message_id:
        message_id = "sha256:" + hashlib.sha256(raw).hexdigest()
    headers = {}
    for name, value in message.items():
        headers.setdefault(name.lower(), decoded_header(value))
    parsed = ParsedMail(
        message_id=message_id,
        sender=sender.strip().lower(),
        display_name=display_name.strip()[:120],
        subject=_header(message, "Subject"),
        recipients=_addresses(
            message, "To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To", "Resent-To"
        ),
        in_reply_to=message_ids(_header(message, "In-Reply-To")),
        references=message_ids(_header(message, "References")),
        headers=headers,
        authentication_results=[
            decoded_header(value) for value in message.get_all("Authentication-Results") or []
        ],
        text="",
    )
    plain, html = [], []
    _walk(message, parsed, plain, html, depth=0)
    parsed.html = "\n".join(html)[:1_000_000]
    text = "\n\n".join(plain) if plain else "\n\n".join(html_to_text(h) for h in html)
    parsed.text = storable_text(text)
    parsed.subject = storable_text(parsed.subject)
    parsed.display_name = storable_text(parsed.display_name)
    return parsed


def _walk(part: Message, parsed: ParsedMail, plain: list, html: list, depth: int) -> None:
    content_type = part.get_content_type()
    if depth > 20:  # a message nested deeper than any client writes: keep it as a note
        parsed.notes.append("A part nested too deeply was left out.")
        return
    if content_type == "multipart/report" and "delivery-status" in (
        part.get_param("report-type") or ""
    ):
        _read_report(part, parsed)
    if part.is_multipart():
        children = part.get_payload()
        if content_type == "multipart/alternative":
            # The plain alternative when there is one, else the last (richest) one.
            plain_children = [c for c in children if c.get_content_type() == "text/plain"]
            for child in plain_children[:1] or children[-1:]:
                _walk(child, parsed, plain, html, depth + 1)
            return
        for child in children:
            _walk(child, parsed, plain, html, depth + 1)
        return
    if content_type == "message/delivery-status":
        return
    filename = _filename(part)
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    if content_type in ("text/plain", "text/html") and not filename and disposition != "attachment":
        text = decode_text(_payload(part), _charset(part))
        if content_type == "text/plain":
            plain.append(text)
        else:
            html.append(text)
        return
    data = _payload(part)
    if content_type == "message/rfc822" and isinstance(part.get_payload(), list):
        data = part.get_payload()[0].as_bytes() if part.get_payload() else b""
    if content_type == "application/ms-tnef" or filename.lower() == "winmail.dat":
        parsed.notes.append(
            f"{filename or 'winmail.dat'} (Outlook's TNEF format) cannot be opened here; "
            "it is in the original message."
        )
        return
    parsed.attachments.append(
        Attachment(filename or _default_name(content_type), content_type, data)
    )


def _default_name(content_type: str) -> str:
    extension = {"text/plain": "txt", "image/png": "png", "image/jpeg": "jpg",
                 "image/gif": "gif", "application/pdf": "pdf", "message/rfc822": "eml"}  # fmt: skip
    return "attachment." + extension.get(content_type, "bin")


def _read_report(part: Message, parsed: ParsedMail) -> None:
    failures = []
    for child in part.get_payload():
        kind = child.get_content_type()
        if kind == "message/delivery-status":
            blocks = child.get_payload()
            blocks = blocks if isinstance(blocks, list) else []
            for block in blocks[1:] if len(blocks) > 1 else blocks:
                recipient = decoded_header(
                    block.get("Final-Recipient") or block.get("Original-Recipient")
                )
                action = decoded_header(block.get("Action")).lower()
                if recipient:
                    failures.append(DeliveryFailure(
                        recipient.rpartition(";")[2].strip().strip("<>").lower(), action,
                        decoded_header(block.get("Status")),
                        decoded_header(block.get("Diagnostic-Code"))[:300],
                    ))  # fmt: skip
        elif kind in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            inner = child.get_payload()
            if isinstance(inner, list) and inner:
                original = inner[0]
            else:
                original = email.message_from_bytes(_payload(child), policy=policy.compat32)
            for name in ("Message-ID", "In-Reply-To", "References"):
                parsed.bounced_ids.extend(message_ids(_header(original, name)))
    parsed.failures = failures


def latest_reply(text: str) -> str:
    """The new text of a reply: the quoted history and the signature removed. When the
    stripper finds nothing new (a message that is all quote), the whole text is kept."""
    if not text.strip():
        return ""
    try:
        parsed = EmailReplyParser(languages=REPLY_LANGUAGES).read(text=text)
        reply = parsed.replies[0].body if parsed.replies else ""
    except Exception:  # a library failure must not lose the message
        reply = ""
    return reply.strip() or text.strip()
