"""Support tickets: categories, priorities, business-hours SLAs, tiered escalation, agent
workspace."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.models import utcnow
    from app.tickets import agent_views, models  # noqa: F401  (routes; tables for migrations)
    from app.tickets.cli import tickets_cli
    from app.tickets.settings import validate
    from app.tickets.timeline import countdown
    from app.tickets.views import bp

    # A bad setting stops the start with its key named, instead of failing every ticket later.
    validate(app.config, utcnow())
    app.register_blueprint(bp)
    app.cli.add_command(tickets_cli)
    app.add_template_filter(countdown, "countdown")
    # Features above tickets add parts to the request page and the agent's ticket page (the
    # satisfaction rating) by appending template names; tickets never imports them.
    app.extensions.setdefault("request_page_sections", [])
    app.extensions.setdefault("agent_ticket_sections", [])

    @app.context_processor
    def ticket_sections():
        return {
            "request_page_sections": app.extensions["request_page_sections"],
            "agent_ticket_sections": app.extensions["agent_ticket_sections"],
        }
