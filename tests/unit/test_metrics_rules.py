"""The published formulas, from tables with answers worked out by hand."""

from __future__ import annotations

import math

import pytest

from app.metrics import rules


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([], 0.5, None),
        ([7], 0.5, 7),
        ([7], 0.9, 7),
        ([1, 2, 3, 4], 0.5, 2.5),
        ([4, 1, 3, 2], 0.9, 3.7),  # position 3 * 0.9 = 2.7 between 3 and 4
        ([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9, 91),
        ([5, 1, 3], 0.5, 3),
        ([1, 2], 0.0, 1),
        ([1, 2], 1.0, 2),
    ],
)
def test_percentile(values, fraction, expected):
    result = rules.percentile(values, fraction)
    assert result == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize("fraction", [-0.1, 1.5])
def test_percentile_refuses_a_fraction_outside_0_1(fraction):
    with pytest.raises(ValueError):
        rules.percentile([1], fraction)


def test_nps_of_every_answer_once_is_minus_45_45():
    result = rules.nps(list(range(11)))
    assert (result.promoters, result.passives, result.detractors) == (2, 2, 7)
    assert result.score == pytest.approx(-45.4545, abs=1e-4)
    # variance of +1/0/-1 answers: p + d - (p - d)^2 = 9/11 - 25/121
    variance = 9 / 11 - 25 / 121
    assert result.margin == pytest.approx(100 * 1.959964 * math.sqrt(variance / 11), rel=1e-6)
    assert result.interval == pytest.approx((-45.4545 - 46.21, -45.4545 + 46.21), abs=0.01)
    assert result.response_rate == 1


def test_nps_of_100_answers_with_30_promoters_and_20_detractors():
    scores = [10] * 30 + [8] * 50 + [3] * 20
    result = rules.nps(scores, sent=400)
    assert result.score == pytest.approx(10)
    # variance 0.5 - 0.1^2 = 0.49, standard error 0.07, margin 1.96 * 7 = 13.72 points
    assert result.margin == pytest.approx(13.72, abs=0.001)
    assert result.interval == pytest.approx((-3.72, 23.72), abs=0.001)
    assert result.response_rate == 0.25


def test_nps_interval_is_clipped_to_the_scale_and_empty_sample_has_no_score():
    assert rules.nps([10] * 3).interval == (100.0, 100.0)
    empty = rules.nps([], sent=10)
    assert (empty.score, empty.margin, empty.interval, empty.response_rate) == (
        None, None, None, 0,
    )  # fmt: skip


@pytest.mark.parametrize("bad", [[11], [-1], [True], [7.5]])
def test_nps_refuses_answers_off_the_scale(bad):
    with pytest.raises(ValueError):
        rules.nps(bad)


def test_nps_refuses_more_answers_than_surveys():
    with pytest.raises(ValueError):
        rules.nps([9, 9], sent=1)


@pytest.mark.parametrize(
    ("good", "bad", "sent", "score", "response_rate"),
    [
        (45, 5, 100, 0.9, 0.5),
        (0, 0, 10, None, 0.0),
        (0, 0, 0, None, None),
        (3, 1, 4, 0.75, 1.0),
    ],
)
def test_csat(good, bad, sent, score, response_rate):
    result = rules.csat(good, bad, sent)
    assert result.score == score
    assert result.response_rate == response_rate


@pytest.mark.parametrize(("good", "bad", "sent"), [(5, 5, 9), (-1, 0, 1)])
def test_csat_refuses_impossible_counts(good, bad, sent):
    with pytest.raises(ValueError):
        rules.csat(good, bad, sent)


@pytest.mark.parametrize(
    ("help_center", "tickets", "expected"),
    [(1000, 250, 4.0), (0, 10, 0.0), (10, 0, None)],
)
def test_self_service_score(help_center, tickets, expected):
    assert rules.self_service_score(help_center, tickets) == expected


def test_session_and_guide_success_rates():
    assert rules.session_success_rate(200, 30) == 0.85
    assert rules.session_success_rate(0, 0) is None
    assert rules.guide_success_rate(3, 1) == 0.75
    assert rules.helpful_ratio(0, 0) is None
    with pytest.raises(ValueError):
        rules.session_success_rate(1, 2)


def test_change_against_previous_range():
    assert rules.change(120, 100) == pytest.approx(0.2)
    assert rules.change(5, 0) is None
    assert rules.change(None, 3) is None


def test_session_key_rotates_with_the_salt_and_differs_per_browser():
    one = rules.session_key("salt-a", "Firefox/140")
    assert one == rules.session_key("salt-a", "Firefox/140")
    assert one != rules.session_key("salt-b", "Firefox/140")
    assert one != rules.session_key("salt-a", "Chrome/140")
    assert one != rules.session_key("salt-a", "Firefox/140", "42")
    assert "Firefox" not in one and len(one) == 32


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("EN-gb", "en"),
        ("fr;q=0.5", "fr"),
        ("", ""),
        (None, ""),
        ("*", ""),
        ("x" * 20, ""),
    ],
)
def test_primary_language_is_the_coarse_client_hint(header, expected):
    assert rules.primary_language(header) == expected


def test_browser_digest_ignores_everything_but_the_agent_and_first_language():
    one = rules.browser_digest("Firefox/140", "de-DE,de;q=0.9")
    assert one == rules.browser_digest("Firefox/140", "de-AT")
    assert one != rules.browser_digest("Firefox/140", "en-GB")
    assert one != rules.browser_digest("Chrome/140", "de-DE")
    assert len(one) == 32


@pytest.mark.parametrize(
    ("views", "followed", "rate"), [(0, 0, None), (6, 2, 4 / 6), (5, 0, 1.0), (3, 3, 0.0)]
)
def test_article_views_not_followed_by_a_ticket(views, followed, rate):
    assert rules.article_follow_up_free_rate(views, followed) == rate


@pytest.mark.parametrize(("searches", "clicked", "rate"), [(0, 0, None), (4, 1, 0.25)])
def test_search_click_through(searches, clicked, rate):
    assert rules.click_through(searches, clicked) == rate


def test_more_followed_or_clicked_than_counted_is_refused():
    with pytest.raises(ValueError):
        rules.article_follow_up_free_rate(1, 2)
    with pytest.raises(ValueError):
        rules.click_through(1, 2)


def test_pulse_is_shown_only_from_five_answers():
    assert rules.pulse_average([5, 4, 3, 4]) is None
    assert rules.pulse_average([5, 4, 3, 4, 4]) == 4.0


@pytest.mark.parametrize(
    ("ratings", "expected"), [([4, 4, 4], 1.0), ([1, 1], 0.0), ([2, 3], 0.5), ([], None)]
)
def test_audit_score(ratings, expected):
    assert rules.audit_score(ratings) == expected


def test_audit_score_refuses_ratings_off_the_rubric():
    with pytest.raises(ValueError):
        rules.audit_score([5])
