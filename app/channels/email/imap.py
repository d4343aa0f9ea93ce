"""``flask mail fetch``: read new mail from the support mailbox over IMAP.

A message is marked (``\\Seen`` and the keyword ``$HelpcenterImported``) only after its import
committed, so a crash or a database outage leaves it for the next run. Several hosts may fetch
the same mailbox at once: the import's unique key on the Message-ID lets one of them create the
ticket, and marking twice is harmless. ``--idle`` waits with IMAP IDLE (RFC 2177) for the
server to announce new mail instead of polling.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import select
import ssl
import time
from collections.abc import Callable

from flask import current_app

from app.channels.email.batch import batches, import_batch
from app.models import utcnow

log = logging.getLogger(__name__)
#: The keyword a message gets once imported (searched for with UNKEYWORD).
IMPORTED = "$HelpcenterImported"
#: RFC 2177: re-issue IDLE before 29 minutes, or servers drop the connection.
IDLE_SECONDS = 25 * 60
#: UIDs whose sizes one ``UID FETCH`` asks for (a short answer line each).
_SIZES_PER_FETCH = 1000


class MailboxUnavailable(Exception):
    """The IMAP server cannot be reached or refuses us (a configuration or network problem)."""


def connect() -> imaplib.IMAP4:
    config = current_app.config
    host, port, security = (
        config["EMAIL_IMAP_HOST"], config["EMAIL_IMAP_PORT"], config["EMAIL_IMAP_SECURITY"],
    )  # fmt: skip
    if not host:
        raise MailboxUnavailable("EMAIL_IMAP_HOST is not set.")
    timeout = config["EMAIL_IMAP_TIMEOUT"]
    try:
        if security == "tls":
            client = imaplib.IMAP4_SSL(
                host, port, ssl_context=ssl.create_default_context(), timeout=timeout
            )
        else:
            client = imaplib.IMAP4(host, port, timeout=timeout)
            if security == "starttls":
                client.starttls(ssl.create_default_context())
        client.login(config["EMAIL_IMAP_USERNAME"], config["EMAIL_IMAP_PASSWORD"])
        status, _ = client.select(_quoted(config["EMAIL_IMAP_FOLDER"]))
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxUnavailable(f"{host}:{port}: {error}") from error
    if status != "OK":
        raise MailboxUnavailable(f"cannot open folder {config['EMAIL_IMAP_FOLDER']!r}")
    return client


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def pending_uids(client: imaplib.IMAP4) -> list[bytes]:
    status, data = client.uid("SEARCH", None, "UNDELETED", "UNKEYWORD", IMPORTED)
    if status != "OK":
        raise MailboxUnavailable(f"SEARCH failed: {data!r}")
    return data[0].split() if data and data[0] else []


def fetch_once(client: imaplib.IMAP4, clock: Callable = utcnow) -> tuple[int, int]:
    """Import every message not yet imported, a batch (one ``UID FETCH``, one transaction) at
    a time, and flag each batch once it committed.

    :returns: how many were handled, and how many were left for later (transient failures).
    """
    handled = left = 0
    for uids in batches(_sizes(client, pending_uids(client))):
        status, data = client.uid("FETCH", b",".join(uids), "(UID BODY.PEEK[])")
        if status != "OK":
            raise MailboxUnavailable(f"FETCH failed: {data!r}")
        messages = [(_uid_of(item[0]), item[1]) for item in data if isinstance(item, tuple)]
        done, later = import_batch(messages, "imap", clock)
        if done:
            client.uid("STORE", b",".join(done), "+FLAGS.SILENT", f"(\\Seen {IMPORTED})")
        handled, left = handled + len(done), left + len(later)
    return handled, left


def _sizes(client: imaplib.IMAP4, uids: list[bytes]) -> list[tuple[bytes, int]]:
    """Each message's size (``RFC822.SIZE``), so a batch never holds more than
    :data:`~app.channels.email.batch.BATCH_BYTES` in memory."""
    sizes = []
    for start in range(0, len(uids), _SIZES_PER_FETCH):
        chunk = uids[start : start + _SIZES_PER_FETCH]
        status, data = client.uid("FETCH", b",".join(chunk), "(RFC822.SIZE)")
        if status != "OK":
            raise MailboxUnavailable(f"FETCH failed: {data!r}")
        for item in data:
            line = item[0] if isinstance(item, tuple) else item
            words = (line or b"").replace(b"(", b" ").replace(b")", b" ").split()
            if b"UID" in words and b"RFC822.SIZE" in words:
                size = words[words.index(b"RFC822.SIZE") + 1]
                sizes.append((words[words.index(b"UID") + 1], int(size)))
    return sizes


def _uid_of(envelope: bytes) -> bytes:
    words = envelope.replace(b"(", b" ").split()
    return words[words.index(b"UID") + 1] if b"UID" in words else b""


def wait_for_mail(client: imaplib.IMAP4, seconds: float) -> bool:
    """IMAP IDLE until the server reports a change or ``seconds`` pass; ``True`` on news."""
    tag = client._new_tag()  # imaplib has no IDLE before Python 3.14: spoken by hand
    client.send(tag + b" IDLE\r\n")
    answer = client.readline()
    if not answer.startswith(b"+"):
        raise MailboxUnavailable(f"IDLE refused: {answer!r}")
    sock = client.sock
    pending = getattr(sock, "pending", lambda: 0)()
    news = bool(pending) or bool(select.select([sock], [], [], seconds)[0])
    if news:
        client.readline()  # "* n EXISTS" (or another untagged change)
    client.send(b"DONE\r\n")
    while True:
        line = client.readline()
        if not line or line.startswith(tag):
            break
    return news


def run(every: float | None, idle: bool, echo: Callable[[str], None]) -> None:
    """Fetch once, or keep fetching (polling every N seconds, or on IDLE's news)."""
    while True:
        client = connect()
        try:
            while True:
                handled, left = fetch_once(client)
                if handled or left or (every is None and not idle):
                    echo(f"imported {handled} message(s), {left} left for later")
                if every is None and not idle:
                    return
                if idle:
                    wait_for_mail(client, min(every or IDLE_SECONDS, IDLE_SECONDS))
                else:
                    time.sleep(every)
        except (MailboxUnavailable, OSError, imaplib.IMAP4.abort) as error:
            if every is None and not idle:
                raise
            echo(f"mailbox problem, reconnecting: {error}")
            time.sleep(min(every or 5, 30))
        finally:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                client.logout()
