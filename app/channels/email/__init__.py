"""The e-mail channel: mail to the support address becomes tickets, and agents' replies go
back as threaded mail (see docs/email.md)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.channels.email import sending, views
    from app.channels.email.cli import mail_cli
    from app.tickets.notices import register_notifier

    register_notifier(app, "email", sending.notify)
    app.register_blueprint(views.bp)
    app.cli.add_command(mail_cli)
