"""Fixtures of the social channel's tests: the fake platform on loopback, the app configured
against it, connected accounts, and signed deliveries of recorded payloads."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.channels.social.fake_platform import FakePlatform

PAYLOADS = Path(__file__).parent / "payloads"
META_SECRET = "meta-app-secret-for-tests"
X_SECRET = "x-consumer-secret-for-tests"
VERIFY_TOKEN = "verify-token-for-tests"
TOKEN_KEY = Fernet.generate_key().decode()
#: The accounts of the recorded payloads, and their send tokens.
ACCOUNTS = {
    "facebook": ("1100220033", "GrowgrEbuddy Page", "EAAGfacebookpagetoken0001"),
    "instagram": ("17841400000000001", "@growgrebuddy on Instagram", "IGQVinstagramtoken0002"),
    "x": ("2244994945", "@growgrebuddy", "x-oauth2-user-token-0003"),
}


def recorded(name: str) -> dict:
    return copy.deepcopy(json.loads((PAYLOADS / f"{name}.json").read_text()))


def meta_signature(body: bytes, secret: str = META_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def x_signature(body: bytes, secret: str = X_SECRET) -> str:
    return (
        "sha256="
        + base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    )


class Webhooks:
    """Delivers payloads to the real endpoints the way the platforms do."""

    def __init__(self, client):
        self.client = client

    def meta(self, payload, *, signature: str | None = "valid", raw: bytes | None = None):
        body = raw if raw is not None else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "valid":
            headers["X-Hub-Signature-256"] = meta_signature(body)
        elif signature is not None:
            headers["X-Hub-Signature-256"] = signature
        return self.client.post("/channels/social/webhooks/meta", data=body, headers=headers)

    def x(self, payload, *, signature: str | None = "valid", raw: bytes | None = None):
        body = raw if raw is not None else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "valid":
            headers["x-twitter-webhooks-signature"] = x_signature(body)
        elif signature is not None:
            headers["x-twitter-webhooks-signature"] = signature
        return self.client.post("/channels/social/webhooks/x", data=body, headers=headers)


@pytest.fixture
def fake_platform():
    with FakePlatform({token for _, _, token in ACCOUNTS.values()}) as fake:
        yield fake


@pytest.fixture
def app_config(fake_platform):
    return {
        "SOCIAL_TOKEN_KEYS": [TOKEN_KEY],
        "SOCIAL_META_APP_SECRET": META_SECRET,
        "SOCIAL_META_VERIFY_TOKEN": VERIFY_TOKEN,
        "SOCIAL_X_CONSUMER_SECRET": X_SECRET,
        "SOCIAL_META_GRAPH_URL": f"{fake_platform.url}/v21.0",
        "SOCIAL_X_API_URL": fake_platform.url,
        "SOCIAL_SEND_TIMEOUT": 5.0,
        "SOCIAL_MEDIA_URL_PREFIXES": [f"{fake_platform.url}/media/"],
        "SOCIAL_MEDIA_TIMEOUT": 1.0,
    }


@pytest.fixture
def connected(app, factory, now):
    """The three official accounts, connected by an admin through the service."""
    from app.channels.social.services import connect_account
    from app.outbox import commit

    admin = factory.user(role="admin")
    ids = {}
    with app.app_context():
        from app.accounts.models import User
        from app.extensions import db

        acting = db.session.get(User, admin.id)
        for platform_name, (external_id, name, token) in ACCOUNTS.items():
            ids[platform_name] = connect_account(
                acting, platform_name, external_id, name, token, now
            ).id
        commit()
    return ids


@pytest.fixture
def webhooks(client) -> Webhooks:
    return Webhooks(client)
