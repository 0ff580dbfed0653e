"""Statistics shared by the stages: one bootstrap interval, on :func:`scipy.stats.bootstrap`.

Used by :func:`helpers.sentiment.aggregate_sentiment` (per actor) and
:func:`helpers.timeline.sentiment_over_time` (per actor and time bin), so both tables
answer the same way for the same scores.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: resamples when the caller does not say
N_BOOT = 2000

Seed = int | Sequence[int] | np.random.Generator | None


def bootstrap_ci(values: Sequence[float] | np.ndarray, n_boot: int = N_BOOT, seed: Seed = 0,
                 level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values`` (missing values dropped):
    ``scipy.stats.bootstrap`` with ``method="percentile"``, ``n_boot`` resamples and a
    generator seeded by ``seed`` (an int, a sequence of ints, or a numpy Generator), so a
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
    from scipy import stats  # imported here: scipy.stats takes a second to import

    result = stats.bootstrap((x,), np.mean, n_resamples=n_boot, confidence_level=level,
                             method="percentile", rng=np.random.default_rng(seed))
    interval = result.confidence_interval
    return (float(interval.low), float(interval.high))
