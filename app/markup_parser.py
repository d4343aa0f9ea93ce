"""The Markdown parser behind ``app.markup``: markdown-it-py (CommonMark) with the rules that
keep its time linear and its output shallow whatever the input, heading ids for a table of
contents, and bare links found as the previous renderer found them.

Only ``app.markup`` uses this; it sanitises what comes out.
"""

from __future__ import annotations

import re

from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

#: Every id in content starts with this, so content can never take the id of an element of the
#: page around it (``main-content``, a form field) or one the site's scripts look up.
ID_PREFIX = "h-"

#: Block quotes and lists nested deeper than this are cut there (what is deeper is dropped), and
#: emphasis deeper than this stays text: the parser's recursion and the output's depth stay
#: bounded whatever the input.
MAX_NESTING = 20

#: The sanitiser's HTML parser walks its stack of open elements for many tags, so its time grows
#: with the square of the nesting depth (20,000 unclosed ``<div>`` took 2.9 s). Markdown alone
#: nests far less than this; raw HTML that would nest deeper is shown as text instead.
MAX_HTML_DEPTH = 400
#: Elements that never hold content, so never deepen the nesting.
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                 "source", "track", "wbr"}  # fmt: skip


class _Linkify(LinkifyIt):
    """Bare links as Python-Markdown's magiclink found them: with a scheme, ``www.`` or an
    e-mail address. Any other dotted word (``settings.py``) stays text."""

    def match(self, text):
        found = [
            link
            for link in super().match(text) or []
            if link.schema or link.text.lower().startswith("www.")
        ]
        return found or None

    def pretest(self, text):
        # linkify-it's own pretest runs one large regular expression (every TLD) over each text
        # token: a third of rendering a 20 KB plain-text e-mail. Every link :meth:`match` keeps
        # has a scheme (``:`` or ``//``), an ``@`` or ``www.``; text with none of them has none.
        if ":" not in text and "@" not in text and "//" not in text and "www." not in text.lower():
            return False
        return super().pretest(text)


def _slug(text: str) -> str:
    # The rule Python-Markdown's toc extension used (slugify_unicode), so old anchors still work.
    value = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", value)


def _no_text(_token: Token) -> str:
    return ""


#: What each kind of inline token adds to a heading's text (markup and raw HTML add nothing).
_HEADING_TEXT = {
    "text": lambda token: token.content,
    "code_inline": lambda token: token.content,
    "image": lambda token: token.content,
    "softbreak": lambda _token: " ",
}


def _heading_ids(state: StateCore) -> None:
    """Give each heading an ``h-`` id, unique in the document (``h-setup``, ``h-setup_1``),
    and record the headings in ``env["headings"]``. A count per base id keeps a document of
    thousands of equal headings linear (probing ``_1``, ``_2``... from 1 each time was not)."""
    used: set[str] = set()
    next_number: dict[str, int] = {}
    headings = state.env.setdefault("headings", [])
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        children = tokens[index + 1].children or []
        text = "".join(_HEADING_TEXT.get(child.type, _no_text)(child) for child in children)
        text = text.strip()
        base = ID_PREFIX + (_slug(text) or "section")
        anchor = base
        while anchor in used:
            number = next_number.get(base, 0) + 1
            next_number[base] = number
            anchor = f"{base}_{number}"
        used.add(anchor)
        token.attrSet("id", anchor)
        headings.append((int(token.tag[1]), anchor, text))


def _bound_nesting(state: StateCore) -> None:
    """Keep the nesting of the output shallow, whatever the input.

    Emphasis is matched from delimiter runs without recursion, so ``*`` x 4,000 nests 2,000
    ``<strong>`` deep: delimiters past :data:`MAX_NESTING` stay the text they were typed as.
    Raw HTML that would open more than :data:`MAX_HTML_DEPTH` elements is shown as text.
    """
    raw_html = []
    for token in state.tokens:
        if token.type == "html_block":
            raw_html.append(token)
        elif token.type == "inline" and token.children:
            _flatten_deep_inline(token.children)
            raw_html.extend(child for child in token.children if child.type == "html_inline")
    if raw_html and nesting_depth("".join(token.content for token in raw_html)) > MAX_HTML_DEPTH:
        for token in raw_html:
            token.content = escapeHtml(token.content)


def _flatten_deep_inline(children: list[Token]) -> None:
    opened: list[bool] = []  # per open inline element: was it turned back into text?
    for child in children:
        if child.nesting == 1:
            as_text = len(opened) >= MAX_NESTING
            opened.append(as_text)
        elif child.nesting == -1 and opened:
            as_text = opened.pop()
        else:
            continue
        if as_text:
            child.type, child.tag, child.nesting, child.content = "text", "", 0, child.markup


# A URL scheme just before "://"; RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
_SCHEME = re.compile(r"(?:^|[^a-z0-9.+-])([a-z][a-z0-9.+-]*)$", re.IGNORECASE)
#: Longer than any scheme in use: only this much of the text before "://" is searched.
_SCHEME_TAIL = 64


def _linkify_inline(state: StateInline, silent: bool) -> bool:
    """markdown-it-py's inline ``linkify`` rule, except that it looks for the scheme in the last
    characters of the pending text, not in all of it: searching all of it at every "://" made
    ``<http://`` x 2,500 (20 KB) take a second and grow with the square of the length."""
    pos = state.pos
    if state.linkLevel > 0 or state.src[pos : pos + 3] != "://":
        return False
    tail = state.pending[-_SCHEME_TAIL - 1 :]
    match = _SCHEME.search(tail)
    if match is None or (match.start(1) == 0 and len(tail) > _SCHEME_TAIL):
        return False  # no scheme, or a run of letters too long to be one
    proto = match.group(1)
    link = state.md.linkify.match_at_start(state.src[pos - len(proto) :])
    if not link:
        return False
    url = link.url.rstrip("*")  # a '*' after a link closes emphasis
    full_url = state.md.normalizeLink(url)
    if not state.md.validateLink(full_url):
        return False
    if not silent:
        state.pending = state.pending[: -len(proto)]
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": full_url}
        token.markup, token.info = "linkify", "auto"
        token = state.push("text", "", 0)
        token.content = state.md.normalizeLinkText(url)
        token = state.push("link_close", "a", -1)
        token.markup, token.info = "linkify", "auto"
    state.pos += len(url) - len(proto)
    return True


def parser() -> MarkdownIt:
    """CommonMark with raw HTML (sanitised afterwards), tables, strikethrough and bare links."""
    md = MarkdownIt("commonmark", {"html": True, "linkify": True, "maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough", "linkify"])
    md.linkify = _Linkify()
    md.inline.ruler.at("linkify", _linkify_inline)
    md.core.ruler.push("bound_nesting", _bound_nesting)
    md.core.ruler.push("heading_ids", _heading_ids)
    return md


# The start of a tag, nothing more: in raw HTML that markdown-it accepted, matching just the name
# keeps the scan linear whatever follows.
_TAG_START = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)")


def nesting_depth(html: str) -> int:
    """An upper bound of how deep the elements of ``html`` nest (every start tag of a non-void
    element opens one, every end tag closes one; tags the parser would close by itself or
    that sit inside comments are counted too, so this never underestimates)."""
    depth = deepest = 0
    for match in _TAG_START.finditer(html):
        if match.group(1):
            depth = max(depth - 1, 0)
        elif match.group(2).lower() not in VOID_ELEMENTS:
            depth += 1
            deepest = max(deepest, depth)
    return deepest
