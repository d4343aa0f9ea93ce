"""The one sanitiser against the public attack corpus, judged by an independent HTML parse."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from app import markup

VECTORS = json.loads((Path(__file__).parent / "xss_vectors.json").read_text())
FORBIDDEN_TAGS = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "form",
    "base",
    "meta",
    "svg",
    "math",
    "link",
    "frame",
    "frameset",
    "applet",
    "input",
    "button",
    "textarea",
    "select",
    "template",
    "video",
    "audio",
    "source",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "background",
    "poster",
    "srcset",
    "data",
    "cite",
    "longdesc",
    "lowsrc",
    "dynsrc",
    "ping",
}
# WHATWG URL parsing strips leading C0 controls and spaces and removes tabs and newlines anywhere.
_STRIPPED = re.compile(r"[\t\n\r]")


def _scheme(url: str) -> str | None:
    cleaned = _STRIPPED.sub("", url).lstrip("".join(chr(c) for c in range(0x21)))
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", cleaned)
    return match.group(1).lower() if match else None


class _Audit(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"element <{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event attribute {name}")
            if name == "style":
                self.problems.append("style attribute")
            if name in URL_ATTRIBUTES and value is not None:
                scheme = _scheme(value)
                if scheme is not None and scheme not in {"http", "https", "mailto"}:
                    self.problems.append(f"{name} with scheme {scheme}")

    handle_startendtag = handle_starttag


def audit(html: str) -> list[str]:
    parser = _Audit()
    parser.feed(html)
    parser.close()
    return parser.problems


def test_corpus_is_complete():
    assert len(VECTORS) == 561


@pytest.mark.parametrize("user_content", [True, False], ids=["user", "official"])
def test_no_attack_string_yields_script_capable_html(user_content):
    failures = {}
    for vector in VECTORS:
        html = markup.render(vector["payload"], user_content=user_content)
        problems = audit(html)
        if problems:
            failures[vector["payload"][:80]] = problems
    assert failures == {}


def test_sanitising_again_is_stable_and_safe():
    for vector in VECTORS:
        once = markup.render(vector["payload"])
        twice = markup.clean(once)
        assert audit(twice) == []
        assert markup.clean(twice) == twice


def test_audit_catches_what_it_should():
    # The auditor itself must be able to fail, or the corpus test proves nothing.
    assert audit('<a href="java\tscript:alert(1)">x</a>') == ["href with scheme javascript"]
    assert audit('<img src=x onerror="alert(1)">') == ["event attribute onerror"]
    assert audit("<svg><script>1</script></svg>") == ["element <svg>", "element <script>"]
    assert audit('<p style="x">') == ["style attribute"]


def test_markdown_features_survive():
    html = markup.render(
        "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nprint(1)\n```\n\n"
        "Visit https://growgrebuddy.com now and [mail](mailto:support@growgrebuddy.com)."
    )
    assert '<h1 id="h-title">Title</h1>' in html
    assert "<table>" in html and "<td>1</td>" in html
    assert '<code class="language-python">' in html
    assert '<a href="https://growgrebuddy.com" rel="nofollow ugc noopener noreferrer">' in html
    assert 'href="mailto:support@growgrebuddy.com"' in html


def test_script_content_is_dropped_not_shown():
    html = markup.render("Hello <script>alert('stolen')</script> world")
    assert "alert" not in html
    assert "Hello" in html and "world" in html


def test_official_links_are_followed():
    html = markup.render("[a](https://example.com)", user_content=False)
    assert "nofollow" not in html


def test_headings_are_reported_for_a_table_of_contents():
    doc = markup.render_document("## Step 1: Restart\n\ntext\n\n### Detail\n")
    assert doc.headings == [(2, "h-step-1-restart", "Step 1: Restart"), (3, "h-detail", "Detail")]


def test_plain_text_strips_tags_and_entities():
    assert markup.plain_text("<p>Fish &amp; chips <script>x()</script></p>") == "Fish & chips"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('<img src="https://e.org/a.png">', '<img src="https://e.org/a.png" alt="">'),
        (
            '<img src="https://e.org/a.png" alt="Basil">',
            '<img src="https://e.org/a.png" alt="Basil">',
        ),
        # "alt=" inside another attribute's value is not an alt attribute.
        (
            '<img src="https://e.org/a.png" title="alt=&quot;x">',
            '<img src="https://e.org/a.png" title="alt=&quot;x" alt="">',
        ),
    ],
)
def test_every_image_has_alt_text(source, expected):
    """Screen readers skip an image with an empty alt instead of reading its address."""
    assert markup.clean(source) == expected
    assert markup.clean(markup.clean(source)) == expected


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("See WWW.Example.com today", "http://WWW.Example.com"),
        ("Write to ana@example.org please", "mailto:ana@example.org"),
        ("Open https://files.example.org/a now", "https://files.example.org/a"),
        ("Plain words. No link in settings.py here", None),
    ],
)
def test_bare_links_survive_the_quick_pretest(text, href):
    # The parser skips linkify's slow pretest for text without ":", "@", "//" or "www.".
    html = markup.render(text)
    assert (f'href="{href}"' in html) if href else ("<a " not in html)
