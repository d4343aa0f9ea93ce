"""Create, read, edit, history, diff, revert, rename, delete and restore through the pages."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.outbox import OutboxEvent
from app.wiki.models import WikiPage


def test_anonymous_reads_but_cannot_write(client, auth, factory, wiki):
    auth.login(factory.user())
    wiki.create()
    auth.logout()
    page = client.get("/wiki/basil-care")
    assert page.status_code == 200
    assert "Water it." in page.get_data(as_text=True)
    assert client.get("/wiki/").status_code == 200
    assert client.get("/wiki/new").status_code == 302  # to sign in
    assert client.post("/wiki/basil-care/edit", data={"body": "x"}).status_code == 302
    assert client.get("/wiki/no-such-page").status_code == 404


def test_index_empty_state_and_search(client, auth, factory, wiki):
    assert "no pages yet" in client.get("/wiki/").get_data(as_text=True)
    auth.login(factory.user())
    wiki.create("Basil care")
    wiki.create("Tomato staking", body="Stakes.\n")
    html = client.get("/wiki/?q=tomato").get_data(as_text=True)
    assert "Tomato staking" in html and "Basil care" not in html
    assert "Create the page" in client.get("/wiki/?q=chilli").get_data(as_text=True)


def test_create_validation_errors_are_next_to_fields(client, auth, factory, wiki):
    auth.login(factory.user())
    wiki.create("Basil care")
    cases = [
        ({"title": "", "body": "x"}, "title", "Enter a title"),
        ({"title": "Recent", "body": "x"}, "title", "reserved"),
        ({"title": "basil  CARE", "body": "x"}, "title", "already exists"),
        ({"title": "Thyme", "body": "   "}, "body", "Write something"),
    ]
    for data, field, message in cases:
        response = client.post("/wiki/new", data={**data, "edit_token": wiki.token()})
        assert response.status_code == 422, data
        html = response.get_data(as_text=True)
        assert f'id="{field}-error"' in html and message in html


def test_edit_history_and_diff(client, auth, factory, wiki):
    user = factory.user(display_name="Ann")
    auth.login(user)
    wiki.create(body="Line one.\n\nLine two.\n")
    response = wiki.save("basil-care", "Line one.\n\nLine 2, better.\n", summary="Clearer")
    assert response.status_code == 302
    first, second = wiki.revisions("basil-care")
    assert (first.number, second.number, second.parent_id) == (1, 2, first.id)
    assert second.size_delta == len("Line 2, better.") - len("Line two.")
    history = client.get("/wiki/basil-care/history").get_data(as_text=True)
    assert "Clearer" in history and "Ann" in history and "#2" in history
    diff = client.get(f"/wiki/basil-care/diff?from={first.id}&to={second.id}")
    html = diff.get_data(as_text=True)
    assert diff.status_code == 200
    # The changed line on both sides, with the words that changed marked within it.
    assert '<del><span class="visually-hidden">removed: </span>' in html
    assert 'Line <mark class="diff-word">two</mark>.</del>' in html
    assert 'Line <mark class="diff-word">2, better</mark>.</ins>' in html
    old = client.get(f"/wiki/basil-care/revisions/{first.id}").get_data(as_text=True)
    assert "Line two." in old and "old revision" in old


def test_unchanged_text_saves_no_revision(client, auth, factory, wiki):
    auth.login(factory.user())
    wiki.create(body="Same.\n")
    response = wiki.save("basil-care", "Same.\r\n\r\n")
    assert response.status_code == 302
    assert len(wiki.revisions("basil-care")) == 1


def test_double_submit_saves_once(client, auth, factory, wiki):
    auth.login(factory.user())
    wiki.create()
    form = wiki.edit_form("basil-care")
    for _ in range(2):
        assert wiki.save("basil-care", "New text.\n", form=form).status_code == 302
    assert len(wiki.revisions("basil-care")) == 2
    data = {"title": "Thyme", "body": "Thyme.\n", "edit_token": "same-token"}
    assert client.post("/wiki/new", data=data).status_code == 302
    assert client.post("/wiki/new", data=data).status_code == 302
    assert len(wiki.revisions("thyme")) == 1


def test_revert_creates_a_new_revision(client, auth, factory, wiki):
    auth.login(factory.user())
    wiki.create(body="Good text.\n")
    wiki.save("basil-care", "Vandalism!\n")
    first = wiki.revisions("basil-care")[0]
    assert client.get(f"/wiki/basil-care/revisions/{first.id}/revert").status_code == 200
    response = client.post(
        f"/wiki/basil-care/revisions/{first.id}/revert", data={"summary": "spam"}
    )
    assert response.status_code == 302
    revisions = wiki.revisions("basil-care")
    assert [r.kind for r in revisions] == ["create", "edit", "revert"]
    assert revisions[-1].body == "Good text.\n"
    assert revisions[-1].summary == "Reverted to revision 1: spam"
    assert "Good text." in client.get("/wiki/basil-care").get_data(as_text=True)


def test_rename_redirects_old_title_and_keeps_history(client, auth, factory, wiki):
    auth.login(factory.user())
    wiki.create("Basil care")
    response = client.post("/wiki/basil-care/rename", data={"title": "Growing basil"})
    assert response.status_code == 302
    old = client.get("/wiki/basil-care/history")
    assert old.status_code == 301 and old.location.endswith("/wiki/growing-basil/history")
    assert client.get("/wiki/growing-basil").status_code == 200
    kinds = [r.kind for r in wiki.revisions("growing-basil")]
    assert kinds == ["create", "rename"]
    taken = client.post("/wiki/growing-basil/rename", data={"title": "Growing basil"})
    assert taken.status_code == 422
    # The old title redirects only until a new page takes it (tests/wiki/test_redirects.py).
    again = client.post("/wiki/new", data={"title": "Basil care", "body": "x", "edit_token": "z"})
    assert again.status_code == 302 and again.location.endswith("/wiki/basil-care")


def test_delete_is_soft_and_moderators_restore(client, auth, factory, wiki, app):
    contributor = factory.user("contributor")
    member = factory.user()
    moderator = factory.user("moderator")
    auth.login(member)
    wiki.create()
    assert client.get("/wiki/basil-care/delete").status_code == 403  # members can't delete
    auth.logout()
    auth.login(contributor)
    assert client.get("/wiki/basil-care/delete").status_code == 200  # confirmation first
    assert client.post("/wiki/basil-care/delete", data={"summary": "dup"}).status_code == 302
    assert client.get("/wiki/basil-care").status_code == 404
    assert "Basil care" not in client.get("/wiki/").get_data(as_text=True)
    auth.logout()
    auth.login(moderator)
    deleted = client.get("/wiki/basil-care").get_data(as_text=True)
    assert "This page is deleted" in deleted
    assert "Basil care" in client.get("/wiki/?show=deleted").get_data(as_text=True)
    assert client.post("/wiki/basil-care/restore").status_code == 302
    auth.logout()
    assert client.get("/wiki/basil-care").status_code == 200
    assert [r.kind for r in wiki.revisions("basil-care")] == ["create", "delete", "restore"]


def test_wikilinks_missing_then_existing(client, auth, factory, wiki):
    auth.login(factory.user())
    wiki.create("Basil care", body="Plant near [[Tomato care|tomatoes]].\n")
    html = client.get("/wiki/basil-care").get_data(as_text=True)
    assert 'class="wikilink-missing"' in html and "/wiki/new?title=Tomato+care" in html
    wiki.create("Tomato care", body="Stake them.\n")
    html = client.get("/wiki/basil-care").get_data(as_text=True)
    assert 'class="wikilink" href="/wiki/tomato-care"' in html
    assert "<script" not in client.post(
        "/wiki/preview", data={"body": "[[<script>alert(1)</script>]]"}
    ).get_data(as_text=True)


def test_every_change_tells_search(client, auth, factory, wiki, app):
    auth.login(factory.user("moderator"))
    wiki.create()
    wiki.save("basil-care", "Changed.\n")
    client.post("/wiki/basil-care/protect", data={"level": "semi"})
    client.post("/wiki/basil-care/rename", data={"title": "Basil"})
    client.post("/wiki/basil/delete", data={})
    client.post("/wiki/basil/restore")
    with app.app_context():
        page = db.session.scalar(select(WikiPage))
        events = db.session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "search")).all()
        assert [e.payload for e in events] == [{"type": "wiki_page", "id": page.id}] * 6
        assert page.current_revision.body_text == "Changed."
        assert (page.title, page.slug, page.protection, page.is_deleted) == (
            "Basil",
            "basil",
            "semi",
            False,
        )


def test_out_of_range_ids_are_404_not_500(client, auth, factory, wiki):
    auth.login(factory.user("moderator"))
    wiki.create()
    huge = 2**64
    assert client.get(f"/wiki/basil-care/revisions/{huge}").status_code == 404
    assert client.get(f"/wiki/basil-care/diff?from={huge}&to={huge}").status_code == 404
    assert client.post(f"/wiki/review/{huge}").status_code == 404
    form = wiki.edit_form("basil-care")
    response = wiki.save("basil-care", "x\n", form={**form, "base_revision_id": str(huge)})
    assert response.status_code == 409  # no usable base: shown as a conflict, nothing saved
    assert len(wiki.revisions("basil-care")) == 1


def test_an_old_title_does_not_give_away_a_deleted_page(client, auth, factory, wiki):
    moderator = factory.user("moderator")
    auth.login(moderator)
    wiki.create("Basil care")
    client.post("/wiki/basil-care/rename", data={"title": "Secret new name"})
    assert client.post("/wiki/secret-new-name/delete", data={"summary": "x"}).status_code == 302
    moved = client.get("/wiki/basil-care")  # a moderator still follows it to the deleted page
    assert moved.status_code == 301 and moved.location.endswith("/wiki/secret-new-name")
    auth.logout()
    for url in ("/wiki/basil-care", "/wiki/basil-care/history"):
        response = client.get(url)
        assert response.status_code == 404
        assert "secret" not in response.get_data(as_text=True).lower()
        assert "Location" not in response.headers
