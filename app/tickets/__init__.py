"""Support tickets: categories, priorities, business-hours SLAs and escalation."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.tickets.views import bp

    app.register_blueprint(bp)
