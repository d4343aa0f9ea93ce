"""A request id on every request: taken from ``X-Request-ID`` when it is well formed (so a
proxy's or the app's id follows the request through), otherwise generated; echoed in the
response and written on every log line of the ``app`` loggers made during the request.

Hooked to Flask's ``request_started`` / ``request_finished`` signals rather than to
``before_request``: those run for every blueprint, the self-contained API included.
"""

from __future__ import annotations

import logging
import re
import uuid

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler
from flask.signals import request_finished, request_started

HEADER = "X-Request-ID"
#: Letters, digits and ``-_.:`` up to 128 characters: what proxies and tracing ids use, and
#: nothing that could forge a log line or a header (no spaces, quotes or control characters).
WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
LOG_FORMAT = "[%(asctime)s] %(levelname)s %(name)s [request %(request_id)s]: %(message)s"


def accepted_id(raw: str | None) -> str:
    """The caller's id when it is well formed, else a new random one."""
    if raw and WELL_FORMED.fullmatch(raw):
        return raw
    return uuid.uuid4().hex


def current_request_id() -> str:
    """The id of the request being served, ``-`` outside a request."""
    if has_request_context():
        return g.get("request_id", "-")
    return "-"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


def _started(sender: Flask, **_extra) -> None:
    g.request_id = accepted_id(request.headers.get(HEADER))


def _finished(sender: Flask, response, **_extra) -> None:
    response.headers[HEADER] = current_request_id()


_FILTER = RequestIdFilter()


def init_app(app: Flask) -> None:
    request_started.connect(_started, app)
    request_finished.connect(_finished, app)
    # The ``app`` logger is Flask's application logger; every module logger of the package
    # (``app.outbox``, ``app.search.indexer`` ...) propagates to it and so to this handler.
    # Flask leaves its handler off when some ancestor logger already has one (a test runner's
    # capture, say); ours is added either way so the id is always on the line.
    if default_handler not in app.logger.handlers:
        app.logger.addHandler(default_handler)
    if _FILTER not in default_handler.filters:
        default_handler.addFilter(_FILTER)
        default_handler.setFormatter(logging.Formatter(LOG_FORMAT))
