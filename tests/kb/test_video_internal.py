"""An internal article's video is as private as its text: ``/media/<hash>`` answers 404 to
anyone outside the article's audience, and its readers get it marked ``private`` so no shared
cache keeps it. On both stores (folder and S3 bucket)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.kb.media.models import VideoFile
from app.kb.models import Article
from tests.kb.test_video_uploads import SLUG, _media, _upload
from tests.kb.video_files import make_files

PRIVATE = "private, max-age=31536000, immutable"
PUBLIC = "public, max-age=31536000, immutable"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return make_files(tmp_path_factory.mktemp("videos"))


@pytest.fixture
def app_config(content_dir, request):
    config = {"CONTENT_DIR": str(content_dir)}
    if getattr(request, "param", "local") == "s3":
        config.update(request.getfixturevalue("s3_config"))
    return config


def _set(app, visibility: str, audience: str = "") -> None:
    with app.app_context():
        article = db.session.scalar(select(Article).where(Article.slug == SLUG))
        article.visibility, article.audience = visibility, audience
        db.session.commit()


def _ready_row(app) -> VideoFile:
    with app.app_context():
        row = db.session.scalars(select(VideoFile).where(VideoFile.status == "ready")).one()
        db.session.expunge(row)
        return row


@pytest.mark.parametrize("app_config", ["local", "s3"], indirect=True)
def test_internal_video_files_reach_only_the_audience_and_stay_private(
    synced, client, factory, auth, files, runner
):
    agent = factory.user(role="agent_t1")
    auth.login(agent)
    assert _upload(client, files["good.mp4"]).status_code == 303
    assert runner.invoke(args=["content", "videos", "process"]).exit_code == 0
    row = _ready_row(synced.app)
    keys = (row.mp4_key, row.poster_key)
    _set(synced.app, "internal")

    # The team (internal for all support staff): served, seekable, but never publicly cached.
    for key in keys:
        answer = _media(client, key)
        assert answer.status_code == 200 and answer.headers["Cache-Control"] == PRIVATE
    part = _media(client, row.mp4_key, Range="bytes=0-9")
    assert part.status_code == 206 and part.headers["Cache-Control"] == PRIVATE
    captions = client.get(f"/articles/{SLUG}/captions.vtt")
    assert captions.status_code == 200 and captions.headers["Cache-Control"].startswith("private")

    # Outside the audience: a member, and nobody signed in. 404, as for the article itself.
    for outsider in (factory.user(), None):
        auth.logout()
        if outsider is not None:
            auth.login(outsider)
        assert client.get(f"/articles/{SLUG}").status_code == 404
        for key in keys:
            assert _media(client, key).status_code == 404
        assert _media(client, row.mp4_key, Range="bytes=0-9").status_code == 404
        assert client.get(f"/articles/{SLUG}/captions.vtt").status_code == 404

    # Restricted to tier 3: tier 1 is outside now, an admin (every internal space) is inside.
    _set(synced.app, "internal", ",agent_t3,")
    auth.switch_to(agent)
    assert _media(client, row.mp4_key).status_code == 404
    auth.switch_to(factory.user(role="admin"))
    admin_view = _media(client, row.mp4_key)
    assert admin_view.status_code == 200 and admin_view.headers["Cache-Control"] == PRIVATE

    # Public again: everyone, and shared caches may keep it for a year.
    _set(synced.app, "public")
    auth.logout()
    public = _media(client, row.mp4_key)
    assert public.status_code == 200 and public.headers["Cache-Control"] == PUBLIC
    captions = client.get(f"/articles/{SLUG}/captions.vtt")
    assert captions.headers["Cache-Control"] == "public, max-age=300"


def test_a_stored_file_no_article_plays_is_not_served(synced, client, tmp_path):
    """A file in the store without a ready video row (left by a failed job, or anything else
    put there) belongs to no article, so nobody may fetch it."""
    from app.kb.media.services import content_key, current_storage

    stray = tmp_path / "stray.mp4"
    stray.write_bytes(b"not attached to any article")
    key = content_key(stray, ".mp4")
    with synced.app.app_context():
        current_storage().put(stray, key)
        assert current_storage().exists(key)
    assert _media(client, key).status_code == 404
