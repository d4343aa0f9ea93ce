"""The MTA's quick way in: `scripts/mail-receive` keeps the message in the spool without
starting the application (exit 0, or 75 when it cannot keep it), and `flask mail drain`
imports what it kept, once."""

from __future__ import annotations

import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from app.channels.models import InboundMessage
from app.extensions import db
from app.tickets.models import Ticket

RECEIVE = Path(__file__).resolve().parents[3] / "scripts" / "mail-receive"


@pytest.fixture
def app_config(tmp_path):
    return {"EMAIL_SPOOL_DIR": str(tmp_path / "spool")}


def letter(number: int) -> bytes:
    message = EmailMessage()
    message["From"], message["To"] = "Ana <ana@example.org>", "support@growgrebuddy.com"
    message["Subject"], message["Message-ID"] = f"Basil {number}", f"<spool{number}@example.org>"
    message.set_content("My basil reminders stopped.")
    return bytes(message)


def mail_receive(raw: bytes, *arguments: str) -> subprocess.CompletedProcess:
    # -X importtime: the process must not import the application (Flask, SQLAlchemy).
    return subprocess.run(
        [sys.executable, "-X", "importtime", str(RECEIVE), *arguments],
        input=raw, capture_output=True, timeout=30, check=False,
    )  # fmt: skip


def test_a_spooled_message_is_imported_by_the_drain(app, runner, tmp_path):
    spool = tmp_path / "spool"
    for number in range(3):
        done = mail_receive(letter(number), str(spool))
        assert done.returncode == 0, done.stderr
        imported = {line.split("|")[-1].strip() for line in done.stderr.decode().splitlines()}
        assert not imported & {"flask", "sqlalchemy", "app", "werkzeug"}
    assert len(list((spool / "new").iterdir())) == 3
    with app.app_context():
        assert db.session.scalar(select(Ticket)) is None  # kept, not imported yet
    mail_receive(letter(1), str(spool))  # the MTA delivered one twice
    result = runner.invoke(args=["mail", "drain"])
    assert result.exit_code == 0, result.output
    assert "imported 4 spooled message(s), 0 left for later" in result.output
    assert list((spool / "new").iterdir()) == []
    with app.app_context():
        subjects = db.session.scalars(select(Ticket.subject).order_by(Ticket.id)).all()
        assert subjects == ["Basil 0", "Basil 1", "Basil 2"]
        sources = set(db.session.scalars(select(InboundMessage.source)))
        assert sources == {"pipe"}
    assert "imported 0 spooled" in runner.invoke(args=["mail", "drain"]).output


def test_mail_receive_exits_75_when_it_cannot_keep_the_message(tmp_path):
    (tmp_path / "spool").write_text("a file where the spool folder should be")
    done = mail_receive(letter(1), str(tmp_path / "spool"))
    assert done.returncode == 75
    assert b"the MTA should retry" in done.stderr
