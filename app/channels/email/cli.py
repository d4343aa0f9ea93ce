"""``flask mail``: the two ways mail comes in (IMAP fetch, and an MTA's pipe), and the
quarantine list."""

from __future__ import annotations

import logging
import sys

import click
from flask.cli import AppGroup

from app.channels.email.spool import EX_OK, EX_TEMPFAIL
from app.channels.inbound import quarantined
from app.extensions import db
from app.models import utcnow
from app.outbox import commit
from app.timers import run_timer

log = logging.getLogger(__name__)
mail_cli = AppGroup("mail", help="The support mailbox: fetch or receive mail, see the quarantine.")


@mail_cli.command("fetch", help="Import new mail from the IMAP mailbox (EMAIL_IMAP_*).")
@click.option(
    "--every",
    type=click.FloatRange(min=1),
    default=None,
    help="Keep running: poll every N seconds (with --idle: at most N s between checks).",
)
@click.option("--idle", is_flag=True, help="Keep running, woken by IMAP IDLE when mail arrives.")
def fetch_command(every: float | None, idle: bool) -> None:  # fmt: skip
    from app.channels.email.imap import MailboxUnavailable, run

    try:
        run(every, idle, click.echo)
    except MailboxUnavailable as error:
        raise click.ClickException(str(error)) from None


@mail_cli.command("drain", help="Import the messages scripts/mail-receive spooled.")
@click.option(
    "--every",
    type=click.FloatRange(min=0.2),
    default=None,
    help="Keep running: look for spooled mail every N seconds.",
)
def drain_command(every: float | None) -> None:
    from app.channels.email.batch import drain_spool

    def step(_now) -> None:
        handled, left = drain_spool()
        if handled or left or every is None:
            click.echo(f"imported {handled} spooled message(s), {left} left for later")

    run_timer(step, every=every)


@mail_cli.command(
    "receive",
    help="Import one message from standard input at once (scripts/mail-receive is quicker).",
)
def receive_command() -> None:
    """Exit 0 when the message is safe (imported, a duplicate, a bounce or quarantined), 75
    (EX_TEMPFAIL) when it is not: the MTA keeps it and tries again later."""
    from app.channels.email.receiving import import_message

    try:
        raw = sys.stdin.buffer.read()
        record = import_message(raw, "pipe", utcnow())
        commit()
    except Exception as error:  # anything that stops the import: the MTA retries
        db.session.rollback()
        log.exception("mail receive failed")
        click.echo(f"temporary failure, the MTA should retry: {error}", err=True)
        sys.exit(EX_TEMPFAIL)
    outcome = record.outcome if record is not None else "duplicate"
    click.echo(f"{outcome}{': ' + record.reason if record is not None and record.reason else ''}")
    sys.exit(EX_OK)


@mail_cli.command("quarantine", help="List quarantined messages (newest first).")
def quarantine_command() -> None:
    rows = [row for row in quarantined() if row.channel == "email"]
    for row in rows:
        click.echo(f"{row.id}\t{row.received_at:%Y-%m-%d %H:%M}\t{row.external_id}\t{row.reason}")
    click.echo(f"{len(rows)} quarantined message(s)")
