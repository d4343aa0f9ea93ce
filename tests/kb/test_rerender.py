"""`flask content sync` renders the KB again when the renderer changed, not only when files did."""

from __future__ import annotations

from sqlalchemy import select, update

from app.extensions import db
from app.kb.models import Article, Snippet
from app.markup import RENDERER_VERSION

SLUG = "restore-purchases"


def _make_stale(app):
    with app.app_context():
        for model in (Article, Snippet):
            stale = {"body_html": "<p>old renderer</p>", "rendered_with": "python-markdown"}
            db.session.execute(update(model).values(stale))
        db.session.commit()


def test_sync_rerenders_html_of_an_older_renderer(app, synced):
    fresh = synced.article(SLUG).body_html
    revisions = synced.article(SLUG).revision_number
    _make_stale(app)
    result = synced.sync()
    assert result.exit_code == 0, result.output
    assert f"re-rendered: article {SLUG}" in result.output
    article = synced.article(SLUG)
    assert article.body_html == fresh
    assert article.rendered_with == RENDERER_VERSION
    assert article.revision_number == revisions  # the text did not change: no new revision
    with app.app_context():
        snippets = db.session.scalars(select(Snippet)).all()
        assert snippets and all(s.body_html != "<p>old renderer</p>" for s in snippets)
        assert {s.rendered_with for s in snippets} == {RENDERER_VERSION}
    again = synced.sync()
    assert "re-rendered" not in again.output


def test_markup_rerender_covers_the_kb(app, synced, runner):
    _make_stale(app)
    result = runner.invoke(args=["markup", "rerender"])
    assert result.exit_code == 0, result.output
    assert "article(s)" in result.output
    assert synced.article(SLUG).body_html != "<p>old renderer</p>"
