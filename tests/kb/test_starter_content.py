"""The starter content in ``content/`` meets the issue's bar (read straight from the files)."""

from __future__ import annotations

from pathlib import Path

from app.kb import rules
from app.kb.content import read_content

CONTENT = Path(__file__).resolve().parents[2] / "content"


def test_starter_content_reads_without_errors():
    found = read_content(CONTENT)
    assert found.errors == []
    assert len(found.articles) >= 25
    assert {article.section for article in found.articles} == set(rules.SECTION_TITLES)
    slugs = {article.slug for article in found.articles}
    for article in found.articles:
        assert set(article.related) <= slugs, article.slug


def test_troubleshooting_guides_and_videos():
    found = read_content(CONTENT)
    guides = [article for article in found.articles if article.troubleshooting]
    assert len(guides) >= 3
    assert all(len(rules.split_steps(guide.body).steps) >= 4 for guide in guides)
    videos = [article for article in found.articles if article.type == "video"]
    assert len(videos) >= 3
    for video in videos:
        assert len(video.video["chapters"]) >= 4
        cues = rules.parse_transcript(video.transcript)
        assert len(cues) >= 25
        assert cues[-1].seconds <= video.video["duration"]
