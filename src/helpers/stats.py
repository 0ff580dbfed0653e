"""Statistics shared by the stages: one bootstrap interval, as :func:`scipy.stats.bootstrap`.

Used by :func:`helpers.sentiment.aggregate_sentiment` (per actor) and
:func:`helpers.timeline.sentiment_over_time` (per actor and time bin), so both tables
answer the same way for the same scores.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: resamples when the caller does not say
N_BOOT = 2000
#: values drawn at once by :func:`bootstrap_ci` (about 8 MB of indices): bounds its memory
RESAMPLE_BLOCK = 1 << 20

Seed = int | Sequence[int] | np.random.Generator | None


def bootstrap_ci(values: Sequence[float] | np.ndarray, n_boot: int = N_BOOT, seed: Seed = 0,
                 level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values`` (missing values dropped):
    what ``scipy.stats.bootstrap`` with ``method="percentile"`` answers (computed directly,
    faster), with ``n_boot`` resamples and a generator seeded by ``seed`` (an int, a sequence of ints, or a numpy Generator), so a
    rerun gives the same interval.

    The answer for small samples, chosen once for every table: **fewer than two values
    give (NaN, NaN)**. One score says nothing about how much the mean would move with
    other articles, so no interval is claimed (a zero-width interval at the point would
    look like certainty); read the mean together with ``n``. Two or more equal values give
    the point itself (every resample has that mean).

    >>> bootstrap_ci([0.5])
    (nan, nan)
    >>> bootstrap_ci([0.5, 0.5])
    (0.5, 0.5)
    >>> low, high = bootstrap_ci([-1.0, -0.5, 0.0, 0.5, 1.0] * 4, seed=1)
    >>> bool(-0.5 < low < 0 < high < 0.5)
    True
    """
    if not 0 < level < 1:
        raise ValueError(f"level={level} must be between 0 and 1, e.g. 0.95")
    if n_boot < 1:
        raise ValueError(f"n_boot={n_boot} must be a positive number of resamples, e.g. 2000")
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size < 2:
        return (float("nan"), float("nan"))
    if np.all(x == x[0]):
        return (float(x[0]), float(x[0]))
    # scipy.stats.bootstrap(method="percentile") computed directly: the same resamples
    # (one draw of n_boot x n indices), the same means and the same quantile formula, so the
    # same interval to the last bit (tests/test_stats.py compares them), without scipy's
    # per-call overhead: the corpus tables ask for thousands of intervals
    # (the resamples are drawn in blocks of at most RESAMPLE_BLOCK values: the generator
    # gives the same stream in blocks as in one draw, and memory stays bounded when an actor
    # has tens of thousands of scores in an archive)
    rng = np.random.default_rng(seed)
    rows = max(1, RESAMPLE_BLOCK // x.size)
    means = np.sort(np.concatenate([
        np.mean(x[rng.integers(0, x.size, (min(rows, n_boot - done), x.size))], axis=-1)
        for done in range(0, n_boot, rows)]))
    alpha = (1 - level) / 2
    return (_quantile_linear(means, alpha), _quantile_linear(means, 1 - alpha))


def _quantile_linear(y: np.ndarray, p: float) -> float:
    """The ``p`` quantile of the sorted ``y`` as ``scipy.stats.quantile`` computes it with
    ``method="linear"`` (Hyndman and Fan's definition 7, numpy's default)."""
    n = y.size
    jg = p * n + (1 - p)
    jp1 = jg // 1
    j = jp1 - 1
    g = 0.0 if j < 0 else jg % 1
    lo, hi = int(min(max(j, 0), n - 1)), int(min(max(jp1, 0), n - 1))
    return float((1 - g) * y[lo] + g * y[hi])
