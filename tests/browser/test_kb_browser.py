"""Readers use the knowledge base in a real browser: browse from the home page to an article,
vote on it and change the vote, open FAQ answers with the keyboard, walk a troubleshooting
guide to its end (and to an early success), jump through a video's chapters; an agent edits an
article with the live preview and finds the change in the history and its diff."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import account, check_accessibility, sign_in, unique

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]


def _tally(tab) -> tuple[int, int]:
    """(helpful, total) from "3 of 5 readers found this helpful."."""
    text = tab.locator("#vote-tally").inner_text()
    found = re.search(r"(\d+) of (\d+) readers? found this helpful", text)
    assert found, text
    return int(found.group(1)), int(found.group(2))


def test_browse_to_article_vote_no_with_reason_then_change_to_yes(page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1, name="How can we help?")).to_be_visible()
    check_accessibility(page, context="KB home")

    page.locator("#section-link-account").click()
    expect(page.get_by_role("heading", level=1, name="Account")).to_be_visible()
    assert page.url.endswith("/sections/account")
    check_accessibility(page, context="KB section")

    page.get_by_role("link", name="Change your email address", exact=True).click()
    title = page.get_by_role("heading", level=1)
    expect(title).to_have_text("Change your email address")
    assert urlparse(page.url).path == "/articles/change-your-email-address"

    crumbs = page.get_by_role("navigation", name="Breadcrumb").get_by_role("link")
    expect(crumbs).to_have_text(["Help Center", "Account", "Change your email address"])
    expect(crumbs.nth(2)).to_have_attribute("aria-current", "page")
    updated = page.locator(".kb-article header .kb-meta", has_text="Last updated")
    expect(updated).to_be_visible()
    expect(updated.locator("time")).to_have_text(re.compile(r"^\d{2} \w{3} \d{4}$"))
    assert updated.locator("time").get_attribute("datetime")
    check_accessibility(page, context="KB article")

    # This browser has not voted yet.
    expect(page.locator("#vote-current")).to_have_count(0)
    before = _tally(page) if page.locator("#vote-tally").count() else (0, 0)

    reason = f"The screenshots are missing ({unique()})"
    page.get_by_label("What could be better? (optional)").fill(reason)
    page.locator("#vote-no").click()
    expect(page.get_by_text("Thanks for your feedback.")).to_be_visible()
    expect(page.locator("#vote-current")).to_have_text(
        f"You answered No and told us: “{reason}”. You can change your answer."
    )
    after_no = _tally(page)
    assert after_no == (before[0], before[1] + 1)

    # Changing the answer replaces the vote: one more "yes", the same number of readers.
    page.get_by_label("What could be better? (optional)").fill("")
    page.get_by_role("button", name="Yes, it helped").click()
    expect(page.locator("#vote-current")).to_have_text(
        "You answered Yes. You can change your answer."
    )
    expect(page.get_by_text("Thanks for your feedback.")).to_be_visible()
    assert _tally(page) == (after_no[0] + 1, after_no[1])
    check_accessibility(page, context="KB article after voting")


def test_faq_answers_open_with_the_keyboard(page):
    page.goto("/articles/account-faq")
    expect(page.get_by_role("heading", level=1, name="Account FAQ")).to_be_visible()
    items = page.locator("details.kb-faq-item")
    assert items.count() >= 3
    first, second = page.locator("#q-1"), page.locator("#q-2")
    first_answer = first.locator(".kb-body")
    expect(first.locator("summary")).to_have_text(
        "How do I change the email address on my account?"
    )
    # Closed to begin with: the answers are hidden until asked for.
    for index in range(items.count()):
        assert items.nth(index).evaluate("el => el.open") is False
    expect(first_answer).to_be_hidden()

    # The first question is the next stop in the tab order after the FAQ tools (kb.js shows them).
    page.locator("#faq-collapse-all").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.parentElement.id") == "q-1"
    page.keyboard.press("Enter")
    expect(first_answer).to_be_visible()
    expect(first_answer).to_contain_text("Profile > Settings > Account > Email")
    assert first.evaluate("el => el.open") is True

    # Tab moves on to the next question (past the links inside the open answer); Space opens it.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.parentElement.id") == "q-2":
            break
    assert page.evaluate("() => document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Space")
    expect(second.locator(".kb-body")).to_be_visible()
    assert second.evaluate("el => el.open") is True

    # Enter on an open question closes it again.
    first.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(first_answer).to_be_hidden()

    page.locator("#faq-expand-all").click()
    for index in range(items.count()):
        expect(items.nth(index).locator(".kb-body")).to_be_visible()
    page.locator("#faq-collapse-all").click()
    for index in range(items.count()):
        expect(items.nth(index).locator(".kb-body")).to_be_hidden()
    check_accessibility(page, context="FAQ article")


def _total_steps(tab) -> int:
    heading = tab.locator("#step-1-title").inner_text()
    found = re.match(r"Step 1 of (\d+):", heading)
    assert found, heading
    return int(found.group(1))


def test_troubleshooting_guide_to_the_end_then_solved_at_step_two(page, tabs, live_server):
    slug = "cant-sign-in"
    page.goto(f"/articles/{slug}")
    expect(page.get_by_role("heading", level=1, name="Can't sign in")).to_be_visible()
    total = _total_steps(page)
    assert total >= 4
    expect(page.locator("#step-2")).to_have_count(0)
    check_accessibility(page, context="troubleshooting guide, step 1")

    for number in range(1, total + 1):
        step = page.locator(f"#step-{number}")
        expect(step.get_by_role("group", name="Did this solve it?")).to_be_visible()
        # Only the current step asks; the next one is not shown yet.
        expect(page.locator(f"#step-{number + 1}")).to_have_count(0)
        page.locator(f"#step-{number}-no").click()
        if number < total:
            expect(page.locator(f"#step-{number + 1}-title")).to_have_text(
                re.compile(rf"^Step {number + 1} of {total}: ")
            )
            expect(step.get_by_text("tried", exact=True)).to_be_visible()
    outcome = page.locator("#guide-outcome")
    expect(outcome.get_by_role("heading", name="Still not working?")).to_be_visible()
    expect(outcome.get_by_role("status")).to_contain_text(f"You tried all {total}.")
    expect(page.get_by_role("group", name="Did this solve it?")).to_have_count(0)
    check_accessibility(page, context="troubleshooting guide, not solved")

    community = page.locator("#guide-ask-community")
    support = page.locator("#guide-contact-support")
    expect(community).to_have_text("Ask the community")
    expect(support).to_have_text("Submit a support request")
    guide_title = page.get_by_role("heading", level=1).inner_text()
    for link, path, extra in (
        # The forum draft proposes the guide's topic as category and its title.
        (community, "/community/new", {"category": ["account"], "title": [guide_title]}),
        (support, "/requests/new", {}),
    ):
        target = urlparse(link.get_attribute("href"))
        assert target.path == path
        assert parse_qs(target.query) == {"guide": [slug], "steps": [str(total)], **extra}

    # The offer works: signed in, the new-thread form starts with what was already tried.
    email = account(live_server, "member", "Gus Guide")
    sign_in(page, email, "Gus Guide")
    page.goto(f"/articles/{slug}?stuck={total}")
    page.locator("#guide-ask-community").click()
    expect(page.get_by_role("heading", level=1, name="Start a thread")).to_be_visible()
    expect(page.get_by_label("Your question or message")).to_have_value(
        re.compile(
            rf"^I tried the guide \[{re.escape(guide_title)}\]\(/articles/{slug}\)"
            rf" \(steps 1.{total}\)"
        )
    )
    expect(page.get_by_label("Category")).to_have_value("account")
    expect(page.get_by_label("Title")).to_have_value(f"{guide_title}: the guide didn't help")

    # Another reader: step 1 doesn't help, step 2 does.
    tab = tabs.open()
    tab.goto(f"/articles/{slug}")
    tab.locator("#step-1-no").click()
    expect(tab.locator("#step-2-yes")).to_be_visible()
    tab.locator("#step-2-yes").click()
    outcome = tab.locator("#guide-outcome")
    expect(outcome.get_by_role("heading", name="Glad that fixed it")).to_be_visible()
    expect(outcome.get_by_role("status")).to_contain_text("Step 2 solved the problem.")
    expect(tab.locator("#guide-ask-community")).to_have_count(0)
    expect(tab.locator("#guide-contact-support")).to_have_count(0)
    assert parse_qs(urlparse(tab.url).query) == {"solved": ["2"]}
    check_accessibility(tab, context="troubleshooting guide, solved")


def test_video_chapters_seek_and_transcript(page, live_server):
    slug = "grow-journal-walkthrough"
    page.goto(f"/articles/{slug}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Video: Getting the most out of your grow journal"
    )
    expect(page.locator("#transcript-heading")).to_have_text("Transcript")
    cues = page.locator(".kb-transcript li")
    assert cues.count() >= 25
    expect(cues.first).to_contain_text("we're looking at the grow journal")

    # The player is there once the starter video is built (test_video_browser builds it).
    if page.locator("#kb-video").count() == 0:
        # No player that would only spin: the page says so and leads to the transcript;
        # chapters and transcript times are text.
        note = page.locator("#video-missing")
        expect(note).to_be_visible()
        expect(note).to_contain_text("transcript")
        expect(page.locator("#kb-video")).to_have_count(0)
        expect(page.locator("button.kb-seek")).to_have_count(0)
        note.get_by_role("link", name="Read the transcript").click()
        assert page.url.endswith("#transcript-heading")
        check_accessibility(page, context="video article without its file")
        return
    video = page.locator("#kb-video")
    expect(video).to_be_visible()
    assert video.locator("source").first.get_attribute("src").startswith("/media/")
    expect(page.locator("#video-missing")).to_have_count(0)

    chapters = page.locator("button.kb-seek[id^=chapter-]")
    assert chapters.count() >= 4
    assert page.evaluate("() => document.getElementById('kb-video').currentTime") == 0
    # Later chapters first, so each click must move the time to a new value.
    for index in (3, 2, 1):
        button = page.locator(f"#chapter-{index}")
        start = int(button.get_attribute("data-start"))
        button.click()
        page.wait_for_function(
            f"() => Math.abs(document.getElementById('kb-video').currentTime - {start}) < 1"
        )
        # Focus moves to the player, so keyboard users can pause it right away.
        assert page.evaluate("() => document.activeElement.id") == "kb-video"
    assert int(page.locator("#chapter-3").get_attribute("data-start")) > 0

    # The transcript's time stamps seek the same player.
    cue = page.get_by_role("button", name="Play from 01:03")
    cue.click()
    page.wait_for_function(
        "() => Math.abs(document.getElementById('kb-video').currentTime - 63) < 1"
    )
    check_accessibility(page, context="video article")


def test_agent_edits_article_with_preview_and_finds_it_in_history(page, live_server):
    slug = "share-plants-and-gardens"
    email = account(live_server, "agent_t1", "Ada Agent")
    sign_in(page, email, "Ada Agent")
    page.goto(f"/articles/{slug}")
    title = page.get_by_role("heading", level=1).inner_text()
    history_link = page.locator("#article-history")
    before = int(re.search(r"revision (\d+)", history_link.inner_text()).group(1))

    page.locator("#edit-article").click()
    expect(page.get_by_role("heading", level=1, name=f"Edit “{title}”")).to_be_visible()
    check_accessibility(page, context="KB edit form")
    marker = f"Tip {unique()}"
    body = page.get_by_label("Article text (Markdown)")
    original = body.input_value()
    body.fill(original.rstrip("\n") + f"\n\n**{marker}**: share a garden with a friend.\n")

    # The live preview (kb.js) renders the unsaved text without leaving the page: a mark
    # left on this window survives, and nothing is saved yet.
    page.evaluate("() => { window.previewMark = 'still here'; }")
    expect(page.locator("#preview-region")).to_be_hidden()
    page.locator("#preview-button").click()
    preview = page.locator("#preview-body")
    expect(preview.locator("strong", has_text=marker)).to_be_visible()
    assert page.evaluate("() => window.previewMark") == "still here"
    assert body.input_value().endswith("share a garden with a friend.\n")
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    check_accessibility(page, context="KB edit form with preview")

    comment = f"Add the {marker}"
    page.get_by_label("What did you change?").fill(comment)
    page.locator("#save-button").click()
    expect(page.get_by_text(f"Saved as revision {before + 1}.")).to_be_visible()
    expect(page.locator(".kb-article strong", has_text=marker)).to_be_visible()
    expect(page.locator("#article-history")).to_have_text(f"History (revision {before + 1})")

    page.locator("#article-history").click()
    expect(page.get_by_role("heading", level=1, name=f"History of “{title}”")).to_be_visible()
    newest = page.locator("table.kb-history tbody tr").first
    expect(newest.get_by_role("rowheader")).to_have_text(f"{before + 1} (current)")
    expect(newest).to_contain_text("Browser edit")
    expect(newest).to_contain_text("Ada Agent")
    expect(newest).to_contain_text(comment)
    expect(page.get_by_role("note")).to_contain_text("edited in the browser")
    check_accessibility(page, context="KB history")

    # The new revision's Markdown source, scrollable with the keyboard too.
    newest.get_by_role("link", name=str(before + 1), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Revision {before + 1} of “{title}”")
    source = page.locator("pre.kb-source")
    expect(source).to_contain_text(f"**{marker}**: share a garden with a friend.")
    check_accessibility(page, context="KB revision source")
    page.go_back()

    # The newest two revisions are preselected; the diff shows the added line, labelled.
    expect(page.locator(f"#from-{before}")).to_be_checked()
    expect(page.locator(f"#to-{before + 1}")).to_be_checked()
    page.locator("#compare-button").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Revision {before} → {before + 1}")
    added = page.locator("table.kb-diff tr.kb-diff-ins", has_text=marker)
    expect(added).to_have_count(1)
    expect(added.locator("ins")).to_contain_text(marker)
    expect(added).to_contain_text("Added")
    expect(page.locator("table.kb-diff tr.kb-diff-del")).to_have_count(0)
    check_accessibility(page, context="KB diff")


def test_edit_conflict_keeps_the_second_editors_text(page, tabs, live_server):
    slug = "organize-your-garden-with-beds"
    first_email = account(live_server, "agent_t2", "Bea Beds")
    second_email = account(live_server, "agent_t3", "Cal Compost")
    sign_in(page, first_email, "Bea Beds")
    other = tabs.open()
    sign_in(other, second_email, "Cal Compost")
    # Both open the editor on the same revision.
    for tab in (page, other):
        tab.goto(f"/articles/{slug}/edit")
        expect(tab.locator("#save-button")).to_be_visible()
    theirs, mine = f"Raised beds warm up early ({unique()}).", f"Mulch the paths ({unique()})."
    for tab, line in ((page, theirs), (other, mine)):
        body = tab.get_by_label("Article text (Markdown)")
        body.fill(body.input_value().rstrip("\n") + f"\n\n{line}\n")
    page.locator("#save-button").click()
    saved = page.get_by_text(re.compile(r"^Saved as revision (\d+)\.$"))
    expect(saved).to_be_visible()
    number = int(re.search(r"\d+", saved.inner_text()).group(0))

    # The second save is refused, with both versions and what differs between them.
    with other.expect_response(re.compile(rf"/articles/{slug}/edit$")) as response:
        other.locator("#save-button").click()
    assert response.value.status == 409
    expect(other.get_by_role("heading", level=1)).to_have_text("Your edit was not saved")
    expect(other.locator("#current-version")).to_contain_text(theirs)
    expect(other.locator("#current-version")).not_to_contain_text(mine)
    expect(other.locator("#your-version")).to_contain_text(mine)
    expect(other.locator("table.kb-diff tr.kb-diff-ins", has_text=mine)).to_have_count(1)
    expect(other.locator("table.kb-diff tr.kb-diff-del", has_text=theirs)).to_have_count(1)
    check_accessibility(other, context="KB edit conflict")

    # The form kept the second editor's text; merging and saving again works.
    body = other.get_by_label("Article text (Markdown)")
    expect(body).to_have_value(re.compile(re.escape(mine)))
    body.fill(body.input_value().rstrip("\n") + f"\n\n{theirs}\n")
    other.get_by_role("button", name=f"Save over revision {number}").click()
    expect(other.get_by_text(f"Saved as revision {number + 1}.")).to_be_visible()
    article = other.locator(".kb-article")
    expect(article).to_contain_text(mine)
    expect(article).to_contain_text(theirs)
