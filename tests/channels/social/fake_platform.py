"""A local fake of the platforms' send APIs, on loopback, speaking their documented request
and response shapes (and their error responses):

- Meta Graph API: ``POST /{page-or-ig-id}/messages`` (Send API: ``recipient.id``,
  ``messaging_type``, ``message.text`` → ``{"recipient_id", "message_id"}``),
  ``POST /{object-id}/comments`` and ``POST /{ig-comment-id}/replies`` (``message`` →
  ``{"id"}``); errors as ``{"error": {"message", "type", "code", "error_subcode",
  "fbtrace_id"}}``.
- X API v2: ``POST /2/dm_conversations/with/{participant_id}/messages`` (``text`` → 201
  ``{"data": {"dm_conversation_id", "dm_event_id"}}``) and ``POST /2/tweets`` (``text``,
  ``reply.in_reply_to_tweet_id`` → 201 ``{"data": {"id", "text"}}``); errors as RFC 7807
  problem details (``{"title", "detail", "type", "status"}``).

Media: ``GET /media/{name}`` serves what a test put in :attr:`FakePlatform.media` (the bytes
of a DM image as Meta's CDN or X's ``ton.twitter.com`` would, optionally slow, failing or
requiring the account's token as X does).

Tests script failures with :meth:`FakePlatform.fail_next` (a 429, a 500, a window error) and
read what arrived from :attr:`FakePlatform.requests`.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Media:
    data: bytes
    content_type: str = "image/png"
    status: int = 200
    #: Seconds to wait before answering (a platform that is too slow).
    delay: float = 0.0
    #: X's DM media needs the account's OAuth token; Meta's CDN links do not.
    token: str | None = None


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict


META_RATE_LIMIT = (
    429,
    {"error": {"message": "(#4) Application request limit reached", "type": "OAuthException",
               "code": 4, "fbtrace_id": "AbCdEf"}},
)  # fmt: skip
META_OUTSIDE_WINDOW = (
    400,
    {"error": {"message": "(#10) This message is sent outside of allowed window.",
               "type": "OAuthException", "code": 10, "error_subcode": 2018278,
               "fbtrace_id": "AbCdEf"}},
)  # fmt: skip
META_SERVER_ERROR = (
    500,
    {"error": {"message": "An unexpected error has occurred. Please retry your request later.",
               "type": "OAuthException", "code": 2, "is_transient": True, "fbtrace_id": "x"}},
)  # fmt: skip
X_TOO_MANY = (
    429, {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank",
          "status": 429},
)  # fmt: skip


class FakePlatform:
    def __init__(self, tokens: set[str]) -> None:
        self.tokens = tokens
        self.requests: list[Received] = []
        self.failures: list[tuple[int, dict, dict[str, str]]] = []
        self.ids = itertools.count(1)
        self.media: dict[str, Media] = {}
        self.media_requests: list[Received] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakePlatform:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def fail_next(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
        """Answer the next send with this error (``headers``: e.g. ``Retry-After`` on a 429)."""
        with self.lock:
            self.failures.append((status, body, headers or {}))

    def answer(self, path: str, headers: dict, raw: bytes) -> tuple[int, dict, dict[str, str]]:
        status, body, *extra = self._answer(path, headers, raw)
        return status, body, (extra[0] if extra else {})

    def _answer(self, path: str, headers: dict, raw: bytes) -> tuple:
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return 400, {"error": {"message": "Invalid JSON", "code": 100}}
        with self.lock:
            self.requests.append(Received(path, headers, body))
            if self.failures:
                return self.failures.pop(0)
            serial = next(self.ids)
        token = headers.get("authorization", "").removeprefix("Bearer ")
        x = path.startswith("/2/")
        if token not in self.tokens:
            if x:
                return 401, {"title": "Unauthorized", "type": "about:blank", "status": 401,
                             "detail": "Unauthorized"}  # fmt: skip
            return 400, {"error": {"message": "Invalid OAuth access token.",
                                   "type": "OAuthException", "code": 190}}  # fmt: skip
        if match := re.fullmatch(r"/2/dm_conversations/with/(\w+)/messages", path):
            if not isinstance(body.get("text"), str):
                return 400, {"title": "Invalid Request", "status": 400, "detail": "text"}
            return 201, {"data": {"dm_conversation_id": f"{match[1]}-1",
                                  "dm_event_id": f"17{serial:08d}"}}  # fmt: skip
        if path == "/2/tweets":
            reply = body.get("reply") or {}
            if (
                not isinstance(body.get("text"), str)
                or len(body["text"]) > 280
                or (reply and not isinstance(reply.get("in_reply_to_tweet_id"), str))
            ):
                return 400, {"title": "Invalid Request", "status": 400, "detail": "text"}
            return 201, {"data": {"id": f"18{serial:08d}", "text": body["text"]}}
        if re.fullmatch(r"/v21\.0/\w+/messages", path):
            if not isinstance((body.get("recipient") or {}).get("id"), str) or not isinstance(
                (body.get("message") or {}).get("text"), str
            ):
                return 400, {"error": {"message": "(#100) param recipient must be non-empty.",
                                       "type": "OAuthException", "code": 100}}  # fmt: skip
            return 200, {"recipient_id": body["recipient"]["id"], "message_id": f"m_{serial:06d}"}
        if re.fullmatch(r"/v21\.0/[\w]+/(comments|replies)", path):
            if not isinstance(body.get("message"), str):
                return 400, {"error": {"message": "(#100) message required", "code": 100}}
            return 200, {"id": f"c_{serial:06d}"}
        return 404, {"error": {"message": "Unknown path", "code": 100}}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                path = self.path.split("?")[0]
                fake.media_requests.append(Received(path, headers, {}))
                media = fake.media.get(path.removeprefix("/media/"))
                if media is None:
                    status, data, kind = 404, b"Not Found", "text/plain"
                elif media.token and headers.get("authorization") != f"Bearer {media.token}":
                    status, data, kind = 401, b"Unauthorized", "text/plain"
                else:
                    time.sleep(media.delay)
                    status, data, kind = media.status, media.data, media.content_type
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(OSError):  # the client gave up (a timeout test)
                    self.wfile.write(data)

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, answer, extra = fake.answer(self.path.split("?")[0], headers, raw)
                data = json.dumps(answer).encode()
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        return Handler
