"""Browsing the forum's lists."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("app_config", [{"FORUM_THREADS_PER_PAGE": 2}])
def test_a_page_past_the_end_shows_the_last_page(app_config, client, factory, forum):
    """An old or edited ?page= shows the end of the list, not "no threads yet"."""
    author = factory.user("moderator")
    for title in ("Repotting ferns", "Yellow basil", "Orchid roots"):
        forum.thread(author, title=title)
    html = client.get("/community/?page=999").get_data(as_text=True)
    assert "Page 2 of 2" in html
    assert "No threads here yet" not in html
    assert "Repotting ferns" in html  # the oldest, alone on the last page
