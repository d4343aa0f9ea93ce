"""The one place where text becomes HTML.

Markdown is rendered by markdown-it-py (CommonMark, time linear in the input), then cleaned by an
nh3 (ammonia) allowlist. Features call this once when content is saved and keep the HTML;
templates mark only that cached HTML safe. Cleaning is idempotent: cleaning the output again
yields the same, still safe, HTML.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import nh3
from flask import current_app, has_app_context

from app.markup_parser import ID_PREFIX, MAX_HTML_DEPTH, MAX_NESTING, nesting_depth, parser

#: Stored beside cached HTML where a sync must know whether it is stale; change it whenever the
#: renderer or the allowlist changes what the same text turns into.
RENDERER_VERSION = "markdown-it-py-4/nh3-2"

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "pre", "s", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
#: No ``name`` anywhere: a named element becomes a property of ``document`` (DOM clobbering).
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
__all__ = ["MAX_HTML_DEPTH", "MAX_NESTING", "clean", "nesting_depth", "plain_text", "render"]

USER_LINK_REL = "nofollow ugc noopener noreferrer"
OFFICIAL_LINK_REL = "noopener noreferrer"


@dataclass
class RenderedMarkdown:
    """Sanitised HTML and the document's headings (level, id, text) for a table of contents."""

    html: str
    headings: list[tuple[int, str, str]] = field(default_factory=list)


_MARKDOWN = parser()


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
        id_prefix=ID_PREFIX,
    )
    return _IMG.sub(_with_alt, cleaned) if "<img" in cleaned else cleaned


# An <img> as the sanitiser writes it: lower-case names, every value double-quoted with '"',
# '<' and '>' escaped, so these patterns read its attributes exactly.
_IMG = re.compile(r'<img((?:\s+[\w:-]+="[^"]*")*)(\s*/?>)')
_ATTRIBUTE = re.compile(r'\s+([\w:-]+)="([^"]*)"')


def _with_alt(match: re.Match) -> str:
    """An image without ``alt`` gets ``alt=""``: screen readers then skip it instead of reading
    out its file name (nh3 can only set a value for every image, overwriting a real one)."""
    attributes = match.group(1)
    if "alt" in dict(_ATTRIBUTE.findall(attributes)):
        return match.group(0)
    return f'<img{attributes} alt=""{match.group(2)}'


def image_hosts() -> frozenset[str]:
    """Hosts images may load from besides the site itself (``MARKUP_IMAGE_HOSTS``)."""
    if not has_app_context():
        return frozenset()
    return frozenset(host.lower() for host in current_app.config.get("MARKUP_IMAGE_HOSTS", []))


def image_allowed(src: str, hosts: frozenset[str]) -> bool:
    """A relative address (the site's own), or https on one of ``hosts``: nothing else may make
    a reader's browser call out (tracking pixels in tickets and posts read by staff)."""
    parts = urlsplit(html_lib.unescape(src).strip())
    if not parts.scheme and not parts.netloc:
        return True
    return parts.scheme == "https" and (parts.hostname or "") in hosts


# Links and images as the sanitiser writes them, in document order (a '>' inside an attribute
# value is always escaped there).
_LINK_OR_IMG = re.compile(r'(<a\b[^>]*>)|(</a>)|<img((?:\s+[\w:-]+="[^"]*")*)\s*/?>')


def _images_within(html: str, hosts: frozenset[str], rel: str) -> str:
    """Replace each image from a host not allowed by a link to it, labelled with its alt text;
    inside a link, by the label alone (a link may not hold another)."""
    links_open = 0

    def one(match: re.Match) -> str:
        nonlocal links_open
        if match.group(1):
            links_open += 1
            return match.group(0)
        if match.group(2):
            links_open = max(links_open - 1, 0)
            return match.group(0)
        attributes = dict(_ATTRIBUTE.findall(match.group(3)))
        src = attributes.get("src", "")
        if image_allowed(src, hosts):
            return match.group(0)
        label = html_lib.escape(html_lib.unescape(attributes.get("alt") or "") or "image")
        if links_open or not src:
            return label
        return f'<a href="{src}" rel="{rel}">{label}</a>'

    return _LINK_OR_IMG.sub(one, html)


def render_document(text: str, *, user_content: bool = True) -> RenderedMarkdown:
    """Render Markdown (CommonMark with tables, strikethrough, heading ids, bare links) to
    sanitised HTML.

    :param text: Markdown from a user or from ``content/``; callers bound its length first.
    :param user_content: see :func:`clean`.
    :returns: the HTML and its headings.
    """
    env: dict = {}
    # Without the final newline, as the HTML stored so far was.
    html = clean(_MARKDOWN.render(text or "", env), user_content=user_content).rstrip("\n")
    if "<img" in html:
        rel = USER_LINK_REL if user_content else OFFICIAL_LINK_REL
        html = _images_within(html, image_hosts(), rel)
    return RenderedMarkdown(html=html, headings=env.get("headings", []))


def render(text: str, *, user_content: bool = True) -> str:
    """Render Markdown to sanitised HTML; see :func:`render_document`."""
    return render_document(text, user_content=user_content).html


def plain_text(html: str) -> str:
    """Strip every tag (for search documents, snippets and e-mail bodies)."""
    text = nh3.clean(html, tags=set(), clean_content_tags=DROP_WITH_CONTENT)
    return html_lib.unescape(text).strip()
