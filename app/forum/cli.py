"""``flask forum ...``: seed the categories (idempotent) and look at the review queue."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db
from app.forum.models import ForumCategory
from app.forum.moderation import open_queue_count
from app.outbox import commit

#: The support plan's categories plus General; the migration seeds the same list.
CATEGORIES = (
    ("account", "Account", "Signing in, your profile and account settings."),
    ("billing-and-payments", "Billing and Payments", "Subscriptions, invoices and refunds."),
    ("app-functionality", "App Functionality", "How the app's features work."),
    ("feature-requests", "Feature Requests", "Ideas for the app, and votes on them."),
    ("bug-reports", "Bug Reports", "Something doesn't work as it should."),
    ("data-and-privacy", "Data and Privacy", "Your data, exports and privacy settings."),
    ("general", "General", "Everything else about home gardening with GrowgrEbuddy."),
)


def seed_categories() -> int:
    """Create any missing category (matched by slug); never changes existing ones.

    :returns: how many were created.
    """
    existing = set(db.session.scalars(select(ForumCategory.slug)))
    created = 0
    for position, (slug, name, description) in enumerate(CATEGORIES):
        if slug not in existing:
            db.session.add(
                ForumCategory(slug=slug, name=name, description=description, position=position)
            )
            created += 1
    db.session.flush()
    return created


@click.group("forum", cls=AppGroup, help="Community forum maintenance.")
def forum_cli() -> None:
    pass


@forum_cli.command("seed-categories", help="Create the standard categories that are missing.")
def seed_categories_command() -> None:
    created = seed_categories()
    commit()
    click.echo(f"created {created} categor{'y' if created == 1 else 'ies'}")


@forum_cli.command("queue", help="How many posts wait in the moderators' review queue.")
def queue_command() -> None:
    click.echo(f"{open_queue_count()} item(s) waiting for review")
