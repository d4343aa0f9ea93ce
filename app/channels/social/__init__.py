"""The social media channel: X, Facebook and Instagram messages, mentions and comments become
tickets (signed webhooks), agents' replies go back through the platforms' send APIs."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.channels.social import (
        models,  # noqa: F401  (tables for migrations)
        origins,
        sending,
        views,
        webhook_views,
    )
    from app.channels.social.cli import social_cli
    from app.extensions import limiter
    from app.outbox import register_handler
    from app.tickets.notices import register_notifier, register_reply_check
    from app.tickets.origins import register_origin

    app.register_blueprint(views.bp)
    app.register_blueprint(webhook_views.bp)
    # Platforms call these, not browsers: signed bodies instead of sessions and CSRF tokens.
    app.make_self_contained(webhook_views.bp.name)
    limiter.exempt(webhook_views.bp)
    register_notifier(app, "social", sending.deliver_notice)
    register_reply_check(app, "social", sending.check_reply)
    register_origin(app, "social", origins.ORIGIN)
    register_handler(app, "social_send", sending.send_delivery, inline=True)
    app.cli.add_command(social_cli)
