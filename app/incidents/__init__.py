"""Crisis management: the incident switch (banner on web and API, status page and feed, forum
announcement, linked tickets and threads), communication templates, update timers and drills."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.incidents import models, staff_views  # noqa: F401  (tables; routes)
    from app.incidents.cli import incidents_cli
    from app.incidents.links import on_new_ticket
    from app.incidents.queries import current_incident_banner, page_key_part
    from app.incidents.views import bp
    from app.tickets.hooks import on_ticket_created

    app.register_blueprint(bp)
    app.cli.add_command(incidents_cli)
    app.extensions.setdefault("banner_providers", []).append(current_incident_banner)
    app.extensions.setdefault("page_key_parts", []).append(page_key_part)
    on_ticket_created(app, on_new_ticket)
