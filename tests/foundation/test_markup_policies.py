"""What user HTML may do to the page around it: take its element ids or names, or make a
reader's browser load images from anywhere (tracking pixels in tickets and posts)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from app import markup

VECTORS = json.loads((Path(__file__).parent / "xss_vectors.json").read_text())
IMAGE_HOST = "images.growgrebuddy.com"


class _Attributes(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.found.extend((tag, name, value) for name, value in attrs)

    handle_startendtag = handle_starttag


def attributes(html: str) -> list[tuple[str, str, str | None]]:
    parser = _Attributes()
    parser.feed(html)
    parser.close()
    return parser.found


def _clobbering(html: str) -> list[str]:
    """Ids outside the content's ``h-`` namespace, and any ``name`` (both become properties
    of ``document``/``window`` and can shadow what the page's scripts read)."""
    return [
        f"<{tag} {name}={value!r}>"
        for tag, name, value in attributes(html)
        if (name == "id" and not (value or "").startswith("h-")) or name == "name"
    ]


@pytest.mark.parametrize(
    "source",
    [
        '<h2 id="main-content">Skip here</h2>',
        '<h3 id="csrf_token">x</h3>',
        "<h1 id=search-form>x</h1>",
        '<h2 ID="Main">x</h2>',
        '<a name="getElementById" href="/x">x</a>',
        '<img name="cookie" src="/a.png">',
        '<form name="body"><input name="action"></form>',
        '<p id="x"><span id="y">z</span></p>',
    ],
)
def test_user_html_cannot_take_page_ids_or_names(source):
    for user_content in (True, False):
        html = markup.render(source, user_content=user_content)
        assert _clobbering(html) == []
        assert markup.clean(html, user_content=user_content) == html


def test_raw_heading_ids_keep_their_meaning_under_the_prefix():
    html = markup.render('<h2 id="main-content">Skip here</h2>')
    assert '<h2 id="h-main-content">Skip here</h2>' in html
    # Already in the content's namespace: not prefixed twice.
    assert 'id="h-setup"' in markup.render('<h2 id="h-setup">Setup</h2>')


def test_no_attack_string_keeps_an_id_or_name_outside_the_namespace():
    failures = {
        vector["payload"][:80]: found
        for vector in VECTORS
        if (found := _clobbering(markup.render(vector["payload"])))
    }
    assert failures == {}


def _images(html: str) -> list[str]:
    return [value or "" for tag, name, value in attributes(html) if tag == "img" and name == "src"]


@pytest.mark.parametrize(
    "source",
    [
        "![pixel](https://tracker.example/p.gif)",
        '<img src="https://tracker.example/p.gif" width="1" height="1">',
        '<img src="//tracker.example/p.gif">',
        "![pixel](http://tracker.example/p.gif)",
        "![upper](HTTPS://Tracker.Example/p.gif)",
        "![ws](  https://tracker.example/p.gif  )",
        "![ent](https&#58;//tracker.example/p.gif)",
    ],
)
def test_remote_images_become_links_without_configuration(source):
    html = markup.render(source)
    assert _images(html) == []
    assert 'href="' in html and "tracker.example" in html.lower()
    assert markup.clean(html) == html


@pytest.mark.parametrize(
    "source",
    ["![x](data:image/png;base64,AAAA)", '<img src="data:image/svg+xml,%3Csvg%3E" alt="">'],
)
def test_data_uri_images_never_reach_user_content(source):
    # The CSP allows data: for the stylesheet's icons; the sanitiser keeps it out of posts.
    assert _images(markup.render(source)) == []


def test_relative_images_stay():
    html = markup.render("![Basil](/static/img/basil.png) ![Leaf](leaf.png)")
    assert _images(html) == ["/static/img/basil.png", "leaf.png"]


def test_configured_hosts_may_serve_images(app):
    app.config["MARKUP_IMAGE_HOSTS"] = [IMAGE_HOST]
    with app.app_context():
        html = markup.render(
            f"![ok](https://{IMAGE_HOST}/a.png) ![plain](http://{IMAGE_HOST}/b.png) "
            f"![other](https://evil.{IMAGE_HOST}.example/c.png) ![pixel](https://tracker.example/p)"
        )
    assert _images(html) == [f"https://{IMAGE_HOST}/a.png"]
    assert html.count("<a ") == 3
    assert ">other</a>" in html and ">pixel</a>" in html


def test_a_replaced_image_keeps_its_alt_text_as_the_link_label():
    html = markup.render('![Chart <of> "yields"](https://tracker.example/p.png)')
    assert "<img" not in html
    assert (
        '>Chart &lt;of&gt; "yields"</a>' in html
        or ">Chart &lt;of&gt; &quot;yields&quot;</a>" in html
    )
    assert 'rel="nofollow ugc noopener noreferrer"' in html


def test_csp_allows_images_only_from_the_site_and_configured_hosts(app, client):
    csp = client.get("/").headers["Content-Security-Policy"]
    img_src = next(part for part in csp.split("; ") if part.startswith("img-src"))
    # data: for the stylesheet's inline SVG icons (no request is made for them).
    assert img_src == "img-src 'self' data:"


def test_csp_lists_configured_image_hosts(database_url, tmp_path):
    from app import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "HELPCENTER_ENV": "testing",
            "DATABASE_URL": database_url,
            "MAIL_FILE_DIR": str(tmp_path),
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
            "MARKUP_IMAGE_HOSTS": [IMAGE_HOST],
        }
    )
    csp = app.test_client().get("/").headers["Content-Security-Policy"]
    assert f"img-src 'self' data: https://{IMAGE_HOST};" in csp


def test_ticket_message_images_from_other_hosts_reach_staff_as_links(app, factory, now):
    from app.extensions import db
    from app.tickets import services

    requester = factory.user()
    with app.app_context():
        ticket = services.create_ticket(
            db.session.merge(requester),
            subject="Pump stopped",
            description="See ![photo](https://tracker.example/pixel.gif?uid=42)",
            category="app",
            impact="minor",
            channel="web",
            now=now,
        )
        db.session.flush()
        assert "<img" not in ticket.description_html
        assert 'href="https://tracker.example/pixel.gif?uid=42"' in ticket.description_html


def test_a_remote_image_inside_a_link_becomes_its_label_not_a_nested_link():
    html = markup.render(
        "[![build](https://tracker.example/badge.svg)](https://growgrebuddy.com/ci)"
    )
    assert "<img" not in html and html.count("<a ") == 1
    assert '<a href="https://growgrebuddy.com/ci"' in html and ">build</a>" in html
    assert markup.clean(html) == html
