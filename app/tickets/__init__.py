"""Support tickets: categories, priorities, business-hours SLAs, tiered escalation, agent
workspace."""

from flask import Flask

#: Configuration defaults of this package (the SLA numbers default inside ``rules.py``).
DEFAULTS = {
    "TICKET_ATTACHMENT_DIR": "",  # empty: instance/attachments
    "TICKET_ATTACHMENT_MAX_BYTES": 5 * 1024 * 1024,
    "TICKET_IMPACT_PRIORITY": {},  # impact -> priority, over catalog.DEFAULT_IMPACT_PRIORITY
    "TICKET_ONCALL_EMAILS": [],  # extra addresses paged for Critical tickets
    "TICKET_RESPONSES_DIR": "",  # empty: app/tickets/responses
    "TICKET_TICK_BATCH": 500,
}


def init_app(app: Flask) -> None:
    from app.tickets import agent_views, models  # noqa: F401  (routes; tables for migrations)
    from app.tickets.cli import tickets_cli
    from app.tickets.timeline import countdown
    from app.tickets.views import bp

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.register_blueprint(bp)
    app.cli.add_command(tickets_cli)
    app.add_template_filter(countdown, "countdown")
