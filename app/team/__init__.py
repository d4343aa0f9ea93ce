"""The support team's own side: training paths (onboarding, monthly product updates, empathy
workshops), weekly team meetings and monthly reviews with product and development."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.team import meeting_views, models, training_views  # noqa: F401  (routes, tables)
    from app.team.cli import team_cli
    from app.team.panel import onboarding_guard, ticket_panel
    from app.team.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(team_cli)
    # The agent's ticket page shows the internal articles and the "discuss at weekly" flag;
    # tickets/ sits below team/, so it only includes the registered template.
    app.extensions.setdefault("ticket_panels", []).append("team/_ticket_panel.html")
    app.add_template_global(ticket_panel, "team_ticket_panel")
    # Onboarding before Tier 1 tickets, when TEAM_ONBOARDING_REQUIRED_FOR_TIER1 is on.
    app.extensions.setdefault("ticket_take_guards", []).append(onboarding_guard)
