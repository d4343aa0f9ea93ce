"""Rendering time grows linearly with the text, whatever the text.

Not absolute times (the machine is shared): each adversarial pattern is rendered at a base size
and at four times that size, and the larger must take less than eight times as long (best of
three). A quadratic renderer takes sixteen times as long; a linear one about four.
"""

from __future__ import annotations

import gc
import time

import pytest

from app import markup
from bench.markup.patterns import PATTERNS, wiki_render

BASE = 5_000
GROWTH = 4
BOUND = 8


def _best_time(text: str, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        # A full collection walks the whole test process's heap: its cost depends on what else
        # is loaded, not on the text, so it stays out of the measurement.
        gc.collect()
        gc.disable()
        try:
            start = time.process_time()
            # The wiki's path: its [[link]] pass and then the renderer every field uses.
            wiki_render(text)
            best = min(best, time.process_time() - start)
        finally:
            gc.enable()
    return best


@pytest.mark.parametrize("name", list(PATTERNS))
def test_rendering_time_grows_linearly(name):
    make = PATTERNS[name]
    small, large = make(BASE), make(BASE * GROWTH)
    assert len(large) >= (GROWTH - 0.5) * len(small)
    # A floor of 1 ms: below it the clock's jitter, not the renderer, decides the ratio.
    allowed = BOUND * max(_best_time(small), 0.001)
    # Best of three, but stop at the first run inside the bound: a slow renderer then costs
    # three runs, a fast one a single run.
    for _ in range(3):
        taken = _best_time(large, runs=1)
        if taken < allowed:
            break
    assert taken < allowed, f"{name}: {taken:.3f} s at {len(large):,} characters"


@pytest.mark.parametrize(
    "text",
    [
        "*" * 2_000 + "a" + "*" * 2_000,
        "_" * 2_000 + "a" + "_" * 2_000,
        "> " * 10_000 + "deep",
        "- " * 10_000 + "deep",
        "[" * 5_000 + "a" + "]" * 5_000,
        "<div>" * 10_000 + "deep",
    ],
    ids=["stars", "underscores", "quotes", "lists", "brackets", "html"],
)
def test_deep_nesting_renders_without_error(text):
    """Python-Markdown recursed once per level and raised RecursionError (a 500) at 4 KB."""
    html = markup.render(text)
    assert html
    assert markup.nesting_depth(html) <= markup.MAX_HTML_DEPTH + 2 * markup.MAX_NESTING


def test_too_deep_raw_html_is_shown_as_text():
    html = markup.render("<div>" * (markup.MAX_HTML_DEPTH + 1) + "\n\ndeep **bold**")
    assert "<div>" not in html
    assert "&lt;div&gt;" in html and "<strong>bold</strong>" in html


def test_raw_html_within_the_depth_stays_html():
    html = markup.render("<details><summary>More</summary>\n\n**inside**\n\n</details>")
    assert "<details><summary>More</summary>" in html and "<strong>inside</strong>" in html


def test_emphasis_past_the_nesting_limit_stays_text():
    depth = markup.MAX_NESTING + 10
    html = markup.render("*" * depth + "a" + "*" * depth)
    assert html.count("<em>") + html.count("<strong>") <= markup.MAX_NESTING
    assert "a" in html
