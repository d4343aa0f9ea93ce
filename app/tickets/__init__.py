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
    #: Tickets an account, and a client address, may open (site and API together).
    "TICKET_CREATE_LIMIT_PER_ACCOUNT": "5 per 10 minutes; 20 per day",
    "TICKET_CREATE_LIMIT_PER_IP": "10 per 10 minutes; 50 per day",
    #: Megabytes of attachments an account, and a client address, may upload (tickets, replies).
    "TICKET_UPLOAD_MB_PER_ACCOUNT": "50 per hour; 200 per day",
    "TICKET_UPLOAD_MB_PER_IP": "100 per hour; 400 per day",
    #: After paging on-call for a requester's Critical ticket, their further Critical tickets
    #: within this many minutes are created without paging again (0: page for every one).
    "TICKET_CRITICAL_PAGE_WINDOW_MINUTES": 30,
}


def init_app(app: Flask) -> None:
    from app.models import utcnow
    from app.tickets import agent_views, models  # noqa: F401  (routes; tables for migrations)
    from app.tickets.cli import tickets_cli
    from app.tickets.settings import validate
    from app.tickets.timeline import countdown
    from app.tickets.views import bp

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    # A bad setting stops the start with its key named, instead of failing every ticket later.
    validate(app.config, utcnow())
    app.register_blueprint(bp)
    app.cli.add_command(tickets_cli)
    app.add_template_filter(countdown, "countdown")
