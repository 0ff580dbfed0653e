"""helpers.stats: the one bootstrap interval, its answer for n = 1, and its two users."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import sentiment, stats
from helpers import timeline as tl


def test_one_value_has_no_interval() -> None:
    assert all(np.isnan(stats.bootstrap_ci([0.3])))
    assert all(np.isnan(stats.bootstrap_ci([])))
    assert all(np.isnan(stats.bootstrap_ci([0.3, np.nan])))  # one value once NaN is dropped


def test_equal_values_give_the_point() -> None:
    assert stats.bootstrap_ci([0.5, 0.5, 0.5]) == (0.5, 0.5)


def test_two_or_more_values_give_an_interval_around_the_mean() -> None:
    values = [-1.0, -0.5, 0.0, 0.5, 1.0] * 4
    low, high = stats.bootstrap_ci(values, n_boot=2000, seed=1)
    assert -0.6 < low < 0.0 < high < 0.6
    low2, high2 = stats.bootstrap_ci([0.2, 0.8])
    assert 0.2 <= low2 < 0.5 < high2 <= 0.8  # resampled means of two values lie between them
    narrow = stats.bootstrap_ci(values, level=0.5, seed=1)
    assert low < narrow[0] < narrow[1] < high  # a lower level gives a narrower interval


def test_seeded_and_matches_scipy() -> None:
    from scipy.stats import bootstrap

    values = [0.13, -0.42, 0.77, 0.05, -0.91, 0.36, 0.58, -0.2]
    assert stats.bootstrap_ci(values, seed=3) == stats.bootstrap_ci(values, seed=3)
    assert stats.bootstrap_ci(values, seed=3) != stats.bootstrap_ci(values, seed=4)
    ref = bootstrap((np.array(values),), np.mean, n_resamples=500, method="percentile",
                    rng=np.random.default_rng(3)).confidence_interval
    assert stats.bootstrap_ci(values, n_boot=500, seed=3) == (ref.low, ref.high)
    # to the last bit, whatever the size, resamples, seed and level
    gen = np.random.default_rng(0)
    for n, n_boot, level in [(2, 7, 0.95), (5, 1000, 0.9), (23, 1000, 0.95), (60, 333, 0.5)]:
        x = np.round(gen.uniform(-1, 1, n), 2)
        ref = bootstrap((x,), np.mean, n_resamples=n_boot, method="percentile",
                        confidence_level=level, rng=np.random.default_rng(n)).confidence_interval
        assert stats.bootstrap_ci(x, n_boot=n_boot, seed=n, level=level) == (ref.low, ref.high)


def test_resamples_drawn_in_blocks_give_the_same_interval(monkeypatch) -> None:
    """Memory is bounded by drawing the resamples in blocks; the answer must not change."""
    from scipy.stats import bootstrap

    x = np.round(np.random.default_rng(7).uniform(-1, 1, 257), 2)
    whole = stats.bootstrap_ci(x, n_boot=999, seed=7)
    monkeypatch.setattr(stats, "RESAMPLE_BLOCK", 1000)  # 3 resamples of 257 values a block
    assert stats.bootstrap_ci(x, n_boot=999, seed=7) == whole
    ref = bootstrap((x,), np.mean, n_resamples=999, method="percentile",
                    rng=np.random.default_rng(7)).confidence_interval
    assert whole == (ref.low, ref.high)


@pytest.mark.parametrize("bad", [{"level": 1.5}, {"n_boot": 0}])
def test_bad_settings_are_refused(bad) -> None:
    with pytest.raises(ValueError, match="must be"):
        stats.bootstrap_ci([0.1, 0.2], **bad)


def test_both_tables_answer_the_same_for_one_mention() -> None:
    """The actor summary and the time table used to disagree (point vs NaN) for n = 1."""
    scored = pd.DataFrame({"article_id": ["a", "a", "b"], "sent_id": [0, 1, 0],
                           "start": [0, 0, 0], "end": [3, 3, 3],
                           "actor_id": ["sisi", "sisi", "haftar"], "context": ["x"] * 3,
                           "label": ["negative", "positive", "negative"],
                           "score": [-0.5, 0.5, -0.25], "method": ["m"] * 3,
                           "evidence": [""] * 3})
    articles = pd.DataFrame({"article_id": ["a", "b"], "date_precision": ["day", "day"],
                             "date": pd.to_datetime(["2020-06-01", "2020-06-02"])})
    summary = sentiment.aggregate_sentiment(scored).set_index("actor_id")
    over_time = tl.sentiment_over_time(scored, articles, "M").set_index("actor_id")
    for table in (summary, over_time):
        assert np.isnan(table.at["haftar", "ci_low"]) and np.isnan(table.at["haftar", "ci_high"])
        assert table.at["haftar", "mean"] == -0.25
        assert table.at["sisi", "ci_low"] < 0 < table.at["sisi", "ci_high"]
    assert summary.at["haftar", "small_n"]
