"""Wiki test helpers: pages made through the real pages (HTTP) or services, and look-ups."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.wiki.models import WikiPage, WikiRevision

#: The page two editors change at once in the conflict and lost-update tests.
BODY = (
    "# Watering\n\nWater basil every morning.\n\nTomatoes twice a week.\n\n"
    "# Light\n\nSix hours of sun.\n"
)


class Wiki:
    def __init__(self, app, client):
        self.app = app
        self.client = client
        self.tokens = 0

    def token(self) -> str:
        self.tokens += 1
        return f"token-{self.tokens}"

    def create(self, title="Basil care", body="# Basil\n\nWater it.\n", summary="", client=None):
        response = (client or self.client).post(
            "/wiki/new",
            data={"title": title, "body": body, "summary": summary, "edit_token": self.token()},
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response

    def edit_form(self, slug, client=None) -> dict:
        """The hidden fields of a fresh edit form, as a browser would get them."""
        html = (client or self.client).get(f"/wiki/{slug}/edit").get_data(as_text=True)
        fields = {}
        for name in ("base_revision_id", "edit_token", "page_id"):
            match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html) or re.search(
                rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', html
            )
            if name == "page_id" and match is None:
                continue  # forms from before the page id was carried
            assert match, html[:3000]
            fields[name] = match.group(1)
        return fields

    def save(self, slug, body, form=None, summary="", client=None):
        form = form or self.edit_form(slug, client)
        return (client or self.client).post(
            f"/wiki/{slug}/edit", data={**form, "body": body, "summary": summary}
        )

    def page(self, slug) -> WikiPage:
        with self.app.app_context():
            page = db.session.scalar(select(WikiPage).where(WikiPage.slug == slug))
            db.session.expunge(page)
            return page

    def revisions(self, slug, status="accepted") -> list[WikiRevision]:
        with self.app.app_context():
            page = db.session.scalar(select(WikiPage).where(WikiPage.slug == slug))
            rows = db.session.scalars(
                select(WikiRevision)
                .where(WikiRevision.page_id == page.id, WikiRevision.status == status)
                .order_by(WikiRevision.id)
            ).all()
            for row in rows:
                db.session.expunge(row)
            return list(rows)


@pytest.fixture
def wiki(app, client) -> Wiki:
    return Wiki(app, client)


@pytest.fixture
def bob(app, auth, factory, wiki):
    """Bob's own browser (a second client), signed in, after Ann created "Basil care" (BODY)
    in the ``client`` she is signed in with: two editors of one page."""
    ann, bob = factory.user(display_name="Ann"), factory.user(display_name="Bob")
    auth.login(ann)
    wiki.create(body=BODY)
    other = app.test_client()
    other.post("/account/login", data={"email": bob.email, "password": "correct horse battery"})
    return other
