"""Pure rules of the social channel: the platforms' webhook handshakes and signatures, the
messaging window, reply lengths and how a send API's answer is classified. No Flask, no
database, no clock: everything they need is an argument."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

#: Platforms whose accounts can be connected, and how agents read them.
PLATFORMS: dict[str, str] = {"facebook": "Facebook", "instagram": "Instagram", "x": "X"}
#: What a social ticket started from: a direct message (private) or a public post.
KINDS: dict[str, str] = {"dm": "Direct message", "mention": "Mention", "comment": "Comment"}

#: Longest text each platform accepts per send (their documented limits). Public replies are
#: checked before the reply is saved; private messages too, so nothing is cut off silently.
PUBLIC_LIMITS = {"x": 280, "facebook": 8000, "instagram": 2200}
PRIVATE_LIMITS = {"x": 10_000, "facebook": 2000, "instagram": 1000}

#: X counts every link as 23 characters, whatever its length (t.co wrapping).
X_LINK_LENGTH = 23
_LINK = re.compile(r"https?://\S+", re.IGNORECASE)


def meta_signature_valid(app_secret: str | None, body: bytes, header: str | None) -> bool:
    """``X-Hub-Signature-256``: ``sha256=`` + hex HMAC-SHA256 of the raw body keyed with the
    app secret. Compared in constant time; no secret configured means nothing is valid."""
    if not app_secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header[len("sha256=") :].strip().encode())


def x_signature(consumer_secret: str, data: bytes) -> str:
    """``sha256=`` + base64 HMAC-SHA256: both the CRC ``response_token`` and the
    ``x-twitter-webhooks-signature`` of a delivery."""
    digest = hmac.new(consumer_secret.encode(), data, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


def x_signature_valid(consumer_secret: str | None, body: bytes, header: str | None) -> bool:
    if not consumer_secret or not header:
        return False
    return hmac.compare_digest(x_signature(consumer_secret, body).encode(), header.strip().encode())


def meta_verification(params: dict[str, str], verify_token: str | None) -> str | None:
    """The ``hub.challenge`` to echo for a valid subscription check, else ``None`` (403)."""
    if not verify_token or params.get("hub.mode") != "subscribe":
        return None
    given = params.get("hub.verify_token", "")
    if not hmac.compare_digest(given.encode(), verify_token.encode()):
        return None
    challenge = params.get("hub.challenge", "")
    # Meta sends an integer; anything else is not a verification request.
    return challenge if challenge.isdigit() and len(challenge) <= 64 else None


def x_length(text: str) -> int:
    """The length X counts for a post: links count 23 characters each."""
    links = _LINK.findall(text)
    return len(_LINK.sub("", text)) + X_LINK_LENGTH * len(links)


def text_length(platform: str, text: str) -> int:
    return x_length(text) if platform == "x" else len(text)


def length_problem(platform: str, public: bool, text: str) -> str | None:
    """Why ``text`` cannot be sent as it is, in words for the agent, or ``None``."""
    limit = (PUBLIC_LIMITS if public else PRIVATE_LIMITS)[platform]
    length = text_length(platform, text)
    if length <= limit:
        return None
    where = "a public reply" if public else "a private message"
    return (
        f"{PLATFORMS[platform]} allows {limit} characters in {where}; this reply is {length} "
        f"(with the invitation to continue privately, if it is added). Shorten it by "
        f"{length - limit}."
    )


def window_problem(
    platform: str, kind: str, last_inbound_at: datetime, now: datetime, window_hours: float
) -> str | None:
    """Meta lets a page or Instagram account message a person only within ``window_hours``
    (24) of that person's last message; X and public replies have no such window."""
    if platform not in ("facebook", "instagram") or kind != "dm":
        return None
    closes_at = last_inbound_at + timedelta(hours=window_hours)
    if now <= closes_at:
        return None
    return (
        f"{PLATFORMS[platform]} only allows replies within {window_hours:g} hours of the "
        f"person's last message, and that window closed at {closes_at:%Y-%m-%d %H:%M} UTC. "
        "Nothing was sent: wait for them to write again, or reach them another way."
    )


def compose(body: str, invite: str | None) -> str:
    """The text sent for an agent's reply: their words, plus the invitation to continue
    privately on the first public answer."""
    text = body.strip()
    return f"{text}\n\n{invite.strip()}" if invite and invite.strip() else text


@dataclass(frozen=True)
class SendOutcome:
    """How to treat a send API's answer: ``sent`` (with the platform's id), ``retry`` (rate
    limits, server errors: the outbox backs off and tries again) or ``refused`` (no retry
    can mend it: a closed window, a revoked token, a blocked user)."""

    result: str
    detail: str = ""
    platform_message_id: str = ""
    #: For a ``retry``: how long the platform asked us to wait (``Retry-After``), if it said.
    retry_after: timedelta | None = None


#: Meta error codes that mean "slow down" even though the HTTP status is 400.
META_THROTTLE_CODES = {4, 17, 32, 613, 80006}


def classify(platform: str, status: int, answer: object) -> SendOutcome:
    """Classify one HTTP answer of a send API (``answer``: the parsed JSON, or ``None``)."""
    data = answer if isinstance(answer, dict) else {}
    if 200 <= status < 300:
        message_id = _sent_id(platform, data)
        if message_id:
            return SendOutcome("sent", platform_message_id=message_id)
        return SendOutcome("refused", f"HTTP {status} without a message id")
    detail = _error_detail(data) or f"HTTP {status}"
    if status == 429 or status >= 500:
        return SendOutcome("retry", f"HTTP {status}: {detail}")
    error = data.get("error")
    if isinstance(error, dict) and error.get("code") in META_THROTTLE_CODES:
        return SendOutcome("retry", f"HTTP {status}: {detail}")
    return SendOutcome("refused", f"HTTP {status}: {detail}")


def retry_after(headers: Mapping[str, str], now: datetime) -> timedelta | None:
    """How long a 429 asks us to wait: ``Retry-After`` as seconds or as an HTTP date
    (RFC 9110 10.2.3), else X's ``x-rate-limit-reset`` (the epoch second the window
    reopens). ``None`` when neither is there or readable: the outbox's own back-off applies.
    ``headers`` must be looked up case-insensitively (a ``requests`` answer's are)."""
    now = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    value = (headers.get("Retry-After") or "").strip()
    if value.isascii() and value.isdecimal() and len(value) <= 9:
        return timedelta(seconds=int(value))
    if value:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None and when.tzinfo is not None:
            return max(when - now, timedelta(0))
    reset = (headers.get("x-rate-limit-reset") or "").strip()
    if reset.isascii() and reset.isdecimal() and len(reset) <= 12:
        when = datetime.fromtimestamp(int(reset), UTC)
        return max(when - now, timedelta(0))
    return None


def _sent_id(platform: str, data: dict) -> str:
    if platform == "x":
        inner = data.get("data")
        if isinstance(inner, dict):
            value = inner.get("dm_event_id") or inner.get("id")
            return str(value) if isinstance(value, str | int) else ""
        return ""
    value = data.get("message_id") or data.get("id")
    return str(value) if isinstance(value, str | int) else ""


def _error_detail(data: dict) -> str:
    error = data.get("error")
    if isinstance(error, dict):  # Meta: {"error": {"message", "type", "code", "error_subcode"}}
        code = error.get("code")
        sub = error.get("error_subcode")
        suffix = f" (code {code}" + (f"/{sub}" if sub else "") + ")" if code else ""
        return f"{str(error.get('message', ''))[:300]}{suffix}"
    if "detail" in data or "title" in data:  # X: RFC 7807 problem details
        return str(data.get("detail") or data.get("title"))[:300]
    return ""


def send_request(
    platform: str, action: str, account_id: str, target_id: str, text: str
) -> tuple[str, dict]:
    """The documented send call for a reply: the path under the platform's base URL and the
    JSON body. ``action`` is ``dm`` (to a person) or ``reply`` (under a post or comment)."""
    from urllib.parse import quote

    target = quote(target_id, safe="")
    if platform == "x":
        if action == "dm":  # X API v2: POST /2/dm_conversations/with/:participant_id/messages
            return f"/2/dm_conversations/with/{target}/messages", {"text": text}
        return "/2/tweets", {"text": text, "reply": {"in_reply_to_tweet_id": target_id}}
    if action == "dm":  # Send API: POST /{page-or-ig-id}/messages
        return f"/{quote(account_id, safe='')}/messages", {
            "recipient": {"id": target_id},
            "messaging_type": "RESPONSE",
            "message": {"text": text},
        }
    if platform == "instagram":  # POST /{ig-comment-id}/replies
        return f"/{target}/replies", {"message": text}
    return f"/{target}/comments", {"message": text}  # POST /{object-id}/comments
