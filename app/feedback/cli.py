"""``flask reports send`` (the common-issues report, once per period) and ``flask feedback
start-wave`` (this quarter's NPS wave by hand, when ``NPS_AUTO_WAVE`` is off)."""

from __future__ import annotations

from datetime import UTC

import click
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from app.errors import DomainError
from app.extensions import db
from app.feedback import nps, queries, report_rules, reports
from app.models import utcnow
from app.outbox import commit

reports_cli = AppGroup("reports", help="Common-issues reports for the team and product meetings.")
feedback_cli = AppGroup("feedback", help="Satisfaction and quarterly surveys.")

_AT = click.option(
    "--at", "at", type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%d"]), default=None, hidden=True,
    help="Run as if it were this UTC time.",
)  # fmt: skip


@reports_cli.command("send", help="Mail the last complete week's or month's report (once).")
@click.option(
    "--weekly",
    "kind",
    flag_value=report_rules.WEEKLY,
    help="Last week (Monday to Sunday, support time zone).",
)
@click.option(
    "--monthly",
    "kind",
    flag_value=report_rules.MONTHLY,
    help="Last calendar month (support time zone).",
)
@_AT
def send_command(kind: str | None, at) -> None:
    if kind is None:
        raise click.UsageError("Choose --weekly or --monthly.")
    now = at.replace(tzinfo=UTC) if at is not None else utcnow()
    period = reports.last_complete_period(kind, now)
    try:
        sent = reports.send_report(period, now)
        commit()
    except IntegrityError:  # another host sent it in between
        db.session.rollback()
        sent = None
    if sent is None:
        click.echo(f"{period.label}: already sent")
    elif sent == 0:
        click.echo(f"{period.label}: recorded; no recipients configured")
    else:
        click.echo(f"{period.label}: sent to {sent} address(es)")


@feedback_cli.command("start-wave", help="Sample and invite this quarter's NPS wave now.")
@_AT
def start_wave_command(at) -> None:
    now = at.replace(tzinfo=UTC) if at is not None else utcnow()
    try:
        wave = nps.start_wave(now)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    commit()
    invited = queries.invitations_in_wave(wave.id)
    click.echo(f"{wave.quarter}: {invited} of {wave.active_count} active account(s) invited")
