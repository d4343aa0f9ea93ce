"""Videos of the knowledge base: uploads processed by ffmpeg in the background, media files
served with range requests, WebVTT captions and chapters from the transcript, and the
generated starter videos (``flask content videos ...``)."""

from flask import Flask


def init_app(app: Flask):
    """Register the routes, the ``video`` outbox handler and the upload-size hook; returns the
    ``videos`` command group for ``app.kb`` to put under ``flask content``."""
    from app.kb.media import (
        models,  # noqa: F401  (tables for migrations)
        settings,
    )
    from app.kb.media.cli import videos_cli
    from app.kb.media.services import EVENT_KIND, process_event
    from app.kb.media.views import allow_large_upload, bp
    from app.outbox import register_handler

    settings.check(app.config)
    app.register_blueprint(bp)
    register_handler(app, EVENT_KIND, process_event, inline=False)
    # First of the request hooks: the CSRF check reads the body with the limit in force.
    app.before_request_funcs.setdefault(None, []).insert(0, allow_large_upload)
    return videos_cli
