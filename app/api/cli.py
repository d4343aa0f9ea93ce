"""``flask api``: tokens for scripts and tour completion figures."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.accounts.models import User
from app.api import services
from app.errors import DomainError
from app.extensions import db
from app.models import utcnow
from app.outbox import commit


@click.group("api", cls=AppGroup, help="In-app API: tokens and onboarding-tour figures.")
def api_cli() -> None:
    pass


@api_cli.command("create-token", help="Make an API token for a user and print it once.")
@click.argument("email")
@click.argument("name")
def create_token_command(email: str, name: str) -> None:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No user with the e-mail address {email}.")
    try:
        created = services.create_token(user, name, utcnow())
    except DomainError as error:
        raise click.ClickException(error.message)
    commit()
    click.echo(created.plain)


@api_cli.command("tour-stats", help="How many started, completed and dismissed a tour.")
@click.argument("name")
def tour_stats_command(name: str) -> None:
    stats = services.tour_stats(name)
    rate = stats.completion_rate
    click.echo(
        f"{name}: started {stats.started}, completed {stats.completed}, "
        f"dismissed {stats.dismissed}, completion rate "
        + ("n/a" if rate is None else f"{rate:.0%}")
    )
