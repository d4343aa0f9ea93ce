"""Images in direct messages: downloaded from the (fake) platform's media host, checked by the
tickets' attachment rules and attached to the ticket message; a download that fails is noted
on the ticket and the message is imported all the same (never lost, never a 500)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.tickets import attachments as files
from app.tickets.models import Ticket, TicketAttachment, TicketEvent, TicketMessage
from tests.channels.social.conftest import ACCOUNTS, recorded
from tests.channels.social.fake_platform import Media

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
JPEG = b"\xff\xd8\xff\xe0" + b"\x10JFIF" + bytes(500)
LIMIT = 50_000


@pytest.fixture
def app_config(app_config):
    return {**app_config, "TICKET_ATTACHMENT_MAX_BYTES": LIMIT}


def meta_dm_with(urls, text="Here is what the app shows."):
    payload = recorded("facebook_message")
    message = payload["entry"][0]["messaging"][0]["message"]
    message["attachments"] = [{"type": "image", "payload": {"url": url}} for url in urls]
    if text is None:
        del message["text"]
    else:
        message["text"] = text
    return payload


def x_dm_with(url):
    payload = recorded("x_direct_message")
    data = payload["direct_message_events"][0]["message_create"]["message_data"]
    data["attachment"] = {
        "type": "media",
        "media": {"id_str": "9001", "type": "photo", "media_url_https": url,
                  "url": "https://t.co/abc", "display_url": "pic.x.com/abc"},
    }  # fmt: skip
    return payload


def only_ticket(app):
    """The one ticket's opening text, its attachments as ``(name, type, message id, bytes
    read from disk)`` and its notes about missing images."""
    with app.app_context():
        [ticket] = db.session.scalars(select(Ticket)).all()
        attached = [
            (a.filename, a.content_type, a.message_id, files.path_of(a.stored_name).read_bytes())
            for a in db.session.scalars(select(TicketAttachment).order_by(TicketAttachment.id))
        ]
        events = select(TicketEvent).where(TicketEvent.kind == "channel_event")
        notes = [
            e.after["detail"]
            for e in db.session.scalars(events)
            if e.after.get("what") == "social_image_missing"
        ]
        return ticket.description, attached, notes


def test_a_facebook_image_is_attached_to_the_ticket_message(
    app, webhooks, connected, fake_platform
):
    fake_platform.media["a.png"] = Media(PNG, "image/png")
    fake_platform.media["b.jpg"] = Media(JPEG, "image/jpeg")
    urls = [f"{fake_platform.url}/media/a.png", f"{fake_platform.url}/media/b.jpg"]
    response = webhooks.meta(meta_dm_with(urls))
    assert response.status_code == 200 and response.json["imported"] == 1
    body, attached, notes = only_ticket(app)
    assert body == "Here is what the app shows."
    assert attached == [
        ("image-1.png", "image/png", None, PNG),
        ("image-2.jpg", "image/jpeg", None, JPEG),
    ]
    assert notes == []
    # Meta's CDN links carry no token: none is sent.
    assert all("authorization" not in r.headers for r in fake_platform.media_requests)


def test_an_image_without_text_still_makes_a_message(app, webhooks, connected, fake_platform):
    fake_platform.media["a.png"] = Media(PNG)
    assert (
        webhooks.meta(meta_dm_with([f"{fake_platform.url}/media/a.png"], text=None)).json[
            "imported"
        ]
        == 1
    )
    body, attached, _ = only_ticket(app)
    assert body == "(The person sent an image.)" and [a[0] for a in attached] == ["image-1.png"]


def test_an_x_dm_photo_is_fetched_with_the_account_token(app, webhooks, connected, fake_platform):
    token = ACCOUNTS["x"][2]
    fake_platform.media["dm.jpg"] = Media(JPEG, "image/jpeg", token=token)
    response = webhooks.x(x_dm_with(f"{fake_platform.url}/media/dm.jpg"))
    assert response.status_code == 200 and response.json["imported"] == 1
    _, attached, notes = only_ticket(app)
    assert attached == [("image-1.jpg", "image/jpeg", None, JPEG)] and notes == []
    assert fake_platform.media_requests[0].headers["authorization"] == f"Bearer {token}"


@pytest.mark.parametrize(
    ("media", "url_tail", "reason"),
    [
        (None, "/media/gone.png", "HTTP 404"),
        (Media(PNG, status=500), "/media/x.png", "HTTP 500"),
        (Media(PNG, delay=2.5), "/media/x.png", "did not send it in time"),
        (Media(b"\x89PNG\r\n\x1a\n" + bytes(LIMIT)), "/media/x.png", "larger than"),
        (Media(b"<html>login</html>", "text/html"), "/media/x.png", "not an image we accept"),
        (Media(JPEG, "image/png"), "/media/x.png", "not a valid .png file"),
    ],
)
def test_a_failed_download_is_noted_and_the_message_kept(
    app, webhooks, connected, fake_platform, media, url_tail, reason
):
    if media is not None:
        fake_platform.media["x.png"] = media
    response = webhooks.meta(meta_dm_with([fake_platform.url + url_tail]))
    assert response.status_code == 200 and response.json["imported"] == 1
    body, attached, notes = only_ticket(app)
    assert body == "Here is what the app shows." and attached == []
    assert (
        len(notes) == 1 and notes[0].startswith("Image 1 was not attached") and reason in notes[0]
    )


def test_an_image_on_another_host_is_never_fetched(app, webhooks, connected, fake_platform):
    fake_platform.media["x.png"] = Media(PNG)
    # The same server, but not under the configured media prefix.
    response = webhooks.meta(meta_dm_with([f"{fake_platform.url}/elsewhere/x.png"]))
    assert response.json["imported"] == 1
    _, attached, notes = only_ticket(app)
    assert attached == [] and "not on the platform's media host" in notes[0]
    assert fake_platform.media_requests == []


def test_one_bad_image_does_not_cost_the_good_one(app, webhooks, connected, fake_platform):
    fake_platform.media["a.png"] = Media(PNG)
    urls = [f"{fake_platform.url}/media/missing.png", f"{fake_platform.url}/media/a.png"]
    webhooks.meta(meta_dm_with(urls))
    _, attached, notes = only_ticket(app)
    assert [a[0] for a in attached] == ["image-2.png"] and len(notes) == 1


def test_a_replayed_delivery_downloads_nothing_again(app, webhooks, connected, fake_platform):
    fake_platform.media["a.png"] = Media(PNG)
    payload = meta_dm_with([f"{fake_platform.url}/media/a.png"])
    assert webhooks.meta(payload).json["imported"] == 1
    assert webhooks.meta(payload).json["imported"] == 0
    assert len(fake_platform.media_requests) == 1
    assert len(only_ticket(app)[1]) == 1


def test_an_image_in_a_later_message_is_attached_to_that_message(
    app, webhooks, connected, fake_platform
):
    assert webhooks.meta(recorded("facebook_message")).json["imported"] == 1
    fake_platform.media["a.png"] = Media(PNG)
    later = meta_dm_with([f"{fake_platform.url}/media/a.png"], text="And this screen.")
    later["entry"][0]["messaging"][0]["message"]["mid"] = "m_second"
    assert webhooks.meta(later).json["imported"] == 1
    _, attached, _ = only_ticket(app)
    with app.app_context():
        message = db.session.scalars(select(TicketMessage)).one()
        assert message.body == "And this screen."
    assert attached == [("image-1.png", "image/png", message.id, PNG)]
