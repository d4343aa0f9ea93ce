"""Which words of a changed line changed: the part of a revision diff a reader looks for.

Pure functions (no Flask, no database), shared by the knowledge base's and the wiki's diffs,
which pair a removed line with the line that replaced it and show both with the changed words
marked.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import NamedTuple

# Words, runs of spaces, and single other characters: "Tap **Save**." changes at "Save", not
# at "**Save**.", and a changed space between two words is shown as one.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
#: Lines longer than this are shown without word marks (the word diff is quadratic at worst).
MAX_LINE = 2_000


class Part(NamedTuple):
    """A stretch of a line; ``changed`` when it is not in the other line."""

    text: str
    changed: bool


def word_changes(old: str, new: str) -> tuple[list[Part], list[Part]]:
    """The old and the new line cut into parts, each part marked changed or not.

    Joining the texts of the parts gives back the line. When little of the two lines is the
    same (less than a third), the whole of each is marked changed: a rewrite reads better
    as a rewrite than as confetti.
    """
    if old == new:
        return [Part(old, False)] if old else [], [Part(new, False)] if new else []
    if len(old) > MAX_LINE or len(new) > MAX_LINE:
        return _whole(old), _whole(new)
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    blocks = matcher.get_matching_blocks()
    same = sum(len("".join(a[block.a : block.a + block.size])) for block in blocks)
    if same * 3 < max(len(old), len(new)):
        return _whole(old), _whole(new)
    old_parts: list[Part] = []
    new_parts: list[Part] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        _append(old_parts, "".join(a[i1:i2]), tag != "equal")
        _append(new_parts, "".join(b[j1:j2]), tag != "equal")
    return _bridge_spaces(old_parts), _bridge_spaces(new_parts)


def _whole(line: str) -> list[Part]:
    return [Part(line, True)] if line else []


def _append(parts: list[Part], text: str, changed: bool) -> None:
    """Add a part, joining it to the last one when both are alike (fewer marks to read)."""
    if not text:
        return
    if parts and parts[-1].changed == changed:
        parts[-1] = Part(parts[-1].text + text, changed)
    else:
        parts.append(Part(text, changed))


def _bridge_spaces(parts: list[Part]) -> list[Part]:
    """Two changed parts with only a space between them become one: "2 3", not "2", " ", "3"."""
    bridged: list[Part] = []
    for part in parts:
        if (
            len(bridged) >= 2
            and part.changed
            and bridged[-2].changed
            and not bridged[-1].changed
            and bridged[-1].text.isspace()
        ):
            space = bridged.pop()
            bridged[-1] = Part(bridged[-1].text + space.text + part.text, True)
        else:
            bridged.append(part)
    return bridged
