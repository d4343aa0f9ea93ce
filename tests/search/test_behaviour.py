"""What a searcher sees, on both backends: prefixes, typos, ranking, filters, visibility."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.outbox import commit
from app.search import services
from app.search.backend import Document, get_backend
from app.search.indexer import drain_all


def _index(*documents: Document) -> None:
    backend = get_backend()
    with backend.writer_lock(blocking=True):
        backend.apply(documents, [])
    commit()


def _doc(object_id, title, body, now, **extra) -> Document:
    return Document(
        type=extra.pop("type", "article"), object_id=object_id, title=title, body=body,
        url=f"/articles/doc-{object_id}", date=extra.pop("date", now), **extra,
    )  # fmt: skip


def _keys(query, **options):
    return [hit.key for hit in services.search(query, user=None, **options).hits]


@pytest.fixture
def corpus(ctx, now):
    _index(
        _doc(1, "Installation on Android", "Download the app and follow the steps.", now),
        _doc(2, "Reset your password", "Forgot your password? Use the reset link we e-mail.",
             now, tags=("account",), category="account"),
        _doc(3, "Plan your beds", "Good organization of raised beds saves water.", now,
             category="app-functionality"),
        _doc(4, "Watering reminders", "Reminders tell you when to water tomato plants.", now,
             type="forum_thread", category="general"),
    )  # fmt: skip


@pytest.mark.parametrize("query", ["instal", "installa", "installation", "Installation"])
def test_prefixes_find_the_word(corpus, query):
    assert _keys(query) == ["article:1"]


def test_prefix_survives_stemming(corpus):
    assert _keys("organi") == ["article:3"]
    assert _keys("organization") == ["article:3"]


def test_short_prefixes_do_not_expand(corpus):
    assert _keys("in") == []


def test_typo_still_finds_and_says_so(corpus):
    results = services.search("pasword", user=None)
    assert [hit.key for hit in results.hits] == ["article:2"]
    assert results.corrected
    assert results.suggestion == "password"


def test_correction_keeps_the_words_that_match(corpus):
    # Corrected, the query matches through one of its words: that is an answer.
    results = services.search("pasword zucchini", user=None)
    assert [hit.key for hit in results.hits] == ["article:2"]
    assert results.suggestion == "password zucchini" and results.corrected


def test_a_correction_outside_the_filter_is_not_suggested(corpus):
    results = services.search("pasword", user=None, types=["forum_thread"])
    assert results.total == 0 and results.suggestion is None


def test_words_of_removed_or_changed_content_are_never_suggested(corpus, now):
    """Hidden, deleted and pending content leaves the index; its words must leave "Did you
    mean" too (Whoosh keeps a deleted document's terms until a merge; the PostgreSQL
    vocabulary kept counting them)."""
    _index(
        _doc(5, "Hydroponics secrets", "Hydroponics without soil.", now),
        _doc(6, "Feeding", "A fertilizer schedule for basil.", now),
    )
    assert services.search("hydroponix", user=None).suggestion == "hydroponics"
    assert services.search("fertilizr", user=None).suggestion == "fertilizer"
    backend = get_backend()
    with backend.writer_lock(blocking=True):
        backend.apply([_doc(6, "Feeding", "A compost schedule for basil.", now)], ["article:5"])
    commit()
    for typo in ("hydroponix", "fertilizr"):
        results = services.search(typo, user=None)
        assert results.total == 0 and results.suggestion is None, typo
    # Words still in visible content are still suggested, even when a removed word was closer.
    assert services.search("compst", user=None).suggestion == "compost"
    _index(_doc(7, "Fertiliser", "Fertiliser for tomatoes.", now))
    assert services.search("fertilizr", user=None).suggestion == "fertiliser"
    assert services.search("pasword", user=None).suggestion == "password"


def test_nothing_close_means_no_suggestion(corpus):
    results = services.search("qwxzv", user=None)
    assert results.total == 0 and results.suggestion is None


def test_title_outranks_tags_outranks_body(ctx, now):
    body = "Some words about the garden and the weather today."
    _index(
        _doc(1, "About soil", body + " compost", now),
        _doc(2, "Compost", body, now),
        _doc(3, "About soil", body, now, tags=("compost",)),
    )
    assert _keys("compost") == ["article:2", "article:3", "article:1"]


def test_exact_word_outranks_stemmed(ctx, now):
    _index(
        _doc(1, "Notes", "We are installing the sensors in the beds today.", now),
        _doc(2, "Notes", "We finished the installation of the sensors today.", now),
    )
    assert _keys("installation") == ["article:2", "article:1"]


def test_helpful_and_accepted_rank_a_little_higher(ctx, now):
    _index(
        _doc(1, "Aphids on roses", "Spray with soapy water.", now),
        _doc(2, "Aphids on roses", "Spray with soapy water.", now, boost=1.15),
    )
    assert _keys("aphids") == ["article:2", "article:1"]


def test_phrase_needs_the_words_together(corpus):
    assert _keys('"reset link"') == ["article:2"]
    assert _keys('"link reset"') == []


def test_most_words_first_and_never_nothing_for_a_subset(corpus):
    assert _keys("password reset") == ["article:2"]
    # No document holds both words: each one holding one of them is an answer.
    assert set(_keys("password tomato")) == {"article:2", "forum_thread:4"}


def test_filters_by_type_and_category(corpus):
    assert _keys("water", types=["forum_thread"]) == ["forum_thread:4"]
    assert _keys("water", types=["article"]) == ["article:3"]
    assert _keys("water", category="app-functionality") == ["article:3"]
    assert _keys("water", category="account") == []


def test_pagination_and_sort_by_date(ctx, now):
    _index(*[
        _doc(i, f"Seedling tip {i}", "Seedlings need light.", now - timedelta(days=i))
        for i in range(1, 8)
    ])  # fmt: skip
    first = services.search("seedling", user=None, per_page=3, sort="date")
    assert first.total == 7 and first.pages == 3
    assert [h.key for h in first.hits] == ["article:1", "article:2", "article:3"]
    third = services.search("seedling", user=None, per_page=3, page=3, sort="date")
    assert [h.key for h in third.hits] == ["article:7"]


def test_results_carry_what_the_page_shows(corpus, now):
    hit = services.search("reset", user=None).hits[0]
    assert hit.title == "Reset your password"
    assert hit.url == "/articles/doc-2"
    assert hit.category == "account"
    assert hit.date == now
    assert "<mark>reset</mark>" in hit.snippet.lower()


def test_snippet_is_escaped(ctx, now):
    _index(_doc(1, "Evil", 'Try <img src=x onerror="alert(1)"> gardening', now))
    snippet = services.search("gardening", user=None).hits[0].snippet
    assert "<img" not in snippet and "&lt;img" in snippet


def test_time_limit_returns_partial_results(ctx, now, app):
    _index(*[_doc(i, f"Tomato {i}", "tomato " * 50, now) for i in range(1, 60)])
    app.config["SEARCH_TIME_LIMIT"] = 0.0000001
    results = services.search("tomato", user=None)
    assert results.partial
    assert len(results.hits) <= 10


@pytest.mark.parametrize(
    ("options", "field"),
    [({"types": ["secret"]}, "type"), ({"sort": "random"}, "sort"), ({"page": 0}, "page")],
)
def test_bad_input_is_a_search_error(ctx, options, field):
    with pytest.raises(services.SearchError) as error:
        services.search("x", user=None, **options)
    assert error.value.field == field


# --- Real articles through the outbox --------------------------------------------------


def test_article_and_video_transcript_are_found(ctx, now, factory):
    article_id = factory.article(now, "Set up watering reminders", "Open the plant and tap Remind.")
    drain_all(now)
    assert _keys("reminders") == [f"article:{article_id}"]


def test_archived_article_disappears(ctx, now, factory):
    from app.kb.models import Article
    from app.outbox import record_search_change

    article_id = factory.article(now, "Pruning basil", "Pinch above a leaf pair.")
    drain_all(now)
    assert _keys("basil") == [f"article:{article_id}"]
    article = db.session.get(Article, article_id)
    article.is_archived = True
    record_search_change("article", article_id, now)
    commit()
    drain_all(now)
    assert _keys("basil") == []


def test_an_unknown_backend_is_refused_with_the_known_ones(app):
    """The backends are registered by ``init_app``; a name none of them has is refused, naming
    the ones there are."""
    from app.search.backend import create_backend

    app.config["SEARCH_BACKEND"] = "solr"
    with pytest.raises(RuntimeError, match="must be 'whoosh' or 'postgres', not 'solr'"):
        create_backend(app)
