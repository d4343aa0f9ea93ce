"""Support metrics: per-ticket figures and daily rollups, published formulas, dashboard,
CSV and JSON exports."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.metrics import (
        models,  # noqa: F401  (tables for migrations)
        team_views,  # noqa: F401  (more routes on the blueprint)
    )
    from app.metrics.cli import metrics_cli
    from app.metrics.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(metrics_cli)
