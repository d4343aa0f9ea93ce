"""The export's download link: signed, expiring, for the signed-in owner only; a tampered,
replaced or expired link answers a clear 4xx page, never the archive."""

from __future__ import annotations

import io
import os
import time
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db


@pytest.fixture
def export(app, factory, tmp_path):
    """A finished export of a member, as the job leaves it (the archive a small real zip)."""
    from app.accounts.models import User
    from app.outbox import commit
    from app.privacy import jobs, requests

    person = factory.user()
    archive = tmp_path / "exports" / "data.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("account.json", '{"display_name": "Basil"}')
    now = datetime.now(UTC)
    with app.app_context():
        row = requests.request_own_export(db.session.get(User, person.id), now)
        row.status, row.archive_path, row.finished_at = "done", str(archive), now
        row.link_nonce, row.expires_at = requests.new_link_nonce(), now + timedelta(days=7)
        commit()
        link = jobs.download_link(row)
        return {"person": person, "id": row.id, "path": link.split("127.0.0.1:5000", 1)[-1]}


def test_the_owner_downloads_the_zip_streamed_and_never_cached(client, auth, export):
    auth.login(export["person"])
    response = client.get(export["path"])
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"].startswith(
        "attachment; filename=growgrebuddy-data-"
    )
    assert "no-store" in response.headers["Cache-Control"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as bundle:
        assert bundle.read("account.json") == b'{"display_name": "Basil"}'
    response.close()


def test_signed_out_people_are_asked_to_sign_in(client, export):
    response = client.get(export["path"])
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_someone_else_signed_in_gets_a_403_page(client, auth, factory, export):
    auth.login(factory.user())
    response = client.get(export["path"])
    assert response.status_code == 403 and "belongs to another account" in response.text


@pytest.mark.parametrize("tamper", [lambda t: t[:-2] + ("AA" if t[-2:] != "AA" else "BB"),
                                    lambda t: "not-a-token", lambda t: t[:20]])  # fmt: skip
def test_a_tampered_link_is_a_404_page(client, auth, export, tamper):
    auth.login(export["person"])
    prefix, token = export["path"].rsplit("/", 1)
    response = client.get(f"{prefix}/{tamper(token)}")
    assert response.status_code == 404 and "not valid" in response.text


def test_an_expired_link_is_a_410_page(app, client, auth, export):
    from app.privacy.request_models import PrivacyRequest

    with app.app_context():
        db.session.get(PrivacyRequest, export["id"]).expires_at = datetime.now(UTC)
        db.session.commit()
    auth.login(export["person"])
    response = client.get(export["path"])
    assert response.status_code == 410 and "has expired" in response.text


def test_a_link_older_than_its_days_is_expired_by_its_signature(app, client, auth, export):
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    from app.privacy.request_models import PrivacyRequest
    from app.privacy.requests import LINK_SALT

    class TwoDaysAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 2 * 86400

    with app.app_context():
        nonce = db.session.get(PrivacyRequest, export["id"]).link_nonce
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], LINK_SALT, signer=TwoDaysAgo)
    aged = serializer.dumps([export["id"], nonce])
    prefix = export["path"].rsplit("/", 1)[0]
    auth.login(export["person"])
    fresh = client.get(f"{prefix}/{aged}")  # 7 days allowed: still good
    fresh.close()
    assert fresh.status_code == 200
    app.config["PRIVACY_EXPORT_LINK_DAYS"] = 1
    response = client.get(f"{prefix}/{aged}")
    assert response.status_code == 410 and "has expired" in response.text


def test_a_newer_export_spends_the_older_link(app, client, auth, export):
    from app.privacy import requests
    from app.privacy.request_models import PrivacyRequest

    with app.app_context():
        db.session.get(PrivacyRequest, export["id"]).link_nonce = requests.new_link_nonce()
        db.session.commit()
    auth.login(export["person"])
    assert client.get(export["path"]).status_code == 404


def test_an_archive_removed_in_between_is_a_410_page(app, client, auth, export):
    from app.privacy.request_models import PrivacyRequest

    with app.app_context():
        path = db.session.get(PrivacyRequest, export["id"]).archive_path
    os.remove(path)
    auth.login(export["person"])
    response = client.get(export["path"])
    assert response.status_code == 410 and "no longer kept" in response.text
