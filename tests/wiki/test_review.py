"""The new-account rule: first edits wait for a moderator, then merge into the current text."""

from __future__ import annotations

import pytest


@pytest.fixture
def app_config():
    return {"WIKI_REVIEW_FIRST_EDITS": 1, "WIKI_NEW_ACCOUNT_DAYS": 7}


def test_first_edit_of_new_account_waits_for_review(client, factory, wiki, auth):
    veteran, newcomer, moderator = (
        factory.user("contributor"), factory.user(), factory.user("moderator"),
    )  # fmt: skip
    auth.switch_to(veteran)
    wiki.create(body="Intro.\n\nTips.\n")
    auth.switch_to(newcomer)
    assert wiki.save("basil-care", "Intro.\n\nTips and tricks.\n").status_code == 302
    assert len(wiki.revisions("basil-care")) == 1
    [held] = wiki.revisions("basil-care", status="pending")
    assert "waiting for review" in client.get("/wiki/basil-care").get_data(as_text=True)
    auth.switch_to(veteran)
    assert "Tips and tricks" not in client.get("/wiki/basil-care").get_data(as_text=True)
    wiki.save("basil-care", "Intro, longer.\n\nTips.\n")  # saved meanwhile
    auth.switch_to(moderator)
    assert "Basil care" in client.get("/wiki/review").get_data(as_text=True)
    assert client.post(f"/wiki/review/{held.id}", data={"decision": "approve"}).status_code == 302
    body = wiki.revisions("basil-care")[-1].body
    assert body == "Intro, longer.\n\nTips and tricks.\n"  # merged with the later edit
    auth.switch_to(newcomer)  # one approved edit: trusted from now on
    wiki.save("basil-care", body + "\nMore.\n")
    assert wiki.revisions("basil-care")[-1].body.endswith("More.\n")
