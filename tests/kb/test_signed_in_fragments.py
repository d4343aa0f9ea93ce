"""Signed-in article pages reuse the parts every reader of one role sees alike (app/fragments.py)
and the header's menus (app/site_menu.py), and still carry only the reader's own name, CSRF
token, vote and messages; the statements a signed-in view costs are pinned."""

from __future__ import annotations

import re

import pytest

from app.pagecache import TOKEN_PLACEHOLDER

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
STEP_TOKEN = re.compile(
    r'id="step-form-1">\s*<input type="hidden" name="csrf_token" value="([^"]+)"'
)
#: A troubleshooting guide: its shared part holds a form (the first step's "Did this solve it?").
GUIDE = "/articles/cant-sign-in"


@pytest.fixture
def app_config(content_dir):
    return {"CONTENT_DIR": str(content_dir), "PAGE_CACHE_ENABLED": True, "WTF_CSRF_ENABLED": True}


def _signed_in(app, user):
    client = app.test_client()
    page = client.get("/account/login").get_data(as_text=True)
    answer = client.post(
        "/account/login",
        data={"email": user.email, "password": "correct horse battery",
              "csrf_token": TOKEN.search(page).group(1)},
    )  # fmt: skip
    assert answer.status_code == 302
    return client


@pytest.fixture
def view(sql_statements):
    """A page as a client gets it, with the SQL statements it cost."""

    def get(client, path: str) -> tuple[list[str], str]:
        with sql_statements() as seen:
            response = client.get(path)
        assert response.status_code == 200
        return seen, response.get_data(as_text=True)

    return get


def test_a_reused_fragment_carries_only_the_readers_own_name_token_and_vote(
    synced, app, factory, view
):
    first = factory.user(display_name="Rosalind Gardener")
    second = factory.user(display_name="Tobias Seedling")  # same role: the same fragment
    rosalind, tobias = _signed_in(app, first), _signed_in(app, second)
    page = rosalind.get(GUIDE).get_data(as_text=True)
    voted = rosalind.post(f"{GUIDE}/vote", data={"yes": "1", "csrf_token": TOKEN.search(page)[1]})
    assert voted.status_code == 302
    hers = rosalind.get(GUIDE).get_data(as_text=True)  # renders the fragment after the vote
    assert "Thanks for your feedback" in hers and 'id="vote-current"' in hers

    statements, his = view(tobias, GUIDE)
    assert not [s for s in statements if "kb_article" in s]  # the fragment was reused
    assert "Tobias Seedling" in his and "Rosalind Gardener" not in his
    assert "Thanks for your feedback" not in his and 'id="vote-current"' not in his
    assert TOKEN_PLACEHOLDER not in his
    his_tokens, her_tokens = set(TOKEN.findall(his)), set(TOKEN.findall(hers))
    assert len(his_tokens) == 1 and not (his_tokens & her_tokens)
    # The form inside the shared part carries his token, and it works.
    assert STEP_TOKEN.search(his)[1] in his_tokens
    step = tobias.post(
        f"{GUIDE}/guide", data={"no": "1", "step": "1", "csrf_token": STEP_TOKEN.search(his)[1]}
    )
    assert step.status_code == 302


def test_fragments_and_menus_are_kept_per_role(synced, app, factory):
    agent = _signed_in(app, factory.user(role="agent_t1", display_name="Ada Agent"))
    member = _signed_in(app, factory.user(display_name="Mo Member"))
    staff_page = agent.get(GUIDE).get_data(as_text=True)
    assert 'id="edit-article"' in staff_page and 'id="menu-agent-queue"' in staff_page
    page = member.get(GUIDE).get_data(as_text=True)
    assert 'id="edit-article"' not in page and 'id="menu-agent-queue"' not in page
    assert 'id="menu-my-requests"' in page and "Mo Member" in page
    again = agent.get(GUIDE).get_data(as_text=True)
    assert 'id="edit-article"' in again and "Ada Agent" in again and "Mo Member" not in again


def test_an_edit_reaches_the_next_signed_in_view(synced, app, factory, content_dir):
    reader = _signed_in(app, factory.user())
    assert "Cannot sign in?" not in reader.get(GUIDE).get_data(as_text=True)
    path = content_dir / "articles" / "troubleshooting" / "cant-sign-in.md"
    text = path.read_text()
    path.write_text(re.sub(r"(?m)^title: .*$", "title: Cannot sign in?", text, count=1))
    assert synced.sync("--quiet").exit_code == 0
    assert "Cannot sign in?" in reader.get(GUIDE).get_data(as_text=True)


def test_statements_of_a_signed_in_article_view_are_pinned(synced, app, factory, view):
    reader = _signed_in(app, factory.user())
    first, _ = view(reader, GUIDE)
    again, _ = view(reader, GUIDE)
    # Rendering the shared part: the article and its related articles, besides the two below.
    assert len(first) == 4, first
    # Reused: the session with its user (one statement) and the reader's own vote.
    assert len(again) == 2, again
    assert "login_session" in again[0] and "user_account" in again[0]
    assert "kb_vote" in again[1]
