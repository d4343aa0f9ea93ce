"""Internal articles from ``content/``: front matter ``visibility`` and ``audience``, checked
by the content rules and stored by the real ``flask content sync``."""

from __future__ import annotations

import pytest

from app.kb import rules
from app.kb.content import read_content
from app.kb.rules import ContentError

from .test_starter_content import CONTENT


@pytest.mark.parametrize("visibility, audience, stored", [
    (None, None, ("public", "")),
    ("internal", None, ("internal", "")),
    ("internal", ["agent_t3"], ("internal", ",agent_t3,")),
    ("internal", "agent_t2, agent_t1", ("internal", ",agent_t1,agent_t2,")),
])  # fmt: skip
def test_audience_field(visibility, audience, stored):
    assert rules.audience_field(visibility, audience) == stored


@pytest.mark.parametrize("visibility, audience, message", [
    ("secret", None, "Visibility 'secret'"),
    ("internal", ["member"], "Audience member is not a support role"),
    ("public", ["agent_t3"], "Only internal articles"),
])  # fmt: skip
def test_audience_field_refuses(visibility, audience, message):
    with pytest.raises(ContentError, match=message):
        rules.audience_field(visibility, audience)


def test_starter_internal_content():
    articles = {article.slug: article for article in read_content(CONTENT).articles}
    internal = {slug for slug, article in articles.items() if article.visibility == "internal"}
    assert {"escalation-playbook", "crisis-protocol", "tone-of-voice-guide",
            "saved-response-guidelines"} <= internal  # fmt: skip
    runbooks = [articles[slug] for slug in internal if "runbook" in articles[slug].tags]
    # One runbook per ticket category (the tag is the category key).
    assert {"account", "billing", "app", "feature_request", "bug", "privacy"} <= {
        tag for article in runbooks for tag in article.tags
    }
    assert articles["tier-3-production-debugging"].audience == ",agent_t3,"
    # No public article links to an internal one.
    for article in articles.values():
        if article.visibility == "public":
            assert not set(article.related) & internal, article.slug


def test_sync_stores_visibility_and_a_later_file_change_applies_it(content, client, auth, factory):
    assert content.sync().exit_code == 0
    assert content.article("crisis-protocol").visibility == "internal"
    assert content.article("tier-3-production-debugging").audience == ",agent_t3,"
    assert client.get("/articles/crisis-protocol").status_code == 404
    path = content.path("crisis-protocol")
    path.write_text(path.read_text().replace("visibility: internal\n", ""))
    assert content.sync().exit_code == 0
    assert content.article("crisis-protocol").visibility == "public"
    assert client.get("/articles/crisis-protocol").status_code == 200
