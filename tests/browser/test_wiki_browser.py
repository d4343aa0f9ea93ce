"""Members write the community wiki in a real browser: create a page with the live preview,
edit it, read its history and a diff, run into an edit conflict (and an automatic merge) with a
second member editing at the same time, and revert to an earlier revision."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import account, check_accessibility, sign_in, unique

pytestmark = pytest.mark.browser


def _create_page(tab, title: str, body: str) -> None:
    tab.goto("/wiki/")
    tab.get_by_role("button", name="Create a page").click()
    expect(tab.get_by_role("heading", level=1, name="Create a page")).to_be_visible()
    tab.get_by_label("Title").fill(title)
    tab.get_by_label("Page text").fill(body)
    tab.get_by_role("button", name="Save page").click()
    expect(tab.get_by_text("Page saved.")).to_be_visible()
    expect(tab.get_by_role("heading", level=1, name=title)).to_be_visible()


def _open_editor(tab, title: str) -> None:
    """From anywhere: the page, then its Edit tab."""
    tab.goto("/wiki/")
    tab.get_by_label("Find a page by title").fill(title)
    tab.get_by_role("button", name="Find").click()
    tab.get_by_role("link", name=title, exact=True).click()
    tab.get_by_role("navigation", name="Page").get_by_role("link", name="Edit").click()
    expect(tab.get_by_role("heading", level=1, name=f"Edit “{title}”")).to_be_visible()


def _removed(line: str) -> str:
    """A deleted line of a diff as its text reads (words for screen readers, then the sign)."""
    return f"removed: \N{MINUS SIGN} {line}"


def _added(line: str) -> str:
    return f"added: + {line}"


def _history_rows(tab):
    return tab.locator("table.wiki-history tbody tr")


def test_create_preview_edit_history_and_diff(page, live_server):
    email = account(live_server, "member", "Mira Mulch")
    sign_in(page, email, "Mira Mulch")
    uid = unique()
    title = f"Watering tomatoes {uid}"
    missing = f"Missing page {uid}"
    body = (
        "## Watering basics\n\n"
        "Water **early in the morning** so the leaves dry before night.\n\n"
        f"See also [[{missing}]].\n"
    )

    page.goto("/wiki/")
    page.get_by_role("button", name="Create a page").click()
    preview = page.locator("#wiki-preview")
    expect(preview).to_contain_text("The preview appears here as you type")
    check_accessibility(page, context="wiki: create form")

    # Typing updates the preview through the preview endpoint, without leaving the page.
    form_url = page.url
    page.get_by_label("Title").fill(title)
    with page.expect_response(
        lambda r: r.url.endswith("/wiki/preview") and r.request.method == "POST"
    ) as answer:
        page.get_by_label("Page text").fill(body)
    assert answer.value.status == 200
    expect(preview.get_by_role("heading", name="Watering basics")).to_be_visible()
    expect(preview.locator("strong")).to_have_text("early in the morning")
    preview_link = preview.locator("a.wikilink-missing")
    expect(preview_link).to_have_text(missing)
    assert page.url == form_url
    expect(preview).not_to_contain_text("The preview appears here as you type")

    # The preview follows further typing (the newest text wins).
    page.get_by_label("Page text").fill(body + "\nMulch keeps the soil *moist*.\n")
    expect(preview.locator("em")).to_have_text("moist")
    page.get_by_label("Page text").fill(body)
    expect(preview.locator("em")).to_have_count(0)
    check_accessibility(page, context="wiki: create form with preview")

    page.get_by_label("Edit summary").fill("First version")
    page.get_by_role("button", name="Save page").click()
    expect(page.get_by_text("Page saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    article = page.locator(".wiki-body")
    expect(article.get_by_role("heading", name="Watering basics")).to_be_visible()
    expect(article.locator("strong")).to_have_text("early in the morning")
    missing_link = article.get_by_role("link", name=missing)
    expect(missing_link).to_have_class("wikilink-missing")
    expect(missing_link).to_have_attribute("title", "This page does not exist yet: create it")
    query = parse_qs(urlparse(missing_link.get_attribute("href")).query)
    assert query == {"title": [missing]}
    check_accessibility(page, context="wiki: new page")

    # The missing link leads to the creation form for that title (not created yet).
    missing_link.click()
    expect(page.get_by_role("heading", level=1, name="Create a page")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value(missing)
    page.go_back()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()

    # Edit with a summary.
    page.get_by_role("navigation", name="Page").get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", level=1, name=f"Edit “{title}”")).to_be_visible()
    editor = page.get_by_label("Page text")
    expect(editor).to_have_value(body)
    new_body = body.replace(
        "so the leaves dry before night.", "so the leaves dry before the evening chill."
    )
    with page.expect_response(lambda r: r.url.endswith("/wiki/preview")):
        editor.fill(new_body)
    expect(page.locator("#wiki-preview")).to_contain_text("before the evening chill")
    page.get_by_label("Edit summary").fill("Clarified when leaves should dry")
    check_accessibility(page, context="wiki: edit form")
    page.get_by_role("button", name="Save page").click()
    expect(page.get_by_text("Page saved.")).to_be_visible()
    expect(article).to_contain_text("so the leaves dry before the evening chill.")
    expect(article).not_to_contain_text("before night")

    # History: both revisions, newest first, with authors and summaries.
    page.get_by_role("navigation", name="Page").get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", level=1, name=f"History of “{title}”")).to_be_visible()
    rows = _history_rows(page)
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("#2")
    expect(rows.nth(0)).to_contain_text("Clarified when leaves should dry")
    expect(rows.nth(0)).to_contain_text("Mira Mulch")
    expect(rows.nth(1)).to_contain_text("#1")
    expect(rows.nth(1)).to_contain_text("First version")
    expect(page.get_by_label("Compare from revision 1")).to_be_checked()
    expect(page.get_by_label("Compare to revision 2")).to_be_checked()
    check_accessibility(page, context="wiki: history")

    # The diff between the two revisions shows the changed line, old and new.
    page.get_by_role("button", name="Compare selected revisions").click()
    expect(page.get_by_role("heading", level=1, name=f"Changes to “{title}”")).to_be_visible()
    expect(page.get_by_text("Summary: Clarified when leaves should dry")).to_be_visible()
    diff = page.locator("table.wiki-diff")
    expect(diff.locator("del")).to_have_count(1)
    expect(diff.locator("del")).to_contain_text("so the leaves dry before night.")
    expect(diff.locator("ins")).to_have_count(1)
    expect(diff.locator("ins")).to_contain_text("so the leaves dry before the evening chill.")
    expect(diff.locator("tr.diff-change")).to_have_count(1)
    check_accessibility(page, context="wiki: diff")


def _both_editing(page, tabs, live_server, title: str, body: str, author: str, other: str):
    """``author`` creates the page in ``page``; then both have its editor open on revision 1.
    Returns the other person's tab."""
    sign_in(page, account(live_server, "member", author), author)
    _create_page(page, title, body)
    other_tab = tabs.open()
    sign_in(other_tab, account(live_server, "member", other), other)
    _open_editor(page, title)
    _open_editor(other_tab, title)
    return other_tab


def test_edit_conflict_on_the_same_paragraph_is_shown_and_resolved(page, tabs, live_server):
    uid = unique()
    title = f"Seed starting {uid}"
    first = "Sow seeds indoors six weeks before the last frost."
    second = "Keep the soil warm and evenly moist."
    third = "Harden the seedlings off for a week before planting out."
    body = f"{first}\n\n{second}\n\n{third}\n"

    # Anna and Bram both open the editor on revision 1.
    bram_tab = _both_editing(page, tabs, live_server, title, body, "Anna Allotment", "Bram Borage")

    annas = "Sow seeds indoors eight weeks before the last frost."
    page.get_by_label("Page text").fill(body.replace(first, annas))
    page.get_by_label("Edit summary").fill("Eight weeks is safer")
    page.get_by_role("button", name="Save page").click()
    expect(page.get_by_text("Page saved.")).to_be_visible()

    # Bram, still on revision 1, changes the same paragraph differently.
    brams = "Sow seeds indoors six weeks before the last frost, in small pots."
    brams_body = body.replace(first, brams)
    bram_tab.get_by_label("Page text").fill(brams_body)
    bram_tab.get_by_label("Edit summary").fill("Mention the pots")
    with bram_tab.expect_response(
        lambda r: r.url.endswith("/edit") and r.request.method == "POST"
    ) as answer:
        bram_tab.get_by_role("button", name="Save page").click()
    assert answer.value.status == 409

    conflict = bram_tab.locator("#wiki-conflict")
    expect(conflict).to_have_attribute("role", "alert")
    expect(
        conflict.get_by_role("heading", name="Your edit was not saved: it overlaps another edit")
    ).to_be_visible()
    expect(conflict).to_contain_text("Anna Allotment saved revision 2")
    hunk = conflict.locator(".wiki-hunk")
    expect(hunk).to_have_count(1)
    theirs = hunk.locator("div:has(> h4:text-is('Current text (theirs)')) pre")
    yours = hunk.locator("div:has(> h4:text-is('Your text')) pre")
    expect(theirs).to_have_text(annas + "\n")
    expect(yours).to_have_text(brams + "\n")
    # Nothing Bram typed is lost: the editor still holds his text.
    expect(bram_tab.get_by_label("Page text")).to_have_value(brams_body)
    expect(bram_tab.get_by_label("Edit summary")).to_have_value("Mention the pots")

    conflict.get_by_text("The whole current text").click()
    current = bram_tab.locator("#wiki-current-text")
    expect(current).to_be_visible()
    expect(current).to_contain_text(annas)
    expect(current).to_contain_text(third)
    conflict.get_by_text("All differences between the current text and yours").click()
    differences = conflict.locator("table.wiki-diff")
    expect(differences).to_be_visible()
    expect(differences.locator("del")).to_contain_text(annas)
    expect(differences.locator("ins")).to_contain_text(brams)
    check_accessibility(bram_tab, context="wiki: edit conflict")

    # Bram combines both changes and saves: the form now starts from Anna's revision.
    resolved = "Sow seeds indoors eight weeks before the last frost, in small pots."
    resolved_body = body.replace(first, resolved)
    bram_tab.get_by_label("Page text").fill(resolved_body)
    bram_tab.get_by_label("Edit summary").fill("Pots, and Anna's eight weeks")
    bram_tab.get_by_role("button", name="Save page").click()
    expect(bram_tab.get_by_text("Page saved.")).to_be_visible()
    expect(bram_tab.locator(".wiki-body")).to_contain_text(resolved)
    expect(bram_tab.locator(".wiki-body")).to_contain_text(third)

    # Anna sees the resolved text; the history keeps every revision in order.
    page.get_by_role("navigation", name="Page").get_by_role("link", name="History").click()
    rows = _history_rows(page)
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("#3")
    expect(rows.nth(0)).to_contain_text("Bram Borage")
    expect(rows.nth(0)).to_contain_text("Pots, and Anna's eight weeks")
    expect(rows.nth(0)).not_to_contain_text("merged")
    expect(rows.nth(1)).to_contain_text("#2")
    expect(rows.nth(1)).to_contain_text("Anna Allotment")
    expect(rows.nth(1)).to_contain_text("Eight weeks is safer")
    expect(rows.nth(2)).to_contain_text("#1")

    # Anna's revision is intact, and the resolution changed only paragraph 1 on top of it.
    rows.nth(1).get_by_role("link", name="#2").click()
    expect(page.get_by_text("This is an old revision")).to_be_visible()
    expect(page.locator(".wiki-body")).to_contain_text(annas)
    page.get_by_role("link", name="Changes in this revision").click()
    diff = page.locator("table.wiki-diff")
    expect(diff.locator("del")).to_have_text(_removed(first))
    expect(diff.locator("ins")).to_have_text(_added(annas))
    page.get_by_role("navigation", name="Page").get_by_role("link", name="History").click()
    _history_rows(page).nth(0).get_by_role("link", name="changes").click()
    diff = page.locator("table.wiki-diff")
    expect(diff.locator("del")).to_have_text(_removed(annas))
    expect(diff.locator("ins")).to_have_text(_added(resolved))
    page.get_by_role("navigation", name="Page").get_by_role("link", name="Read").click()
    expect(page.locator(".wiki-body")).to_contain_text(resolved)


def test_edits_of_different_paragraphs_merge_automatically(page, tabs, live_server):
    uid = unique()
    title = f"Companion planting {uid}"
    first = "Basil grows well next to tomatoes."
    second = "Marigolds keep some pests away."
    third = "Beans feed the soil for the next crop."
    body = f"{first}\n\n{second}\n\n{third}\n"

    dan_tab = _both_editing(page, tabs, live_server, title, body, "Cleo Comfrey", "Dan Dill")

    cleos = "Basil grows well next to tomatoes and peppers."
    page.get_by_label("Page text").fill(body.replace(first, cleos))
    page.get_by_role("button", name="Save page").click()
    expect(page.get_by_text("Page saved.")).to_be_visible()

    dans = "Beans and peas feed the soil for the next crop."
    dan_tab.get_by_label("Page text").fill(body.replace(third, dans))
    dan_tab.get_by_label("Edit summary").fill("Peas too")
    dan_tab.get_by_role("button", name="Save page").click()
    expect(
        dan_tab.get_by_text("Saved. Your changes were merged with an edit made meanwhile.")
    ).to_be_visible()
    expect(dan_tab.locator("#wiki-conflict")).to_have_count(0)
    text = dan_tab.locator(".wiki-body")
    expect(text).to_contain_text(cleos)
    expect(text).to_contain_text(second)
    expect(text).to_contain_text(dans)

    dan_tab.get_by_role("navigation", name="Page").get_by_role("link", name="History").click()
    rows = _history_rows(dan_tab)
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Dan Dill")
    expect(rows.nth(0)).to_contain_text("Peas too (merged automatically)")
    expect(rows.nth(0).locator(".wiki-badge")).to_have_text("merged")
    expect(rows.nth(1)).to_contain_text("Cleo Comfrey")
    check_accessibility(dan_tab, context="wiki: history with a merged revision")

    # The merged revision changes only Dan's paragraph relative to Cleo's.
    dan_tab.get_by_role("button", name="Compare selected revisions").click()
    diff = dan_tab.locator("table.wiki-diff")
    expect(diff.locator("del")).to_have_text(_removed(third))
    expect(diff.locator("ins")).to_have_text(_added(dans))


def test_revert_to_an_earlier_revision_after_confirmation(page, live_server):
    email = account(live_server, "member", "Eva Espalier")
    sign_in(page, email, "Eva Espalier")
    title = f"Pruning apple trees {unique()}"
    original = "Prune apple trees in late winter, while they are dormant.\n"
    vandalised = "Prune apple trees whenever you like.\n"
    _create_page(page, title, original)

    page.get_by_role("navigation", name="Page").get_by_role("link", name="Edit").click()
    page.get_by_label("Page text").fill(vandalised)
    page.get_by_label("Edit summary").fill("Simpler advice")
    page.get_by_role("button", name="Save page").click()
    expect(page.get_by_text("Page saved.")).to_be_visible()
    expect(page.locator(".wiki-body")).to_have_text(vandalised.strip())

    page.get_by_role("navigation", name="Page").get_by_role("link", name="History").click()
    expect(_history_rows(page)).to_have_count(2)
    _history_rows(page).nth(1).get_by_role("link", name="#1").click()
    expect(page.get_by_text("This is an old revision")).to_be_visible()
    expect(page.locator(".wiki-body")).to_have_text(original.strip())
    page.get_by_role("link", name="Revert to this revision").click()

    # The confirmation page; cancelling changes nothing.
    expect(page.get_by_role("heading", level=1, name="Revert to revision 1?")).to_be_visible()
    check_accessibility(page, context="wiki: revert confirmation")
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1, name=f"History of “{title}”")).to_be_visible()
    expect(_history_rows(page)).to_have_count(2)

    _history_rows(page).nth(1).get_by_role("link", name="#1").click()
    page.get_by_role("link", name="Revert to this revision").click()
    expect(page.get_by_role("heading", level=1, name="Revert to revision 1?")).to_be_visible()
    page.get_by_label("Reason").fill("Late winter is right")
    page.get_by_role("button", name="Revert to revision 1").click()
    expect(page.get_by_text("Reverted to revision 1.")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(page.locator(".wiki-body")).to_have_text(original.strip())

    page.get_by_role("navigation", name="Page").get_by_role("link", name="History").click()
    rows = _history_rows(page)
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("#3")
    expect(rows.nth(0)).to_contain_text("Reverted to revision 1: Late winter is right")
    expect(rows.nth(0).locator(".wiki-badge")).to_have_text("revert")
    expect(rows.nth(1)).to_contain_text("Simpler advice")
    check_accessibility(page, context="wiki: history after revert")

    # The current revision offers no revert to itself.
    rows.nth(0).get_by_role("link", name="#3").click()
    expect(page.get_by_text("This is the current revision")).to_be_visible()
    expect(page.get_by_role("link", name="Revert to this revision")).to_have_count(0)
