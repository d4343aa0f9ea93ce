"""No lost update through the pages: late saves merge or show a conflict, never overwrite."""

from __future__ import annotations

from tests.wiki.conftest import BODY


def test_different_sections_merge_and_say_so(client, wiki, bob):
    ann_form = wiki.edit_form("basil-care")
    bob_form = wiki.edit_form("basil-care", client=bob)
    assert wiki.save("basil-care", BODY.replace("Six hours", "Eight hours"), form=bob_form,
                     client=bob).status_code == 302  # fmt: skip
    response = wiki.save(
        "basil-care", BODY.replace("every morning", "every evening"), form=ann_form
    )
    assert response.status_code == 302
    page = client.get("/wiki/basil-care").get_data(as_text=True)
    assert "merged" in page  # the flash says so
    revisions = wiki.revisions("basil-care")
    assert len(revisions) == 3 and revisions[-1].merged
    assert "(merged automatically)" in revisions[-1].summary
    assert "every evening" in revisions[-1].body and "Eight hours" in revisions[-1].body
    assert revisions[-1].parent_id == revisions[-2].id


def test_different_paragraphs_merge(client, wiki, bob):
    ann_form = wiki.edit_form("basil-care")
    bob_form = wiki.edit_form("basil-care", client=bob)
    wiki.save("basil-care", BODY.replace("twice a week", "daily"), form=bob_form, client=bob)
    wiki.save("basil-care", BODY.replace("every morning", "at dawn"), form=ann_form)
    body = wiki.revisions("basil-care")[-1].body
    assert "daily" in body and "at dawn" in body


def test_same_paragraph_is_a_conflict_and_can_be_resolved(client, wiki, bob):
    ann_form = wiki.edit_form("basil-care")
    bob_form = wiki.edit_form("basil-care", client=bob)
    wiki.save("basil-care", BODY.replace("every morning", "at noon"), form=bob_form, client=bob)
    mine = BODY.replace("every morning", "every evening")
    response = wiki.save("basil-care", mine, form=ann_form)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert 'id="wiki-conflict"' in html
    assert "Water basil at noon." in html  # their text
    assert "Water basil every evening." in html  # yours, still in the editor
    assert "Bob" in html
    assert len(wiki.revisions("basil-care")) == 2  # nothing saved
    # The form now carries the current revision as its base: saving again wins cleanly.
    current = wiki.revisions("basil-care")[-1]
    assert f'value="{current.id}"' in html
    resolved = BODY.replace("every morning", "at noon or in the evening")
    again = wiki.save(
        "basil-care", resolved, form={**ann_form, "base_revision_id": str(current.id)}
    )
    assert again.status_code == 302
    assert wiki.revisions("basil-care")[-1].body == resolved


def test_stale_base_with_no_own_change_keeps_theirs(client, wiki, bob):
    ann_form = wiki.edit_form("basil-care")
    bob_form = wiki.edit_form("basil-care", client=bob)
    wiki.save("basil-care", BODY + "\nMore.\n", form=bob_form, client=bob)
    # Ann submits the text she was given, unchanged: Bob's edit must survive.
    assert wiki.save("basil-care", BODY, form=ann_form).status_code == 302
    revisions = wiki.revisions("basil-care")
    assert len(revisions) == 2 and "More." in revisions[-1].body


def test_unknown_base_is_a_form_error_not_a_crash(client, auth, factory, wiki):
    auth.login(factory.user())
    wiki.create()
    form = wiki.edit_form("basil-care")
    # No usable base: nothing is saved over the current text; the editor compares first.
    response = wiki.save("basil-care", "x\n", form={**form, "base_revision_id": "999999"})
    assert response.status_code == 409
    response = wiki.save("basil-care", "x\n", form={**form, "base_revision_id": "abc"})
    assert response.status_code == 409
    assert len(wiki.revisions("basil-care")) == 1
