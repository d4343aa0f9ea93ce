"""Support metrics: per-ticket figures and daily rollups, published formulas, dashboard,
CSV and JSON exports."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.metrics import (
        models,  # noqa: F401  (tables for migrations)
        session_hooks,
        team_views,  # noqa: F401  (more routes on the blueprint)
    )
    from app.metrics.cli import metrics_cli
    from app.metrics.satisfaction import feedback_figures
    from app.metrics.views import bp

    # The dashboard's satisfaction section (app.metrics.queries.feedback) reads through this.
    app.extensions.setdefault("metrics_feedback", feedback_figures)
    app.register_blueprint(bp)
    session_hooks.init_app(app)
    app.cli.add_command(metrics_cli)
