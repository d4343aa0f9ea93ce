"""The anonymous page cache forgets the erased person at once: the next anonymous view of their
thread is rendered afresh, under the placeholder."""

from __future__ import annotations

import pytest

from app.outbox import commit
from app.privacy.erasure import PLACEHOLDER_NAME, erase_person


@pytest.fixture
def app_config(tmp_path):
    return {
        "TICKET_ATTACHMENT_DIR": str(tmp_path / "attachments"),
        "FORUM_PREMODERATE_POSTS": 0,
        "PAGE_CACHE_ENABLED": True,
    }


def _get(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.headers.get("X-Page-Cache"), response.get_data(as_text=True)


def test_cached_thread_page_forgets_the_name_at_once(app, person, now):
    anonymous = app.test_client()
    path = f"/community/t/{person.ids['thread']}"
    _get(anonymous, path)
    state, html = _get(anonymous, path)
    assert state == "hit" and person.name in html
    with app.app_context():
        erase_person(person.user_id, now=now)
        commit()
    state, html = _get(anonymous, path)
    assert state == "miss" and person.name not in html and PLACEHOLDER_NAME in html
