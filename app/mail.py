"""The mailer interface: SMTP in production, a folder of ``.eml`` files in development.

Features never send mail directly: they record a ``mail`` event in the outbox, and the outbox
hands it to the configured mailer after the request's commit.
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urlsplit

from flask import current_app


@dataclass(frozen=True)
class OutgoingMail:
    """One message to one recipient, as recorded in the outbox."""

    to: str
    subject: str
    body: str
    headers: tuple[tuple[str, str], ...] = ()

    def to_message(self, sender: str, sent_at) -> EmailMessage:
        message = EmailMessage()
        message["From"] = sender
        message["To"] = self.to
        message["Subject"] = self.subject
        message["Date"] = format_datetime(sent_at)
        message["Message-ID"] = make_msgid(domain="growgrebuddy.help")
        for name, value in self.headers:
            message[name] = value
        message.set_content(self.body)
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
    def send(self, message: EmailMessage) -> None:
        """Deliver one message or raise."""


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

    def send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        if self.use_ssl:
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            if self.use_tls and not self.use_ssl:
                client.starttls(context=context)
            if self.username:
                client.login(self.username, self.password)
            client.send_message(message)


class FileMailer:
    """Writes each message as an ``.eml`` file: the development and test stand-in for SMTP."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{uuid.uuid4().hex}.eml"
        temporary = self.directory / (name + ".tmp")
        temporary.write_bytes(bytes(message))
        # Renamed into place so a reader never sees half a message.
        temporary.rename(self.directory / name)

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
    backend = config.get("MAIL_BACKEND", "file")
    if backend == "smtp":
        return SMTPMailer(
            config["MAIL_SERVER"],
            int(config["MAIL_PORT"]),
            use_tls=bool(config.get("MAIL_USE_TLS")),
            use_ssl=bool(config.get("MAIL_USE_SSL")),
            username=config.get("MAIL_USERNAME", ""),
            password=config.get("MAIL_PASSWORD", ""),
        )
    if backend == "file":
        return FileMailer(config.get("MAIL_FILE_DIR") or Path(instance_path) / "mail")
    raise RuntimeError(f"MAIL_BACKEND must be 'smtp' or 'file', not {backend!r}")
