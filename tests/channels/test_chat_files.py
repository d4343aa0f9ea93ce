"""Images in chat: either side attaches a file under the ticket's attachment rules (types by
extension and content, size); both sides see it; the person fetches it through the chat (a
guest has no account), staff through the request's attachment path; both are downloads."""

from __future__ import annotations

import io

import pytest

from tests.channels.test_chat_views import ALL_DAY, go_online, start_guest

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def app_config(tmp_path):
    return {"SUPPORT_TIER1_HOURS": ALL_DAY, "CHAT_WAIT_SECONDS": 5,
            "TICKET_ATTACHMENT_DIR": str(tmp_path / "files"),
            "TICKET_ATTACHMENT_MAX_BYTES": 1024}  # fmt: skip


@pytest.fixture
def chat(app, client, factory):
    console = go_online(app, factory.user(role="agent_t1", display_name="Ada Lovelace"))
    started = start_guest(client)
    cid = started["conversation"]["id"]
    assert console.post(f"/chat/console/c/{cid}/accept").status_code == 200
    return cid, console


def fetch(client, url) -> tuple[int, bytes, dict]:
    """Status, body and headers of a download, its file closed."""
    answer = client.get(url)
    try:
        return answer.status_code, answer.data, dict(answer.headers)
    finally:
        answer.close()


def send(client, url, client_id, name, data, body="", **extra):
    form = {"client_id": client_id, "body": body, "files": (io.BytesIO(data), name), **extra}
    return client.post(url, data=form, content_type="multipart/form-data")


def test_the_person_sends_an_image_and_both_sides_see_it(app, client, chat):
    cid, console = chat
    answer = send(client, f"/chat/c/{cid}/messages", "img-1", "screen.png", PNG)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    seq = answer.get_json()["ack"]["seq"]
    line = client.get(f"/chat/c/{cid}/events?after={seq - 1}&wait=0").get_json()["lines"][0]
    assert line["body_html"] == "<p>screen.png</p>"  # only an image: its name is the text
    [picture] = line["files"]
    assert picture["image"] is True and picture["content_type"] == "image/png"
    assert picture["url"].startswith(f"/chat/c/{cid}/files/")
    status, data, headers = fetch(client, picture["url"])
    assert status == 200 and data == PNG and headers["Content-Type"] == "image/png"
    assert headers["Content-Disposition"].startswith("attachment")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert fetch(app.test_client(), picture["url"])[0] == 404  # no secret, no file
    # The agent sees it by the request's attachment path.
    staff = console.get(f"/chat/console/c/{cid}").get_json()["lines"]
    [seen] = [item for entry in staff for item in entry["files"]]
    assert seen["url"].startswith("/requests/") and fetch(console, seen["url"])[1] == PNG


def test_the_agent_sends_an_image_and_a_note_s_file_stays_internal(app, client, chat):
    cid, console = chat
    url = f"/chat/console/c/{cid}/messages"
    assert send(console, url, "a-img", "fix.png", PNG, body="Tap here").status_code == 201
    assert send(console, url, "a-note", "log.txt", b"internal", internal="true").status_code == 201
    lines = client.get(f"/chat/c/{cid}/events?after=0&wait=0").get_json()["lines"]
    files = [item for line in lines for item in line["files"]]
    assert [item["name"] for item in files] == ["fix.png"]
    assert fetch(client, files[0]["url"])[1] == PNG
    note_file = [
        item for line in console.get(f"/chat/console/c/{cid}").get_json()["lines"]
        for item in line["files"] if item["name"] == "log.txt"
    ]  # fmt: skip
    attachment_id = note_file[0]["url"].rsplit("/", 1)[1]
    assert fetch(client, f"/chat/c/{cid}/files/{attachment_id}")[0] == 404


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("drawing.svg", b"<svg/>", "only these file types"),
        ("fake.png", b"GIF89a not a png", "not"),
        ("huge.png", PNG + b"\x00" * 2048, "larger than"),
    ],
)
def test_files_outside_the_ticket_rules_are_refused_by_field(client, chat, name, data, says):
    cid, _ = chat
    answer = send(client, f"/chat/c/{cid}/messages", "bad-1", name, data)
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["field"] == "attachments" and says in error["message"]
    events = client.get(f"/chat/c/{cid}/events?after=0&wait=0").get_json()
    assert "bad-1" not in [line["client_id"] for line in events["lines"]]
