"""The mailer interface: SMTP in production, a folder of ``.eml`` files in development.

Features never send mail directly: they record a ``mail`` event in the outbox, and the outbox
hands it to the configured mailer after the request's commit.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urlsplit

from flask import current_app

#: Line breaks (CR, LF and Unicode's), NUL and the other control characters: none may reach a
#: header, where a line break ends the header (or starts a forged one).
_HEADER_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def header_value(value: str) -> str:
    """One header line from any text (a ticket subject, a display name): every run of line
    breaks and control characters becomes one space. The one place header values are made
    safe, so no feature's text can make a message unbuildable (and retried for ever)."""
    return _HEADER_BREAKS.sub(" ", str(value)).strip()


def deliverable(address: str) -> bool:
    """Whether mail to ``address`` can reach anyone. Contacts known only by a platform handle
    get an address in the reserved ``.invalid`` domain (RFC 2606), which never receives mail."""
    domain = address.rpartition("@")[2].lower().rstrip(".")
    return bool(domain) and domain != "invalid" and not domain.endswith(".invalid")


def new_message_id(domain: str) -> str:
    """A ``Message-ID``, fixed when the mail is recorded: every retry sends the same one."""
    return make_msgid(domain=domain)


@dataclass(frozen=True)
class OutgoingMail:
    """One message to one recipient, as recorded in the outbox."""

    to: str
    subject: str
    body: str
    headers: tuple[tuple[str, str], ...] = ()
    #: Empty: a new one per message built (the outbox always fixes one when it records).
    message_id: str = ""
    #: An HTML alternative of ``body`` (already sanitised HTML), or empty for plain text only.
    html: str = ""
    #: Files to attach as ``(filename, content type, path on disk)``: read when the message is
    #: built, so the outbox keeps only the path.
    attachments: tuple[tuple[str, str, str], ...] = ()

    def to_message(self, sender: str, sent_at) -> EmailMessage:
        message = EmailMessage()
        message["From"] = header_value(sender)
        message["To"] = header_value(self.to)
        message["Subject"] = header_value(self.subject)
        message["Date"] = format_datetime(sent_at)
        message["Message-ID"] = header_value(self.message_id) or new_message_id("growgrebuddy.help")
        for name, value in self.headers:
            message[header_value(name)] = header_value(value)
        message.set_content(self.body)
        if self.html:
            message.add_alternative(self.html, subtype="html")
        for filename, content_type, path in self.attachments:
            maintype, _, subtype = content_type.partition("/")
            message.add_attachment(
                Path(path).read_bytes(),
                maintype=maintype or "application",
                subtype=subtype or "octet-stream",
                filename=header_value(filename),
            )
        return message


def site_link(endpoint: str, **values) -> str:
    """The absolute URL of a page for an e-mail, on the configured ``SITE_URL``.

    Never built from the request's Host header (a reset asked for with ``Host: evil.example``
    must not mail a link to evil.example), and works with no request at all (drain, timer,
    CLI). ``_anchor`` adds a fragment, as with ``url_for``.
    """
    anchor = values.pop("_anchor", None)
    site = urlsplit(current_app.config["SITE_URL"])
    adapter = current_app.url_map.bind(
        site.netloc, script_name=site.path or "/", url_scheme=site.scheme
    )
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{quote(anchor)}" if anchor else url


def site_path_link(path: str) -> str:
    """``SITE_URL`` followed by a site path (``/wiki/watering``)."""
    return current_app.config["SITE_URL"] + path


class Mailer(Protocol):
    def send(self, message: EmailMessage, timeout: float | None = None) -> None:
        """Deliver one message or raise; ``timeout`` caps each network wait (seconds)."""


class SMTPMailer:
    """Delivers through an SMTP server, with STARTTLS or implicit TLS when configured."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        use_tls: bool = False,
        use_ssl: bool = False,
        username: str = "",
        password: str = "",
        timeout: float = 15.0,
    ) -> None:
        self.host, self.port = host, port
        self.use_tls, self.use_ssl = use_tls, use_ssl
        self.username, self.password = username, password
        self.timeout = timeout

    def send(self, message: EmailMessage, timeout: float | None = None) -> None:
        context = ssl.create_default_context()
        timeout = self.timeout if timeout is None else min(timeout, self.timeout)
        if self.use_ssl:
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=timeout)
        with client:
            if self.use_tls and not self.use_ssl:
                client.starttls(context=context)
            if self.username:
                client.login(self.username, self.password)
            client.send_message(message)


class FileMailer:
    """Writes each message as an ``.eml`` file: the development and test stand-in for SMTP."""

    #: A temporary file older than this belongs to a writer that was killed: removed.
    STALE_SECONDS = 600

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def send(self, message: EmailMessage, timeout: float | None = None) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._remove_stale_temporaries()
        content = bytes(message)
        name = f"{uuid.uuid4().hex}.eml"
        temporary = self.directory / (name + ".tmp")
        try:
            with open(temporary, "xb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            # Renamed into place so a reader never sees half a message.
            os.replace(temporary, self.directory / name)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise

    def _remove_stale_temporaries(self) -> None:
        cutoff = time.time() - self.STALE_SECONDS
        for path in self.directory.glob("*.eml.tmp"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except FileNotFoundError:  # another process got there first
                pass

    def messages(self) -> list[EmailMessage]:
        """The messages written so far, oldest first (for tests and the dev inbox)."""
        from email import policy
        from email.parser import BytesParser

        files = sorted(self.directory.glob("*.eml"), key=lambda path: path.stat().st_mtime_ns)
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(path.read_bytes()) for path in files]


def mailer_from_config(config, instance_path: str) -> Mailer:
    """Build the configured mailer.

    :raises RuntimeError: for an unknown ``MAIL_BACKEND``.
    """
    backend = config["MAIL_BACKEND"]
    if backend == "smtp":
        return SMTPMailer(
            config["MAIL_SERVER"],
            config["MAIL_PORT"],
            use_tls=config["MAIL_USE_TLS"],
            use_ssl=config["MAIL_USE_SSL"],
            username=config["MAIL_USERNAME"],
            password=config["MAIL_PASSWORD"],
            timeout=config["MAIL_TIMEOUT"],
        )
    if backend == "file":
        return FileMailer(config["MAIL_FILE_DIR"] or Path(instance_path) / "mail")
    raise RuntimeError(f"MAIL_BACKEND must be 'smtp' or 'file', not {backend!r}")
