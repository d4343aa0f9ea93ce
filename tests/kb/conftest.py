"""Knowledge-base fixtures: a private copy of ``content/`` per test (so tests may change files)
and a helper that runs the real ``flask content sync``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.kb.models import Article

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def content_dir(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    return target


@pytest.fixture
def app_config(content_dir):
    return {"CONTENT_DIR": str(content_dir)}


class Content:
    """Run the sync command and read articles back, the way an operator would."""

    def __init__(self, app, runner, folder: Path):
        self.app = app
        self.runner = runner
        self.folder = folder

    def sync(self, *args: str):
        return self.runner.invoke(args=["content", "sync", *args])

    def path(self, slug: str) -> Path:
        return next(self.folder.glob(f"articles/*/{slug}.md"))

    def article(self, slug: str) -> Article:
        with self.app.app_context():
            article = db.session.scalar(select(Article).where(Article.slug == slug))
            assert article is not None, slug
            db.session.expunge(article)
            return article


@pytest.fixture
def content(app, runner, content_dir) -> Content:
    return Content(app, runner, content_dir)


@pytest.fixture
def synced(content) -> Content:
    """The starter content imported."""
    result = content.sync("--quiet")
    assert result.exit_code == 0, result.output
    return content


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """One local S3-compatible server for the run (started on first use)."""
    from tests.kb.s3_server import S3Server

    server = S3Server(tmp_path_factory.mktemp("s3") / "moto.log")
    yield server
    server.stop()


@pytest.fixture
def s3_bucket(s3_server) -> str:
    """A fresh, empty bucket of its own for each test."""
    import uuid

    name = f"media-{uuid.uuid4().hex[:16]}"
    s3_server.client().create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3_config(s3_server, s3_bucket) -> dict:
    """The application's settings for the ``s3`` store on that bucket."""
    from tests.kb.s3_server import ACCESS_KEY, REGION, SECRET_KEY

    return {
        "KB_MEDIA_STORAGE": "s3",
        "KB_S3_BUCKET": s3_bucket,
        "KB_S3_ENDPOINT_URL": s3_server.url,
        "KB_S3_REGION": REGION,
        "KB_S3_ACCESS_KEY_ID": ACCESS_KEY,
        "KB_S3_SECRET_ACCESS_KEY": SECRET_KEY,
    }
