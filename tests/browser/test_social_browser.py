"""The social channel's pages in a real browser, checked by axe: an admin connects an account
(with the errors shown next to the fields first), and an agent opens the conversation of a
ticket that arrived by a signed webhook (found in the queue by its platform badge and
filter) and links the sender to a requester."""

from __future__ import annotations

import hashlib
import hmac
import json
import re

import pytest
import requests
from cryptography.fernet import Fernet
from playwright.sync_api import expect

from tests.browser.conftest import account, check_accessibility, sign_in, unique

pytestmark = pytest.mark.browser

SECRET = "browser-meta-secret"


@pytest.fixture
def social_live(live_server):
    """The live site with the social channel configured (restored afterwards)."""
    config = live_server.app.config
    saved = {k: config[k] for k in ("SOCIAL_TOKEN_KEYS", "SOCIAL_META_APP_SECRET")}
    config["SOCIAL_TOKEN_KEYS"] = [Fernet.generate_key().decode()]
    config["SOCIAL_META_APP_SECRET"] = SECRET
    yield live_server
    config.update(saved)


def test_an_admin_connects_a_page_and_an_agent_links_the_sender(tabs, social_live):
    uid = unique()
    page_id = str(int(uid, 16))
    admin_name = f"Ada Admin {uid}"
    admin = tabs.open()
    sign_in(admin, account(social_live, "admin", admin_name), admin_name)
    admin.goto("/channels/social/accounts")
    check_accessibility(admin, context="social accounts, empty")
    admin.get_by_role("button", name="Connect").click()
    expect(admin.get_by_text("Choose a platform.").first).to_be_visible()
    check_accessibility(admin, context="social accounts, errors")
    admin.get_by_label("Platform").select_option("facebook")
    admin.get_by_label("Account id").fill(page_id)
    admin.get_by_label(re.compile(r"^Name")).fill(f"GrowgrEbuddy {uid}")
    admin.get_by_label("Access token").fill("EAAGbrowsertoken" + uid)
    admin.get_by_role("button", name="Connect").click()
    expect(admin.get_by_text(f"GrowgrEbuddy {uid} is connected.")).to_be_visible()
    expect(admin.get_by_text("••••" + uid[-4:]).first).to_be_visible()
    check_accessibility(admin, context="social accounts, connected")

    message = {
        "sender": {"id": f"7{page_id}"}, "recipient": {"id": page_id}, "timestamp": 1,
        "message": {"mid": f"m_{uid}", "text": f"Reminders stopped {uid}"},
    }  # fmt: skip
    delivery = {"object": "page", "entry": [{"id": page_id, "time": 1, "messaging": [message]}]}
    body = json.dumps(delivery).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    answer = requests.post(
        f"{social_live.url}/channels/social/webhooks/meta", data=body, timeout=10,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
    )  # fmt: skip
    assert answer.status_code == 200 and answer.json()["imported"] == 1

    member_name = f"Mo Member {uid}"
    member_email = account(social_live, "member", member_name)
    agent_name = f"Alex Agent {uid}"
    agent = tabs.open({"width": 390, "height": 844})
    sign_in(agent, account(social_live, "agent_t1", agent_name), agent_name)
    agent.goto("/requests/queue")
    # The platform is a badge of its own, and the queue filters by it.
    agent.get_by_label("Platform").select_option("social:facebook")
    agent.get_by_role("button", name="Filter").click()
    expect(agent).to_have_url(re.compile(r"origin=social%3Afacebook"))
    row = agent.get_by_role("row").filter(has_text=f"Reminders stopped {uid}")
    expect(row.get_by_text("Facebook, private")).to_be_visible()
    check_accessibility(agent, context="queue filtered by platform")
    agent.get_by_label("Platform").select_option("social:x")
    agent.get_by_role("button", name="Filter").click()
    expect(agent.get_by_text(f"Reminders stopped {uid}")).to_have_count(0)
    agent.goto("/requests/queue")
    agent.get_by_role("link", name=f"Reminders stopped {uid}").first.click()
    agent.get_by_role("link", name="platform, original and requester link").click()
    expect(agent.get_by_role("heading", level=1)).to_contain_text("Facebook direct message")
    check_accessibility(agent, context="social conversation")
    agent.get_by_role("button", name="Link").click()
    expect(agent.get_by_text("Enter the e-mail address of an account.").first).to_be_visible()
    agent.get_by_label("E-mail address of the requester's account").fill(member_email)
    agent.get_by_role("button", name="Link").click()
    expect(agent.get_by_text("Linked: this person's next messages")).to_be_visible()
    check_accessibility(agent, context="social conversation, linked")
