"""No edit is lost: a form without a usable base revision is never saved over the current text,
and a save or page action posted to a title the page has since left follows the page."""

from __future__ import annotations

import pytest

from tests.wiki.conftest import BODY

BOBS = BODY.replace("every morning", "at noon")
ANNS = BODY.replace("Six hours", "Eight hours")


@pytest.mark.parametrize("base", [None, "", "0", "abc", "-1", "1.5", "999999", str(2**64)])
def test_a_save_without_a_usable_base_is_not_saved_over_the_current_text(client, wiki, base, bob):
    form = wiki.edit_form("basil-care")
    assert wiki.save("basil-care", BOBS, client=bob).status_code == 302
    posted = {"edit_token": form["edit_token"]}
    if base is not None:
        posted["base_revision_id"] = base
    response = wiki.save("basil-care", ANNS, form=posted)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "tell which version of the page you started from" in html
    assert "Eight hours" in html  # Ann's text is still in the editor
    revisions = wiki.revisions("basil-care")
    assert len(revisions) == 2 and revisions[-1].body == BOBS  # Bob's edit stands
    # The form now starts from the current text: saving after looking is an ordinary edit.
    again = wiki.edit_form("basil-care")
    response = wiki.save(
        "basil-care", ANNS, form={**posted, "base_revision_id": again["base_revision_id"]}
    )
    assert response.status_code == 302
    assert wiki.revisions("basil-care")[-1].body == ANNS


def test_a_base_of_another_page_is_not_usable(app, client, auth, factory, wiki):
    auth.login(factory.user())
    wiki.create("Basil care")
    wiki.create("Tomato care", body="Stake them.\n")
    other = wiki.edit_form("tomato-care")
    form = wiki.edit_form("basil-care")
    response = wiki.save(
        "basil-care", "Mine.\n", form={**form, "base_revision_id": other["base_revision_id"]}
    )
    assert response.status_code == 409
    assert len(wiki.revisions("basil-care")) == 1


def test_an_edit_follows_a_rename_made_while_editing(client, wiki, bob):
    form = wiki.edit_form("basil-care")
    assert bob.post("/wiki/basil-care/rename", data={"title": "Growing basil"}).status_code == 302
    response = client.post(
        "/wiki/basil-care/edit", data={**form, "body": ANNS}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "Eight hours" in response.get_data(as_text=True)
    revisions = wiki.revisions("growing-basil")
    assert [r.kind for r in revisions] == ["create", "rename", "edit"]
    assert revisions[-1].body == ANNS and revisions[-1].title == "Growing basil"


def test_an_edit_without_the_page_id_follows_the_rename_as_a_post(client, wiki, bob):
    form = wiki.edit_form("basil-care")
    form.pop("page_id", None)
    assert bob.post("/wiki/basil-care/rename", data={"title": "Growing basil"}).status_code == 302
    response = client.post("/wiki/basil-care/edit", data={**form, "body": ANNS})
    assert response.status_code == 308  # a 301 would turn the save into a GET and lose it
    assert response.location.endswith("/wiki/growing-basil/edit")
    assert client.post(response.location, data={**form, "body": ANNS}).status_code == 302
    assert wiki.revisions("growing-basil")[-1].body == ANNS


def test_an_edit_reaches_its_page_after_a_new_page_took_the_old_title(client, wiki, bob):
    form = wiki.edit_form("basil-care")
    assert "page_id" in form
    bob.post("/wiki/basil-care/rename", data={"title": "Growing basil"})
    wiki.create("Basil care", body="A new page.\n", client=bob)
    response = client.post("/wiki/basil-care/edit", data={**form, "body": ANNS})
    assert response.status_code == 302 and response.location.endswith("/wiki/growing-basil")
    assert wiki.revisions("growing-basil")[-1].body == ANNS
    assert [r.body for r in wiki.revisions("basil-care")] == ["A new page.\n"]


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("rename", {"title": "Basil notes"}),
        ("delete", {"summary": "dup"}),
        ("protect", {"level": "semi"}),
        ("watch", {"action": "watch"}),
        ("revisions/{first}/revert", {}),
        ("revisions/{first}/hide", {}),
    ],
)
def test_every_page_action_posted_to_an_old_title_keeps_its_method(
    app, client, auth, factory, wiki, path, data
):
    auth.login(factory.user("moderator"))
    wiki.create("Basil care")
    wiki.save("basil-care", "Second.\n")
    first = wiki.revisions("basil-care")[0].id
    client.post("/wiki/basil-care/rename", data={"title": "Growing basil"})
    response = client.post(f"/wiki/basil-care/{path.format(first=first)}", data=data)
    assert response.status_code == 308
    assert response.location.endswith(f"/wiki/growing-basil/{path.format(first=first)}")
    assert client.get("/wiki/basil-care").status_code == 301  # reading links stay 301


def test_a_page_action_reaches_its_page_after_a_new_page_took_the_old_title(
    app, client, auth, factory, wiki
):
    auth.login(factory.user("moderator"))
    wiki.create("Basil care")
    html = client.get("/wiki/basil-care/delete").get_data(as_text=True)
    assert 'name="page_id"' in html
    page_id = wiki.page("basil-care").id
    client.post("/wiki/basil-care/rename", data={"title": "Growing basil"})
    wiki.create("Basil care", body="A new page.\n")
    response = client.post("/wiki/basil-care/delete", data={"page_id": page_id, "summary": "x"})
    assert response.status_code == 302
    assert wiki.page("growing-basil").is_deleted
    assert not wiki.page("basil-care").is_deleted
