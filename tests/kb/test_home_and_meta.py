"""What a reader sees first: "Popular articles" before there are real view counts, and each
page's meta description (search engines and link previews show it under the title)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from app.extensions import db
from app.kb import services
from app.kb.models import ArticleViewDay


def _list(html: str, heading: str) -> list[str]:
    section = re.search(rf'id="{heading}".*?</section>', html, re.S).group(0)
    return re.findall(r'<li><a href="/articles/([^"]+)"', section)


def test_fresh_install_shows_the_curated_list_not_the_recent_one(synced, client, app):
    html = client.get("/").get_data(as_text=True)
    popular, recent = _list(html, "popular-heading"), _list(html, "recent-heading")
    assert popular == app.config["KB_FEATURED_ARTICLES"][:6]
    assert popular != recent


def test_real_view_counts_take_over(synced, client, app):
    today = datetime.now(UTC).date()
    with app.app_context():
        article = synced.article("export-your-data")
        db.session.add(
            ArticleViewDay(
                article_id=article.id, day=today, count=app.config["KB_POPULAR_MIN_VIEWS"]
            )
        )
        db.session.commit()
    popular = _list(client.get("/").get_data(as_text=True), "popular-heading")
    assert popular[0] == "export-your-data"
    with app.app_context():
        # Archived or unknown featured slugs are left out, never a broken link.
        featured = services.popular_articles(
            today, featured=["no-such-article", "cant-sign-in"], min_views=10**6
        )
        assert [a.slug for a in featured] == ["cant-sign-in"]


def _description(html: str) -> str:
    match = re.search(r'<meta name="description" content="([^"]*)">', html)
    assert match, "no meta description"
    return match.group(1)


def test_article_and_section_descriptions_come_from_their_summary(synced, client):
    article = _description(client.get("/articles/reminders-not-arriving").get_data(as_text=True))
    assert article.startswith("Fix missing watering and feeding notifications")
    assert len(article) <= 160
    section = _description(client.get("/sections/account").get_data(as_text=True))
    assert section.startswith("Account: Sign-in, passwords")
    home = _description(client.get("/").get_data(as_text=True))
    assert home and home != article
