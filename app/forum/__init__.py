"""Community forum: user-to-user support, moderated by the support team."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.forum import (  # noqa: F401  (routes on the blueprint)
        models,
        moderation_views,
        notification_views,
        posting_views,
        thread_moderation_views,
    )
    from app.forum.cli import forum_cli
    from app.forum.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(forum_cli)
