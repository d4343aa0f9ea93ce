"""A fixed-seed, realistic-looking help-center corpus: forum threads and articles."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from app.search.backend import Document

TOPICS = [
    "tomato", "tomatoes", "basil", "pepper", "cucumber", "lettuce", "strawberry", "zucchini",
    "seedlings", "compost", "mulch", "aphids", "slugs", "blight", "fertilizer", "soil",
    "watering", "reminder", "reminders", "notification", "calendar", "journal", "beds",
    "raised", "greenhouse", "balcony", "containers", "pots", "harvest", "pruning", "germination",
    "sunlight", "shade", "frost", "irrigation", "sensor", "sync", "account", "password",
    "login", "subscription", "premium", "refund", "payment", "installation", "install",
    "update", "crash", "android", "iphone", "backup", "export", "privacy", "organization",
    "identification", "photo", "camera", "leaves", "yellow", "brown", "spots", "wilting",
]  # fmt: skip
FILLER = [
    "the",
    "a",
    "to",
    "and",
    "of",
    "is",
    "in",
    "it",
    "my",
    "for",
    "on",
    "with",
    "this",
    "that",
    "have",
    "but",
    "not",
    "are",
    "be",
    "was",
    "when",
    "you",
    "can",
    "how",
    "what",
    "why",
    "do",
    "does",
    "after",
    "before",
    "every",
    "day",
    "week",
    "time",
    "again",
    "still",
    "just",
    "also",
    "really",
    "need",
    "help",
    "please",
    "thanks",
    "app",
    "garden",
    "plant",
    "plants",
    "grow",
    "growing",
    "water",
    "tried",
    "works",
    "working",
    "problem",
    "issue",
    "question",
    "idea",
    "tip",
    "advice",
    "setting",
    "settings",
    "screen",
    "button",
    "tap",
    "open",
    "show",
    "shows",
    "see",
]
#: Zipf weights (s = 0.8): the most common topic is in about one post in six.
TOPIC_WEIGHTS = [1 / (rank + 1) ** 0.8 for rank in range(len(TOPICS))]
ARTICLE_TITLES = [
    "How to {v} your {t}", "Troubleshooting {t} problems", "{T} basics", "Setting up {t}",
    "Why are my {t} {a}?", "Getting started with {t}",
]  # fmt: skip
VERBS = ["water", "prune", "plant", "harvest", "protect", "feed", "track", "sync", "reset"]
ADJ = ["yellow", "wilting", "brown", "small", "late", "missing"]
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


def _words(rng: random.Random, n: int) -> str:
    # A post is about two or three topics (Zipf-like: tomatoes come up more than zucchini),
    # mentioned a few times, in ordinary filler language.
    topics = rng.choices(TOPICS, weights=TOPIC_WEIGHTS, k=rng.randint(2, 3))
    out = []
    for _ in range(n):
        out.append(rng.choice(topics) if rng.random() < 0.08 else rng.choice(FILLER))
    return " ".join(out)


def corpus(forum_posts: int, articles: int, seed: int = 42) -> Iterator[Document]:
    """``articles`` long articles and ``forum_posts`` threads (one post each, 40-160 words)."""
    rng = random.Random(seed)
    for i in range(1, articles + 1):
        topic = rng.choice(TOPICS)
        title = rng.choice(ARTICLE_TITLES).format(
            v=rng.choice(VERBS), t=topic, T=topic.capitalize(), a=rng.choice(ADJ)
        )
        yield Document(
            type="article", object_id=i, title=title, body=_words(rng, rng.randint(300, 800)),
            url=f"/articles/a-{i}", date=EPOCH + timedelta(hours=i),
            tags=tuple(rng.sample(TOPICS, 3)), category=rng.choice(["account", "getting-started"]),
            section="Guide", boost=1.15 if rng.random() < 0.2 else 1.0,
        )  # fmt: skip
    for i in range(1, forum_posts + 1):
        yield Document(
            type="forum_thread", object_id=i, title=_words(rng, rng.randint(4, 9)).capitalize(),
            body=_words(rng, rng.randint(40, 160)), url=f"/community/t/{i}/t",
            date=EPOCH + timedelta(minutes=7 * i), category="general", section="Community",
            boost=1.15 if rng.random() < 0.1 else 1.0,
        )  # fmt: skip


QUERIES: dict[str, list[str]] = {
    "one word": ["tomato", "password", "compost", "aphids", "greenhouse", "refund"],
    "two words": ["reset password", "yellow leaves", "watering reminder", "tomato blight"],
    "three words": ["yellow tomato leaves", "watering reminder notification", "raised beds soil"],
    "phrase": ['"raised beds"', '"yellow leaves"', '"watering reminder"'],
    "prefix": ["instal", "installa", "organi", "remind", "germ", "subscr"],
}
