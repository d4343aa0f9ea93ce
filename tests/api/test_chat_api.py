"""Live chat for the app with its bearer token (``/api/v1/chat``): start, lines acknowledged
once by client id, long-poll, the agent's answer, read and end; another token's user and the
cookie session get nothing; closed chat is the API's 409 ``chat_closed``."""

from __future__ import annotations

import io
import threading

import pytest

from tests.channels.test_chat_views import ALL_DAY, go_online

BASE = "/api/v1/chat"


@pytest.fixture
def app_config():
    return {"SUPPORT_TIER1_HOURS": ALL_DAY, "CHAT_WAIT_SECONDS": 5}


@pytest.fixture
def console(app, factory):
    return go_online(app, factory.user(role="agent_t1", display_name="Ada Lovelace"))


def test_the_app_chats_with_its_token(app, client, bearer, console):
    status = client.get(f"{BASE}/status", headers=bearer)
    assert status.status_code == 200 and status.json["available"] is True
    started = client.post(BASE, json={"question": "Sync fails", "client_id": "q1"}, headers=bearer)
    assert started.status_code == 201, started.json
    conversation = started.json["conversation"]
    assert conversation["status"] == "waiting" and conversation["queue"]["position"] == 1
    cid = conversation["id"]
    assert "Set-Cookie" not in started.headers  # no session: a token, not a cookie
    # The same line sent twice is stored once.
    for _ in range(2):
        said = client.post(f"{BASE}/{cid}/messages", headers=bearer,
                           json={"client_id": "q2", "body": "Since **Monday**"})  # fmt: skip
        assert said.status_code == 201 and said.json == {"ack": {"client_id": "q2", "seq": 2}}
    assert client.get(f"{BASE}/mine", headers=bearer).json["conversation"]["id"] == cid
    # The agent accepts and answers while the app long-polls.
    answers = {}

    def wait() -> None:
        answers["events"] = client.get(f"{BASE}/{cid}/events?after=3", headers=bearer).json

    waiter = threading.Thread(target=wait)
    assert console.post(f"/chat/console/c/{cid}/accept").status_code == 200
    waiter.start()
    said = console.post(f"/chat/console/c/{cid}/messages",
                        json={"client_id": "a1", "body": "Let me look"})  # fmt: skip
    assert said.status_code == 201
    waiter.join(10)
    lines = answers["events"]["lines"]
    assert [(line["role"], line["author"]) for line in lines] == [("agent", "Ada")]
    assert answers["events"]["conversation"]["status"] == "active"
    events = client.get(f"{BASE}/{cid}/events?after=0&wait=0", headers=bearer).json
    assert [line["seq"] for line in events["lines"]] == [1, 2, 3, 4]
    assert events["lines"][1]["body_html"] == "<p>Since <strong>Monday</strong></p>"
    assert client.post(f"{BASE}/{cid}/read", json={"seq": 4}, headers=bearer).status_code == 204
    assert client.post(f"{BASE}/{cid}/typing", headers=bearer).status_code == 204
    ended = client.post(f"{BASE}/{cid}/end", headers=bearer)
    assert ended.status_code == 200 and ended.json["conversation"]["status"] == "ended"
    assert ended.json["conversation"]["read"]["customer"] == 4


def test_only_the_tokens_user_reaches_the_chat(app, client, bearer, tokens, console):
    cid = client.post(BASE, json={"question": "Hi"}, headers=bearer).json["conversation"]["id"]
    _, other = tokens.make()
    stranger = {"Authorization": f"Bearer {other}"}
    for method, path in (("get", "events?wait=0"), ("post", "end"), ("post", "typing")):
        answer = getattr(client, method)(f"{BASE}/{cid}/{path}", headers=stranger)
        assert answer.status_code == 404 and answer.json["error"]["code"] == "not_found"
    assert client.get(f"{BASE}/{cid}/events?wait=0").status_code == 401
    bad = client.get(f"{BASE}/{cid}/events?wait=0", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("", {"question": ""}, "question"),
        ("", {"question": "Hi", "extra": 1}, "extra"),
        ("/{cid}/messages", {"client_id": "x"}, "body"),
        ("/{cid}/messages", {"client_id": "", "body": "hi"}, "client_id"),
        ("/{cid}/read", {"seq": "3"}, "seq"),
    ],
)
def test_bad_input_names_the_field(client, bearer, console, path, payload, field):
    cid = client.post(BASE, json={"question": "Hi"}, headers=bearer).json["conversation"]["id"]
    answer = client.post(BASE + path.format(cid=cid), json=payload, headers=bearer)
    assert answer.status_code == 422 and field in answer.json["error"]["details"]


def test_closed_chat_is_409_with_when_it_opens(client, bearer):
    answer = client.post(BASE, json={"question": "Hi"}, headers=bearer)  # nobody online
    assert answer.status_code == 409 and answer.json["error"]["code"] == "chat_closed"


def test_the_app_fetches_a_chat_image_with_its_token(app, client, bearer, console, tmp_path):
    app.config["TICKET_ATTACHMENT_DIR"] = str(tmp_path / "files")
    cid = client.post(BASE, json={"question": "Hi"}, headers=bearer).json["conversation"]["id"]
    assert console.post(f"/chat/console/c/{cid}/accept").status_code == 200
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    form = {"client_id": "a1", "body": "", "files": (io.BytesIO(png), "a.png")}
    sent = console.post(f"/chat/console/c/{cid}/messages", data=form,
                        content_type="multipart/form-data")  # fmt: skip
    assert sent.status_code == 201
    lines = client.get(f"{BASE}/{cid}/events?after=0&wait=0", headers=bearer).json["lines"]
    [item] = [item for line in lines for item in line["files"]]
    assert item["image"] and item["url"] == f"{BASE}/{cid}/files/{item['id']}"
    download = client.get(item["url"], headers=bearer)
    assert download.status_code == 200 and download.data == png
    download.close()
    assert client.get(item["url"]).status_code == 401
