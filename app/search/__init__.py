"""One full-text search over the whole help center (see ``docs/search.md``)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.search import (
        indexer,
        models,  # noqa: F401  (tables for migrations)
    )
    from app.search.cli import search_cli
    from app.search.views import bp

    if app.config["SEARCH_BACKGROUND_INDEXER"] is None:
        app.config["SEARCH_BACKGROUND_INDEXER"] = not app.config.get("TESTING", False)
    app.register_blueprint(bp)
    app.cli.add_command(search_cli)
    indexer.init_app(app)
