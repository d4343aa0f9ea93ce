"""Questions typed in plain words find the guide that answers them, on both backends.

People type questions ("why don't my reminders show up on my phone"), not keyword lists: the
search ranks the documents matching most of the words first, ignores the words of the question
itself, and never comes back empty when some of the words match. Checked on the starter
content of ``content/``, synced and indexed the way the site does it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.outbox import commit
from app.search import services
from app.search.backend import Document, get_backend
from app.search.indexer import drain_all

GUIDE = "Reminders not arriving"


@pytest.fixture
def starter_content(ctx, runner):
    result = runner.invoke(args=["content", "sync", "--quiet"])
    assert result.exit_code == 0, result.output
    # The sync stamps its changes with the clock; drain everything it recorded.
    drain_all(datetime.now(UTC))
    db.session.remove()


@pytest.mark.parametrize(
    "question",
    [
        "why don't my reminders show up on my phone",
        "reminders stopped",
        "my reminders are not coming",
        "Why are my watering notifications not showing?",
    ],
)
def test_a_plain_question_finds_the_guide_in_the_top_three(starter_content, question):
    results = services.search(question, user=None)
    titles = [hit.title for hit in results.hits]
    assert GUIDE in titles[:3], titles
    assert results.total >= 1 and not results.corrected


def _index(*documents: Document) -> None:
    backend = get_backend()
    with backend.writer_lock(blocking=True):
        backend.apply(documents, [])
    commit()


def _doc(object_id, title, body, now) -> Document:
    return Document(
        type="article", object_id=object_id, title=title, body=body,
        url=f"/articles/doc-{object_id}", date=now,
    )  # fmt: skip


@pytest.fixture
def notes(ctx, now):
    _index(
        _doc(1, "Tomatoes", "Water tomato plants in the morning.", now),
        _doc(2, "Watering schedule", "A watering schedule for tomato seedlings and basil.", now),
        _doc(3, "Basil", "Basil likes warm tomato beds and a morning schedule.", now),
        _doc(4, "Schedule", "The watering schedule keeps tomato seedlings alive.", now),
    )


def test_documents_matching_all_words_come_first_then_most(notes):
    keys = [hit.key for hit in services.search("tomato seedlings basil", user=None).hits]
    # 2 holds all three words; 4 and 3 two each; 1 only "tomato".
    assert keys[0] == "article:2"
    assert set(keys[1:3]) == {"article:3", "article:4"}
    assert keys[3] == "article:1"


def test_the_query_as_a_phrase_ranks_on_top(ctx, now):
    _index(
        _doc(6, "Schedule for watering", "Plan the schedule and the watering by season.", now),
        _doc(7, "Notes", "Our watering schedule.", now),
    )
    # 6 scores higher (both words in its title), 7 holds the words as typed, together.
    assert [hit.key for hit in services.search("watering schedule", user=None).hits] == [
        "article:7",
        "article:6",
    ]


def test_a_subset_of_the_words_is_never_zero_results(notes):
    results = services.search("basil zucchini courgette", user=None)
    assert {hit.key for hit in results.hits} == {"article:2", "article:3"}
    assert results.total == 2


def test_question_words_alone_still_search(notes):
    # Nothing but question words: they are kept rather than searching for nothing.
    assert services.search("how", user=None).total == 0


def test_quoted_phrase_still_required(notes):
    keys = [hit.key for hit in services.search('"watering schedule" basil', user=None).hits]
    assert keys[0] == "article:2"
    assert set(keys) == {"article:2", "article:4"}
