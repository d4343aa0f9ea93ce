"""A reader watches a starter video in Chromium: it plays, captions come on by choice and show
the transcript's line at that time, chapters and transcript lines seek (also from the
keyboard), the line being spoken is marked, and a search hit inside the transcript opens the
video at its moment. axe finds nothing serious on the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility

pytestmark = pytest.mark.browser

SLUG = "grow-journal-walkthrough"
TIME = "() => document.getElementById('kb-video').currentTime"


def _at(page, seconds: float) -> None:
    page.wait_for_function(f"() => Math.abs(({TIME})() - {seconds}) < 1")


@pytest.fixture(scope="module")
def built(live_server):
    """The journal's starter video, generated the way `scripts/start` does (about 25 s)."""
    output = live_server.cli("content", "videos", "build", SLUG)
    assert f"{SLUG}: built" in output or f"{SLUG}: up to date" in output
    live_server.cli("outbox", "drain")  # the search index, for the search hit below
    return live_server


def test_play_captions_chapters_transcript_and_keyboard(built, page):
    page.set_default_timeout(20_000)  # media decoding on a busy two-core machine
    page.goto(f"/articles/{SLUG}")
    video = page.locator("#kb-video")
    expect(video).to_be_visible()
    assert video.get_attribute("preload") == "metadata"
    assert video.get_attribute("poster").startswith("/media/")
    # Nothing but metadata before the reader presses play; then it really plays.
    page.wait_for_function("() => document.getElementById('kb-video').readyState >= 1")
    assert abs(page.evaluate("() => document.getElementById('kb-video').duration") - 298) < 1
    page.evaluate(
        "() => { const v = document.getElementById('kb-video'); v.muted = true; return v.play(); }"
    )
    page.wait_for_function(f"() => ({TIME})() > 0.3")
    page.evaluate("() => document.getElementById('kb-video').pause()")

    # Captions are off until the reader turns them on; then the cue at 01:40 is the
    # transcript's line at 01:40.
    toggle = page.locator("#captions-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert (
        page.evaluate("() => document.getElementById('kb-video').textTracks[0].mode") != "showing"
    )
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_have_text("Hide captions")
    page.evaluate("() => { document.getElementById('kb-video').currentTime = 101; }")
    # Wait for the seek to settle: until then the cue of the old position may still be active.
    page.wait_for_function(
        """() => { const v = document.getElementById('kb-video');
                   const t = [...v.textTracks].find(t => t.kind === 'captions');
                   return !v.seeking && v.currentTime >= 100.9 && t.activeCues
                          && t.activeCues.length > 0
                          && t.activeCues[0].startTime <= v.currentTime
                          && t.activeCues[0].endTime >= v.currentTime; }"""
    )
    cue = page.evaluate(
        """() => [...document.getElementById('kb-video').textTracks]
                 .find(t => t.kind === 'captions').activeCues[0].text"""
    )
    assert cue.startswith("This morning I staked all four tomato plants")

    # Chapter buttons and transcript lines seek; the spoken line is marked.
    page.locator("#chapter-4").click()
    _at(page, 145)
    page.evaluate("() => document.getElementById('kb-video').pause()")
    expect(page.locator("#transcript-lines li[aria-current=true]")).to_contain_text(
        "Now for my favourite part: harvests."
    )
    page.get_by_role("button", name="Play from 01:03").click()
    _at(page, 63)
    page.evaluate("() => document.getElementById('kb-video').pause()")
    expect(page.locator("#transcript-lines li[aria-current=true]")).to_contain_text("first flowers")

    # From the keyboard: focus a chapter, press Enter.
    page.locator("#chapter-2").focus()
    page.keyboard.press("Enter")
    _at(page, 30)
    page.evaluate("() => document.getElementById('kb-video').pause()")
    check_accessibility(page, context="video article with its player")


def test_search_hit_in_a_transcript_opens_the_video_at_its_moment(built, page):
    page.set_default_timeout(20_000)
    page.goto("/search/?q=harvest")
    hit = page.locator(".search-hit", has_text="Getting the most out of your grow journal")
    expect(hit.get_by_role("link", name="Play from 02:25")).to_be_visible()
    hit.get_by_role("link", name="Play from 02:25").click()
    page.wait_for_url(f"**/articles/{SLUG}#t=145")
    _at(page, 145)
    expect(page.locator("#kb-video")).to_be_visible()
