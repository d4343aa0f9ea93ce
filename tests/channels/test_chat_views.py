"""The chat protocol over HTTP: start, acknowledgements by client id, long-poll and SSE
resuming after the last sequence number, errors by field, who may reach what, the console."""

from __future__ import annotations

import json
import threading
import time

import pytest

ALL_DAY = {day: "00:00-23:59" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture
def app_config():
    return {"SUPPORT_TIER1_HOURS": ALL_DAY, "CHAT_WAIT_SECONDS": 5}


@pytest.fixture
def agent(factory):
    return factory.user(role="agent_t1", display_name="Ada Lovelace")


def go_online(app, agent):
    client = app.test_client()
    client.post("/account/login", data={"email": agent.email, "password": "correct horse battery"})
    assert client.post("/chat/console/presence", json={"status": "online"}).status_code == 200
    return client


def start_guest(client, question="Reminders stopped", client_id="q-1"):
    answer = client.post("/chat/start", json={
        "question": question, "email": "guest@example.org", "name": "Gus", "origin": "widget",
        "client_id": client_id,
    })  # fmt: skip
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.get_json()


def test_status_says_when_nobody_is_online_and_start_is_refused(client):
    status = client.get("/chat/status").get_json()
    assert status["available"] is False and status["reason"] == "no_agent"
    answer = client.post("/chat/start", json={"question": "Hi", "email": "g@example.org"})
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "chat_closed"


def test_guest_chat_acknowledges_each_client_id_once(app, client, agent):
    go_online(app, agent)
    assert client.get("/chat/status").get_json()["available"] is True
    started = start_guest(client)
    conversation = started["conversation"]
    assert conversation["status"] == "waiting" and conversation["queue"]["position"] == 1
    url = f"/chat/c/{conversation['id']}"
    first = client.post(f"{url}/messages", json={"client_id": "q-2", "body": "**Every** night"})
    again = client.post(f"{url}/messages", json={"client_id": "q-2", "body": "**Every** night"})
    assert first.status_code == again.status_code == 201
    assert first.get_json()["ack"] == again.get_json()["ack"] == {"client_id": "q-2", "seq": 2}
    events = client.get(f"{url}/events?after=0&wait=0").get_json()
    assert [line["seq"] for line in events["lines"]] == [1, 2]
    assert events["lines"][1]["body_html"] == "<p><strong>Every</strong> night</p>"
    assert [line["client_id"] for line in events["lines"]] == ["q-1", "q-2"]
    # Another browser without the secret learns nothing; with the secret it rejoins.
    stranger = app.test_client()
    assert stranger.get(f"{url}/events?wait=0").status_code == 404
    assert (
        stranger.post(f"{url}/messages", json={"client_id": "x", "body": "hi"}).status_code == 404
    )
    rejoined = stranger.get(f"{url}/events?after=1&wait=0",
                            headers={"X-Chat-Secret": started["secret"]})  # fmt: skip
    assert [line["seq"] for line in rejoined.get_json()["lines"]] == [2]


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("/chat/start", {"question": "", "email": "g@example.org"}, "question"),
        ("/chat/start", {"question": "Hi", "email": "nobody"}, "email"),
        ("/chat/start", {"question": ["a"], "email": "g@example.org"}, "question"),
        ("messages", {"client_id": "z", "body": ""}, "body"),
        ("messages", {"client_id": "", "body": "hi"}, "client_id"),
        ("messages", {"client_id": "x" * 65, "body": "hi"}, "client_id"),
        ("read", {"seq": "two"}, "seq"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(app, client, agent, path, payload, field):
    go_online(app, agent)
    conversation = start_guest(client)["conversation"]
    if not path.startswith("/"):
        path = f"/chat/c/{conversation['id']}/{path}"
    answer = client.post(path, json=payload)
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert answer.get_json()["error"]["field"] == field


def test_long_poll_wakes_when_the_agent_writes(app, client, agent):
    console = go_online(app, agent)
    conversation = start_guest(client)["conversation"]
    cid = conversation["id"]
    assert console.post(f"/chat/console/c/{cid}/accept").status_code == 200
    got = {}

    def poll():
        began = time.monotonic()
        got["events"] = client.get(f"/chat/c/{cid}/events?after=2").get_json()
        got["seconds"] = time.monotonic() - began

    waiter = threading.Thread(target=poll)
    waiter.start()
    time.sleep(0.5)
    answer = console.post(f"/chat/console/c/{cid}/messages",
                          json={"client_id": "a-1", "body": "Hello, which phone?"})  # fmt: skip
    assert answer.status_code == 201
    waiter.join(10)
    assert got["seconds"] < 3  # woken by the broker, not by the 5-second wait running out
    lines = got["events"]["lines"]
    assert [(line["role"], line["author"]) for line in lines] == [("agent", "Ada")]
    assert got["events"]["conversation"]["status"] == "active"


def test_sse_resumes_after_the_last_event_id(app, client, agent):
    go_online(app, agent)
    conversation = start_guest(client)["conversation"]
    url = f"/chat/c/{conversation['id']}"
    client.post(f"{url}/messages", json={"client_id": "q-2", "body": "second"})
    answer = client.get(f"{url}/stream", headers={"Last-Event-ID": "1"}, buffered=False)
    assert answer.mimetype == "text/event-stream"
    chunks = answer.response
    assert next(chunks).startswith(b"retry:")
    event = next(chunks).decode()
    answer.close()
    assert event.startswith("id: 2\n")
    payload = json.loads(event.split("data: ", 1)[1])
    assert [line["seq"] for line in payload["lines"]] == [2]


def test_console_is_for_agents_and_shows_queue_and_background(app, client, agent, factory):
    member = factory.user()
    client.post("/account/login", data={"email": member.email, "password": "correct horse battery"})
    assert client.get("/chat/console").status_code == 403
    assert client.post("/chat/console/presence", json={"status": "online"}).status_code == 403
    console = go_online(app, agent)
    assert console.get("/chat/console").status_code == 200
    started = client.post("/chat/start", json={"question": "Billing question", "origin": "site"})
    cid = started.get_json()["conversation"]["id"]
    state = console.get("/chat/console/state").get_json()
    assert [row["id"] for row in state["queue"]] == [cid]
    assert state["queue"][0]["requester"] == member.display_name
    detail = console.get(f"/chat/console/c/{cid}").get_json()
    assert detail["lines"][0]["body_html"] == "<p>Billing question</p>"
    assert "other_tickets" in detail["background"]
    # The signed-in person reaches their chat through their account, with no secret.
    assert client.get(f"/chat/c/{cid}/events?wait=0").status_code == 200
    assert client.get("/chat/mine").get_json()["conversation"]["id"] == cid
