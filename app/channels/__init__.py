"""Support channels: e-mail, live chat and social media turn outside messages into ticket
messages through one code path (:mod:`app.channels.inbound`) and carry agents' replies back
(each channel registers a notifier with :mod:`app.tickets.notices`)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.channels import (
        chat,
        email,
        models,  # noqa: F401  (tables for migrations)
        social,
    )

    chat.init_app(app)
    email.init_app(app)
    social.init_app(app)
