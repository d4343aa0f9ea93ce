"""``python -m bench.markup [--runs R] [--patterns a,b] [--fields a,b] [--compare]``

Renders every adversarial pattern (``bench/markup/patterns.py``) at the largest size each
Markdown field allows, through the path that field takes (forum posts and ticket messages:
``markup.render``; wiki pages: the ``[[link]]`` pass, then ``markup.render``; KB articles:
``render_article``, which renders a troubleshooting guide's body and then each step again),
and prints the best of R runs in CPU seconds against the 1 s target, with the load average.

``--compare`` instead times Python-Markdown (the previous renderer, configured as it was; it
must be installed: ``pip install markdown pymdown-extensions``) and markdown-it-py as configured
here, both without sanitising, at 1, 4 and 16 thousand characters, each render stopped after
``--timeout`` seconds.
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from collections.abc import Callable

from app import markup
from app.forum.screening import MAX_BODY as FORUM_MAX
from app.kb import content as kb_content
from app.kb.services import BODY_MAX as KB_MAX
from app.markup_parser import parser
from app.tickets.services import BODY_MAX as TICKET_MAX
from app.wiki.rules import MAX_BODY as WIKI_MAX
from bench.markup.patterns import PATTERNS, wiki_render

TARGET_SECONDS = 1.0


_STEP = "## Step 1: Try this\n\n"


def _kb_render(text: str) -> None:
    # One step holding the whole text, so the step is as long as the body can be. The cached
    # wrapper would answer repeated runs from memory.
    body = _STEP + text[: KB_MAX - len(_STEP)]
    kb_content._render_cached.__wrapped__("guide", True, body, "")


#: Field -> (largest size it allows, how it renders).
FIELDS: dict[str, tuple[int, Callable[[str], object]]] = {
    "forum post": (FORUM_MAX, markup.render),
    "ticket message (site, API)": (TICKET_MAX, markup.render),
    "wiki page": (WIKI_MAX, wiki_render),
    "KB article (troubleshooting)": (KB_MAX, _kb_render),
}


def _best(render: Callable[[str], object], text: str, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        render(text)
        best = min(best, time.process_time() - start)
    return best


def limits(runs: int, names: list[str], fields: list[str]) -> None:
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    for field in fields:
        size, render = FIELDS[field]
        print(f"\n{field}: {size:,} characters (best of {runs}, CPU seconds)")
        worst = ("", 0.0)
        for name in names:
            text = PATTERNS[name](size)[:size]
            seconds = _best(render, text, runs)
            worst = max(worst, (name, seconds), key=lambda item: item[1])
            print(f"  {name:<24} {seconds:7.3f}")
        verdict = "OK" if worst[1] < TARGET_SECONDS else "OVER"
        print(f"  slowest: {worst[0]} {worst[1]:.3f} s (target < {TARGET_SECONDS} s: {verdict})")
    print(f"\nload average at end: {os.getloadavg()[0]:.1f}")


class _Timeout(Exception):
    pass


def _timed(render: Callable[[str], object], text: str, timeout: int) -> str:
    def stop(*_):
        raise _Timeout

    signal.signal(signal.SIGALRM, stop)
    signal.alarm(timeout)
    start = time.process_time()
    try:
        render(text)
    except _Timeout:
        return f">{timeout} s"
    except RecursionError:
        return "RecursionError"
    finally:
        signal.alarm(0)
    return f"{time.process_time() - start:.3f}"


def compare(names: list[str], timeout: int) -> None:
    import markdown  # the previous renderer; not a dependency any more

    def python_markdown(text: str) -> str:
        return markdown.Markdown(
            extensions=["fenced_code", "tables", "sane_lists", "toc", "pymdownx.magiclink"],
            output_format="html",
        ).convert(text)

    markdown_it = parser().render
    print(f"load average at start: {os.getloadavg()[0]:.1f}; CPU seconds, one run each")
    print(f"{'pattern':<24} {'size':>7} {'Python-Markdown':>16} {'markdown-it-py':>15}")
    for name in names:
        for size in (1_000, 4_000, 16_000):
            text = PATTERNS[name](size)
            old = _timed(python_markdown, text, timeout)
            new = _timed(markdown_it, text, timeout)
            print(f"{name:<24} {len(text):>7,} {old:>16} {new:>15}")


def main() -> None:
    parser_ = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser_.add_argument("--runs", type=int, default=3)
    parser_.add_argument("--patterns", default=",".join(PATTERNS))
    parser_.add_argument("--fields", default=",".join(FIELDS), help="comma-separated")
    parser_.add_argument("--compare", action="store_true")
    parser_.add_argument("--timeout", type=int, default=60)
    args = parser_.parse_args()
    names = [name.strip() for name in args.patterns.split(",") if name.strip()]
    unknown = [name for name in names if name not in PATTERNS]
    if unknown:
        raise SystemExit(f"unknown patterns: {', '.join(unknown)}")
    if args.compare:
        compare(names, args.timeout)
    else:
        fields = [name.strip() for name in args.fields.split(",") if name.strip()]
        limits(args.runs, names, fields)


if __name__ == "__main__":
    main()
