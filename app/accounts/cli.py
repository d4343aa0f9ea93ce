"""``flask users ...``: create accounts and set roles from the command line."""

from __future__ import annotations

import secrets

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.accounts import services
from app.accounts.models import ROLES, User
from app.extensions import db
from app.mail import site_link
from app.models import utcnow
from app.outbox import commit

users_cli = AppGroup("users", help="Manage help-center accounts.")


@users_cli.command("create", help="Create an account (prints a generated password if none given).")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True, help="Display name.")
@click.option("--role", type=click.Choice(ROLES), default="member", show_default=True)
@click.option("--password", default=None, help="Omit to generate a random one.")
def create_command(email: str, display_name: str, role: str, password: str | None) -> None:
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    try:
        user = services.create_user(email, display_name, password, utcnow(), role=role)
    except services.AccountError as error:
        raise click.ClickException(error.message) from None
    commit()
    click.echo(f"Created {user.role} {user.email}.")
    if generated:
        click.echo(f"Password: {password}")


@users_cli.command("set-role", help="Change an account's role.")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
def set_role_command(email: str, role: str) -> None:
    user = services.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account with e-mail {email}.")
    services.set_role(user, role)
    commit()
    click.echo(f"{user.email} is now {role}.")


@users_cli.command("list", help="List accounts with their roles.")
def list_command() -> None:
    for user in db.session.scalars(select(User).order_by(User.id)):
        click.echo(f"{user.id}\t{user.role}\t{user.email}\t{user.display_name}")


@users_cli.command(
    "bootstrap-admin",
    help="Create the first admin with a random password, once; later runs say so.",
)
@click.option("--email", default="admin@growgrebuddy.local", show_default=True)
def bootstrap_admin_command(email: str) -> None:
    if services.count_admins():
        click.echo("An admin account exists already (list them with `flask users list`).")
        return
    password = secrets.token_urlsafe(12)
    services.create_user(email, "Help Center Admin", password, utcnow(), role="admin")
    commit()
    click.echo("")
    click.echo(f"  First admin created. Sign in at {site_link('accounts.login')} with")
    click.echo(f"    e-mail:   {email}")
    click.echo(f"    password: {password}")
    click.echo("  (shown once; change it under Account > Change password)")
    click.echo("")
