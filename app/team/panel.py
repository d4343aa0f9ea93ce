"""What the team's side adds to the agent's ticket page: suggested internal and public
articles, the "discuss at weekly" flag; and the onboarding guard on taking Tier 1 tickets."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user

from app.kb.queries import ticket_suggestions
from app.team import meetings, queries, training
from app.team.forms import FlagForm


def ticket_panel(ticket) -> dict:
    """The panel's data for the signed-in agent (called from ``team/_ticket_panel.html``)."""
    limit = current_app.config["TEAM_PANEL_ARTICLES"]
    internal, public = ticket_suggestions(
        current_user, ticket.category, f"{ticket.subject} {ticket.description}", limit
    )
    return {
        "internal": internal,
        "public": public,
        "flag": meetings.open_flag(ticket.id),
        "flag_form": FlagForm(formdata=None),
    }


def onboarding_guard(user, ticket) -> str | None:
    """Why ``user`` may not take ``ticket`` yet, or None. Only with the setting on, only for
    Tier 1 tickets, and only for agents (admins are not held back)."""
    if not current_app.config["TEAM_ONBOARDING_REQUIRED_FOR_TIER1"] or ticket.tier != 1:
        return None
    if user.role == "admin" or queries.has_completed(user.id, training.ONBOARDING):
        return None
    return (
        f"{user.display_name} must complete the new-agent onboarding before taking Tier 1 tickets."
    )
