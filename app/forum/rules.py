"""The forum's moderation rules as pure functions: no Flask, no database, no clock.

Trust levels from activity, what each level may do, posting rate limits, spam checks and flag
weights. Every number comes in as an argument (from configuration, see ``settings.py``), so the
rules are tested from tables in ``tests/unit/test_forum_rules.py``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil
from urllib.parse import urlsplit

#: Requirement keys of a trust level and how they read to a person.
REQUIREMENTS = (
    ("min_days", "days since joining", "days"),
    ("min_posts_read", "posts read", "posts_read"),
    ("min_posts", "posts made", "posts"),
    ("min_likes_received", "likes received", "likes_received"),
)


@dataclass(frozen=True)
class Activity:
    """What the trust level is computed from."""

    days: float
    posts_read: int
    posts: int
    likes_received: int
    flags_against: int


@dataclass(frozen=True)
class Requirement:
    """One requirement of the next trust level: what it is, what the user has, what it needs."""

    label: str
    have: int
    need: int
    met: bool
    #: ``at_least`` (have >= need) or ``at_most`` (flags: have <= need).
    kind: str = "at_least"


def trust_level(activity: Activity, levels: Sequence[Mapping]) -> int:
    """The highest level whose requirements, and those of every level below, are all met.

    :param levels: ``FORUM_TRUST_LEVELS``, ascending; level 0 needs nothing.
    """
    reached = 0
    for level in sorted(levels, key=lambda item: item["level"]):
        if not all(req.met for req in requirements(activity, level)):
            break
        reached = level["level"]
    return reached


def requirements(activity: Activity, level: Mapping) -> list[Requirement]:
    """Each requirement of ``level`` against ``activity`` (for "what the next level needs")."""
    found = []
    for key, label, attribute in REQUIREMENTS:
        need = int(level.get(key, 0))
        have = int(getattr(activity, attribute))
        found.append(Requirement(label, have, need, have >= need))
    if "max_flags_against" in level:
        need = int(level["max_flags_against"])
        have = activity.flags_against
        found.append(Requirement("upheld flags against you", have, need, have <= need, "at_most"))
    return found


def next_level(activity: Activity, levels: Sequence[Mapping]) -> Mapping | None:
    """The level after the current one, or None at the top."""
    current = trust_level(activity, levels)
    higher = [level for level in levels if level["level"] > current]
    return min(higher, key=lambda item: item["level"]) if higher else None


def level_limits(level: int, limits: Mapping) -> Mapping:
    """The limits of ``level``; keys may be ints or (from JSON configuration) strings.

    A level without its own entry uses the nearest lower one.
    """
    normalised = {int(key): value for key, value in limits.items()}
    known = [key for key in normalised if key <= level] or [min(normalised)]
    return normalised[max(known)]


def needs_premoderation(level: int, approved_posts: int, premoderate_posts: int) -> bool:
    """New users' first ``premoderate_posts`` posts wait in the review queue."""
    return level == 0 and approved_posts < premoderate_posts


def rate_limit_wait(
    recent: Iterable[datetime], now: datetime, posts_per_window: int, window_seconds: int
) -> int:
    """Seconds until one more post is allowed (0: allowed now).

    :param recent: creation times of the user's posts (any that may fall in the window).
    """
    start = now - timedelta(seconds=window_seconds)
    inside = sorted(moment for moment in recent if moment > start)
    if len(inside) < posts_per_window:
        return 0
    # The post that must leave the window before another fits.
    oldest_that_blocks = inside[len(inside) - posts_per_window]
    free_at = oldest_that_blocks + timedelta(seconds=window_seconds)
    return max(1, ceil((free_at - now).total_seconds()))


_URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]\"']+", re.IGNORECASE)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|<img\b", re.IGNORECASE)


def links_in(text: str) -> list[str]:
    """Every URL in Markdown text (bare, autolinked or in ``[text](url)``)."""
    return _URL.findall(text or "")


_QUOTE_LINE = re.compile(r"^ {0,3}>")


def counted_links(text: str, quotable_links: Iterable[str] = ()) -> list[str]:
    """The links that count toward a member's link limit: all of them, except links in quoted
    lines (``> ...``) that a post of the thread already has: quoting someone is not spamming.
    A made-up quote with new links counts like any other text."""
    known = set(quotable_links)
    counted = []
    for line in (text or "").splitlines():
        quoted = bool(_QUOTE_LINE.match(line))
        counted += [url for url in links_in(line) if not (quoted and url in known)]
    return counted


def has_images(text: str) -> bool:
    return bool(_IMAGE.search(text or ""))


def _host(url: str) -> str:
    if url.lower().startswith("www."):
        url = "http://" + url
    return (urlsplit(url).hostname or "").lower()


def spam_reasons(
    text: str,
    *,
    max_links: int,
    blocked_words: Iterable[str],
    blocked_domains: Iterable[str],
    quotable_links: Iterable[str] = (),
) -> list[str]:
    """Why a post looks like spam (empty: it doesn't). Such posts wait for a moderator.

    :param quotable_links: links of the thread's posts; quoting them doesn't count toward
        ``max_links`` (blocked domains are checked in quotes too).
    """
    reasons = []
    links = links_in(text)
    counted = counted_links(text, quotable_links)
    if len(counted) > max_links:
        reasons.append(f"{len(counted)} links (at most {max_links} for this trust level)")
    lowered = (text or "").lower()
    words = sorted({word for word in blocked_words if word and re.search(_word(word), lowered)})
    if words:
        reasons.append("blocked words: " + ", ".join(words))
    domains = sorted(
        {
            domain.lower()
            for url in links
            for domain in blocked_domains
            if domain and _matches_domain(_host(url), domain.lower())
        }
    )
    if domains:
        reasons.append("blocked domains: " + ", ".join(domains))
    return reasons


def _word(word: str) -> str:
    return r"(?<!\w)" + re.escape(word.lower()) + r"(?!\w)"


def _matches_domain(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def flag_weight(
    flagger_level: int,
    *,
    upheld: int,
    dismissed: int,
    is_moderator: bool,
    weights: Mapping,
    moderator_weight: float,
    account_days: float | None = None,
    full_weight_days: float = 0,
) -> float:
    """The weight of one flag.

    The base weight grows with the flagger's trust level and is scaled by their track record:
    ``2 * (upheld + 1) / (upheld + dismissed + 2)``, so a flagger with no history counts 1x,
    one whose flags are always upheld approaches 2x, and one whose flags are always dismissed
    approaches 0. An account younger than ``full_weight_days`` weighs in proportion to its age,
    so accounts registered for the purpose count next to nothing.
    """
    if is_moderator:
        return float(moderator_weight)
    base = float(level_limits(flagger_level, weights))
    record = 2 * (upheld + 1) / (upheld + dismissed + 2)
    age = 1.0
    if account_days is not None and full_weight_days > 0:
        age = min(1.0, max(0.0, account_days) / full_weight_days)
    return round(base * record * age, 3)


def should_auto_hide(
    total_weight: float,
    hide_weight: float,
    *,
    highest_level: int,
    min_level: int,
    author_is_staff: bool = False,
) -> bool:
    """Whether open flags on a post hide it pending review (in the style of Discourse).

    They must weigh ``hide_weight`` together, and at least one must come from a flagger of
    trust level ``min_level`` or above: flags of new members alone only queue the post. Posts
    of moderators and the support team are never hidden automatically; they wait in the queue.

    :param highest_level: the highest trust level among the open flags' flaggers.
    """
    if author_is_staff:
        return False
    return total_weight >= hide_weight and highest_level >= min_level


#: Letters that take no room on their own though Unicode files them as letters or symbols.
_BLANK_CHARACTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
#: Control, format (zero-width, joiners, BOM, soft hyphen), surrogate, private, unassigned,
#: separator and combining-mark categories: nothing a reader can see on its own.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})
#: C0/C1 controls other than tab, line feed and carriage return (NUL among them: PostgreSQL
#: refuses it in text).
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_visible_text(text: str | None) -> bool:
    """Whether the text shows anything: the one rule for every title, body and note."""
    return any(
        not char.isspace()
        and char not in _BLANK_CHARACTERS
        and unicodedata.category(char) not in _INVISIBLE_CATEGORIES
        for char in text or ""
    )


def without_controls(text: str | None) -> str:
    """The text without control characters (tab and line breaks stay)."""
    return _CONTROLS.sub("", text or "")


def clean_title(title: str | None) -> str:
    """A title on one line: controls dropped, runs of white space made one space."""
    return " ".join(without_controls(title).split())


_MARKUP_SIGNS = re.compile(r"[*_`#>\[\]~|]+|\]\([^)]*\)")


def excerpt(markdown: str, limit: int = 80) -> str:
    """The start of a post as plain words (Markdown signs dropped), cut at a word with "…"."""
    words = " ".join(_MARKUP_SIGNS.sub("", markdown or "").split())
    if len(words) <= limit:
        return words
    return words[:limit].rsplit(" ", 1)[0] + "\u2026"


#: An ``@`` that starts a mention (not inside a word or an e-mail address) and up to three
#: words of a display name after it.
_MENTION = re.compile(r"(?<![\w@.])@(\w[\w'-]*(?: \w[\w'-]*){0,2})")


def mention_candidates(text: str) -> list[tuple[int, list[str]]]:
    """Each ``@`` that may mention a member, outside quoted lines (quoting a mention doesn't
    mention again): its offset in ``text`` and the names it could stand for, longest first
    (``@Ana Gardener thanks`` could be "Ana Gardener thanks", "Ana Gardener" or "Ana")."""
    found = []
    offset = 0
    for line in (text or "").splitlines(keepends=True):
        if not _QUOTE_LINE.match(line):
            for match in _MENTION.finditer(line):
                words = match.group(1).split(" ")
                names = [" ".join(words[:count]) for count in range(len(words), 0, -1)]
                found.append((offset + match.start(), names))
        offset += len(line)
    return found
