"""Adversarial Markdown: texts that made renderers slow, deep or crash, as functions from a size
in characters to a text of about that size. Shared by the growth test and ``bench.markup``."""

from __future__ import annotations

from collections.abc import Callable


def _repeat(unit: str, tail: str = "") -> Callable[[int], str]:
    return lambda size: unit * (size // len(unit)) + tail


def _nested(opening: str, inner: str, closing: str) -> Callable[[int], str]:
    half = lambda size, unit: unit * (size // 2 // len(unit))  # noqa: E731
    return lambda size: half(size, opening) + inner + half(size, closing)


def _table(columns: int) -> Callable[[int], str]:
    def make(size: int) -> str:
        header = "|" + " a |" * columns + "\n|" + "---|" * columns + "\n"
        row = "|" + " 1 |" * columns + "\n"
        return header + row * (size // len(row))

    return make


def _prose(size: int) -> str:
    paragraph = (
        "## Watering basil\n\nKeep the *soil* moist, not wet: see [the guide](/wiki/basil) "
        "or https://growgrebuddy.com/help. Use `app settings` > **Reminders**.\n\n"
        "- one\n- two\n  1. nested\n\n> A quote\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    )
    return (paragraph * (size // len(paragraph) + 1))[:size]


def wiki_render(text: str) -> str:
    """What the wiki does to a revision (``app.wiki.links.render`` without its database look-up
    of which pages exist): ``[[links]]`` become anchors, then the one renderer."""
    from app import markup
    from app.wiki import rules

    def anchor(title: str, label: str) -> str:
        return rules.link_html("/wiki/" + rules.slugify(title), label, missing=False)

    return markup.render(rules.replace_wikilinks(text, anchor))


#: Name -> text of about ``size`` characters.
PATTERNS: dict[str, Callable[[int], str]] = {
    "ordinary prose": _prose,
    "unclosed empty links": _repeat("[]("),
    "unclosed links": _repeat("[a]("),
    "unclosed images": _repeat("![a]("),
    "unclosed link titles": _repeat('[a](b "'),
    "unclosed autolinks": _repeat("<http://"),
    "nested brackets": _nested("[", "a", "](x)"),
    "nested emphasis": _nested("*", "a", "*"),
    "nested underscores": _nested("_", "a", "_"),
    "alternating emphasis": _repeat("*a **b "),
    "unmatched emphasis": _repeat("**a"),
    "nested quotes": _repeat("> ", "a"),
    "nested lists": _repeat("- ", "a"),
    "nested ordered lists": _repeat("1. ", "a"),
    "long table": _table(2),
    "wide table": _table(60),
    "repeated headings": _repeat("# Setup\n"),
    "backtick runs": _repeat("`a``"),
    "unclosed raw html": _repeat("<div>"),
    "unclosed inline html": _repeat("<b>"),
    "tags in a comment": lambda size: "<!-- " + "<a" * (size // 2) + " -->",
    "bare link dots": lambda size: "http://" + "a." * (size // 2),
    "www runs": _repeat("www."),
    "at signs": _repeat("a@"),
    "entities": _repeat("&#"),
    "emphasis around links": lambda size: "**" * (size // 8) + "[x](y)" * (size // 12),
    "wiki links": _repeat("[[a]] "),
    "unclosed wiki links": _repeat("[["),
}
