"""The starter videos are generated from their transcripts (title cards, espeak-ng narration,
captions in the MP4) and rebuilt only when their inputs change; captions and chapters are
served as WebVTT; a search for a word of a transcript opens the video at that moment."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.kb.media.models import VideoFile
from app.search.indexer import drain_all

TINY = """---
title: "Video: Repotting in three steps"
slug: repotting-video
type: video
section: app-functionality
tags: [repotting, video]
summary: "A short video on repotting."
video:
  src: /static/videos/repotting-video.mp4
  duration: 6
  chapters:
    - {start: 0, title: "Water first"}
    - {start: 3, title: "Loosen --> lift"}
  transcript: |
    [00:00] Water the plant the day before.
    [00:03] Loosen the roots --> then lift <b>gently</b> & slowly.
    [00:05] Done.
---

A tiny video for the tests.
"""


@pytest.fixture
def tiny(content, content_dir):
    (content_dir / "articles/app-functionality/repotting-video.md").write_text(TINY)
    result = content.sync("--quiet")
    assert result.exit_code == 0, result.output
    return content


def _starter_rows(app):
    with app.app_context():
        return db.session.scalars(
            select(VideoFile).where(VideoFile.origin == "starter").order_by(VideoFile.id)
        ).all()


def test_build_renders_narrated_title_cards_with_captions_and_skips_unchanged(tiny, runner, client):
    result = runner.invoke(args=["content", "videos", "build", "repotting-video"])
    assert result.exit_code == 0, result.output
    assert (
        "repotting-video: built 6 s" in result.output and "1 built, 0 up to date" in result.output
    )
    [row] = _starter_rows(tiny.app)
    assert (row.status, row.width, row.height) == ("ready", 640, 360)
    assert 5.5 < row.duration < 6.5

    media = Path(tiny.app.config["KB_MEDIA_DIR"])
    report = json.loads(
        subprocess.run(
            ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format",
             str(media / row.mp4_key)], capture_output=True, check=True,
        ).stdout
    )  # fmt: skip
    assert [s["codec_name"] for s in report["streams"]] == ["h264", "aac", "mov_text"]
    # The narration is really there: the second line is spoken (not silence) at 00:03.
    loudness = subprocess.run(
        ["ffmpeg", "-hide_banner", "-ss", "3.2", "-t", "1", "-i", str(media / row.mp4_key),
         "-af", "volumedetect", "-f", "null", "-"], capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    mean = float(loudness.split("mean_volume: ")[1].split(" dB")[0])
    assert mean > -40

    again = runner.invoke(args=["content", "videos", "build", "repotting-video"])
    assert "repotting-video: up to date" in again.output and "0 built, 1 up to date" in again.output
    assert len(_starter_rows(tiny.app)) == 1

    # A changed transcript is a new video, under a new name; the page plays the newest.
    path = tiny.path("repotting-video")
    path.write_text(TINY.replace("Done.", "Done, and water again."))
    assert tiny.sync("--quiet").exit_code == 0
    rebuilt = runner.invoke(args=["content", "videos", "build", "repotting-video"])
    assert "1 built, 0 up to date" in rebuilt.output
    rows = _starter_rows(tiny.app)
    assert len(rows) == 2 and rows[1].mp4_key != rows[0].mp4_key
    page = client.get("/articles/repotting-video").get_data(as_text=True)
    assert f'src="/media/{rows[1].mp4_key}"' in page


def test_captions_and_chapters_are_webvtt_from_the_transcript(tiny, client):
    captions = client.get("/articles/repotting-video/captions.vtt")
    assert captions.mimetype == "text/vtt"
    assert captions.get_data(as_text=True) == (
        "WEBVTT\n\n"
        "1\n00:00:00.000 --> 00:00:03.000\nWater the plant the day before.\n\n"
        "2\n00:00:03.000 --> 00:00:05.000\n"
        "Loosen the roots --&gt; then lift &lt;b&gt;gently&lt;/b&gt; &amp; slowly.\n\n"
        "3\n00:00:05.000 --> 00:00:06.000\nDone.\n"
    )
    chapters = client.get("/articles/repotting-video/chapters.vtt").get_data(as_text=True)
    assert "chapter-2\n00:00:03.000 --> 00:00:06.000\nLoosen --&gt; lift\n" in chapters


def test_build_without_ffmpeg_says_how_to_install_it(tiny, runner, app):
    app.config["KB_FFMPEG"] = "/nonexistent/ffmpeg"
    result = runner.invoke(args=["content", "videos", "build"])
    assert result.exit_code == 1
    assert "apt-get install -y ffmpeg espeak-ng" in result.output
    assert _starter_rows(tiny.app) == []


def test_missing_video_tells_staff_why(tiny, client, factory, auth, app):
    app.config["KB_ESPEAK"] = "/nonexistent/espeak-ng"
    page = client.get("/articles/repotting-video").get_data(as_text=True)
    assert 'id="video-missing"' in page and "video-missing-reason" not in page
    auth.login(factory.user(role="agent_t1"))
    page = client.get("/articles/repotting-video").get_data(as_text=True)
    assert "ffmpeg and espeak-ng are not installed" in page


def test_a_search_in_a_transcript_links_to_the_moment(synced, client):
    with synced.app.app_context():
        drain_all(datetime.now(UTC))
    data = client.get("/search/results.json?q=harvest&log=0").get_json()
    hit = next(h for h in data["results"] if h["url"] == "/articles/grow-journal-walkthrough")
    assert hit["click_url"] == "/articles/grow-journal-walkthrough#t=145"
    html = client.get("/search/?q=harvest").get_data(as_text=True)
    assert "/search/click?t=" in html and "#t=145" in html
    assert "Play from 02:25</a> in the video" in html
    # Hits that are not videos get no moment.
    data = client.get("/search/results.json?q=password&log=0").get_json()
    assert all("#t=" not in h["click_url"] for h in data["results"])


def test_embedded_video_loads_nothing_from_the_host_before_a_click(content, content_dir, app):
    app.config["VIDEO_EMBED_HOSTS"] = ["video.example"]
    (content_dir / "articles/app-functionality/repotting-video.md").write_text(
        TINY.replace("src: /static/videos/repotting-video.mp4", "embed: https://video.example/v/1")
    )
    assert content.sync("--quiet").exit_code == 0
    page = app.test_client().get("/articles/repotting-video").get_data(as_text=True)
    assert "<iframe" not in page
    assert 'data-embed-url="https://video.example/v/1"' in page and 'id="embed-load"' in page
    assert 'href="https://video.example/v/1"' in page
    assert 'id="cue-2"' in page and "Loosen --&gt; lift" in page
