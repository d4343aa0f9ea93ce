"""The help widget on the demo page (/api/demo), in a real browser against the real API:
tooltips by hover and by keyboard with the snippet text the API serves, Esc to close them, and
the first-run onboarding tour stepped through, finished and skipped, with its progress recorded
through the API (checked in the database and with ``flask api tour-stats``)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.api.models import TourProgress
from app.extensions import db
from tests.browser.conftest import check_accessibility

pytestmark = pytest.mark.browser

TOUR = "first-run"
PROGRESS_URL = re.compile(r"/api/v1/tours/first-run/progress$")


def _open_demo(page):
    page.goto("/api/demo")
    expect(page.get_by_role("heading", level=1, name="In-app help demo")).to_be_visible()
    # The widget adds a help button for each [data-help] once the batch request answered.
    expect(page.locator("button.helpwidget-button")).to_have_count(8)


def _snippet(page, key: str) -> dict:
    response = page.request.get(f"/api/v1/snippets/{key}?lang=en")
    assert response.ok, response.status
    return response.json()


def _tour(page) -> dict:
    response = page.request.get(f"/api/v1/tours/{TOUR}")
    assert response.ok, response.status
    return response.json()


def _progress(live_server, install_id: str) -> TourProgress:
    with live_server.app.app_context():
        progress = db.session.scalar(
            select(TourProgress).where(
                TourProgress.tour_name == TOUR, TourProgress.install_id == install_id
            )
        )
        assert progress is not None, f"no progress recorded for {install_id}"
        db.session.expunge(progress)
        db.session.remove()
    return progress


def _install_id(page) -> str:
    value = page.evaluate("() => window.localStorage.getItem('helpwidget.installId')")
    assert value, "the widget keeps an installation id in localStorage"
    return value


def _tip_text(page, snippet: dict) -> str:
    """What the tooltip must say: the snippet's title and its body as text (from the API)."""
    body = page.evaluate(
        "html => { const d = document.createElement('div'); d.innerHTML = html;"
        " return d.textContent; }",
        snippet["body_html"],
    )
    return f"{snippet['title']} {body}".split()


def test_tooltip_on_hover_shows_the_snippet_and_esc_closes_it(page):
    _open_demo(page)
    snippet = _snippet(page, "plant.add")
    help_button = page.get_by_role("button", name=f"Help: {snippet['title']}")
    tooltip = page.get_by_role("tooltip")
    expect(tooltip).to_have_count(0)

    help_button.hover()
    expect(tooltip).to_be_visible()
    words = tooltip.inner_text().split()
    assert words[: len(_tip_text(page, snippet))] == _tip_text(page, snippet)
    # plant.add links its article in content/: the tooltip must link where to read more,
    # as a real link, not its address as text.
    assert snippet["article"] is not None
    more = tooltip.get_by_role("link", name="More in the Help Center")
    expect(more).to_have_attribute("href", snippet["article"]["url"])
    expect(tooltip).not_to_contain_text(snippet["article"]["url"])
    check_accessibility(page, context="demo with a tooltip open (landmarks)")
    # Inside a landmark (axe "region"), like all the page's content.
    assert tooltip.evaluate("e => !!e.closest('main, header, footer, nav, aside, [role=region]')")
    region = page.evaluate("""async () => (await axe.run(document, {runOnly: ['region']}))
        .violations.flatMap(v => v.nodes.map(n => n.target.join(' ')))""")
    assert not [node for node in region if "helpwidget-tip" in node], region
    tip_id = tooltip.get_attribute("id")
    expect(help_button).to_have_attribute("aria-describedby", tip_id)
    expect(help_button).to_have_attribute("aria-expanded", "true")
    check_accessibility(page, context="demo with a tooltip open")

    # The tooltip can be hovered itself (to read it or select its text) without vanishing.
    tooltip.hover()
    expect(tooltip).to_be_visible()

    page.keyboard.press("Escape")
    expect(tooltip).to_have_count(0)
    expect(help_button).to_have_attribute("aria-expanded", "false")

    # A click (or a tap) shows it and leaves it shown; moving away closes it.
    help_button.click()
    expect(tooltip).to_be_visible()
    expect(tooltip).to_have_attribute("id", tip_id)
    page.mouse.move(5, 5)
    page.get_by_role("heading", level=1).click()
    expect(tooltip).to_have_count(0)


def test_tooltip_follows_keyboard_focus(page):
    _open_demo(page)
    add = _snippet(page, "plant.add")
    quiet = _snippet(page, "notifications.quiet-hours")
    page.locator("#add-plant-button").focus()
    page.keyboard.press("Tab")
    help_button = page.get_by_role("button", name=f"Help: {add['title']}")
    expect(help_button).to_be_focused()
    tooltip = page.get_by_role("tooltip")
    expect(tooltip).to_have_count(1)
    expect(tooltip).to_contain_text(add["title"])
    expect(help_button).to_have_attribute("aria-describedby", tooltip.get_attribute("id"))

    # Tab on: the first tooltip closes, the next element's opens after its own link.
    page.keyboard.press("Tab")
    expect(page.locator("#notification-settings-link")).to_be_focused()
    expect(tooltip).to_have_count(0)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name=f"Help: {quiet['title']}")).to_be_focused()
    expect(tooltip).to_have_count(1)
    expect(tooltip).to_contain_text(quiet["title"])

    page.keyboard.press("Escape")
    expect(tooltip).to_have_count(0)
    # Esc closes it without moving focus away.
    expect(page.get_by_role("button", name=f"Help: {quiet['title']}")).to_be_focused()


def test_tour_step_back_and_finish_is_recorded(page, live_server):
    _open_demo(page)
    tour = _tour(page)
    steps = tour["steps"]
    start = page.get_by_role("button", name="Start the tour")
    start.click()
    dialog = page.get_by_role("dialog", name=steps[0]["title"])
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"Step 1 of {len(steps)}")
    expect(dialog).to_contain_text(steps[0]["body"])
    expect(page.locator(f"#{steps[0]['target']}")).to_have_class(re.compile("helpwidget-highlight"))
    expect(page.locator("#helpwidget-tour-next")).to_be_focused()
    expect(page.locator("#helpwidget-tour-back")).to_have_count(0)
    check_accessibility(page, context="demo with the tour dialog open")

    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("dialog", name=steps[1]["title"])).to_be_visible()
    expect(page.locator(f"#{steps[1]['target']}")).to_have_class(re.compile("helpwidget-highlight"))
    expect(page.locator(f"#{steps[0]['target']}")).not_to_have_class(
        re.compile("helpwidget-highlight")
    )
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_role("dialog", name=steps[0]["title"])).to_be_visible()
    expect(page.locator("#helpwidget-tour-next")).to_be_focused()

    for number, step in enumerate(steps[1:], start=2):
        page.get_by_role("button", name="Next").click()
        dialog = page.get_by_role("dialog", name=step["title"])
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text(f"Step {number} of {len(steps)}")
        expect(page.locator(f"#{step['target']}")).to_have_class(re.compile("helpwidget-highlight"))
    expect(page.get_by_role("button", name="Next")).to_have_count(0)
    expect(page.get_by_role("button", name="Skip tour")).to_have_count(0)
    check_accessibility(page, context="demo on the tour's last step")

    with page.expect_response(
        lambda r: (
            PROGRESS_URL.search(r.url)
            and r.request.method == "POST"
            and "completed" in (r.request.post_data or "")
        )
    ) as finished:
        page.get_by_role("button", name="Done").click()
    # The server committed before it answered (the body is not read here: Playwright would wait
    # for the page to read it).
    assert finished.value.status == 200
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator(".helpwidget-highlight")).to_have_count(0)
    expect(start).to_be_focused()
    expect(page.get_by_role("status")).to_have_text("Tour finished.")

    progress = _progress(live_server, _install_id(page))
    assert progress.status == "completed"
    assert progress.completed_at is not None
    assert progress.last_step == steps[-1]["id"]
    assert progress.furthest_step == len(steps) - 1
    stats = live_server.cli("api", "tour-stats", TOUR)
    completed = int(re.search(r"completed (\d+)", stats).group(1))
    assert completed >= 1


def test_skipping_the_tour_is_recorded_as_dismissed(page, live_server):
    _open_demo(page)
    steps = _tour(page)["steps"]
    before = live_server.cli("api", "tour-stats", TOUR)
    dismissed_before = int(re.search(r"dismissed (\d+)", before).group(1))

    page.get_by_role("button", name="Start the tour").click()
    expect(page.get_by_role("dialog", name=steps[0]["title"])).to_be_visible()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("dialog", name=steps[1]["title"])).to_be_visible()
    with page.expect_response(
        lambda r: PROGRESS_URL.search(r.url) and "dismissed" in (r.request.post_data or "")
    ) as skipped:
        page.get_by_role("button", name="Skip tour").click()
    assert skipped.value.status == 200
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("status")).to_have_text("Tour closed.")

    progress = _progress(live_server, _install_id(page))
    assert progress.status == "dismissed"
    assert progress.dismissed_at is not None
    assert progress.last_step == steps[1]["id"]
    assert progress.furthest_step == 1
    after = live_server.cli("api", "tour-stats", TOUR)
    assert int(re.search(r"dismissed (\d+)", after).group(1)) == dismissed_before + 1


def test_esc_closes_a_tooltip_first_then_the_tour(page, live_server):
    _open_demo(page)
    steps = _tour(page)["steps"]
    add = _snippet(page, "plant.add")
    page.get_by_role("button", name="Start the tour").click()
    dialog = page.get_by_role("dialog", name=steps[0]["title"])
    expect(dialog).to_be_visible()
    page.get_by_role("button", name=f"Help: {add['title']}").focus()
    expect(page.get_by_role("tooltip")).to_contain_text(add["title"])

    page.keyboard.press("Escape")
    expect(page.get_by_role("tooltip")).to_have_count(0)
    expect(dialog).to_be_visible()
    with page.expect_response(
        lambda r: PROGRESS_URL.search(r.url) and "dismissed" in (r.request.post_data or "")
    ):
        page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("button", name="Start the tour")).to_be_focused()
    assert _progress(live_server, _install_id(page)).status == "dismissed"
