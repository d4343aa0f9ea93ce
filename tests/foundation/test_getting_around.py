"""Every page's frame: the header menu with the person's own places, the meta description,
the error summary of a failed form, and tables that reflow on phones."""

from __future__ import annotations

import re


def _menu(html: str) -> str:
    match = re.search(r'<details class="user-menu".*?</details>', html, re.S)
    assert match, "no user menu"
    return match.group(0)


def test_visitors_get_sign_in_and_a_menu_button(client):
    html = client.get("/").get_data(as_text=True)
    assert 'id="nav-toggle" aria-expanded="true" aria-controls="nav-menu"' in html
    assert 'id="nav-menu"' in html
    assert "user-menu" not in html and 'href="/account/login"' in html
    # The script's URL carries its content hash (kept a year by browsers).
    assert re.search(r'<script src="/static/js/site\.js\?v=[0-9a-f]{12}" defer></script>', html)


def test_members_menu_holds_their_own_places(client, auth, factory):
    member = factory.user()
    auth.login(member)
    menu = _menu(client.get("/").get_data(as_text=True))
    for href in ("/requests/", "/wiki/watchlist", f"/community/users/{member.id}", "/account/",
                 "/account/api-tokens"):  # fmt: skip
        assert f'href="{href}"' in menu, href
    assert "Sign out" in menu and 'name="csrf_token"' in menu
    assert "Agent queue" not in menu
    # Every place in the menu exists for the member.
    for href in re.findall(r'href="([^"]+)"', menu):
        assert client.get(href).status_code == 200, href


def test_agents_reach_the_queue_from_the_menu(client, auth, factory):
    auth.login(factory.user(role="agent_t1"))
    menu = _menu(client.get("/").get_data(as_text=True))
    assert 'href="/requests/queue" id="menu-agent-queue"' in menu
    assert client.get("/requests/queue").status_code == 200


def test_every_page_has_a_meta_description(client):
    html = client.get("/search/").get_data(as_text=True)
    match = re.search(r'<meta name="description" content="([^"]+)">', html)
    assert match and 40 < len(match.group(1)) <= 160


def test_failed_form_has_an_error_summary_and_error_title(client):
    response = client.post("/account/register", data={"email": "not-an-address"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r"<title>Error: ", html)
    summary = re.search(
        r'<div class="form-errors error-summary" tabindex="-1".*?</div>', html, re.S
    )
    assert summary and "There is a problem" in summary.group(0)
    # Each problem links to its field.
    assert re.search(r'<a href="#email">E-mail[^<]*: ', summary.group(0)), summary.group(0)
    ok = client.get("/account/register").get_data(as_text=True)
    assert "<title>Error: " not in ok and "error-summary" not in ok


def test_tables_reflow_with_labelled_cells(client, auth, factory, tmp_path):
    auth.login(factory.user(role="agent_t1"))
    form = {"category": "bug", "subject": "Crash", "impact": "broken", "description": "It crashes."}
    assert client.post("/requests/new", data=form).status_code == 302
    client.post("/wiki/new", data={"title": "Basil", "body": "Water it.", "edit_token": "t-1"})
    for url, columns in (
        ("/requests/", 5),
        ("/requests/queue", 7),
        ("/wiki/basil/history", 7),
    ):
        html = client.get(url).get_data(as_text=True)
        table = re.search(r"<table[^>]*>.*?</table>", html, re.S).group(0)
        assert re.match(r'<table class="reflow', table), url
        # Each cell names its column, so a row reads as a labelled card on a phone.
        row = re.search(r"<tbody>\s*<tr[^>]*>(.*?)</tr>", table, re.S).group(1)
        assert len(re.findall(r'<td data-label="[^"]+"', row)) == columns, url
