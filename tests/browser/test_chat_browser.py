"""Live chat in two Chromium contexts: a person in the help widget's demo page (or the site's
chat page) and agents in the chat console, on a real server with axe on every screen."""

from __future__ import annotations

import shutil
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from tests.browser.conftest import (
    DESKTOP,
    LiveServer,
    account,
    check_accessibility,
    sign_in,
    unique,
)  # fmt: skip

ALL_DAY = {day: "00:00-23:59" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture(scope="module")
def chat_server(browser, database_url, tmp_path_factory):
    """The site with Tier 1 open all day (the tests must not depend on the hour they run at)."""
    if not database_url.startswith("sqlite"):
        pytest.skip("browser tests run on SQLite; the PostgreSQL run covers the same services")
    folder = tmp_path_factory.mktemp("chat-live")
    target = folder / "live.db"
    shutil.copyfile(database_url.removeprefix("sqlite:///"), target)
    app = create_app({
        "HELPCENTER_ENV": "testing", "SECRET_KEY": "chat-browser-secret",
        "DATABASE_URL": f"sqlite:///{target}", "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "file", "MAIL_FILE_DIR": str(folder / "mail"),
        "SEARCH_INDEX_DIR": str(folder / "search_index"),
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SUPPORT_TIER1_HOURS": ALL_DAY, "CHAT_WAIT_SECONDS": 10,
        "TICKET_ATTACHMENT_DIR": str(folder / "files"),
    })  # fmt: skip
    server = LiveServer(app, "")
    with app.app_context():
        server.cli("content", "sync")
        db.session.remove()
    http = make_server("127.0.0.1", 0, app, threaded=True)
    server.url = f"http://127.0.0.1:{http.server_port}"
    app.config["SITE_URL"] = server.url
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield server
    http.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def open_tab(browser, chat_server):
    contexts, errors = [], []

    def opener():
        context = browser.new_context(base_url=chat_server.url, viewport=DESKTOP)
        context.set_default_timeout(15_000)
        contexts.append(context)
        tab = context.new_page()
        tab.on("pageerror", lambda error: errors.append(str(error)))
        return tab

    yield opener
    for context in contexts:
        context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def agent_online(open_tab, chat_server, role="agent_t1", name=None):
    name = name or f"Agent {unique()}"
    email = account(chat_server, role, name)
    tab = open_tab()
    sign_in(tab, email, name)
    tab.goto("/chat/console")
    tab.get_by_role("button", name="Go online").click()
    expect(tab.locator("#presence-status")).to_contain_text("You are online")
    return tab


def customer_in_widget(open_tab, question, email=None):
    tab = open_tab()
    tab.goto("/api/demo")
    tab.locator("#open-chat").click()
    panel = tab.locator("#widget-chat")
    panel.get_by_label("Your question").fill(question)
    if email is not None:
        panel.get_by_label("Your e-mail address").fill(email)
    return tab, panel


def lines(panel, text):
    return panel.locator("li.chat-line", has_text=text)


def test_chat_during_hours_with_transfer_to_tier2(open_tab, chat_server):
    first = agent_online(open_tab, chat_server, name="Tia One")
    tab, panel = customer_in_widget(open_tab, f"Seeds {unique()} never sprout", "gus@example.org")
    check_accessibility(tab, context="widget with chat form")
    panel.get_by_role("button", name="Chat with us").click()
    expect(panel.locator(".chat-status")).to_contain_text("number 1 in the queue")
    first.locator("#chat-queue button").first.click()
    first.get_by_role("button", name="Accept").click()
    expect(panel.locator(".chat-status")).to_contain_text("Tia is chatting with you")
    first.get_by_label("Message").fill("Hi! Which **seeds**?")
    first.get_by_role("button", name="Send").click()
    expect(lines(panel, "Which seeds?")).to_have_count(1)
    panel.get_by_label("Message").fill("Basil, sown last week")
    panel.get_by_role("button", name="Send").click()
    expect(lines(first.locator("#pane-log"), "Basil, sown last week")).to_have_count(1)
    expect(lines(panel, "Basil, sown last week").locator(".chat-state")).to_have_text("Read")
    check_accessibility(first, context="chat console with a conversation")
    check_accessibility(tab, context="widget during a chat")
    # Transfer to Tier 2: the chat waits in Tier 2's queue and a Tier 2 agent takes it.
    second = agent_online(open_tab, chat_server, role="agent_t2", name="Tom Two")
    first.get_by_label("Transfer to").select_option(label="Tier 2 queue")
    first.get_by_role("button", name="Transfer").click()
    expect(panel.locator(".chat-status")).to_contain_text("in the queue")
    second.reload()
    second.locator("#chat-queue button").first.click()
    second.get_by_role("button", name="Accept").click()
    expect(panel.locator(".chat-status")).to_contain_text("Tom is chatting with you")
    expect(lines(panel, "passed the chat to Tier 2")).to_have_count(1)


def tiny_png(path):
    """A real 1x1 PNG (the browser must be able to show it)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x2e\x8b\x57")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
                     + chunk(b"IEND", b""))  # fmt: skip
    return path


def accepted_chat(open_tab, chat_server, agent_name: str, question: str, email: str):
    """A guest in the widget starts a chat and the agent accepts it: (agent, tab, panel)."""
    agent = agent_online(open_tab, chat_server, name=agent_name)
    tab, panel = customer_in_widget(open_tab, question, email)
    panel.get_by_role("button", name="Chat with us").click()
    agent.locator("#chat-queue button").first.click()
    agent.get_by_role("button", name="Accept").click()
    expect(panel.locator(".chat-status")).to_contain_text("chatting with you")
    return agent, tab, panel


def test_both_sides_send_an_image_and_see_it(open_tab, chat_server, tmp_path):
    question = f"Leaves {unique()} turn yellow"
    agent, tab, panel = accepted_chat(open_tab, chat_server, "Ivy Image", question, "i@example.org")
    panel.get_by_label("Attach an image (optional)").set_input_files(
        tiny_png(tmp_path / "leaf.png")
    )
    panel.get_by_role("button", name="Send").click()
    shown = agent.locator("#pane-log img[alt='Image: leaf.png']")
    expect(shown).to_have_count(1)
    expect(panel.locator(".chat-log img[alt='Image: leaf.png']")).to_have_count(1)
    expect(shown).to_have_js_property("naturalWidth", 1)  # the image really loaded
    agent.get_by_label("Message").fill("Like this one?")
    agent.get_by_label("Attach a file (optional)").set_input_files(tiny_png(tmp_path / "ok.png"))
    agent.get_by_role("button", name="Send").click()
    picture = panel.locator(".chat-log img[alt='Image: ok.png']")
    expect(picture).to_have_count(1)
    expect(picture).to_have_js_property("naturalWidth", 1)
    check_accessibility(tab, context="widget with images in the chat")
    check_accessibility(agent, context="chat console with images")


def test_drop_and_reconnect_loses_and_doubles_nothing(open_tab, chat_server):
    agent, tab, panel = accepted_chat(open_tab, chat_server, "Dee Drop", f"Drops {unique()}",
                                      "dee@example.org")  # fmt: skip
    tab.context.set_offline(True)
    panel.get_by_label("Message").fill("Written while offline")
    panel.get_by_role("button", name="Send").click()
    agent.get_by_label("Message").fill("Sent while you were away")
    agent.get_by_role("button", name="Send").click()
    expect(lines(agent.locator("#pane-log"), "Sent while you were away")).to_have_count(1)
    tab.wait_for_timeout(1500)
    tab.context.set_offline(False)
    expect(lines(panel, "Sent while you were away")).to_have_count(1)
    expect(lines(agent.locator("#pane-log"), "Written while offline")).to_have_count(1)
    # A reload (the app reopening) shows the history once, from the server.
    tab.reload()
    tab.locator("#open-chat").click()
    expect(lines(panel, "Written while offline")).to_have_count(1)
    expect(lines(panel, "Sent while you were away")).to_have_count(1)
    expect(panel.locator("li.chat-pending")).to_have_count(0)


def test_out_of_hours_offers_a_request_with_the_text(open_tab, chat_server):
    app = chat_server.app
    today = datetime.now(ZoneInfo("Europe/Berlin")).strftime("%a").lower()
    other = next(day for day in ALL_DAY if day != today)
    app.config["SUPPORT_TIER1_HOURS"] = {other: "08:00-20:00"}
    app.extensions.pop("ticket_policy", None)
    try:
        tab, panel = customer_in_widget(
            open_tab, "Closed question about billing", "out@example.org"
        )
        expect(panel.locator(".chat-status")).to_contain_text("Chat is closed now. It opens")
        check_accessibility(tab, context="widget out of hours")
        panel.get_by_role("button", name="Send as a request").click()
        expect(panel.locator(".chat-status")).to_contain_text("is with our support team")
    finally:
        app.config["SUPPORT_TIER1_HOURS"] = ALL_DAY
        app.extensions.pop("ticket_policy", None)
    with app.app_context():
        from app.tickets.models import Ticket

        ticket = db.session.scalars(db.select(Ticket).order_by(Ticket.id.desc())).first()
        assert ticket.description == "Closed question about billing"
        assert ticket.requester.email == "out@example.org"


def test_unanswered_chat_becomes_a_request_then_tier2_by_the_timer(open_tab, chat_server):
    agent_online(open_tab, chat_server, name="Nia Nobody")
    _, panel = customer_in_widget(open_tab, f"Timer {unique()}", "late@example.org")
    panel.get_by_role("button", name="Chat with us").click()
    expect(panel.locator(".chat-status")).to_contain_text("in the queue")
    # The chat has waited 11 minutes (CHAT_WAIT_TIMEOUT_MINUTES is 10): its row says so.
    with chat_server.app.app_context():
        from app.channels.chat.models import ChatConversation

        waiting = db.session.scalars(
            db.select(ChatConversation).where(ChatConversation.status == "waiting")
        ).all()
        for row in waiting:
            row.queued_at -= timedelta(minutes=11)
        db.session.commit()
    assert "handed over" in chat_server.cli("chat", "tick")
    later = datetime.now(UTC)
    expect(panel.locator(".chat-status")).to_contain_text("we will answer by e-mail")
    expect(panel.get_by_role("button", name="E-mail me the transcript")).to_be_visible()
    hour_later = later + timedelta(minutes=61)
    chat_server.cli("tickets", "tick", "--at", hour_later.strftime("%Y-%m-%dT%H:%M:%S"))
    with chat_server.app.app_context():
        from app.channels.chat.models import ChatConversation

        conversation = db.session.scalars(
            db.select(ChatConversation).order_by(ChatConversation.id.desc())
        ).first()
        assert conversation.status == "handed_over"
        assert conversation.ticket.tier == 2
    transcripts = [m for m in chat_server.mail() if m["To"] == "late@example.org"]
    assert any("Your chat" in m["Subject"] for m in transcripts), [
        (m["To"], m["Subject"]) for m in chat_server.mail()
    ]


def test_guest_chat_ends_with_the_transcript_by_mail(open_tab, chat_server):
    agent = agent_online(open_tab, chat_server, name="Gil Guest")
    address = f"guest-{unique()}@example.org"
    tab, panel = customer_in_widget(open_tab, "My journal lost entries", address)
    panel.get_by_role("button", name="Chat with us").click()
    agent.locator("#chat-queue button").first.click()
    agent.get_by_role("button", name="Accept").click()
    expect(panel.locator(".chat-status")).to_contain_text("Gil is chatting with you")
    agent.get_by_label("Message").fill("Restored them from the backup.")
    agent.get_by_role("button", name="Send").click()
    expect(lines(panel, "Restored them")).to_have_count(1)
    panel.get_by_role("button", name="End chat").click()
    expect(panel.locator(".chat-status")).to_contain_text("The chat has ended")
    check_accessibility(tab, context="widget after the chat")
    mails = [m for m in chat_server.mail() if m["To"] == address]
    assert len(mails) == 1 and "Restored them from the backup." in mails[0].get_content()
