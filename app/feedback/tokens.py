"""Signed links in survey e-mails: a rating link, an NPS link and the opt-out link.

The links carry no secret of their own: the payload (the row's id and its random nonce) is
signed with the site's ``SECRET_KEY`` and a salt per purpose, so a link can't be guessed, edited
into another person's survey, or used for another purpose. Whether a link was already used is
kept on the row (``link_used_at``), not in the link.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

CSAT, NPS, OPT_OUT = "feedback-csat", "feedback-nps", "feedback-opt-out"


def _serializer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def sign(purpose: str, row_id: int, nonce: str = "") -> str:
    return _serializer(purpose).dumps([row_id, nonce])


def read(purpose: str, token: str) -> tuple[int, str] | None:
    """The (id, nonce) a token carries, or None for a forged, edited or malformed one."""
    if not isinstance(token, str) or len(token) > 500:
        return None
    try:
        value = _serializer(purpose).loads(token)
    except BadSignature:
        return None
    ok = isinstance(value, list) and len(value) == 2
    if not ok or not isinstance(value[0], int) or not isinstance(value[1], str):
        return None
    return value[0], value[1]
