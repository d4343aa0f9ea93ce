"""Webhook payloads → :class:`SocialEvent` items, in the platforms' documented formats.

Pure functions over parsed JSON. A payload can carry several items; each is read on its own:
an item of a kind we do not handle, or with a missing or wrongly typed field, becomes an
:class:`Ignored` with the reason (the platform still gets its 200, or it would disable the
webhook), and the valid items next to it are still imported.

Formats (see docs/social.md for the references):

- Meta ``object: page`` / ``object: instagram``: ``entry[].messaging[]`` are direct messages
  (``sender.id``, ``recipient.id``, ``message.mid``, ``message.text``; ``is_echo`` marks our
  own sends); ``entry[].changes[]`` with ``field: feed`` (Facebook: ``item: comment`` or a
  visitor's post, ``verb: add``) or ``field: comments`` (Instagram comments on our media).
- X Account Activity: ``for_user_id`` plus ``direct_message_events[]`` (``message_create``)
  and ``tweet_create_events[]`` (posts that mention or reply to the account).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The longest id we keep; platform ids are far shorter.
ID_MAX = 120


@dataclass(frozen=True)
class SocialEvent:
    platform: str
    #: ``dm``, ``mention`` or ``comment``.
    kind: str
    #: The platform's id of this message, post or comment (dedupe key).
    event_id: str
    #: Our connected account it was sent to (page id, Instagram account id, X user id).
    account_id: str
    sender_id: str
    sender_handle: str
    sender_name: str
    text: str
    #: What a public reply answers (the comment, post or tweet); for DMs empty.
    reply_to_id: str = ""
    #: The platform id of what this item answers, for threading (a parent tweet/comment).
    in_reply_to_id: str = ""
    permalink: str = ""
    #: Images sent with a direct message: the platform's URLs, downloaded on import.
    media_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ignored:
    reason: str


def _id(value: Any) -> str | None:
    """A platform id: a string or integer of digits/letters; anything else is invalid."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        value = str(value)
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > ID_MAX or not all(_id_char(c) for c in value):
        return None
    return value


def _handle(value: Any) -> str:
    """A handle (``screen_name``, ``username``): letters, digits, ``_`` and ``.`` only."""
    if not isinstance(value, str) or len(value) > 60:
        return ""
    return value if value and all(c.isascii() and (c.isalnum() or c in "_.") for c in value) else ""


def _id_char(c: str) -> bool:
    return c.isascii() and (c.isalnum() or c in "_-.:")


def _text(value: Any) -> str | None:
    """Text as the database can store it: no NUL characters, no lone surrogates (JSON lets
    ``\\ud800`` through; PostgreSQL refuses both)."""
    if not isinstance(value, str):
        return None
    return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def parse_meta(payload: Any) -> list[SocialEvent | Ignored]:
    """:raises ValueError: not a Page or Instagram payload at all (answered 400)."""
    if not isinstance(payload, dict) or payload.get("object") not in ("page", "instagram"):
        raise ValueError("not a Page or Instagram webhook payload")
    if not isinstance(payload.get("entry"), list):
        raise ValueError("entry must be a list")
    platform = "facebook" if payload["object"] == "page" else "instagram"
    items: list[SocialEvent | Ignored] = []
    for entry in payload["entry"]:
        entry = _dict(entry)
        account = _id(entry.get("id"))
        if account is None:
            items.append(Ignored("entry without a valid id"))
            continue
        for messaging in _list(entry.get("messaging")):
            items.append(_meta_message(platform, account, _dict(messaging)))
        for change in _list(entry.get("changes")):
            items.append(_meta_change(platform, account, _dict(change)))
        if not entry.get("messaging") and not entry.get("changes"):
            items.append(Ignored("entry with neither messaging nor changes"))
    return items


def _meta_message(platform: str, account: str, item: dict) -> SocialEvent | Ignored:
    message = item.get("message")
    if not isinstance(message, dict):
        # Reads, deliveries, reactions, postbacks ...: acknowledged, not support requests.
        kinds = [key for key in item if key not in ("sender", "recipient", "timestamp")]
        return Ignored(f"messaging event without a message ({', '.join(kinds)[:80] or 'empty'})")
    if message.get("is_echo"):
        return Ignored("echo of a message the account sent")
    sender = _id(_dict(item.get("sender")).get("id"))
    mid = _id(message.get("mid"))
    text = _text(message.get("text"))
    if sender is None or mid is None:
        return Ignored("message without a valid sender id or mid")
    images = _meta_images(message.get("attachments"))
    if text is None:
        if message.get("attachments") is None:
            return Ignored("message without text")
        text = (
            "(The person sent an image.)"
            if images
            else "(The person sent an attachment, which is not imported; see it on the platform.)"
        )
    if sender == account:
        return Ignored("message sent by the account itself")
    return SocialEvent(platform, "dm", mid, account, sender, "", "", text, media_urls=images)


#: At most this many images are taken from one message (the tickets' own limit per message).
MAX_IMAGES = 5


def _media_url(value: Any) -> str | None:
    if isinstance(value, str) and value.startswith(("https://", "http://")) and len(value) < 2000:
        return value
    return None


def _meta_images(attachments: Any) -> tuple[str, ...]:
    """Meta Send API: ``message.attachments[]`` of ``{"type": "image", "payload": {"url"}}``;
    other types (video, audio, file, sticker-less links) stay on the platform."""
    if not isinstance(attachments, list):
        return ()
    urls = []
    for item in attachments[:MAX_IMAGES]:
        item = _dict(item)
        url = _media_url(_dict(item.get("payload")).get("url"))
        if item.get("type") == "image" and url:
            urls.append(url)
    return tuple(urls)


def _x_images(message_data: dict) -> tuple[str, ...]:
    """X Account Activity DMs: ``message_data.attachment`` = ``{"type": "media", "media":
    {"type": "photo", "media_url_https"}}`` (one per message)."""
    attachment = _dict(message_data.get("attachment"))
    media = _dict(attachment.get("media"))
    url = _media_url(media.get("media_url_https"))
    if attachment.get("type") == "media" and media.get("type") == "photo" and url:
        return (url,)
    return ()


def _meta_change(platform: str, account: str, change: dict) -> SocialEvent | Ignored:
    field = change.get("field")
    value = _dict(change.get("value"))
    if platform == "facebook" and field == "feed":
        return _facebook_feed(account, value)
    if platform == "instagram" and field == "comments":
        return _instagram_comment(account, value)
    return Ignored(f"change of field {str(field)[:40]!r} is not handled")


def _facebook_feed(account: str, value: dict) -> SocialEvent | Ignored:
    item, verb = value.get("item"), value.get("verb")
    if verb != "add":
        return Ignored(f"feed {str(verb)[:20]} of {str(item)[:20]} is not a new post")
    sender = _dict(value.get("from"))
    sender_id = _id(sender.get("id"))
    text = _text(value.get("message"))
    name = _text(sender.get("name")) or ""
    if sender_id is None or text is None:
        return Ignored("feed item without a valid sender or message")
    if sender_id == account:
        return Ignored("the page's own post or comment")
    post_id = _id(value.get("post_id"))
    if item == "comment":
        comment_id = _id(value.get("comment_id"))
        if comment_id is None or post_id is None:
            return Ignored("comment without a valid comment_id or post_id")
        parent = _id(value.get("parent_id")) or post_id
        # Facebook threads one level deep: a reply to a reply goes under its parent comment.
        target = comment_id if parent == post_id else parent
        return SocialEvent(
            "facebook", "comment", comment_id, account, sender_id, "", name, text,
            reply_to_id=target, in_reply_to_id=parent,
            permalink=f"https://www.facebook.com/{comment_id}",
        )  # fmt: skip
    if item in ("status", "post", "photo", "video") and post_id is not None:
        return SocialEvent(
            "facebook", "mention", post_id, account, sender_id, "", name, text,
            reply_to_id=post_id, permalink=f"https://www.facebook.com/{post_id}",
        )  # fmt: skip
    return Ignored(f"feed item {str(item)[:20]!r} is not handled")


def _instagram_comment(account: str, value: dict) -> SocialEvent | Ignored:
    sender = _dict(value.get("from"))
    sender_id = _id(sender.get("id"))
    comment_id = _id(value.get("id"))
    text = _text(value.get("text"))
    if sender_id is None or comment_id is None or text is None:
        return Ignored("comment without a valid id, sender or text")
    if sender_id == account:
        return Ignored("the account's own comment")
    handle = _handle(sender.get("username"))
    parent = _id(value.get("parent_id")) or ""
    return SocialEvent(
        "instagram", "comment", comment_id, account, sender_id, handle, "", text,
        reply_to_id=parent or comment_id, in_reply_to_id=parent,
    )  # fmt: skip


def parse_x(payload: Any) -> list[SocialEvent | Ignored]:
    """:raises ValueError: not an Account Activity payload at all (answered 400)."""
    if not isinstance(payload, dict):
        raise ValueError("not an Account Activity payload")
    account = _id(payload.get("for_user_id"))
    if account is None:
        raise ValueError("for_user_id is missing or invalid")
    items: list[SocialEvent | Ignored] = []
    users = _dict(payload.get("users"))
    for event in _list(payload.get("direct_message_events")):
        items.append(_x_message(account, _dict(event), users))
    for tweet in _list(payload.get("tweet_create_events")):
        items.append(_x_tweet(account, _dict(tweet)))
    # user_has_blocked: a flag that comes with tweet_create_events (an @mention by a blocked user).
    known = {
        "for_user_id",
        "users",
        "direct_message_events",
        "tweet_create_events",
        "user_has_blocked",
    }
    items.extend(
        Ignored(f"{key[:40]} events are not handled") for key in payload if key not in known
    )
    return items


def _x_message(account: str, event: dict, users: dict) -> SocialEvent | Ignored:
    if event.get("type") != "message_create":
        return Ignored(f"direct message event {str(event.get('type'))[:30]!r}")
    create = _dict(event.get("message_create"))
    event_id = _id(event.get("id"))
    sender_id = _id(create.get("sender_id"))
    message_data = _dict(create.get("message_data"))
    text = _text(message_data.get("text"))
    images = _x_images(message_data)
    if text is None and images:
        text = "(The person sent an image.)"
    if event_id is None or sender_id is None or text is None:
        return Ignored("direct message without a valid id, sender or text")
    if sender_id == account:
        return Ignored("direct message sent by the account itself")
    user = _dict(users.get(sender_id))
    handle = _handle(user.get("screen_name"))
    name = _text(user.get("name")) or ""
    return SocialEvent(
        "x", "dm", event_id, account, sender_id, handle, name, text, media_urls=images
    )


def _x_tweet(account: str, tweet: dict) -> SocialEvent | Ignored:
    tweet_id = _id(tweet.get("id_str"))
    user = _dict(tweet.get("user"))
    sender_id = _id(user.get("id_str"))
    text = (
        _text(tweet.get("full_text"))
        or _text(_dict(tweet.get("extended_tweet")).get("full_text"))
        or _text(tweet.get("text"))
    )
    if tweet_id is None or sender_id is None or text is None:
        return Ignored("post without a valid id_str, user or text")
    if sender_id == account:
        return Ignored("the account's own post")
    if tweet.get("retweeted_status") is not None:
        return Ignored("a repost")
    handle = _handle(user.get("screen_name"))
    return SocialEvent(
        "x", "mention", tweet_id, account, sender_id, handle, _text(user.get("name")) or "",
        text, reply_to_id=tweet_id,
        in_reply_to_id=_id(tweet.get("in_reply_to_status_id_str")) or "",
        permalink=f"https://x.com/{handle or 'i'}/status/{tweet_id}",
    )  # fmt: skip
