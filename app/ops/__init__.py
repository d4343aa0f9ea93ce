"""Operations: health checks for load balancers, Prometheus metrics, request ids in the logs,
and database backups (see ``docs/deploy.md``)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.extensions import limiter
    from app.ops import metrics, request_id
    from app.ops.cli import backup_cli
    from app.ops.views import bp

    request_id.init_app(app)
    metrics.init_app(app)
    app.register_blueprint(bp)
    app.make_self_contained(bp.name)
    limiter.exempt(bp)
    app.cli.add_command(backup_cli)
