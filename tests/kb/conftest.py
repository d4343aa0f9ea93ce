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
