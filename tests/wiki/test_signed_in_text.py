"""A wiki page's approved text is rendered once per content version and shared by its signed-in
readers (app/fragments.py): an edit shows at once, the reader's own parts stay theirs, and the
statements of a view are pinned."""

from __future__ import annotations

import pytest


@pytest.fixture
def app_config():
    return {"PAGE_CACHE_ENABLED": True}


def test_shared_wiki_text_follows_edits_and_keeps_readers_apart(
    app, client, auth, factory, wiki, sql_statements
):
    author = factory.user(display_name="Ann Author")
    auth.login(author)
    wiki.create(body="Water basil every morning.\n")
    assert "every morning" in client.get("/wiki/basil-care").get_data(as_text=True)

    reader = app.test_client()
    auth_reader = type(auth)(reader)
    auth_reader.login(factory.user(display_name="Rita Reader"))
    reader.get("/wiki/basil-care")  # a new account is a change readers see: renders afresh
    with sql_statements() as seen:
        page = reader.get("/wiki/basil-care").get_data(as_text=True)
    assert "every morning" in page and "text by Ann Author" in page
    assert "Rita Reader" in page and 'id="user-menu-button"' in page
    assert "Ann Author</summary>" not in page
    # Page, session with user, the reader's held edits, their watch: the text itself is shared.
    assert len(seen) == 4, "\n".join(s[:80] for s in seen)
    flat = [" ".join(statement.split()) for statement in seen]
    assert not [s for s in flat if "WHERE wiki_revision.id =" in s]  # the current text

    assert wiki.save("basil-care", "Water basil every evening.\n").status_code == 302
    after = reader.get("/wiki/basil-care").get_data(as_text=True)
    assert "every evening" in after and "every morning" not in after
