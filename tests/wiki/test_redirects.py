"""Titles left behind by renames: they redirect until a new page takes them, so renaming never
reserves titles; only a moderator can keep an old title for the page."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.wiki.models import WikiRedirect


def _new(client, title, body="A page of its own.\n", token=None):
    return client.post(
        "/wiki/new", data={"title": title, "body": body, "edit_token": token or title}
    )


def test_a_new_page_takes_a_title_left_by_a_rename(client, auth, factory, wiki, app):
    auth.login(factory.user())
    wiki.create("Basil care")
    wiki.create("Tomato care", body="Plant near [[Basil care]].\n")
    client.post("/wiki/basil-care/rename", data={"title": "Growing basil"})
    assert client.get("/wiki/basil-care").status_code == 301
    # The create form is offered for the title, not a jump to the renamed page.
    assert client.get("/wiki/new?title=Basil+care").status_code == 200
    response = _new(client, "Basil care")
    assert response.status_code == 302 and response.location.endswith("/wiki/basil-care")
    page = client.get("/wiki/basil-care")
    assert page.status_code == 200 and "A page of its own." in page.get_data(as_text=True)
    assert client.get("/wiki/growing-basil").status_code == 200
    links = client.get("/wiki/tomato-care").get_data(as_text=True)
    assert 'class="wikilink" href="/wiki/basil-care"' in links
    with app.app_context():
        assert (
            db.session.scalar(select(WikiRedirect).where(WikiRedirect.slug == "basil-care")) is None
        )


def test_repeated_renames_reserve_no_titles(client, auth, factory, wiki):
    auth.login(factory.user())
    wiki.create("Basil care")
    for old, new in (("basil-care", "Basil one"), ("basil-one", "Basil two"),
                     ("basil-two", "Basil three")):  # fmt: skip
        assert client.post(f"/wiki/{old}/rename", data={"title": new}).status_code == 302
    other = factory.user()
    auth.logout()
    auth.login(other)
    for title in ("Basil care", "Basil one", "Basil two"):
        assert _new(client, title).status_code == 302, title
    # Renaming into a title another page left behind works the same way.
    wiki.create("Mint care", body="Mint.\n")
    client.post("/wiki/mint-care/rename", data={"title": "Mint"})
    assert client.post("/wiki/basil-three/rename", data={"title": "Mint care"}).status_code == 302
    assert client.get("/wiki/mint-care").status_code == 200


def test_only_moderators_keep_an_old_title(client, auth, factory, wiki):
    member, moderator = factory.user(), factory.user("moderator")
    auth.login(member)
    wiki.create("Basil care")
    assert "keep_redirect" not in client.get("/wiki/basil-care/rename").get_data(as_text=True)
    refused = client.post(
        "/wiki/basil-care/rename", data={"title": "Growing basil", "keep_redirect": "y"}
    )
    assert refused.status_code == 403
    assert client.get("/wiki/basil-care").status_code == 200  # not renamed
    auth.logout()
    auth.login(moderator)
    assert "keep_redirect" in client.get("/wiki/basil-care/rename").get_data(as_text=True)
    response = client.post(
        "/wiki/basil-care/rename", data={"title": "Growing basil", "keep_redirect": "y"}
    )
    assert response.status_code == 302
    auth.logout()
    auth.login(member)
    taken = _new(client, "Basil care")
    assert taken.status_code == 422 and "already leads" in taken.get_data(as_text=True)
    assert client.get("/wiki/basil-care").status_code == 301
