"""The one loop behind every background timer (``flask tickets tick``, ``flask chat tick``, ...).

Each timer is a step that runs "as of now"; ``--every N`` keeps it running under the process
manager (Procfile) and ``--at`` runs it once at a chosen time for drills and browser tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import click

from app.models import utcnow

every_option = click.option(
    "--every", type=float, default=None, help="Keep running, every N seconds."
)
at_option = click.option(
    "--at",
    "at",
    type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]),
    default=None,
    hidden=True,
    help="Run once as if it were this UTC time (drills and browser tests).",
)


def run_timer(step: Callable[[datetime], None], *, every: float | None, at=None) -> None:
    """Run ``step(now)`` once, or every ``every`` seconds; ``at`` pins "now" and runs once."""
    if at is not None and every is not None:
        raise click.UsageError("--at runs once; it can't be combined with --every.")
    while True:
        started = time.monotonic()
        step(at.replace(tzinfo=UTC) if at is not None else utcnow())
        if every is None or at is not None:
            return
        # Sleep to the next multiple of N so timers fire close to their minute.
        time.sleep(max(0.0, every - (time.monotonic() - started)))
