"""A line-based three-way merge (diff3) of Markdown sources. Pure: no Flask, no database.

Both sides are diffed against their common base with :mod:`difflib`. Changes that touch
different, non-adjacent parts of the base are combined; changes that overlap or touch each
other are a conflict unless both sides made the very same change. Adjacent changes count as
overlapping on purpose (as in ``diff3`` and git): two people editing neighbouring lines are
usually editing the same thought, and a wrong silent merge is worse than asking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

#: (base_start, base_end, side_start, side_end): base[base_start:base_end] became
#: side[side_start:side_end].
_Change = tuple[int, int, int, int]


@dataclass(frozen=True)
class Conflict:
    """One region both sides changed differently.

    :ivar start_line: 1-based line in the base where the region starts.
    """

    start_line: int
    base: str
    theirs: str
    yours: str


@dataclass
class MergeResult:
    """The merged text when ``conflicts`` is empty, else ``None`` and the conflicting hunks."""

    text: str | None
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts


def split_lines(text: str) -> list[str]:
    """Lines with their endings; the last line always ends with a newline (so appending to
    the last line and adding a line after it are told apart consistently)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text and not text.endswith("\n"):
        text += "\n"
    return text.splitlines(keepends=True)


def _changes(base: list[str], side: list[str]) -> list[_Change]:
    matcher = SequenceMatcher(None, base, side, autojunk=False)
    return [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _side_text(
    side: list[str], before: list[_Change], inside: list[_Change], lo: int, hi: int
) -> list[str]:
    """What ``side`` has in place of ``base[lo:hi]``, given its changes before and inside."""
    offset = sum((j2 - j1) - (i2 - i1) for i1, i2, j1, j2 in before)
    grown = sum((j2 - j1) - (i2 - i1) for i1, i2, j1, j2 in inside)
    return side[lo + offset : hi + offset + grown]


def merge(base: str, theirs: str, yours: str) -> MergeResult:
    """Three-way merge of ``yours`` into ``theirs``, both made from ``base``.

    :param base: the text both editors started from.
    :param theirs: the text saved in the meantime (the page's current text).
    :param yours: the text being saved now.
    :returns: merged text, or the conflicting hunks (and ``text`` None).
    """
    base_lines, their_lines, your_lines = split_lines(base), split_lines(theirs), split_lines(yours)
    tagged = sorted(
        [(change, "theirs") for change in _changes(base_lines, their_lines)]
        + [(change, "yours") for change in _changes(base_lines, your_lines)],
        key=lambda item: (item[0][0], item[0][1]),
    )
    # Group changes whose base ranges overlap or touch.
    groups: list[list[tuple[_Change, str]]] = []
    group_end = -1
    for change, side in tagged:
        if groups and change[0] <= group_end:
            groups[-1].append((change, side))
            group_end = max(group_end, change[1])
        else:
            groups.append([(change, side)])
            group_end = change[1]

    out: list[str] = []
    conflicts: list[Conflict] = []
    done: dict[str, list[_Change]] = {"theirs": [], "yours": []}
    position = 0
    for group in groups:
        lo = min(change[0] for change, _ in group)
        hi = max(change[1] for change, _ in group)
        out.extend(base_lines[position:lo])
        inside = {name: [change for change, side in group if side == name] for name in done}
        texts = {
            name: _side_text(lines, done[name], inside[name], lo, hi)
            for name, lines in (("theirs", their_lines), ("yours", your_lines))
        }
        if not inside["yours"]:
            out.extend(texts["theirs"])
        elif not inside["theirs"] or texts["theirs"] == texts["yours"]:
            out.extend(texts["yours"])
        else:
            conflicts.append(
                Conflict(
                    start_line=lo + 1,
                    base="".join(base_lines[lo:hi]),
                    theirs="".join(texts["theirs"]),
                    yours="".join(texts["yours"]),
                )
            )
        for name in done:
            done[name].extend(inside[name])
        position = hi
    out.extend(base_lines[position:])
    if conflicts:
        return MergeResult(text=None, conflicts=conflicts)
    return MergeResult(text="".join(out))
