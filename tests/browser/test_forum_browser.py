"""The community forum in a real browser: a brand-new member's first thread waits in the review
queue, a moderator (in another browser) claims and approves it and a signed-out visitor then
sees it; another member's reply becomes the accepted answer shown under the question."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import account, check_accessibility, sign_in, unique

pytestmark = pytest.mark.browser

PENDING_NOTICE = "New members' first posts are checked by a moderator"


def _thread_links(tab, title: str):
    return tab.locator("ul.forum-threads").get_by_role("link", name=title, exact=True)


def _thread_row(tab, title: str):
    return tab.locator("li.forum-thread-row").filter(
        has=tab.get_by_role("link", name=title, exact=True)
    )


def _start_thread(tab, title: str, body: str, *, check: bool = False) -> str:
    """From the forum's front page into General, then the new-thread form; returns the
    thread's URL path."""
    tab.goto("/community/")
    expect(tab.get_by_role("heading", level=1, name="Community forum")).to_be_visible()
    if check:
        check_accessibility(tab, context="forum index (categories)")
    tab.locator("ul.forum-categories").get_by_role("link", name="General", exact=True).click()
    expect(tab.get_by_role("heading", level=1, name="General")).to_be_visible()
    if check:
        check_accessibility(tab, context="forum category")
    tab.locator("#new-thread").click()
    expect(tab.get_by_role("heading", level=1, name="Start a thread")).to_be_visible()
    expect(tab.get_by_label("Category")).to_have_value("general")
    if check:
        check_accessibility(tab, context="new-thread form")
    tab.get_by_label("Title").fill(title)
    tab.get_by_label("Your question or message").fill(body)
    tab.get_by_role("button", name="Post thread").click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text(title)
    assert re.search(r"/community/t/\d+$", tab.url), tab.url
    return "/community/t/" + tab.url.rsplit("/", 1)[1]


def _open_review_item(tab, title: str, *, check: bool = False):
    """The moderator's review queue, then the item for ``title`` (on whichever page it is)."""
    tab.goto("/community/")
    tab.get_by_role("link", name="Review queue").click()
    expect(tab.get_by_role("heading", level=1, name="Review queue")).to_be_visible()
    if check:
        check_accessibility(tab, context="moderation queue")
    link = tab.locator("a[id^=review-]", has_text=title)
    while link.count() == 0:
        following = tab.get_by_role("navigation", name="Pages").get_by_role("link", name="Next")
        assert following.count(), f"{title!r} is not in the review queue"
        following.click()
    row = tab.get_by_role("row").filter(has=tab.locator("a[id^=review-]", has_text=title))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("New member's post")
    expect(row).to_contain_text("Nobody yet")
    link.click()
    expect(tab.get_by_role("heading", level=1, name="Review: New member's post")).to_be_visible()


def _claim_and_approve(tab, moderator_name: str, *, check: bool = False) -> None:
    expect(tab.locator("#claimed-by")).to_have_text("Nobody yet")
    # Approving needs a claim first, so two moderators never act on the same post.
    expect(tab.locator("#approve-item")).to_have_count(0)
    tab.get_by_role("button", name="Claim").click()
    expect(tab.get_by_text("You are handling this item.")).to_be_visible()
    expect(tab.locator("#claimed-by")).to_contain_text(f"{moderator_name} until")
    if check:
        check_accessibility(tab, context="review item, claimed")
    tab.get_by_role("button", name="Approve", exact=True).click()
    expect(tab.get_by_text("Done: approve.")).to_be_visible()
    expect(tab.get_by_role("heading", level=1, name="Review queue")).to_be_visible()


def test_first_thread_is_held_for_review_then_approved(page, tabs, live_server):
    uid = unique()
    asker = f"Nell Newcomer {uid}"
    sign_in(page, account(live_server, "member", asker), asker)
    title = f"Basil leaves turn yellow after repotting {uid}"
    body = "I moved my basil to a bigger pot last week and now the lower leaves are yellow."

    path = _start_thread(page, title, body, check=True)

    # The author sees their thread, clearly marked as waiting for a moderator.
    expect(page.get_by_text(PENDING_NOTICE)).to_be_visible()
    expect(page.get_by_role("heading", level=1).locator(".forum-badge-pending")).to_have_text(
        "Awaiting review"
    )
    expect(
        page.get_by_role("status").filter(has_text="waits for a moderator's review")
    ).to_be_visible()
    expect(page.locator(".forum-post-body").first).to_contain_text("lower leaves are yellow")
    check_accessibility(page, context="thread page (pending)")
    page.goto("/community/c/general")
    expect(_thread_links(page, title)).to_be_visible()

    # A signed-out visitor sees neither the thread in the list nor the thread itself.
    visitor = tabs.open()
    visitor.goto("/community/c/general")
    expect(visitor.get_by_role("heading", level=1, name="General")).to_be_visible()
    expect(_thread_links(visitor, title)).to_have_count(0)
    visitor.goto("/community/")
    expect(_thread_links(visitor, title)).to_have_count(0)
    assert visitor.goto(path).status == 404

    # A moderator, in their own browser, claims the item and approves it.
    moderator_name = f"Mo Moderator {uid}"
    moderator = tabs.open()
    sign_in(moderator, account(live_server, "moderator", moderator_name), moderator_name)
    _open_review_item(moderator, title, check=True)
    expect(moderator.locator(".forum-post-body")).to_contain_text("lower leaves are yellow")
    _claim_and_approve(moderator, moderator_name, check=True)
    expect(moderator.locator("a[id^=review-]", has_text=title)).to_have_count(0)

    # Now everyone sees it, without the pending marks.
    visitor.goto("/community/c/general")
    link = _thread_links(visitor, title)
    expect(link).to_be_visible()
    expect(_thread_row(visitor, title)).not_to_contain_text("Awaiting review")
    link.click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(title)
    expect(visitor.locator(".forum-badge-pending")).to_have_count(0)
    expect(visitor.get_by_text("waits for a moderator's review")).to_have_count(0)
    expect(visitor.locator(".forum-post-body").first).to_contain_text("lower leaves are yellow")
    check_accessibility(visitor, context="thread page (published, signed out)")

    page.goto(path)
    expect(page.locator(".forum-badge-pending")).to_have_count(0)


def test_reply_is_accepted_as_the_answer(page, tabs, live_server):
    uid = unique()
    asker = f"Olive Asker {uid}"
    helper = f"Hank Helper {uid}"
    moderator_name = f"Meg Moderator {uid}"
    sign_in(page, account(live_server, "member", asker), asker)
    moderator = tabs.open()
    sign_in(moderator, account(live_server, "moderator", moderator_name), moderator_name)

    title = f"When do I harvest garlic? {uid}"
    path = _start_thread(page, title, "The scapes are curling. Is it time to dig the bulbs up?")
    _open_review_item(moderator, title)
    _claim_and_approve(moderator, moderator_name)

    # Another member answers; as a new member, their reply waits for review too.
    replier = tabs.open()
    sign_in(replier, account(live_server, "member", helper), helper)
    replier.goto(path)
    expect(replier.get_by_role("heading", level=1)).to_have_text(title)
    answer = f"Wait until the lower third of the leaves are brown, then dig one to check. {uid}"
    replier.get_by_label("Your reply").fill(answer)
    replier.get_by_role("button", name="Post reply").click()
    expect(replier.get_by_text(PENDING_NOTICE)).to_be_visible()
    reply_post = replier.locator("article.forum-post", has_text=answer)
    expect(reply_post.locator(".forum-badge-pending")).to_have_text("Awaiting review")
    reply_id = reply_post.get_attribute("id").removeprefix("post-")
    assert reply_id.isdigit()

    # The asker can't accept an answer nobody else may see yet.
    page.goto(path)
    expect(page.get_by_text(answer)).to_have_count(0)

    _open_review_item(moderator, f"{title} (reply)")
    _claim_and_approve(moderator, moderator_name)

    page.goto(path)
    reply_post = page.locator(f"#post-{reply_id}")
    expect(reply_post).to_contain_text(answer)
    expect(page.locator("#accepted-heading")).to_have_count(0)
    # Only replies can be accepted, not the question itself.
    expect(
        page.locator("article.forum-post").first.get_by_role("button", name="Accept as answer")
    ).to_have_count(0)
    page.locator(f"#accept-{reply_id}").click()
    expect(page.get_by_text("Marked as the accepted answer.")).to_be_visible()

    accepted = page.get_by_role("region", name="Accepted answer")
    expect(accepted).to_be_visible()
    expect(accepted).to_contain_text(f"{helper} answered:")
    expect(accepted).to_contain_text(answer)
    expect(accepted.get_by_role("link", name="Go to the answer in the thread")).to_have_attribute(
        "href", re.compile(rf"#post-{reply_id}$")
    )
    # Under the question: right after the opening post, before the replies.
    order = page.evaluate(
        """() => Array.from(document.querySelectorAll('main article.forum-post[id^="post-"],'
            + 'main section.forum-accepted, main h2.forum-replies-heading'),
            el => el.id || el.className)"""
    )
    assert order[1:] == ["forum-accepted", "forum-replies-heading", f"post-{reply_id}"], order
    expect(page.locator(f"#accept-{reply_id}")).to_have_text("Unmark answer")
    expect(page.locator(".forum-meta .forum-badge-solved")).to_have_text("Solved")
    check_accessibility(page, context="thread with an accepted answer")

    # A signed-out visitor sees the accepted answer and the thread marked solved in the list.
    visitor = tabs.open()
    visitor.goto(path)
    expect(visitor.get_by_role("region", name="Accepted answer")).to_contain_text(answer)
    visitor.goto("/community/c/general")
    row = _thread_row(visitor, title)
    expect(row.locator(".forum-badge-solved")).to_have_text("Solved")
    expect(row).to_contain_text("1 reply")
