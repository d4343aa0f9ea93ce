"""Internal articles never reach anyone outside their audience: every public surface walked as
an anonymous visitor and as a member (and as agents of another tier), looking for each internal
article's unique word; a public article's word is found on the same surfaces, so each check
can fail. Also: the query filter agrees with the permission rule for every role."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.accounts.permissions import ROLE_PERMISSIONS, can_read_kb_article, kb_article_access
from app.extensions import db
from app.kb.models import Article
from app.kb.visibility import visible_articles_filter
from app.outbox import commit, record_search_change
from app.search.indexer import drain_all

PUBLIC_WORD, STAFF_WORD, TIER3_WORD = "zinniaplum", "quokkarunbook", "wombatsecret"
SCREEN = "garden.home"


def _make(app, factory, now, title, word, *, visibility="public", audience="", related=()):
    article_id = factory.article(
        now, title, f"{word} is explained here.\n\nMore text.", tags=[word, "app"],
        section="app-functionality", summary=f"About {word}.",
    )  # fmt: skip
    with app.app_context():
        article = db.session.get(Article, article_id)
        article.visibility, article.audience = visibility, audience
        article.screens, article.related = [SCREEN], list(related)
        record_search_change("article", article.id, now)
        commit()
        return article.slug


@pytest.fixture
def corpus(app, factory, now):
    public = _make(app, factory, now, f"Public {PUBLIC_WORD} guide", PUBLIC_WORD)
    staff = _make(app, factory, now, f"Staff {STAFF_WORD} runbook", STAFF_WORD,
                  visibility="internal", related=[public])  # fmt: skip
    tier3 = _make(app, factory, now, f"Tier 3 {TIER3_WORD} runbook", TIER3_WORD,
                  visibility="internal", audience=",agent_t3,",
                  related=[public, staff])  # fmt: skip
    with app.app_context():
        # The public article links to both internal ones; its page must show neither.
        article = db.session.scalar(select(Article).where(Article.slug == public))
        article.related = [staff, tier3]
        commit()
        drain_all(now)
    return {"public": public, "staff": staff, "tier3": tier3}


def _surfaces(corpus, ticket_id, word):
    """Every public place an article's words could appear, searching for ``word`` (the only
    feed is the service status feed, walked here: ``test_no_sitemap_or_feed_routes`` keeps
    that true)."""
    return {
        "home (popular, recent, counts)": "/",
        "section list": "/sections/app-functionality",
        "public article and its related links": f"/articles/{corpus['public']}",
        "search page": f"/search/?q={word}",
        "search page, misspelt (did you mean)": f"/search/?q={word[:-2]}",
        "search JSON": f"/search/results.json?q={word}",
        "API search": f"/api/v1/search?q={word}",
        "API suggestions": f"/api/v1/suggestions?screen={SCREEN}",
        "internal article page": f"/articles/{corpus['staff']}",
        "restricted article page": f"/articles/{corpus['tier3']}",
        "internal history": f"/articles/{corpus['staff']}/history",
        "internal access page": f"/articles/{corpus['staff']}/access",
        "internal space list": f"/internal/?q={word}",
        "internal article vote": f"/articles/{corpus['staff']}/vote",
        "ticket naming an internal guide": f"/requests/{ticket_id}" if ticket_id else "/",
        "service status page": "/status",
        "service status feed": "/status/feed.atom",
    }


def _markers(slug: str, word: str, url: str) -> list[str]:
    """What only the article itself carries: its title, summary and body; its slug and the bare
    word too, unless the URL holds them (a page may echo the query or the sign-in's next)."""
    found = [f"{word} is explained", f"about {word}", f"{word} guide", f"{word} runbook"]
    found += [] if slug in url else [slug]
    return found if word[:-2] in url else [*found, word]


def _leaks(client, corpus, ticket_id, slug, word):
    found = []
    for name, url in _surfaces(corpus, ticket_id, word).items():
        response = client.get(url, headers={"Accept": "text/html"})
        text = response.get_data(as_text=True).lower()
        found += [(name, marker) for marker in _markers(slug, word, url) if marker in text]
    return found


@pytest.mark.parametrize("role", ["anonymous", "member", "moderator"])
def test_no_internal_article_reaches_outsiders_anywhere(
    app, client, auth, factory, corpus, now, role
):
    ticket_id = None
    if role != "anonymous":
        user = factory.user(role)
        auth.login(user)
        ticket_id = factory.ticket(user, guide_slug=corpus["staff"], guide_steps=2)
    leaks = _leaks(client, corpus, ticket_id, corpus["staff"], STAFF_WORD)
    leaks += _leaks(client, corpus, ticket_id, corpus["tier3"], TIER3_WORD)
    assert leaks == []
    # The same surfaces do show a public article's word: the walk can find a leak.
    shown = {name for name, _ in _leaks(client, corpus, ticket_id, corpus["public"], PUBLIC_WORD)}
    assert {"home (popular, recent, counts)", "section list", "search page", "search JSON",
            "API search", "API suggestions"} <= shown  # fmt: skip


def test_internal_pages_answer_404_as_for_a_missing_article(client, auth, factory, corpus):
    for slug in (corpus["staff"], corpus["tier3"], "no-such-article"):
        assert client.get(f"/articles/{slug}").status_code == 404
    auth.login(factory.user("member"))
    for suffix in ("", "/vote"):
        assert (
            client.get(f"/articles/{corpus['staff']}{suffix}").status_code
            == client.get(f"/articles/no-such-article{suffix}").status_code
        )
    # Staff pages refuse members the same way for any slug: nothing tells which exist.
    for suffix in ("/history", "/edit", "/access", "/revisions/1"):
        assert (
            client.get(f"/articles/{corpus['staff']}{suffix}").status_code
            == client.get(f"/articles/no-such-article{suffix}").status_code
        )


def test_section_count_leaves_internal_articles_out(client, corpus):
    from app.kb import services

    with client.application.app_context():
        assert services.section_counts()["app-functionality"] == 1


def test_tier1_agent_sees_staff_articles_but_not_tier3_runbooks(client, auth, factory, corpus):
    auth.login(factory.user("agent_t1"))
    page = client.get(f"/articles/{corpus['staff']}")
    assert page.status_code == 200 and STAFF_WORD in page.get_data(as_text=True)
    assert client.get(f"/articles/{corpus['tier3']}").status_code == 404
    assert client.get(f"/articles/{corpus['tier3']}/history").status_code == 404
    listing = client.get("/internal/").get_data(as_text=True)
    assert STAFF_WORD in listing.lower() and TIER3_WORD not in listing.lower()
    # The staff article's related links name the public one, not the tier 3 runbook.
    staff_page = client.get(f"/articles/{corpus['staff']}").get_data(as_text=True).lower()
    assert PUBLIC_WORD in staff_page


@pytest.mark.parametrize("role", ["agent_t3", "admin"])
def test_tier3_and_admins_see_the_restricted_runbook(client, auth, factory, corpus, role):
    auth.login(factory.user(role))
    page = client.get(f"/articles/{corpus['tier3']}")
    assert page.status_code == 200 and TIER3_WORD in page.get_data(as_text=True)
    assert TIER3_WORD in client.get("/internal/").get_data(as_text=True).lower()


def test_access_page_explains_each_role(client, auth, factory, corpus):
    auth.login(factory.user("admin"))
    html = client.get(f"/articles/{corpus['tier3']}/access").get_data(as_text=True)
    cells = dict(re.findall(r'id="access-(\w+)">.*?data-label="Sees it">(\w+)<', html))
    assert cells["agent_t3"] == "Yes" and cells["admin"] == "Yes"
    assert cells["agent_t1"] == "No" and cells["member"] == "No" and cells["anonymous"] == "No"
    assert "restricted to agent_t3: this role isn&#39;t listed" in html


@pytest.mark.parametrize("visibility, audience", [
    ("public", ""), ("internal", ""), ("internal", ",agent_t3,"),
    ("internal", ",agent_t1,agent_t2,"), ("secret", ""),
])  # fmt: skip
def test_query_filter_agrees_with_the_rule_for_every_role(app, factory, now, visibility,
                                                          audience):  # fmt: skip
    slug = _make(app, factory, now, "Rule check", "rulecheck", visibility=visibility,
                 audience=audience)  # fmt: skip
    with app.app_context():
        article = db.session.scalar(select(Article).where(Article.slug == slug))
        for role in ROLE_PERMISSIONS:
            user = factory.user(role) if role != "anonymous" else None
            user = db.session.merge(user) if user is not None else None
            listed = db.session.scalar(
                select(Article.id).where(Article.id == article.id, visible_articles_filter(user))
            )
            expected = kb_article_access(role, article)["see"]
            assert (listed is not None) is expected is can_read_kb_article(user, article), role


#: Feeds the walk above reads; a new feed or sitemap must join the walk before it may exist.
WALKED_FEEDS = {"/status/feed.atom"}


def test_no_sitemap_or_feed_routes(app):
    rules = [rule.rule for rule in app.url_map.iter_rules()]
    feeds = {
        r for r in rules
        if "sitemap" in r or re.search(r"/feed\b|/feeds?/", r) or r.endswith((".rss", ".atom"))
    }  # fmt: skip
    assert feeds <= WALKED_FEEDS
