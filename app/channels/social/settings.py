"""Settings of the social media channel (X, Facebook, Instagram)."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlsplit

from app.settings import Setting, at_least

#: What the first public answer adds, so account details move out of public view.
DEFAULT_INVITE = (
    "To continue privately, send us a direct message (please don't post account details here)."
)


def fernet_keys(value) -> None:
    """Each key: 32 bytes in URL-safe base64 (``Fernet.generate_key()``)."""
    for key in value:
        try:
            raw = base64.urlsafe_b64decode(str(key).encode())
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ValueError("each key must be a Fernet key (32 bytes, URL-safe base64)")


def http_url(value) -> None:
    parts = urlsplit(str(value))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"must be an http(s) URL, got {value!r}")


def http_urls(value) -> None:
    for url in value:
        http_url(url)


#: Where the platforms serve DM images: Meta's attachment CDN and X's DM media host.
DEFAULT_MEDIA_PREFIXES = [
    "https://lookaside.fbsbx.com/", "https://scontent.xx.fbcdn.net/", "https://ton.twitter.com/",
]  # fmt: skip

SETTINGS = [
    Setting(
        "SOCIAL_TOKEN_KEYS", [], list,
        "Fernet keys encrypting the connected accounts' tokens; the first encrypts, all "
        "decrypt (put a new key first, then run `flask social reencrypt`). Without one no "
        "account can be connected.",
        fernet_keys, section="social",
    ),
    Setting(
        "SOCIAL_META_APP_SECRET", None, str,
        "The Meta app's secret: checks `X-Hub-Signature-256` on Facebook and Instagram "
        "webhooks (unset: every delivery is refused with 403).",
        section="social",
    ),
    Setting(
        "SOCIAL_META_VERIFY_TOKEN", None, str,
        "The verify token entered in the Meta app's webhook settings (the subscription check).",
        section="social",
    ),
    Setting(
        "SOCIAL_X_CONSUMER_SECRET", None, str,
        "The X app's consumer secret: answers the CRC check and verifies "
        "`x-twitter-webhooks-signature` (unset: every delivery is refused with 403).",
        section="social",
    ),
    Setting(
        "SOCIAL_META_GRAPH_URL", "https://graph.facebook.com/v21.0", str,
        "Base URL of Meta's Graph API (Send API, comment replies).", http_url, section="social",
    ),
    Setting(
        "SOCIAL_X_API_URL", "https://api.x.com", str,
        "Base URL of the X API (direct messages, replies).", http_url, section="social",
    ),
    Setting(
        "SOCIAL_SEND_TIMEOUT", 10.0, float,
        "Seconds to wait for a platform's send API per attempt.", at_least(0.1),
        section="social",
    ),
    Setting(
        "SOCIAL_MEDIA_URL_PREFIXES", DEFAULT_MEDIA_PREFIXES, list,
        "Images in direct messages are downloaded only from URLs starting with one of these "
        "(anything else is noted on the ticket, not fetched: no requests to other hosts).",
        http_urls, section="social",
    ),
    Setting(
        "SOCIAL_MEDIA_TIMEOUT", 5.0, float,
        "Seconds allowed per image download from a platform (the webhook waits for it).",
        at_least(0.1), section="social",
    ),
    Setting(
        "SOCIAL_WEBHOOK_MAX_BYTES", 1024 * 1024, int,
        "Largest webhook body accepted (413 beyond).", at_least(1024), section="social",
    ),
    Setting(
        "SOCIAL_META_WINDOW_HOURS", 24.0, float,
        "Meta's messaging window: a direct-message reply later than this after the person's "
        "last message is refused to the agent.", at_least(1), section="social",
    ),
    Setting(
        "SOCIAL_PRIVATE_INVITE", DEFAULT_INVITE, str,
        "Added to the first public answer of a mention or comment (empty: nothing added).",
        section="social",
    ),
]  # fmt: skip
