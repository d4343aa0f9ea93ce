"""A real Dovecot for the e-mail tests: its own configuration in a throw-away folder, IMAP on
a free loopback port, two mailboxes (the support address's and a requester's) in Maildir, and
a real SMTP hop (aiosmtpd) that delivers what the help center sends into them."""

from __future__ import annotations

import asyncio
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "mailbox-test-password"
#: Mail files belong to an unprivileged user (Dovecot refuses mail access as root).
MAIL_USER = "mail"
USERS = ("support", "ana")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Dovecot:
    def __init__(self, folder: Path, port: int):
        self.folder, self.port = folder, port

    def client(self, user: str) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(user, PASSWORD)
        client.select("INBOX")
        return client

    def deliver(self, user: str, raw: bytes) -> None:
        """Put a message in a mailbox as an MTA's local delivery would (IMAP APPEND)."""
        client = self.client(user)
        try:
            status, answer = client.append("INBOX", None, None, raw)
            assert status == "OK", answer
        finally:
            client.logout()

    def messages(self, user: str) -> list[bytes]:
        client = self.client(user)
        try:
            _, data = client.uid("SEARCH", None, "ALL")
            found = []
            for uid in data[0].split():
                _, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
                found.append(parts[0][1])
            return found
        finally:
            client.logout()

    def flags(self, user: str) -> list[str]:
        client = self.client(user)
        try:
            _, data = client.fetch("1:*", "(FLAGS)")
            return [item.decode() for item in data if item]
        finally:
            client.logout()


@pytest.fixture
def dovecot():
    with running_dovecot() as server:
        yield server


@contextmanager
def running_dovecot():
    """Start Dovecot (also used by ``bench/email``); stopped and removed on exit."""
    folder = Path(tempfile.mkdtemp(prefix="helpcenter-dovecot-"))
    folder.chmod(0o755)
    mail_user = pwd.getpwnam(MAIL_USER)
    (folder / "mail").mkdir()
    os.chown(folder / "mail", mail_user.pw_uid, mail_user.pw_gid)
    users = USERS
    (folder / "passwd").write_text("".join(f"{user}:{{PLAIN}}{PASSWORD}::::::\n" for user in users))
    port = free_port()
    (folder / "dovecot.conf").write_text(
        f"""
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{folder}/mail/%u
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={folder}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0600
  }}
  unix_listener stats-writer {{
    mode = 0660
  }}
}}
"""
    )
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(folder / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = Dovecot(folder, port)
    deadline = time.monotonic() + 15
    while True:
        try:
            server.client("support").logout()
            break
        except (OSError, imaplib.IMAP4.error):
            if process.poll() is not None or time.monotonic() > deadline:
                log_file = folder / "dovecot.log"
                log = log_file.read_text() if log_file.exists() else ""
                process.kill()
                raise RuntimeError(f"Dovecot did not start: {process.stderr.read()!r} {log}")
            time.sleep(0.1)
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        process.stderr.close()
        shutil.rmtree(folder, ignore_errors=True)


class _DeliverToDovecot:
    """An SMTP server's handler: each recipient's mail goes into their Dovecot mailbox (the
    local part before any ``+``), as the MTA's local delivery agent would."""

    def __init__(self, server: Dovecot):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, options):
        user = address.partition("@")[0].partition("+")[0].lower()
        if user not in USERS:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for recipient in envelope.rcpt_tos:
            user = recipient.partition("@")[0].partition("+")[0].lower()
            await asyncio.get_running_loop().run_in_executor(
                None, self.server.deliver, user, envelope.original_content
            )
        return "250 Delivered"


@pytest.fixture
def smtp_to_dovecot(dovecot):
    """A real SMTP hop on a free loopback port delivering into :func:`dovecot`."""
    from aiosmtpd.controller import Controller

    controller = Controller(_DeliverToDovecot(dovecot), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()
