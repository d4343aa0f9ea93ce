"""The platforms' webhook endpoints: each platform's handshake, then signed deliveries.

These routes are called by Meta and X, not by browsers: they carry no session or CSRF token
and are authenticated by the HMAC signature of the raw body instead, so their blueprint is
self-contained (none of the site's cookie hooks run; see :mod:`app.application`). A delivery
with a missing or wrong signature is answered 403 before its body is even parsed. Anything a
signed delivery holds that we cannot use is acknowledged with 200 (platforms disable
webhooks that keep failing), malformed JSON with 400, never a 500.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, jsonify, request

from app.channels.social import payloads, receiving, rules
from app.models import utcnow
from app.outbox import commit

bp = Blueprint("social_webhooks", __name__, url_prefix="/channels/social/webhooks")


def error(status: int, code: str, message: str) -> Response:
    """The site's one JSON error shape."""
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


@bp.after_request
def webhook_headers(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


def _raw_body() -> bytes | None:
    """The body as sent (signatures are over these bytes), or ``None`` past the limit."""
    limit = current_app.config["SOCIAL_WEBHOOK_MAX_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        return None
    body = request.stream.read(limit + 1)
    return None if len(body) > limit else body


def _json(body: bytes) -> object:
    """:raises ValueError: not JSON in UTF-8 (or nested deeper than the parser goes)."""
    try:
        return json.loads(body.decode("utf-8"))
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc


def _import(parse, body: bytes) -> Response:
    try:
        items = parse(_json(body))
    except ValueError as exc:
        return error(400, "invalid_payload", f"Not a valid payload: {exc}"[:200])
    summary = receiving.import_items(items, utcnow())
    commit()
    return jsonify(
        imported=summary.imported, duplicates=summary.duplicates,
        ignored=len(summary.ignored), quarantined=summary.quarantined,
    )  # fmt: skip


@bp.get("/meta")
def meta_verify():
    """Meta's subscription check: echo ``hub.challenge`` when ``hub.verify_token`` matches."""
    challenge = rules.meta_verification(
        request.args.to_dict(), current_app.config["SOCIAL_META_VERIFY_TOKEN"]
    )
    if challenge is None:
        return Response("Verification failed.", 403, mimetype="text/plain")
    return Response(challenge, 200, mimetype="text/plain")


@bp.post("/meta")
def meta_delivery():
    """Facebook Page and Instagram deliveries (``object`` says which)."""
    body = _raw_body()
    if body is None:
        return error(413, "too_large", "The payload is too large.")
    signature = request.headers.get("X-Hub-Signature-256")
    if not rules.meta_signature_valid(
        current_app.config["SOCIAL_META_APP_SECRET"], body, signature
    ):
        return error(403, "bad_signature", "Missing or invalid X-Hub-Signature-256.")
    return _import(payloads.parse_meta, body)


@bp.get("/x")
def x_crc():
    """X's challenge-response check: ``response_token`` = ``sha256=`` + base64 HMAC-SHA256
    of ``crc_token`` keyed with the consumer secret."""
    secret = current_app.config["SOCIAL_X_CONSUMER_SECRET"]
    token = request.args.get("crc_token", "")
    if not secret:
        return error(403, "not_configured", "The X webhook is not configured.")
    if not token or len(token) > 512:
        return error(400, "invalid_crc_token", "crc_token is missing or too long.")
    return jsonify(response_token=rules.x_signature(secret, token.encode()))


@bp.post("/x")
def x_delivery():
    """Account Activity API deliveries."""
    body = _raw_body()
    if body is None:
        return error(413, "too_large", "The payload is too large.")
    signature = request.headers.get("x-twitter-webhooks-signature")
    if not rules.x_signature_valid(current_app.config["SOCIAL_X_CONSUMER_SECRET"], body, signature):
        return error(403, "bad_signature", "Missing or invalid x-twitter-webhooks-signature.")
    return _import(payloads.parse_x, body)
