"""Knowledge base: FAQ, troubleshooting guides and video tutorials, synced from ``content/``,
with revisions, browser editing, helpful votes, page views and guide outcomes."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app import tallies
    from app.kb import (
        feedback,
        models,  # noqa: F401  (tables for migrations)
        staff_views,  # noqa: F401  (adds the editing routes to the blueprint)
    )
    from app.kb.cli import content_cli
    from app.kb.views import VIEW_HOOK, bp, count_view

    app.register_blueprint(bp)
    app.extensions["page_hit_hooks"][VIEW_HOOK] = count_view
    tallies.register_flusher(app, feedback.VIEW_TALLY, feedback.write_views)
    from app.kb import media

    content_cli.add_command(media.init_app(app))
    app.cli.add_command(content_cli)
    # Features above the knowledge base add to a finished guide's outcome (the satisfaction
    # question) by appending template names; kb never imports them.
    sections = app.extensions.setdefault("guide_outcome_sections", [])
    app.context_processor(lambda: {"guide_outcome_sections": sections})
