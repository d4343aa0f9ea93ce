"""Operations: health checks for load balancers, Prometheus metrics, request ids in the logs,
and database backups (see ``docs/deploy.md``)."""

from flask import Flask

#: Configuration of operations, with defaults (override in ``instance/config.py`` or the env).
DEFAULTS = {
    #: Bearer token that opens ``/metrics`` from anywhere; empty: only loopback clients.
    "METRICS_TOKEN": "",
    #: Whether a scrape from 127.0.0.1 / ::1 (without proxy headers) needs no token.
    "METRICS_ALLOW_LOOPBACK": True,
    #: A due ticket timer counts as late once it is this many seconds overdue (the timer runs
    #: every 30 seconds, so anything past two rounds means it is not running or not keeping up).
    "METRICS_TIMER_LATE_SECONDS": 120,
    #: Where ``flask backup create`` writes when no ``--to`` is given; empty: instance/backups.
    "BACKUP_DIR": "",
}


def init_app(app: Flask) -> None:
    from app.extensions import limiter
    from app.ops import metrics, request_id
    from app.ops.cli import backup_cli
    from app.ops.views import bp

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    request_id.init_app(app)
    metrics.init_app(app)
    app.register_blueprint(bp)
    app.make_self_contained(bp.name)
    limiter.exempt(bp)
    app.cli.add_command(backup_cli)
