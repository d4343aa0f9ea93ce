"""Live chat with Tier 1 (docs/chat.md): the person's widget and page, the agents' console,
the broker that carries notifications between processes, and the timer that turns unanswered
chats into requests."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.channels.chat import broker, console_views, delivery, models, waiting  # noqa: F401
    from app.channels.chat.cli import chat_cli
    from app.channels.chat.views import bp
    from app.tickets.notices import register_notifier

    app.register_blueprint(bp)
    broker.init_app(app)
    waiting.init_app(app)
    register_notifier(app, "chat", delivery.chat_notifier)
    # Feedback registers its post-chat question here, incidents their auto-reply on new chats:
    # app.extensions["chat_ended_hooks"] / ["chat_started_hooks"] (docs/chat.md, "Hooks").
    app.extensions.setdefault("chat_ended_hooks", []).append(delivery.mail_guest_transcript)
    app.extensions.setdefault("chat_started_hooks", [])
    # A reply by mail (to the transcript, to an agent's reply) also shows in an open chat.
    app.extensions.setdefault("inbound_reply_hooks", []).append(delivery.mail_reply_in_chat)
    app.cli.add_command(chat_cli)
