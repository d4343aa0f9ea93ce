"""Pure search rules: query parsing, log normalisation, spelling correction and snippets.

No Flask, no database, no clock: every function here is tested from tables in
``tests/search/test_rules.py``. Both backends use these so they agree on what a query means.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

#: Words shorter than this never expand as prefixes ("a", "in" would match half the index).
MIN_PREFIX = 3
#: A query longer than this is cut: nobody types more, and it bounds the work per query.
MAX_QUERY_CHARS = 200
MAX_TERMS = 10
#: A snippet is chosen among the first this many matches of a text.
MAX_SNIPPET_HITS = 60

#: Words of questions that say nothing about the subject ("why don't my reminders show up"):
#: dropped from a query unless nothing else is left. Together with the indexes' own stop words
#: (Whoosh's list, PostgreSQL's english one) they leave the words that name the problem.
QUESTION_WORDS = frozenset(
    {
        "i",
        "im",
        "ive",
        "me",
        "my",
        "mine",
        "myself",
        "we",
        "our",
        "ours",
        "us",
        "you",
        "your",
        "yours",
        "he",
        "him",
        "his",
        "she",
        "her",
        "it",
        "its",
        "they",
        "them",
        "their",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "why",
        "how",
        "where",
        "when",
        "there",
        "here",
        "this",
        "that",
        "these",
        "those",
        "do",
        "does",
        "did",
        "doing",
        "done",
        "don",
        "doesn",
        "didn",
        "isn",
        "aren",
        "wasn",
        "weren",
        "won",
        "wouldn",
        "couldn",
        "shouldn",
        "cant",
        "cannot",
        "am",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "having",
        "can",
        "could",
        "should",
        "would",
        "will",
        "shall",
        "must",
        "may",
        "might",
        "get",
        "gets",
        "got",
        "getting",
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "then",
        "than",
        "so",
        "as",
        "of",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "on",
        "onto",
        "to",
        "up",
        "down",
        "out",
        "off",
        "over",
        "with",
        "about",
        "any",
        "some",
        "all",
        "just",
        "also",
        "very",
        "too",
        "not",
        "no",
        "t",
        "s",
        "ll",
        "ve",
        "re",
        "d",
        "m",
        "please",
        "help",
        "anyone",
    }
)

#: Everyday words for what the guides call otherwise: a query word also matches these (ranked
#: a little below the word itself), so "my reminders are not coming" finds "Reminders not
#: arriving". Both backends expand them; keep the list to the support vocabulary.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "coming": ("arriving",),
    "come": ("arrive",),
    "comes": ("arrives",),
    "receiving": ("arriving",),
    "receive": ("arrive",),
    "showing": ("appearing", "arriving"),
    "show": ("appear", "arrive"),
    "shows": ("appears", "arrives"),
    "broken": ("working",),
    "broke": ("working",),
    "crash": ("crashes",),
    "freezes": ("crashes",),
    "freezing": ("crashes",),
    "login": ("sign",),
    "signin": ("sign",),
    "unsubscribe": ("cancel",),
    "erase": ("delete",),
    "remove": ("delete",),
}

#: A word: letters and digits. A code: words joined by single ``-``, ``.`` or ``_``
#: ("SYNC-403", "v2.3.1", "E_SYNC_TIMEOUT", "fr-12-3-580e817bcb").
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_TERM = re.compile(r"[^\W_]+(?:[-._][^\W_]+)*", re.UNICODE)
_PHRASE = re.compile(r'"([^"]*)"')
_EMAIL = re.compile(r"\S+@\S+")
_LONG_NUMBER = re.compile(r"\d[\d\s\-]{5,}\d")


@dataclass(frozen=True)
class ParsedQuery:
    """A query as both backends see it: loose words (optional, ranked by how many match; a
    code such as "sync-403" is one word) and exact phrases."""

    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.words and not self.phrases

    def text(self) -> str:
        """The query written back out (used to re-run a corrected query)."""
        parts = [f'"{" ".join(phrase)}"' for phrase in self.phrases]
        return " ".join([*parts, *self.words])


@dataclass
class Tokens:
    """The searchable tokens of a text, as both backends index and query them.

    ``words`` are the words in order (a code gives each of its parts: phrases and the parts of
    a code match these); ``codes`` are ``(index in words of the code's first part, code)``:
    a code is also one token of its own, so it is found as typed and by its beginning.
    """

    words: list[str] = field(default_factory=list)
    codes: list[tuple[int, str]] = field(default_factory=list)


def tokenize(text: str) -> Tokens:
    """Split ``text`` the one way both backends use, at index and at query time.

    Lower case; a word is a run of letters and digits; words joined by single ``-``, ``.`` or
    ``_`` also make a code. The same rule on both sides of the index is what makes a pasted
    error code, version or reference findable (a database parser reads "fr-12-3-580e817bcb" as
    a word, two negative numbers and a float, and differently inside a query).
    """
    tokens = Tokens()
    for match in _TERM.finditer((text or "").lower()):
        term = match.group()
        parts = _WORD.findall(term)
        if len(parts) > 1:
            tokens.codes.append((len(tokens.words), term))
        tokens.words.extend(parts)
    return tokens


def words_of(text: str) -> list[str]:
    """Lower-cased words of ``text`` (letters and digits; a code gives its parts)."""
    return [word.lower() for word in _WORD.findall(text or "")]


def query_terms(text: str) -> list[str]:
    """The terms of typed words: each code whole, other words alone."""
    return [match.group() for match in _TERM.finditer((text or "").lower())]


def is_code(term: str) -> bool:
    return _WORD.fullmatch(term) is None


def parse_query(text: str) -> ParsedQuery:
    """Split a user query into words and ``"quoted phrases"``.

    An unclosed quote is treated as plain words; a one-word phrase is just a word. The loose
    words lose the :data:`QUESTION_WORDS` (unless nothing else is left), so a question
    typed in plain words searches for what it is about.
    """
    text = (text or "")[:MAX_QUERY_CHARS]
    phrases: list[tuple[str, ...]] = []
    words: list[str] = []
    for match in _PHRASE.finditer(text):
        # A quoted phrase matches word after word, so a code inside it counts as its parts.
        tokens = tuple(words_of(match.group(1)))
        if len(tokens) > 1:
            phrases.append(tokens)
        else:
            words.extend(tokens)
    for word in query_terms(_PHRASE.sub(" ", text)):
        if word not in words:
            words.append(word)
    meaningful = [word for word in words if word not in QUESTION_WORDS]
    if meaningful:
        words = meaningful
    return ParsedQuery(tuple(words[:MAX_TERMS]), tuple(phrases[:MAX_TERMS]))


def normalise_for_log(text: str) -> str:
    """The query as logged: lower case, single spaces, e-mail addresses and long numbers masked.

    Users paste order numbers and addresses into search boxes; the log must not keep them.
    """
    text = _EMAIL.sub("[email]", (text or "")[:MAX_QUERY_CHARS])
    text = _LONG_NUMBER.sub("[number]", text)
    return " ".join(text.lower().split())


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count once), capped at ``limit``."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) >= limit:
            return limit
        previous2, previous = previous, current
    return min(previous[-1], limit)


def max_typos(word: str) -> int:
    """How many edits a word of this length may contain and still be corrected."""
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


def best_correction(word: str, candidates: Iterable[tuple[str, int]]) -> str | None:
    """The closest known word to ``word`` within :func:`max_typos`, the most frequent on a tie.

    :param candidates: ``(word, document frequency)`` pairs from the index's vocabulary.
    :returns: the correction, or None when ``word`` is known or nothing is close enough.
    """
    allowed = max_typos(word)
    best: tuple[int, int, str] | None = None
    for candidate, frequency in candidates:
        if candidate == word:
            return None
        distance = edit_distance(word, candidate, allowed + 1)
        if distance <= allowed:
            key = (distance, -frequency, candidate)
            if best is None or key < best:
                best = key
    return best[2] if best else None


@dataclass
class Snippet:
    """A piece of text with the spans to highlight, rendered safely by :func:`render_snippet`."""

    text: str
    spans: list[tuple[int, int]] = field(default_factory=list)


def make_snippet(text: str, needles: Iterable[str], width: int = 220) -> Snippet:
    """The window of ``text`` with the most query matches, and where those matches are.

    :param needles: lower-case words and stems; a token matches one it equals or, from
        ``MIN_PREFIX`` characters, starts with.
    """
    wanted = {needle.lower() for needle in needles if needle}
    prefixes = tuple(sorted(n for n in wanted if len(n) >= MIN_PREFIX))
    hits: list[tuple[int, int]] = []
    for match in _TERM.finditer(text):
        token = match.group().lower()
        if token in wanted or token.startswith(prefixes):
            hits.append(match.span())  # a code (or word) as a whole
        elif is_code(token):  # else its parts that match
            for part in _WORD.finditer(text, match.start(), match.end()):
                word = part.group().lower()
                if word in wanted or word.startswith(prefixes):
                    hits.append(part.span())
        if len(hits) >= MAX_SNIPPET_HITS:
            break  # plenty to choose a window from; long texts are not read to the end
    if not hits:
        cut = text[:width]
        return Snippet(cut + ("…" if len(text) > width else ""))
    # The window start (a hit) followed by the most hits within ``width`` (two pointers).
    best_start, best_count, last = hits[0][0], 0, 0
    for index, (start, _end) in enumerate(hits):
        last = max(last, index)
        while last + 1 < len(hits) and hits[last + 1][0] < start + width:
            last += 1
        if last - index + 1 > best_count:
            best_start, best_count = start, last - index + 1
    begin = max(0, best_start - width // 4)
    # Start on a word boundary so the snippet never opens with half a word.
    while begin > 0 and not text[begin - 1].isspace():
        begin -= 1
    end = min(len(text), begin + width)
    while end < len(text) and not text[end].isspace() and end - begin < width + 30:
        end += 1
    prefix = "…" if begin > 0 else ""
    suffix = "…" if end < len(text) else ""
    spans = [
        (s - begin + len(prefix), e - begin + len(prefix))
        for s, e in hits
        if begin <= s and e <= end
    ]
    return Snippet(prefix + text[begin:end] + suffix, spans)


def render_snippet(snippet: Snippet) -> str:
    """HTML for a snippet: every character escaped, and only our own ``<mark>`` tags added."""
    out: list[str] = []
    position = 0
    for start, end in snippet.spans:
        out.append(html.escape(snippet.text[position:start]))
        out.append("<mark>" + html.escape(snippet.text[start:end]) + "</mark>")
        position = end
    out.append(html.escape(snippet.text[position:]))
    return "".join(out)


def highlight(text: str, needles: Iterable[str], width: int = 220) -> str:
    """Shortcut: the best snippet of ``text`` as safe HTML with ``<mark>`` around matches."""
    return render_snippet(make_snippet(" ".join((text or "").split()), needles, width))
