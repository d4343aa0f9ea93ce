"""A request made from a troubleshooting guide names the guide by its title, with a link, on
the form, on the requester's page and in the agent's workspace."""

from __future__ import annotations

import re

import pytest

GUIDE = "reminders-not-arriving"
LINK = re.compile(r'<a href="/articles/reminders-not-arriving"[^>]*>Reminders not arriving</a>')


@pytest.fixture
def synced(runner):
    result = runner.invoke(args=["content", "sync", "--quiet"])
    assert result.exit_code == 0, result.output


def test_guide_is_named_by_title_everywhere(synced, client, auth, factory, app):
    member = factory.user()
    auth.login(member)
    form = client.get(f"/requests/new?guide={GUIDE}&steps=5").get_data(as_text=True)
    note = form.split('id="guide-note"', 1)[1].split("</p>", 1)[0]
    assert LINK.search(note) and GUIDE + "<" not in note and "5 steps" in note
    response = client.post(
        "/requests/new",
        data={"category": "app", "subject": "No reminders", "impact": "minor",
              "description": "Still nothing.", "guide": GUIDE, "steps": "5"},
    )  # fmt: skip
    ticket_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    mine = client.get(f"/requests/{ticket_id}").get_data(as_text=True)
    assert LINK.search(mine)
    auth.logout()
    auth.login(factory.user("agent_t1"))
    work = client.get(f"/requests/{ticket_id}/work").get_data(as_text=True)
    tried = work.split("<dt>Tried guide</dt>", 1)[1].split("</dd>", 1)[0]
    assert LINK.search(tried) and "(5 steps)" in tried


def test_unknown_guide_reads_as_words_without_a_link(client, auth, factory):
    auth.login(factory.user())
    form = client.get("/requests/new?guide=sync-not-working&steps=4").get_data(as_text=True)
    note = form.split('id="guide-note"', 1)[1].split("</p>", 1)[0]
    assert "Sync not working" in note and "<a " not in note
