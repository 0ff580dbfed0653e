"""Timelines: the dated chronology, time bins, share of attention, sentiment over time,
change flags (the time plots are in :mod:`helpers.figures`).

Data flow (every function takes a table and returns a new one)::

    articles (date, date_precision) --bin_documents--> binned documents, Binning
    resolved mentions + articles    --attention_share--> share table (bin x actor)
    actor_sentiment + articles      --sentiment_over_time--> mean, 95% CI and n per bin
    share table                     --change_flags--> flagged bins

Honest dates. A document whose date is only known to the month (``date_precision ==
"month"``, stored as the 1st of that month) is counted in **month** bins only; day and
week bins leave it out and count it in the :class:`Binning` of :func:`bin_documents` (it is
never silently put on the 1st). ``figures.plot_event_timeline`` draws such an entry as a bar
spanning its month. Undated documents (``date`` is NaT) are counted there too and left out
of every time table. Nothing here prints: ``Binning.note`` says what was left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import SEED
from .paths import DATA_DIR
from .schema import ACTOR_SENTIMENT, ATTENTION, RESOLVED_MENTIONS, SENTIMENT_OVER_TIME
from .stats import bootstrap_ci

CHRONOLOGY_PATH = DATA_DIR / "chronology" / "libya_2019_2021.jsonl"

EVENT_COLUMNS = [
    "id",
    "date",
    "date_precision",
    "title",
    "actors",
    "event_type",
    "text",
    "text_en",
    "sources",
    "milestone",
]

FREQS = ("D", "W", "M")
_FREQ_NAMES = {"D": "day", "W": "week", "M": "month"}
_PERIOD_CODE = {"D": "D", "W": "W-SUN", "M": "M"}  # weeks run Monday..Sunday
_PRECISION_RANK = {"day": 0, "month": 1, "year": 2}
_FREQ_RANK = {"D": 0, "W": 0, "M": 1}  # finest precision a bin of this size accepts

# Event types grouped into the lanes of the event timeline.
EVENT_LANES: dict[str, tuple[str, ...]] = {
    "Military": (
        "offensive",
        "counter_offensive",
        "battle",
        "territorial_change",
        "withdrawal",
        "airstrike",
    ),
    "Foreign involvement": ("foreign_intervention", "deterrence", "accusation"),
    "Diplomacy": (
        "conference",
        "negotiation",
        "agreement",
        "ceasefire",
        "statement",
        "un_resolution",
        "appointment",
    ),
    "Politics & elections": ("political_transition", "election", "protest", "economy"),
    "Humanitarian": ("humanitarian",),
}


# --------------------------------------------------------------------------- events


def _to_datetime(values: pd.Series) -> pd.Series:
    """Dates as datetime64; ISO strings of any length ("2020-06-15", "2020-06") accepted,
    anything unreadable becomes NaT."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.tz_localize(None) if getattr(values.dt, "tz", None) else values
    return pd.to_datetime(values, errors="coerce", format="ISO8601")


def load_events(path: str | Path | None = None) -> pd.DataFrame:
    """Read the project's dated chronology (JSON Lines) into an ``events`` table.

    Columns: ``id, date`` (datetime), ``date_precision`` ("day" | "month"), ``title``,
    ``actors`` (list of actor ids), ``event_type``, ``text`` (Arabic), ``text_en``,
    ``sources`` (list of URLs), ``milestone`` (bool: annotated in the event timeline).
    Sorted by date. The default path is ``data/chronology/libya_2019_2021.jsonl``.

    >>> ev = load_events()
    >>> ev.loc[ev.id == "chr-2019-04-04-lna-offensive", "text"].iloc[0][:20]  # doctest: +SKIP
    'أمر المشير خليفة حفتر'
    """
    path = Path(path) if path is not None else CHRONOLOGY_PATH
    if not path.is_file():
        raise FileNotFoundError(
            f"No chronology at {path.name!r}: pass the path of a JSON Lines file with one "
            "event per line (keys id, date, date_precision, title, text, actors, "
            "event_type, sources)."
        )
    rows = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise ValueError(
                    f"{path.name}, line {lineno}: not valid JSON ({err.msg}); fix or remove "
                    "that line."
                ) from err
    events = pd.DataFrame(rows)
    for col in EVENT_COLUMNS:
        if col not in events.columns:
            events[col] = None
    events["date"] = _to_datetime(events["date"])
    events["date_precision"] = events["date_precision"].fillna("day")
    events["milestone"] = events["milestone"].fillna(False).astype(bool)
    for col in ("actors", "sources"):
        events[col] = events[col].apply(lambda v: list(v) if isinstance(v, list) else [])
    events = events.sort_values(["date", "id"], kind="stable").reset_index(drop=True)
    return events[EVENT_COLUMNS + [c for c in events.columns if c not in EVENT_COLUMNS]]


# --------------------------------------------------------------------------- binning


def choose_freq(
    dates: pd.Series,
    precision: pd.Series | None = None,
    min_per_bin: float = 3.0,
    max_coarse_share: float = 0.2,
) -> str:
    """The automatic bin size: the finest of day / week / month whose bins hold, on
    average over the covered span, at least ``min_per_bin`` dated documents.

    Rule (stated so that a reader can check it): let ``n`` be the number of dated
    documents and ``days`` the span from the first to the last date (inclusive).
    Day bins if ``n / days >= min_per_bin``; else week bins if ``n / (days / 7) >=
    min_per_bin``; else month bins. Month bins are also chosen when more than
    ``max_coarse_share`` of the dated documents are known only to the month (finer bins
    would drop them). No dates at all gives month bins.

    >>> d = pd.Series(pd.to_datetime(["2020-06-01"] * 10 + ["2020-06-02"] * 10))
    >>> choose_freq(d)
    'D'
    """
    dates = _to_datetime(dates).dropna()
    if dates.empty:
        return "M"
    if precision is not None:
        prec = precision.loc[dates.index].fillna("day")
        if (prec != "day").mean() > max_coarse_share:
            return "M"
    n = len(dates)
    days = (dates.max() - dates.min()).days + 1
    if n / days >= min_per_bin:
        return "D"
    if n / (days / 7) >= min_per_bin:
        return "W"
    return "M"


@dataclass(frozen=True)
class Binning:
    """What :func:`bin_documents` did: the bin size ``freq`` (``D``, ``W`` or ``M``), the
    documents given, binned, left out undated, and left out because their date is coarser
    than the bin (a month-precision date in day or week bins). ``note`` says it in one
    English sentence."""

    freq: str
    n_documents: int
    n_binned: int
    n_undated: int
    n_too_coarse: int

    @property
    def note(self) -> str:
        """One English sentence describing the binning.

        >>> Binning("W", 3, 1, 1, 1).note.split(";")[0]
        'Time bins: week'
        """
        name = _FREQ_NAMES[self.freq]
        parts = [f"Time bins: {name}; {self.n_binned} of {self.n_documents} documents binned."]
        if self.n_undated:
            parts.append(f"{self.n_undated} undated document(s) left out (date is NaT; give "
                         "them a date to include them).")
        if self.n_too_coarse:
            parts.append(f"{self.n_too_coarse} document(s) dated only to the month (or year) "
                         f"left out of {name} bins (use freq='M' to count them).")
        return " ".join(parts)


def bin_documents(
    df: pd.DataFrame,
    freq: str = "auto",
    *,
    date_col: str = "date",
    precision_col: str = "date_precision",
) -> tuple[pd.DataFrame, Binning]:
    """Put each dated document into a day, week or month bin: ``(binned, binning)``.

    ``binned`` holds the dated rows that fit the bin size, with a new column ``bin`` (the
    bin's first day, a Timestamp; weeks start on Monday) and ``freq``. ``freq="auto"``
    applies :func:`choose_freq`. Left out, and counted in ``binning`` (a :class:`Binning`):

    - undated rows (``date`` is NaT);
    - rows whose date is coarser than the bin: a month-precision date in day or week
      bins, a year-precision date in any bin.

    >>> docs = pd.DataFrame({"article_id": ["a", "b", "c"],
    ...     "date": pd.to_datetime(["2020-06-05", "2020-06-01", None]),
    ...     "date_precision": ["day", "month", None]})
    >>> binned, binning = bin_documents(docs, "W")
    >>> binned["article_id"].tolist(), binning.n_undated, binning.n_too_coarse
    (['a'], 1, 1)
    """
    if date_col not in df.columns:
        raise KeyError(f"no {date_col!r} column to bin by: pass the articles table "
                       "(helpers.corpus.load_corpus) or name the column with date_col=")
    if freq == "auto":
        dates = _to_datetime(df[date_col])
        prec = df[precision_col] if precision_col in df.columns else None
        freq = choose_freq(dates, prec)
    if freq not in FREQS:
        raise ValueError(f"freq={freq!r} is not one of 'auto', 'D', 'W', 'M'.")
    out = df.copy()
    out.attrs = {}
    out[date_col] = _to_datetime(out[date_col])
    if precision_col in out.columns:
        prec = out[precision_col].where(out[precision_col].notna(), "day").astype(str)
    else:
        prec = pd.Series("day", index=out.index)
    undated = out[date_col].isna()
    too_coarse = ~undated & (prec.map(_PRECISION_RANK).fillna(0) > _FREQ_RANK[freq])
    keep = out[~undated & ~too_coarse].copy()
    periods = keep[date_col].dt.to_period(_PERIOD_CODE[freq])
    keep["bin"] = periods.dt.start_time
    keep["freq"] = freq
    binning = Binning(freq=freq, n_documents=int(len(out)), n_binned=int(len(keep)),
                      n_undated=int(undated.sum()), n_too_coarse=int(too_coarse.sum()))
    return keep, binning


def assign_bins(
    df: pd.DataFrame,
    freq: str = "auto",
    *,
    date_col: str = "date",
    precision_col: str = "date_precision",
) -> pd.DataFrame:
    """The binned documents of :func:`bin_documents` (use that function to also get what
    was left out).

    >>> docs = pd.DataFrame({"article_id": ["a", "b", "c"],
    ...     "date": pd.to_datetime(["2020-06-05", "2020-06-01", None]),
    ...     "date_precision": ["day", "month", None]})
    >>> assign_bins(docs, "W")["article_id"].tolist()
    ['a']
    """
    return bin_documents(df, freq, date_col=date_col, precision_col=precision_col)[0]


def binning_note(binning: Binning) -> str:
    """One English sentence describing what :func:`bin_documents` did (``binning.note``)."""
    return binning.note


def _bin_range(bins: pd.Series, freq: str) -> pd.DatetimeIndex:
    """Every bin from the first to the last, including empty ones."""
    if bins.empty:
        return pd.DatetimeIndex([], name="bin")
    periods = pd.period_range(bins.min(), bins.max(), freq=_PERIOD_CODE[freq])
    return pd.DatetimeIndex(periods.start_time, name="bin")


# --------------------------------------------------------------------------- attention


def attention_share(
    resolved: pd.DataFrame,
    articles: pd.DataFrame,
    freq: str = "auto",
) -> pd.DataFrame:
    """Share of attention per actor and time bin, as GDELT and Media Cloud normalise it
    (:data:`helpers.schema.ATTENTION`).

    ``share = mentions of the actor in the bin / all resolved actor mentions in the bin``,
    so a busy news week does not look like more attention to every actor. Unresolved
    mentions (``actor_id`` missing) are not counted. Returns one row per bin x actor (every
    bin from the first to the last dated document, every actor mentioned at least once):
    ``bin, actor_id, mentions, n_mentions`` (all actor mentions in the bin), ``n_docs``
    (documents in the bin) and ``share`` (NaN where the bin has no actor mentions). What
    the bins left out is in ``bin_documents(articles, freq)[1]``.

    >>> arts = pd.DataFrame({"article_id": ["a1", "a2"], "date_precision": ["day", "day"],
    ...     "date": pd.to_datetime(["2020-06-05", "2020-06-20"])})
    >>> res = pd.DataFrame({"article_id": ["a1", "a1", "a1", "a2"],
    ...     "actor_id": ["haftar", "haftar", "sisi", "sisi"]})
    >>> t = attention_share(res, arts, "M")
    >>> t.set_index("actor_id")["share"].round(3).to_dict()
    {'haftar': 0.5, 'sisi': 0.5}
    """
    RESOLVED_MENTIONS.validate(resolved, ["article_id", "actor_id"])
    binned, binning = bin_documents(articles, freq)
    bins = _bin_range(binned["bin"], binning.freq)
    n_docs = binned.groupby("bin").size().reindex(bins, fill_value=0)
    res = resolved.dropna(subset=["actor_id"])
    res = res.merge(binned[["article_id", "bin"]], on="article_id", how="inner")
    if res.empty:
        return ATTENTION.empty()
    counts = res.groupby(["bin", "actor_id"]).size().rename("mentions")
    actors = sorted(res["actor_id"].unique())
    grid = pd.MultiIndex.from_product([bins, actors], names=["bin", "actor_id"])
    table = counts.reindex(grid, fill_value=0).reset_index()
    totals = res.groupby("bin").size().reindex(bins, fill_value=0)
    table["n_mentions"] = table["bin"].map(totals).astype(int)
    table["n_docs"] = table["bin"].map(n_docs).astype(int)
    table["share"] = table["mentions"] / table["n_mentions"].where(table["n_mentions"] > 0)
    table["mentions"] = table["mentions"].astype(int)
    return ATTENTION.validate(table)


def top_actors(
    share_table: pd.DataFrame, n: int = 6, exclude: Iterable[str] = ()
) -> list[str]:
    """The ``n`` actors with most mentions over the whole table (ties by id)."""
    excluded = set(exclude)
    totals = share_table.groupby("actor_id")["mentions"].sum()
    totals = totals[~totals.index.isin(excluded)]
    order = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    return [actor for actor, count in order[:n] if count > 0]


def smooth(series: pd.Series | pd.DataFrame, window: int = 3) -> pd.Series | pd.DataFrame:
    """Centred rolling mean over ``window`` bins (missing values skipped; the ends use the
    bins available). ``window=1`` returns a copy unchanged.

    >>> smooth(pd.Series([0.0, 3.0, 0.0, 3.0]), 3).tolist()
    [1.5, 1.0, 2.0, 1.5]
    """
    if window < 1:
        raise ValueError(f"window={window} must be a positive number of bins.")
    return series.rolling(window, center=True, min_periods=1).mean()


# --------------------------------------------------------------------------- sentiment


def sentiment_over_time(
    actor_sentiment: pd.DataFrame,
    articles: pd.DataFrame,
    freq: str = "auto",
    n_boot: int = 1000,
    seed: int = SEED,
    *,
    actors: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Mean targeted sentiment per actor and time bin with a 95% bootstrap interval
    (:data:`helpers.schema.SENTIMENT_OVER_TIME`).

    Each row of ``actor_sentiment`` (one scored mention, ``score`` in [-1, 1]) is placed
    in its article's bin. Returns ``bin, actor_id, mean, ci_low, ci_high, n`` for bins
    with at least one scored mention; the interval is :func:`helpers.stats.bootstrap_ci`
    over ``n_boot`` resamples (seeded, so reruns give the same numbers) and is NaN when
    ``n < 2``. A mean of three mentions is not a trend: show ``n`` with every point.
    """
    ACTOR_SENTIMENT.validate(actor_sentiment, ["article_id", "actor_id", "score"])
    binned = assign_bins(articles, freq)
    scored = actor_sentiment.dropna(subset=["actor_id", "score"])
    if actors is not None:
        scored = scored[scored["actor_id"].isin(list(actors))]
    scored = scored.merge(binned[["article_id", "bin"]], on="article_id", how="inner")
    rows = []
    for (bin_start, actor), grp in scored.groupby(["bin", "actor_id"], sort=True):
        low, high = bootstrap_ci(grp["score"].to_numpy(), n_boot=n_boot, seed=seed)
        rows.append(
            {
                "bin": bin_start,
                "actor_id": actor,
                "mean": float(grp["score"].mean()),
                "ci_low": low,
                "ci_high": high,
                "n": int(len(grp)),
            }
        )
    if not rows:
        return SENTIMENT_OVER_TIME.empty()
    return SENTIMENT_OVER_TIME.validate(pd.DataFrame(rows, columns=SENTIMENT_OVER_TIME.columns))


# --------------------------------------------------------------------------- change flags


def change_flags(
    share_table: pd.DataFrame,
    k: int = 4,
    z_threshold: float = 2.0,
    min_change: float = 0.05,
    *,
    min_n: int = 10,
    value_col: str = "share",
) -> pd.DataFrame:
    """Flag bins where an actor's share jumps away from its recent level.

    For each actor, the baseline of a bin is the mean and sample standard deviation of
    its previous ``k`` bins that have a value (bins with no actor mentions at all are
    skipped, not counted as zero). A bin is flagged when **both**

    - ``|z| >= z_threshold`` (default 2), with ``z = (share - baseline mean) / baseline sd``
      (a flat baseline, sd = 0, gives an infinite z for any change), and
    - ``|share - baseline mean| >= min_change`` (default 0.05, i.e. 5 percentage points),

    so a tiny wobble on a flat series is not flagged, and the bin holds at least ``min_n``
    actor mentions in all (``n_mentions``, default 10: one mention out of five is not a
    shift of attention). The first ``k`` valued bins of each actor have no baseline and
    are never flagged. Returns the input columns plus ``baseline, baseline_sd, change, z,
    flag, direction`` ("up" / "down" / "").

    >>> t = pd.DataFrame({"bin": pd.date_range("2020-01-01", periods=6, freq="MS"),
    ...     "actor_id": "sisi", "share": [0.10, 0.10, 0.12, 0.08, 0.30, 0.11],
    ...     "n_mentions": 40})
    >>> change_flags(t)["flag"].tolist()
    [False, False, False, False, True, False]
    """
    if k < 2:
        raise ValueError(f"k={k}: a baseline needs at least 2 previous bins.")
    parts = []
    for _, grp in share_table.sort_values("bin").groupby("actor_id", sort=True):
        valid = grp[grp[value_col].notna()].copy()
        prev = valid[value_col].shift(1)
        valid["baseline"] = prev.rolling(k, min_periods=k).mean()
        valid["baseline_sd"] = prev.rolling(k, min_periods=k).std(ddof=1)
        parts.append(grp.join(valid[["baseline", "baseline_sd"]]))
    out = pd.concat(parts) if parts else share_table.assign(baseline=np.nan, baseline_sd=np.nan)
    out["change"] = out[value_col] - out["baseline"]
    sd = out["baseline_sd"]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = out["change"] / sd
    flat = (sd == 0) & out["change"].notna()
    z = z.where(~flat, np.sign(out["change"]) * np.inf)
    z = z.where(~(flat & (out["change"] == 0)), 0.0)
    out["z"] = z
    out["flag"] = (out["z"].abs() >= z_threshold) & (out["change"].abs() >= min_change)
    if "n_mentions" in out.columns:
        out["flag"] &= out["n_mentions"] >= min_n
    out["flag"] = out["flag"].fillna(False).astype(bool)
    out["direction"] = np.where(out["flag"], np.where(out["change"] > 0, "up", "down"), "")
    return out.sort_values(["actor_id", "bin"]).reset_index(drop=True)


# --------------------------------------------------------------------------- events


def event_lane(event_type: str) -> str:
    """The lane of the event timeline for an event type ("Other" when unknown)."""
    for lane, types in EVENT_LANES.items():
        if event_type in types:
            return lane
    return "Other"


def narrative_table(actor_sentiment: pd.DataFrame, article_id: str) -> pd.DataFrame:
    """Per sentence and actor of one article: mean targeted score and number of mentions,
    with actors ordered by first appearance (``order``)."""
    sub = actor_sentiment[
        (actor_sentiment["article_id"] == article_id) & actor_sentiment["actor_id"].notna()
    ]
    if sub.empty:
        raise ValueError(
            f"No scored actor mentions for article {article_id!r}: check the id against "
            "actor_sentiment['article_id'].unique()."
        )
    table = (
        sub.groupby(["sent_id", "actor_id"])["score"]
        .agg(score="mean", n="size")
        .reset_index()
    )
    first = sub.sort_values(["sent_id", "start"]).drop_duplicates("actor_id")["actor_id"].tolist()
    table["order"] = table["actor_id"].map({a: i for i, a in enumerate(first)})
    return table.sort_values(["order", "sent_id"]).reset_index(drop=True)
