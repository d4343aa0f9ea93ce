"""The one place where text becomes HTML.

Markdown is rendered, then cleaned by an nh3 (ammonia) allowlist. Features call this once when
content is saved and keep the HTML; templates mark only that cached HTML safe. Cleaning is
idempotent: cleaning the output again yields the same, still safe, HTML.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "pre", "s", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "details": {"open"},
    **{tag: {"id"} for tag in HEADINGS},
}
#: Classes we emit ourselves (wiki links, code highlighting hints); any other class is dropped.
ALLOWED_CLASSES = {
    "a": {"wikilink", "wikilink-missing", "magiclink"},
    "code": {f"language-{lang}" for lang in ("text", "python", "json", "bash", "shell", "yaml")},
    "div": {"admonition", "note", "warning", "tip"},
    "p": {"admonition-title"},
}
URL_SCHEMES = {"http", "https", "mailto"}
#: Tags whose whole content is dropped, not just the tag (so script text never shows on a page).
DROP_WITH_CONTENT = {"script", "style", "template", "iframe", "object", "embed", "noscript",
                     "textarea", "title", "svg", "math", "xmp", "noembed", "noframes"}  # fmt: skip

USER_LINK_REL = "nofollow ugc noopener noreferrer"
OFFICIAL_LINK_REL = "noopener noreferrer"


@dataclass
class RenderedMarkdown:
    """Sanitised HTML and the document's headings (level, id, text) for a table of contents."""

    html: str
    headings: list[tuple[int, str, str]] = field(default_factory=list)


def _slugify(value: str, separator: str) -> str:
    # Prefixed so user headings can never take the id of an element of the page around them.
    return "h-" + slugify_unicode(value, separator)


def _flatten(tokens: list[dict], out: list[tuple[int, str, str]]) -> None:
    for token in tokens:
        out.append((token["level"], "h-" + token["id"].removeprefix("h-"), token["name"]))
        _flatten(token.get("children", []), out)


def clean(html: str, *, user_content: bool = True) -> str:
    """Sanitise HTML with the allowlist.

    :param html: untrusted HTML.
    :param user_content: links from users get ``rel="nofollow ugc"``; official content does not.
    """
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel=USER_LINK_REL if user_content else OFFICIAL_LINK_REL,
        strip_comments=True,
    )
    return _IMG.sub(_with_alt, cleaned) if "<img" in cleaned else cleaned


# An <img> as the sanitiser writes it: lower-case names, every value double-quoted with '"',
# '<' and '>' escaped, so these patterns read its attributes exactly.
_IMG = re.compile(r'<img((?:\s+[\w:-]+="[^"]*")*)(\s*/?>)')
_ATTRIBUTE_NAME = re.compile(r'\s+([\w:-]+)="[^"]*"')


def _with_alt(match: re.Match) -> str:
    """An image without ``alt`` gets ``alt=""``: screen readers then skip it instead of reading
    out its file name (nh3 can only set a value for every image, overwriting a real one)."""
    attributes = match.group(1)
    if "alt" in _ATTRIBUTE_NAME.findall(attributes):
        return match.group(0)
    return f'<img{attributes} alt=""{match.group(2)}'


def render_document(text: str, *, user_content: bool = True) -> RenderedMarkdown:
    """Render Markdown (fenced code, tables, heading ids, autolinks) to sanitised HTML.

    :param text: Markdown from a user or from ``content/``.
    :param user_content: see :func:`clean`.
    :returns: the HTML and its headings.
    """
    md = markdown.Markdown(
        extensions=["fenced_code", "tables", "sane_lists", "toc", "pymdownx.magiclink"],
        extension_configs={
            "toc": {"slugify": _slugify, "permalink": False},
            "pymdownx.magiclink": {"hide_protocol": False},
        },
        output_format="html",
    )
    html = md.convert(text or "")
    headings: list[tuple[int, str, str]] = []
    _flatten(getattr(md, "toc_tokens", []), headings)
    return RenderedMarkdown(html=clean(html, user_content=user_content), headings=headings)


def render(text: str, *, user_content: bool = True) -> str:
    """Render Markdown to sanitised HTML; see :func:`render_document`."""
    return render_document(text, user_content=user_content).html


def plain_text(html: str) -> str:
    """Strip every tag (for search documents, snippets and e-mail bodies)."""
    text = nh3.clean(html, tags=set(), clean_content_tags=DROP_WITH_CONTENT)
    return html_lib.unescape(text).strip()
