"""Getting around the wiki: the watchlist page, undo and restore on history rows, and the
"Sign in to edit" prompt for readers who are not signed in."""

from __future__ import annotations

import re


def test_watchlist_lists_watched_pages_and_stops_watching(client, auth, factory, wiki):
    assert client.get("/wiki/watchlist").status_code == 302  # sign in first
    auth.login(factory.user())
    wiki.create(title="Basil care")
    wiki.create(title="Mint care")
    empty = client.get("/wiki/watchlist")
    assert empty.status_code == 200
    assert "You don't watch any pages yet" in empty.get_data(as_text=True)
    client.post("/wiki/basil-care/watch", data={"action": "watch"})
    html = client.get("/wiki/watchlist").get_data(as_text=True)
    assert 'href="/wiki/basil-care"' in html and "Mint care" not in html
    response = client.post(
        "/wiki/basil-care/watch", data={"action": "unwatch", "return_to": "watchlist"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/wiki/watchlist")
    assert "Basil care" not in client.get("/wiki/watchlist").get_data(as_text=True)


def test_history_rows_offer_undo_and_restore_through_the_confirmation(client, auth, factory, wiki):
    auth.login(factory.user())
    wiki.create(body="Good text.\n")
    wiki.save("basil-care", "Vandalism!\n")
    first, second = wiki.revisions("basil-care")
    html = client.get("/wiki/basil-care/history").get_data(as_text=True)
    undo = re.search(r'href="([^"]+)" class="wiki-undo-link" id="wiki-undo-(\d+)"', html)
    assert undo and int(undo.group(2)) == second.id
    assert undo.group(1) == f"/wiki/basil-care/revisions/{first.id}/revert"
    assert f'id="wiki-restore-{first.id}"' in html
    # The link opens the confirmation; the change happens on its POST.
    confirm = client.get(undo.group(1)).get_data(as_text=True)
    assert 'method="post"' in confirm
    client.post(undo.group(1), data={"summary": "undo vandalism"})
    assert wiki.revisions("basil-care")[-1].body == "Good text.\n"


def test_readers_see_no_undo_and_a_sign_in_prompt(client, auth, factory, wiki):
    auth.login(factory.user())
    wiki.create(body="Good text.\n")
    wiki.save("basil-care", "More text.\n")
    auth.logout()
    html = client.get("/wiki/basil-care/history").get_data(as_text=True)
    assert "wiki-undo-link" not in html and "wiki-restore-link" not in html
    page = client.get("/wiki/basil-care").get_data(as_text=True)
    assert 'id="wiki-sign-in-to-edit"' in page
    assert 'href="/account/login?next=/wiki/basil-care">Sign in to edit' in page
    auth.login(factory.user())
    assert 'id="wiki-sign-in-to-edit"' not in client.get("/wiki/basil-care").get_data(as_text=True)


def test_live_preview_is_not_a_live_region(client, auth, factory, wiki):
    # Announcing the whole preview at every pause in typing drowns a screen reader.
    auth.login(factory.user())
    wiki.create()
    html = client.get("/wiki/basil-care/edit").get_data(as_text=True)
    preview = re.search(r'<div id="wiki-preview"[^>]*>', html).group(0)
    assert "aria-live" not in preview
