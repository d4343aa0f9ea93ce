"""Privacy: the data inventory, a person's export, erasure, and retention.

Sits on layer 9 beside ``search/`` and ``metrics/``: it reads every feature's models.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the privacy CLI group, the nightly retention job, the outbox handler that
    deletes files after an erasure or retention commits, and the admin inventory page."""
    from app.outbox import register_handler
    from app.privacy import models, retention  # noqa: F401  (models: the table for migrations)
    from app.privacy.cli import privacy_cli
    from app.privacy.rows import FILES_EVENT, delete_files
    from app.privacy.views import bp
    from app.tickets.sla.tick import register_tick_job

    app.register_blueprint(bp)
    app.cli.add_command(privacy_cli)
    register_handler(app, FILES_EVENT, delete_files, inline=True)
    register_tick_job(app, "privacy retention", retention.nightly)
    # Privacy requests (export, erasure, approvals): pages, timer job, hooks.
    from app.privacy.flows import init_flows

    init_flows(app)
