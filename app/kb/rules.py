"""Pure knowledge-base rules: sections, front-matter validation, splitting bodies into FAQ items
and troubleshooting steps, transcripts, diffs and bot detection. No Flask, no database, no clock.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from app.errors import DomainError
from app.textdiff import Part, word_changes

#: The Help Center's sections, in the order the home page shows them: (slug, title, blurb).
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("getting-started", "Getting started", "Install the app, add plants and set up reminders."),
    ("account", "Account", "Sign-in, passwords, e-mail address and deleting your account."),
    (
        "billing-and-payments",
        "Billing and Payments",
        "Premium plans, payments, refunds and restoring purchases.",
    ),
    (
        "app-functionality",
        "App Functionality",
        "Reminders, the grow journal, beds, identification and sharing.",
    ),
    ("data-and-privacy", "Data and Privacy", "What we collect, exports, deletion and photos."),
    ("troubleshooting", "Troubleshooting", "Step-by-step fixes when something isn't working."),
)
SECTION_TITLES = {slug: title for slug, title, _ in SECTIONS}
ARTICLE_TYPES = ("faq", "guide", "video")
TYPE_LABELS = {"faq": "FAQ", "guide": "Guide", "video": "Video"}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
STEP_RE = re.compile(r"^## Step (\d+): (.+?)\s*$", re.MULTILINE)
H2_RE = re.compile(r"^## (.+?)\s*$", re.MULTILINE)
CUE_RE = re.compile(r"^\[(\d{1,2}):(\d{2})\]\s*(.+)$")
SUMMARY_MAX = 160
#: An article body renders in well under a second at this length whatever it holds (a
#: troubleshooting guide or FAQ renders twice: whole, then step by step); see bench/markup.
BODY_MAX = 40_000
#: A guide with at least this many headings gets a table of contents.
TOC_MIN_HEADINGS = 3


class ContentError(DomainError):
    """A content file that can't be imported; the message says what to fix (to the author of
    the file, so it is told apart from a person's form input)."""


@dataclass
class Step:
    """One troubleshooting step: its number, title and Markdown."""

    number: int
    title: str
    markdown: str


@dataclass
class FaqItem:
    question: str
    markdown: str


@dataclass
class Cue:
    """One transcript line: seconds from the start, the ``mm:ss`` label and the spoken text."""

    seconds: int
    label: str
    text: str


@dataclass
class Split:
    """A body cut into its intro and its ``##`` parts (FAQ questions or troubleshooting steps)."""

    intro: str
    steps: list[Step] = field(default_factory=list)
    faq: list[FaqItem] = field(default_factory=list)


def section_title(slug: str) -> str:
    return SECTION_TITLES.get(slug, slug.replace("-", " ").capitalize())


#: Sections about one subject (the support categories); a guide's topic is the first of these
#: among its related articles' sections.
TOPIC_SECTIONS = ("account", "billing-and-payments", "app-functionality", "data-and-privacy")


def guide_topic(related_sections: list[str]) -> str | None:
    """The subject section a troubleshooting guide belongs to, from its related articles (the
    guide itself sits in "troubleshooting"): proposes the forum category of a question about it.
    """
    return next((section for section in related_sections if section in TOPIC_SECTIONS), None)


def parse_tags(raw: str | list | None) -> list[str]:
    """Tags as a clean list: lower case, stripped, unique, in the order given.

    :param raw: a list or a comma-separated string (the edit form).
    """
    items = raw.split(",") if isinstance(raw, str) else list(raw or [])
    tags: list[str] = []
    for item in items:
        tag = str(item).strip().lower()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def split_steps(body: str) -> Split:
    """Cut a troubleshooting guide at its ``## Step N: title`` headings.

    :raises ContentError: no steps, or steps not numbered 1, 2, 3...
    """
    matches = list(STEP_RE.finditer(body))
    if not matches:
        raise ContentError("A troubleshooting guide needs headings like '## Step 1: Restart'.")
    steps = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(body)
        number = int(match.group(1))
        if number != index + 1:
            raise ContentError(f"Steps must be numbered 1, 2, 3...; found Step {number}.")
        steps.append(Step(number, match.group(2), body[match.end() : end].strip()))
    return Split(intro=body[: matches[0].start()].strip(), steps=steps)


def split_faq(body: str) -> Split:
    """Cut an FAQ at its ``## Question?`` headings.

    :raises ContentError: there is no question.
    """
    matches = list(H2_RE.finditer(body))
    if not matches:
        raise ContentError("An FAQ needs at least one question as a '## Question?' heading.")
    items = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(body)
        items.append(FaqItem(match.group(1), body[match.end() : end].strip()))
    return Split(intro=body[: matches[0].start()].strip(), faq=items)


def parse_transcript(text: str | None) -> list[Cue]:
    """``[mm:ss] text`` lines into cues; lines without a time stamp continue the previous cue.

    :raises ContentError: time stamps that go backwards.
    """
    cues: list[Cue] = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        match = CUE_RE.match(line)
        if match is None:
            if cues:
                cues[-1].text += " " + line
                continue
            cues.append(Cue(0, "00:00", line))
            continue
        seconds = int(match.group(1)) * 60 + int(match.group(2))
        if cues and seconds < cues[-1].seconds:
            raise ContentError(f"Transcript time {match.group(1)}:{match.group(2)} goes backwards.")
        cues.append(Cue(seconds, f"{match.group(1).zfill(2)}:{match.group(2)}", match.group(3)))
    return cues


def format_seconds(seconds: int) -> str:
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def validate_video(video: dict | None) -> dict:
    """Check a video mapping and return it normalised (chapters sorted, ints).

    :raises ContentError: a missing source, a bad duration or chapters outside the video.
    """
    if not isinstance(video, dict):
        raise ContentError("A video article needs a 'video' mapping with src and duration.")
    src = str(video.get("src") or "").strip()
    embed = str(video.get("embed") or "").strip()
    if not src and not embed:
        raise ContentError("The video needs a 'src' (a file under /static/videos/) or an 'embed'.")
    try:
        duration = int(video.get("duration") or 0)
    except (TypeError, ValueError):
        raise ContentError("The video duration must be a whole number of seconds.")
    chapters = []
    for chapter in video.get("chapters") or []:
        try:
            start = int(chapter["start"])
            title = str(chapter["title"]).strip()
        except (KeyError, TypeError, ValueError):
            raise ContentError("Each chapter needs a 'start' (seconds) and a 'title'.")
        if duration and not 0 <= start < duration:
            raise ContentError(f"Chapter {title!r} starts outside the video.")
        chapters.append({"start": start, "label": format_seconds(start), "title": title})
    starts = [chapter["start"] for chapter in chapters]
    if starts != sorted(starts):
        raise ContentError("Chapters must be in order of their start time.")
    return {
        "src": src,
        "embed": embed,
        "poster": str(video.get("poster") or "").strip(),
        "duration": duration,
        "duration_label": format_seconds(duration),
        "chapters": chapters,
    }


def validate_article_meta(meta: dict, *, filename_slug: str, folder: str) -> None:
    """Check an article's front matter against the rules in ``content/README.md``.

    :raises ContentError: the first problem found.
    """
    for key in ("title", "slug", "type", "section", "summary"):
        if not str(meta.get(key) or "").strip():
            raise ContentError(f"Front matter is missing '{key}'.")
    slug = str(meta["slug"])
    if not SLUG_RE.match(slug):
        raise ContentError(f"Slug {slug!r} must be lower-case words joined by hyphens.")
    if slug != filename_slug:
        raise ContentError(f"Slug {slug!r} differs from the file name {filename_slug!r}.")
    if meta["type"] not in ARTICLE_TYPES:
        raise ContentError(f"Type {meta['type']!r} must be one of {', '.join(ARTICLE_TYPES)}.")
    if meta["section"] not in SECTION_TITLES:
        raise ContentError(f"Section {meta['section']!r} is not a Help Center section.")
    if meta["section"] != folder:
        raise ContentError(f"Section {meta['section']!r} differs from its folder {folder!r}.")
    if len(str(meta["summary"])) > SUMMARY_MAX:
        raise ContentError(f"The summary is longer than {SUMMARY_MAX} characters.")
    if meta.get("troubleshooting") and meta["type"] != "guide":
        raise ContentError("Only guides can be troubleshooting guides.")
    audience_field(meta.get("visibility"), meta.get("audience"))


#: ``visibility`` values, and the roles an internal article may be restricted to (the roles
#: that hold ``kb.internal``; admins always read every internal article).
VISIBILITIES = ("public", "internal")
AUDIENCE_ROLES = ("agent_t1", "agent_t2", "agent_t3", "admin")


def audience_field(visibility: str | None, audience: list | str | None) -> tuple[str, str]:
    """The stored ``(visibility, audience)`` of an article from its front matter or form.

    :returns: the visibility and the audience as ``,role,role,`` (empty: all support staff).
    :raises ContentError: an unknown visibility or role, or an audience on a public article.
    """
    visibility = visibility or "public"
    if visibility not in VISIBILITIES:
        raise ContentError(f"Visibility {visibility!r} must be 'public' or 'internal'.")
    if isinstance(audience, str):
        audience = [part for part in audience.replace(",", " ").split() if part]
    roles = sorted({str(role).strip() for role in audience or [] if str(role).strip()})
    unknown = [role for role in roles if role not in AUDIENCE_ROLES]
    if unknown:
        raise ContentError(
            f"Audience {', '.join(unknown)} is not a support role ({', '.join(AUDIENCE_ROLES)})."
        )
    if roles and visibility == "public":
        raise ContentError("Only internal articles can be restricted to an audience.")
    return visibility, (f",{','.join(roles)}," if roles else "")


def check_body(article_type: str, troubleshooting: bool, body: str) -> None:
    """Check that a body has the shape its type needs (used by the sync and the editor).

    :raises ContentError: an empty or too long body, an FAQ without questions, a guide without
        steps.
    """
    if not body.strip():
        raise ContentError("The article text is empty.")
    if len(body) > BODY_MAX:
        raise ContentError(f"The article text is longer than {BODY_MAX:,} characters.")
    if article_type == "faq":
        split_faq(body)
    elif troubleshooting:
        split_steps(body)


@dataclass
class DiffRow:
    """One line of a diff: ``kind`` is ``same``, ``del`` or ``ins``; line numbers on each side."""

    kind: str
    old_number: int | None
    new_number: int | None
    text: str
    #: For a line replaced by another (paired in order): the line cut into parts, the words
    #: that changed marked.
    parts: list[Part] | None = None


def diff_rows(old: str, new: str, context: int = 3) -> list[DiffRow | None]:
    """A line diff of two Markdown texts, with ``context`` unchanged lines around each change.

    ``None`` in the list marks skipped unchanged lines (shown as a gap).
    """
    old_lines, new_lines = old.splitlines(), new.splitlines()
    rows: list[DiffRow | None] = []
    last_old_line = 0
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for group_index, group in enumerate(matcher.get_grouped_opcodes(context)):
        if group_index or (group and (group[0][1] > 0 or group[0][3] > 0)):
            rows.append(None)
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for offset in range(i2 - i1):
                    rows.append(
                        DiffRow("same", i1 + offset + 1, j1 + offset + 1, old_lines[i1 + offset])
                    )
                continue
            removed = [DiffRow("del", i + 1, None, old_lines[i]) for i in range(i1, i2)]
            added = [DiffRow("ins", None, j + 1, new_lines[j]) for j in range(j1, j2)]
            for old_row, new_row in zip(removed, added, strict=False):
                old_row.parts, new_row.parts = word_changes(old_row.text, new_row.text)
            rows.extend(removed)
            rows.extend(added)
        last_old_line = group[-1][2]
    if rows and last_old_line < len(old_lines):
        rows.append(None)
    return rows


#: User-Agent words of crawlers and monitors whose visits are not counted as reads.
BOT_MARKERS = ("bot", "crawl", "spider", "slurp")


def is_bot(user_agent: str | None) -> bool:
    """Whether a visit should not count as a page view (obvious bots, empty agents)."""
    agent = (user_agent or "").lower()
    return not agent or any(marker in agent for marker in BOT_MARKERS)
