"""Saved response templates for agents: Markdown files in ``TICKET_RESPONSES_DIR`` (default
``app/tickets/responses``), one per template, the first ``# heading`` being its title.

Files rather than a table: they are reviewed like code and need no admin screens. Placeholders
``{name}`` (the requester's display name) and ``{ref}`` (``#123``) are filled in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")


@dataclass(frozen=True)
class ResponseTemplate:
    slug: str
    title: str
    body: str

    def fill(self, name: str, ref: str) -> str:
        """The body with ``{name}`` and ``{ref}`` replaced (other braces are left alone)."""
        return self.body.replace("{name}", name).replace("{ref}", ref)


def _directory() -> Path:
    configured = current_app.config.get("TICKET_RESPONSES_DIR")
    return Path(configured) if configured else Path(__file__).parent / "responses"


def _read(path: Path) -> ResponseTemplate:
    text = path.read_text(encoding="utf-8").strip()
    first, _, rest = text.partition("\n")
    if first.startswith("# "):
        return ResponseTemplate(path.stem, first[2:].strip(), rest.strip())
    return ResponseTemplate(path.stem, path.stem.replace("-", " ").capitalize(), text)


def list_templates() -> list[ResponseTemplate]:
    """Every template, by title."""
    folder = _directory()
    if not folder.is_dir():
        return []
    found = [_read(path) for path in folder.glob("*.md") if _SLUG.match(path.stem)]
    return sorted(found, key=lambda template: template.title.lower())


def get_template(slug: str) -> ResponseTemplate | None:
    """One template by file name (without ``.md``), or ``None``."""
    if not _SLUG.match(slug or ""):
        return None
    path = _directory() / f"{slug}.md"
    return _read(path) if path.is_file() else None
