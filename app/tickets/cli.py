"""``flask tickets ...``: the timer (``tick``) and a look at the policy."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from app.tickets.sla import clock
from app.tickets.sla.policy_config import policy_table
from app.tickets.sla.tick import run_tick, run_tick_jobs
from app.timers import at_option, every_option, run_timer


@click.group("tickets", cls=AppGroup, help="Support tickets: timers and SLA policy.")
def tickets_cli() -> None:
    pass


@tickets_cli.command("tick", help="Apply every due timer action (escalations, flags, breaches).")
@every_option
@click.option("--batch", type=int, default=None, help="Tickets per transaction.")
@at_option
def tick_command(every: float | None, batch: int | None, at) -> None:
    size = batch or current_app.config["TICKET_TICK_BATCH"]

    def step(now) -> None:
        started = time.monotonic()
        result = run_tick(now, batch_size=size)
        rules = ", ".join(f"{rule}: {count}" for rule, count in sorted(result.rules.items()))
        click.echo(
            f"{result.actions} action(s) on {result.tickets} ticket(s)"
            + (f" ({rules})" if rules else "")
            + f" in {time.monotonic() - started:.2f}s"
        )
        for name, counts in run_tick_jobs(now).items():
            done = ", ".join(f"{key}: {value}" for key, value in sorted(counts.items()) if value)
            click.echo(f"{name}: {done or 'nothing due'}")

    run_timer(step, every=every, at=at)


@tickets_cli.command("policy", help="Print the SLA and escalation rules in force.")
def policy_command() -> None:
    for row in policy_table(clock.get_policy()):
        click.echo(f"{row['rule']}: {row['target']} [{row['calendar']}]")
