"""Staff editing in the browser: permissions, preview, revisions, stale saves, diff, restore."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.kb import services
from app.kb.models import ArticleRevision

SLUG = "restore-purchases"
EDIT = f"/articles/{SLUG}/edit"


def _form(synced, **changes) -> dict:
    article = synced.article(SLUG)
    data = {
        "base_revision": str(article.revision_number),
        "title": article.title,
        "summary": article.summary,
        "tags": ", ".join(article.tags),
        "body": article.body,
        "comment": "",
        "save": "Save",
    }
    data.update(changes)
    return data


@pytest.fixture
def agent(auth, factory):
    user = factory.user(role="agent_t1", display_name="Agnes Agent")
    auth.login(user)
    return user


@pytest.mark.parametrize(
    "url",
    [EDIT, f"/articles/{SLUG}/history", f"/articles/{SLUG}/revisions/1",
     f"/articles/{SLUG}/diff?from=1&to=1", f"/articles/{SLUG}/revisions/1/restore"],
)  # fmt: skip
def test_members_and_anonymous_cannot_edit(synced, client, auth, factory, url):
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/account/login" in anonymous.location
    auth.login(factory.user(role="member"))
    assert client.get(url).status_code == 403
    assert client.post(EDIT, data=_form(synced, body="Hacked")).status_code == 403
    assert synced.article(SLUG).revision_number == 1
    assert "edit-article" not in client.get(f"/articles/{SLUG}").get_data(as_text=True)


def test_agent_saves_a_revision(synced, client, agent):
    page = client.get(f"/articles/{SLUG}").get_data(as_text=True)
    assert 'id="edit-article"' in page
    form = client.get(EDIT).get_data(as_text=True)
    assert 'name="base_revision" type="hidden" value="1"' in form
    body = synced.article(SLUG).body + "\n## Still missing?\n\nWrite to us.\n"
    response = client.post(EDIT, data=_form(synced, body=body, comment="Add contact"))
    assert response.status_code == 302
    article = synced.article(SLUG)
    assert article.revision_number == 2 and article.edited_in_browser
    assert "Still missing?" in article.body_html
    with synced.app.app_context():
        revision = services.get_revision(article, 2)
        assert (revision.source, revision.author_id, revision.comment) == (
            "browser", agent.id, "Add contact"
        )  # fmt: skip


def test_saving_without_changes_makes_no_revision(synced, client, agent):
    assert client.post(EDIT, data=_form(synced)).status_code == 302
    assert synced.article(SLUG).revision_number == 1


def test_preview_renders_without_saving(synced, client, agent):
    # CommonMark: a line opening with <script> is raw HTML up to its </script> line, so the
    # Markdown after it goes on a line of its own.
    data = _form(synced, body="## Preview me\n\n<script>alert(1)</script>\n**bold**")
    data.pop("save")
    data["preview"] = "Preview"
    html = client.post(EDIT, data=data).get_data(as_text=True)
    assert 'id="preview-body"' in html and "<strong>bold</strong>" in html
    assert "<script>alert" not in html
    live = client.post(f"/articles/{SLUG}/preview", data={"body": "*hi*"})
    assert live.get_json() == {"html": "<p><em>hi</em></p>"}
    assert synced.article(SLUG).revision_number == 1


def test_invalid_edits_are_422_next_to_the_field(synced, client, agent):
    response = client.post(EDIT, data=_form(synced, title=""))
    assert response.status_code == 422
    assert 'id="title-error"' in response.get_data(as_text=True)
    response = client.post(EDIT, data=_form(synced, summary="x" * 200))
    assert response.status_code == 422 and 'id="summary-error"' in response.get_data(as_text=True)
    guide = client.post(
        "/articles/cant-sign-in/edit",
        data={"base_revision": "1", "title": "Can't sign in", "summary": "Fix it.",
              "body": "No steps any more.", "save": "Save"},
    )  # fmt: skip
    assert guide.status_code == 422
    assert "Step 1" in guide.get_data(as_text=True)
    assert client.post(EDIT, data=_form(synced, base_revision="abc")).status_code == 400
    assert synced.article(SLUG).revision_number == 1


def test_stale_save_shows_a_conflict_and_loses_nothing(synced, client, agent):
    first = _form(synced, body=synced.article(SLUG).body + "\nFirst editor.\n")
    stale = _form(synced, body=synced.article(SLUG).body + "\nSecond editor.\n")
    assert client.post(EDIT, data=first).status_code == 302
    response = client.post(EDIT, data=stale)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Your edit was not saved" in html
    assert 'id="current-version"' in html and "First editor." in html
    assert 'id="your-version"' in html and "Second editor." in html
    assert 'name="base_revision" type="hidden" value="2"' in html
    article = synced.article(SLUG)
    assert article.revision_number == 2 and "Second editor." not in article.body


def test_history_diff_and_restore(synced, client, agent):
    original = synced.article(SLUG).body
    client.post(EDIT, data=_form(synced, body=original.replace("Restore", "Recover", 1),
                                 title="Recover purchases"))  # fmt: skip
    history = client.get(f"/articles/{SLUG}/history").get_data(as_text=True)
    assert "File import" in history and "Browser edit" in history and "Agnes Agent" in history
    diff = client.get(f"/articles/{SLUG}/diff?from=1&to=2")
    html = diff.get_data(as_text=True)
    assert diff.status_code == 200
    assert "<del>" in html and "<ins>" in html and "Removed" in html and "Added" in html
    assert '<mark class="diff-word">Restore</mark>' in html  # the changed word, in its line
    assert '<mark class="diff-word">Recover</mark>' in html
    assert "Recover purchases" in html  # the title change
    assert client.get(f"/articles/{SLUG}/diff?from=1&to=9").status_code == 404
    assert client.get(f"/articles/{SLUG}/diff?from=x").status_code == 404

    confirm = client.get(f"/articles/{SLUG}/revisions/1/restore")
    assert confirm.status_code == 200 and 'id="confirm-restore"' in confirm.get_data(as_text=True)
    response = client.post(f"/articles/{SLUG}/revisions/1/restore", data={"base_revision": "2"})
    assert response.status_code == 302
    article = synced.article(SLUG)
    assert article.revision_number == 3 and article.body == original
    with synced.app.app_context():
        sources = db.session.scalars(
            select(ArticleRevision.source)
            .where(ArticleRevision.article_id == article.id)
            .order_by(ArticleRevision.number)
        ).all()
        assert sources == ["file", "browser", "restore"]


def test_stale_restore_is_refused(synced, client, agent):
    client.post(EDIT, data=_form(synced, body="Changed body.\n"))
    response = client.post(f"/articles/{SLUG}/revisions/1/restore", data={"base_revision": "1"})
    assert response.status_code == 302 and response.location.endswith("/history")
    assert synced.article(SLUG).revision_number == 2
    assert client.get(f"/articles/{SLUG}/revisions/7/restore").status_code == 404
