"""Reading ``content/``: articles, snippets and tours from files into plain objects, and
rendering an article's Markdown into the HTML parts the pages show. No database here."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import frontmatter
import yaml

from app.kb import rules
from app.kb.rules import ContentError
from app.markup import render, render_document

PLACEMENTS = ("top", "bottom", "left", "right")


@dataclass
class ArticleSource:
    path: str
    hash: str
    slug: str
    title: str
    type: str
    section: str
    troubleshooting: bool
    tags: list[str]
    summary: str
    related: list[str]
    screens: list[str]
    body: str
    video: dict = field(default_factory=dict)
    transcript: str = ""
    #: ``public`` or ``internal``, and the stored audience (``,agent_t3,``; empty for all staff).
    visibility: str = "public"
    audience: str = ""


@dataclass
class SnippetSource:
    path: str
    hash: str
    key: str
    lang: str
    title: str
    article: str
    screens: list[str]
    body: str


@dataclass
class TourSource:
    path: str
    hash: str
    name: str
    title: str
    description: str
    steps: list[dict]


@dataclass
class ContentSet:
    """Everything found in a content folder, and the files that could not be read."""

    articles: list[ArticleSource] = field(default_factory=list)
    snippets: list[SnippetSource] = field(default_factory=list)
    tours: list[TourSource] = field(default_factory=list)
    #: (relative path, message) for each file that was skipped.
    errors: list[tuple[str, str]] = field(default_factory=list)


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _front_matter(text: str) -> tuple[dict, str]:
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        raise ContentError(f"The front matter is not valid YAML: {exc}") from None
    if not post.metadata:
        raise ContentError("The file has no front matter between '---' lines.")
    return dict(post.metadata), post.content


def _str_list(value, name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ContentError(f"'{name}' must be a list.")
    return [str(item).strip() for item in value if str(item).strip()]


def parse_article(path: Path, relative: str) -> ArticleSource:
    """Read one article file.

    :raises ContentError: anything ``content/README.md`` forbids.
    """
    data = path.read_bytes()
    meta, body = _front_matter(data.decode("utf-8"))
    rules.validate_article_meta(meta, filename_slug=path.stem, folder=path.parent.name)
    troubleshooting = bool(meta.get("troubleshooting"))
    video: dict = {}
    transcript = ""
    if meta["type"] == "video":
        video = rules.validate_video(meta.get("video"))
        transcript = str((meta.get("video") or {}).get("transcript") or "")
        rules.parse_transcript(transcript)
    rules.check_body(meta["type"], troubleshooting, body)
    visibility, audience = rules.audience_field(meta.get("visibility"), meta.get("audience"))
    return ArticleSource(
        path=relative,
        hash=file_hash(data),
        slug=str(meta["slug"]),
        title=str(meta["title"]).strip(),
        type=meta["type"],
        section=meta["section"],
        troubleshooting=troubleshooting,
        tags=rules.parse_tags(_str_list(meta.get("tags"), "tags")),
        summary=str(meta["summary"]).strip(),
        related=_str_list(meta.get("related"), "related"),
        screens=_str_list(meta.get("screens"), "screens"),
        body=body.strip() + "\n",
        video=video,
        transcript=transcript,
        visibility=visibility,
        audience=audience,
    )


def parse_snippet(path: Path, relative: str) -> SnippetSource:
    """Read one help snippet (``snippets/<lang>/<key>.md``)."""
    data = path.read_bytes()
    meta, body = _front_matter(data.decode("utf-8"))
    key = str(meta.get("key") or "")
    if key != path.stem:
        raise ContentError(f"Snippet key {key!r} differs from the file name {path.stem!r}.")
    if not str(meta.get("title") or "").strip():
        raise ContentError("Front matter is missing 'title'.")
    if not body.strip():
        raise ContentError("The snippet text is empty.")
    return SnippetSource(
        path=relative,
        hash=file_hash(data),
        key=key,
        lang=path.parent.name,
        title=str(meta["title"]).strip(),
        article=str(meta.get("article") or "").strip(),
        screens=_str_list(meta.get("screens"), "screens"),
        body=body.strip() + "\n",
    )


def parse_tour(path: Path, relative: str) -> TourSource:
    """Read one onboarding tour (``tours/<name>.yaml``)."""
    data = path.read_bytes()
    try:
        raw = yaml.safe_load(data.decode("utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ContentError(f"The tour is not valid YAML: {exc}") from None
    if not isinstance(raw, dict) or raw.get("name") != path.stem:
        raise ContentError(f"The tour's 'name' must be {path.stem!r}, its file name.")
    steps = []
    seen: set[str] = set()
    for step in raw.get("steps") or []:
        if not isinstance(step, dict):
            raise ContentError("Each tour step must be a mapping.")
        missing = [key for key in ("id", "target", "title", "body") if not step.get(key)]
        if missing:
            raise ContentError(f"A tour step is missing {', '.join(missing)}.")
        if step["id"] in seen:
            raise ContentError(f"Tour step id {step['id']!r} is used twice.")
        seen.add(step["id"])
        placement = step.get("placement") or "bottom"
        if placement not in PLACEMENTS:
            raise ContentError(f"Placement {placement!r} must be one of {', '.join(PLACEMENTS)}.")
        steps.append(
            {
                "key": str(step["id"]),
                "target": str(step["target"]),
                "title": str(step["title"]),
                "body": str(step["body"]),
                "placement": placement,
            }
        )
    if not steps:
        raise ContentError("A tour needs at least one step.")
    return TourSource(
        path=relative,
        hash=file_hash(data),
        name=path.stem,
        title=str(raw.get("title") or path.stem),
        description=str(raw.get("description") or ""),
        steps=steps,
    )


def read_content(content_dir: str | Path) -> ContentSet:
    """Read every article, snippet and tour under ``content_dir``; bad files go to ``errors``."""
    root = Path(content_dir)
    found = ContentSet()
    seen_slugs: dict[str, str] = {}
    readers = (
        ("articles/*/*.md", parse_article, found.articles),
        ("snippets/*/*.md", parse_snippet, found.snippets),
        ("tours/*.yaml", parse_tour, found.tours),
    )
    for pattern, reader, target in readers:
        for path in sorted(root.glob(pattern)):
            relative = path.relative_to(root).as_posix()
            try:
                item = reader(path, relative)
            except (ContentError, UnicodeDecodeError) as exc:
                found.errors.append((relative, str(exc)))
                continue
            if isinstance(item, ArticleSource):
                if item.slug in seen_slugs:
                    found.errors.append(
                        (relative, f"Slug {item.slug!r} is also used by {seen_slugs[item.slug]}.")
                    )
                    continue
                seen_slugs[item.slug] = relative
            target.append(item)
    return found


def render_article(article_type: str, troubleshooting: bool, body: str, transcript: str = ""):
    """Render an article body once, on save: its HTML and the parts the page template needs.

    :returns: ``(body_html, structure)``; structure holds ``toc`` (headings), and ``faq``
        items, troubleshooting ``intro``/``steps`` or transcript ``cues`` as the type needs.
    :raises ContentError: the body doesn't have the shape its type needs.
    """
    html, structure = _render_cached(article_type, troubleshooting, body, transcript)
    return html, copy.deepcopy(structure)


# Rendering is pure and costs ~15 ms an article; re-imports of the same text (a database
# rebuilt from the same files, tests) reuse it.
@lru_cache(maxsize=512)
def _render_cached(article_type: str, troubleshooting: bool, body: str, transcript: str):
    rules.check_body(article_type, troubleshooting, body)
    document = render_document(body, user_content=False)
    structure: dict = {
        "toc": [
            {"level": level, "id": anchor, "text": text}
            for level, anchor, text in document.headings
            if level in (2, 3)
        ]
    }
    if article_type == "faq":
        split = rules.split_faq(body)
        structure["intro"] = render(split.intro, user_content=False) if split.intro else ""
        structure["faq"] = [
            {
                "id": f"q-{index}",
                "question": item.question,
                "html": render(item.markdown, user_content=False),
            }
            for index, item in enumerate(split.faq, start=1)
        ]
    elif troubleshooting:
        split = rules.split_steps(body)
        structure["intro"] = render(split.intro, user_content=False) if split.intro else ""
        structure["steps"] = [
            {
                "number": step.number,
                "title": step.title,
                "id": f"step-{step.number}",
                "html": render(step.markdown, user_content=False),
            }
            for step in split.steps
        ]
    if article_type == "video":
        structure["cues"] = [
            {"seconds": cue.seconds, "label": cue.label, "text": cue.text}
            for cue in rules.parse_transcript(transcript)
        ]
    return document.html, structure
