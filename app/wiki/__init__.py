"""Community wiki: user-contributed guides with full history, merge on concurrent edits,
protection, watching and moderation."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.wiki import (
        history_views,  # noqa: F401  (routes on the same blueprint)
        models,  # noqa: F401  (tables for migrations)
        moderation_views,  # noqa: F401  (routes on the same blueprint)
    )
    from app.wiki.cli import wiki_cli
    from app.wiki.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(wiki_cli)
