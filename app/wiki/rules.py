"""Pure wiki rules: titles and slugs, the new-account review rule, wiki-link parsing and the
rows of a readable diff. No Flask, no database, no clock."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from difflib import SequenceMatcher

from app.textdiff import Part, word_changes
from app.wiki.merge import split_lines

MAX_TITLE = 200
MAX_SUMMARY = 300
#: A page renders in well under a second at this length whatever it holds; see bench/markup.
MAX_BODY = 60_000
#: Path segments under /wiki/ that are routes, so no page may take them as its slug.
RESERVED_SLUGS = frozenset(
    {"new", "recent", "preview", "review", "unwatch", "deleted", "watchlist"}
)
PROTECTION_LEVELS = ("none", "semi", "full")
PROTECTION_LABELS = {
    "none": "Not protected: members may edit",
    "semi": "Semi-protected: contributors and moderators may edit",
    "full": "Protected: only moderators may edit",
}

WIKILINK = re.compile(r"\[\[([^\[\]|\n]{1,200})(?:\|([^\[\]\n]{1,200}))?\]\]")
_FENCE = re.compile(r"^(```|~~~)")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")


def normalise_title(title: str) -> str:
    """Collapse whitespace; titles compare by their slug."""
    return " ".join((title or "").split())


def slugify(title: str) -> str:
    """The URL segment for a title: lower-case words joined by hyphens (Unicode kept)."""
    text = unicodedata.normalize("NFKC", normalise_title(title)).lower()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"[-\s_]+", "-", text).strip("-")[:MAX_TITLE]


def title_problem(title: str) -> str | None:
    """Why ``title`` can't be a page title, or None when it can."""
    title = normalise_title(title)
    if not title:
        return "Enter a title."
    if len(title) > MAX_TITLE:
        return f"Use at most {MAX_TITLE} characters."
    slug = slugify(title)
    if not slug:
        return "Use at least one letter or digit in the title."
    if slug in RESERVED_SLUGS:
        return f"“{title}” is reserved by the wiki; choose another title."
    return None


def normalise_body(body: str) -> str:
    """One newline style, no trailing spaces at the end, exactly one final newline."""
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n").rstrip()
    return text + "\n" if text else ""


def needs_review(
    *,
    trusted: bool,
    account_age: timedelta,
    accepted_edits: int,
    review_first_edits: int,
    new_account_days: int,
) -> bool:
    """Whether an edit is held for a moderator: the first ``review_first_edits`` accepted edits
    of an account younger than ``new_account_days`` days. 0 turns the rule off; trusted roles
    (contributors and up) are never held."""
    if trusted or review_first_edits <= 0:
        return False
    return account_age < timedelta(days=new_account_days) and accepted_edits < review_first_edits


def wikilink_targets(body: str) -> list[str]:
    """The titles that ``[[links]]`` in ``body`` point to (outside code), in order."""
    found: list[str] = []
    replace_wikilinks(body, lambda title, _label: found.append(title) or "")
    return found


def replace_wikilinks(body: str, render: Callable[[str, str], str]) -> str:
    """Replace each ``[[Title]]`` / ``[[Title|label]]`` outside code by ``render(title, label)``.

    Fenced blocks and inline code spans are left alone, so docs can show the syntax.
    """
    out: list[str] = []
    in_fence = False
    for line in body.splitlines(keepends=True):
        if _FENCE.match(line.lstrip()):
            in_fence = not in_fence
            out.append(line)
            continue
        if in_fence:
            out.append(line)
            continue
        pieces: list[str] = []
        last = 0
        for code in _INLINE_CODE.finditer(line):
            pieces.append(_sub_links(line[last : code.start()], render))
            pieces.append(code.group(0))
            last = code.end()
        pieces.append(_sub_links(line[last:], render))
        out.append("".join(pieces))
    return "".join(out)


def _sub_links(text: str, render: Callable[[str, str], str]) -> str:
    def one(match: re.Match) -> str:
        title = normalise_title(match.group(1))
        label = normalise_title(match.group(2) or match.group(1))
        if not slugify(title):
            return match.group(0)
        return render(title, label)

    return WIKILINK.sub(one, text)


def link_html(href: str, label: str, *, missing: bool) -> str:
    """An anchor for a wiki link; escaped here, sanitised again by ``app.markup``."""
    css = "wikilink-missing" if missing else "wikilink"
    hint = ' title="This page does not exist yet: create it"' if missing else ""
    return f'<a class="{css}" href="{html.escape(href)}"{hint}>{html.escape(label)}</a>'


@dataclass(frozen=True)
class DiffRow:
    """One row of a side-by-side diff. ``kind`` is equal, delete, insert, change or skip."""

    kind: str
    old_number: int | None
    old_text: str
    new_number: int | None
    new_text: str
    #: For a ``change`` row: each side cut into parts, the changed words marked.
    old_parts: list[Part] | None = None
    new_parts: list[Part] | None = None


def diff_rows(old: str, new: str, context: int = 3) -> list[DiffRow]:
    """Side-by-side rows of a line diff, unchanged stretches cut to ``context`` lines around
    each change (a ``skip`` row says how many lines were left out)."""
    a = [line.rstrip("\n") for line in split_lines(old)]
    b = [line.rstrip("\n") for line in split_lines(new)]
    rows: list[DiffRow] = []
    for group in SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        first = group[0]
        if rows or first[1] > 0:
            rows.append(DiffRow("skip", None, "", None, ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows.extend(
                    DiffRow("equal", i + 1, a[i], j + 1, b[j])
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                )
                continue
            olds, news = list(range(i1, i2)), list(range(j1, j2))
            for k in range(max(len(olds), len(news))):
                i = olds[k] if k < len(olds) else None
                j = news[k] if k < len(news) else None
                kind = (
                    "change"
                    if i is not None and j is not None
                    else ("delete" if j is None else "insert")
                )
                old_text, new_text = ("" if i is None else a[i]), ("" if j is None else b[j])
                parts = word_changes(old_text, new_text) if kind == "change" else (None, None)
                rows.append(
                    DiffRow(
                        kind,
                        None if i is None else i + 1,
                        old_text,
                        None if j is None else j + 1,
                        new_text,
                        *parts,
                    )
                )
    return rows
