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
    # Live chat asks this when a chat starts (it never imports incidents).
    app.extensions.setdefault("chat_started_hooks", []).append(_chat_notice)


def _chat_notice(conversation, now) -> str | None:
    """The open incident's auto-reply for a new chat in an affected category, as a line of the
    chat with the status page's address (drills only for staff)."""
    from app.accounts.permissions import can
    from app.incidents.links import auto_reply_for_chat

    staff = can(conversation.ticket.requester, "incidents.view")
    reply = auto_reply_for_chat(conversation.ticket.category, now, staff=staff)
    return f"{reply.text}\n\nFollow it on the status page: {reply.status_url}" if reply else None
