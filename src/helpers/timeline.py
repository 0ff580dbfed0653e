"""Timelines: the dated chronology, time bins, share of attention, sentiment over time,
change flags and the four time plots.

Data flow (every function takes a table and returns a new one)::

    articles (date, date_precision) --assign_bins--> binned documents
    resolved mentions + articles    --attention_share--> share table (bin x actor)
    actor_sentiment + articles      --sentiment_over_time--> mean, 95% CI and n per bin
    share table                     --change_flags--> flagged bins

Honest dates. A document whose date is only known to the month (``date_precision ==
"month"``, stored as the 1st of that month) is counted in **month** bins only; day and
week bins leave it out and print how many were left out (it is never silently put on the
1st). The event timeline draws such an entry as a bar spanning its month. Undated
documents (``date`` is NaT) are counted and left out of every time table, with a printed
note.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .paths import DATA_DIR
from .plotting import SEED, actor_color

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


def assign_bins(
    df: pd.DataFrame,
    freq: str = "auto",
    *,
    date_col: str = "date",
    precision_col: str = "date_precision",
    verbose: bool = True,
) -> pd.DataFrame:
    """Put each dated document into a day, week or month bin.

    Returns the dated rows that fit the bin size, with a new column ``bin`` (the bin's
    first day, a Timestamp; weeks start on Monday) and ``freq``. ``freq="auto"`` applies
    :func:`choose_freq`. Left out, counted and reported (a printed note when
    ``verbose``, and ``result.attrs["binning"]``):

    - undated rows (``date`` is NaT);
    - rows whose date is coarser than the bin: a month-precision date in day or week
      bins, a year-precision date in any bin.

    >>> docs = pd.DataFrame({"article_id": ["a", "b", "c"],
    ...     "date": pd.to_datetime(["2020-06-05", "2020-06-01", None]),
    ...     "date_precision": ["day", "month", None]})
    >>> assign_bins(docs, "W", verbose=False)["article_id"].tolist()
    ['a']
    """
    if freq == "auto":
        dates = _to_datetime(df[date_col])
        prec = df[precision_col] if precision_col in df.columns else None
        freq = choose_freq(dates, prec)
    if freq not in FREQS:
        raise ValueError(f"freq={freq!r} is not one of 'auto', 'D', 'W', 'M'.")
    out = df.copy()
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
    report = {
        "freq": freq,
        "n_documents": int(len(out)),
        "n_binned": int(len(keep)),
        "n_undated": int(undated.sum()),
        "n_too_coarse": int(too_coarse.sum()),
    }
    keep.attrs = {**df.attrs, "binning": report}
    if verbose:
        print(binning_note(report))
    return keep


def binning_note(report: dict) -> str:
    """One English sentence describing what :func:`assign_bins` did."""
    name = _FREQ_NAMES[report["freq"]]
    parts = [f"Time bins: {name}; {report['n_binned']} of {report['n_documents']} documents binned."]
    if report["n_undated"]:
        parts.append(
            f"{report['n_undated']} undated document(s) left out (date is NaT; give them a "
            "date to include them)."
        )
    if report["n_too_coarse"]:
        parts.append(
            f"{report['n_too_coarse']} document(s) dated only to the month (or year) left "
            f"out of {name} bins (use freq='M' to count them)."
        )
    return " ".join(parts)


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
    *,
    verbose: bool = True,
) -> pd.DataFrame:
    """Share of attention per actor and time bin, as GDELT and Media Cloud normalise it.

    ``share = mentions of the actor in the bin / all resolved actor mentions in the bin``,
    so a busy news week does not look like more attention to every actor. Unresolved
    mentions (``actor_id`` missing) are not counted. Returns one row per bin x actor (every
    bin from the first to the last dated document, every actor mentioned at least once):
    ``bin, actor_id, mentions, n_mentions`` (all actor mentions in the bin), ``n_docs``
    (documents in the bin) and ``share`` (NaN where the bin has no actor mentions).

    >>> arts = pd.DataFrame({"article_id": ["a1", "a2"], "date_precision": ["day", "day"],
    ...     "date": pd.to_datetime(["2020-06-05", "2020-06-20"])})
    >>> res = pd.DataFrame({"article_id": ["a1", "a1", "a1", "a2"],
    ...     "actor_id": ["haftar", "haftar", "sisi", "sisi"]})
    >>> t = attention_share(res, arts, "M", verbose=False)
    >>> t.set_index("actor_id")["share"].round(3).to_dict()
    {'haftar': 0.5, 'sisi': 0.5}
    """
    binned = assign_bins(articles, freq, verbose=verbose)
    freq = binned.attrs["binning"]["freq"]
    bins = _bin_range(binned["bin"], freq)
    n_docs = binned.groupby("bin").size().reindex(bins, fill_value=0)
    res = resolved.dropna(subset=["actor_id"])
    res = res.merge(binned[["article_id", "bin"]], on="article_id", how="inner")
    counts = res.groupby(["bin", "actor_id"]).size().rename("mentions")
    actors = sorted(res["actor_id"].unique())
    grid = pd.MultiIndex.from_product([bins, actors], names=["bin", "actor_id"])
    table = counts.reindex(grid, fill_value=0).reset_index()
    totals = res.groupby("bin").size().reindex(bins, fill_value=0)
    table["n_mentions"] = table["bin"].map(totals).astype(int)
    table["n_docs"] = table["bin"].map(n_docs).astype(int)
    table["share"] = table["mentions"] / table["n_mentions"].where(table["n_mentions"] > 0)
    table["mentions"] = table["mentions"].astype(int)
    table.attrs = {"binning": binned.attrs["binning"]}
    return table


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


def bootstrap_ci(
    values: Sequence[float] | np.ndarray,
    n_boot: int = 1000,
    seed: int = SEED,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap interval for the mean (NaN, NaN for fewer than 2 values)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) < 2:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, len(x), size=(n_boot, len(x)))].mean(axis=1)
    alpha = (1 - level) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return (float(low), float(high))


def sentiment_over_time(
    actor_sentiment: pd.DataFrame,
    articles: pd.DataFrame,
    freq: str = "auto",
    n_boot: int = 1000,
    seed: int = SEED,
    *,
    actors: Iterable[str] | None = None,
    verbose: bool = True,
) -> pd.DataFrame:
    """Mean targeted sentiment per actor and time bin with a 95% bootstrap interval.

    Each row of ``actor_sentiment`` (one scored mention, ``score`` in [-1, 1]) is placed
    in its article's bin. Returns ``bin, actor_id, mean, ci_low, ci_high, n`` for bins
    with at least one scored mention; the interval is the percentile bootstrap of the
    mean over ``n_boot`` resamples (seeded, so reruns give the same numbers) and is NaN
    when ``n < 2``. A mean of three mentions is not a trend: show ``n`` with every point.
    """
    binned = assign_bins(articles, freq, verbose=verbose)
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
    table = pd.DataFrame(rows, columns=["bin", "actor_id", "mean", "ci_low", "ci_high", "n"])
    table.attrs = {"binning": binned.attrs["binning"]}
    return table


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


# --------------------------------------------------------------------------- labels


def actor_label(actor_id: str, actors: pd.DataFrame | None = None) -> str:
    """Axis label for an actor, English and Arabic, short: ``"Haftar · حفتر"``.

    Names come from the actor dictionary (``helpers.actors.load_actors``, columns
    ``name_en``, ``name_ar``, ``surname_ar``, ``type``): people are labelled by surname
    (last English word and ``surname_ar``), everything else by its full names. Without a
    dictionary row the id is shown, title-cased.

    >>> actor_label("haftar")  # doctest: +SKIP
    'Haftar · حفتر'
    """
    table = actors if actors is not None else _actors_table()
    en, ar = None, None
    if table is not None and "actor_id" in table.columns:
        row = table[table["actor_id"] == actor_id]
        if not row.empty:
            row = row.iloc[0]
            en = _first_value(row, ("name_en", "label_en"))
            ar = _first_value(row, ("name_ar", "label_ar"))
            surname = _first_value(row, ("surname_ar",))
            if en and surname and _first_value(row, ("type",)) == "person":
                last = en.split()[-1]
                en, ar = last[:1].upper() + last[1:], surname
    en = en or actor_id.replace("_", " ").title()
    return f"{en} · {ar}" if ar else en


def _first_value(row: pd.Series, columns: Sequence[str]) -> str | None:
    for col in columns:
        if col in row.index and isinstance(row[col], str) and row[col].strip():
            return row[col].split("|")[0].strip()
    return None


_ACTORS_CACHE: dict[str, pd.DataFrame | None] = {}


def _actors_table() -> pd.DataFrame | None:
    if "table" not in _ACTORS_CACHE:
        try:
            from .actors import load_actors

            _ACTORS_CACHE["table"] = load_actors()
        except Exception:  # noqa: BLE001 - labels fall back to the ids
            _ACTORS_CACHE["table"] = None
    return _ACTORS_CACHE["table"]


def _date_axis(ax: Axes) -> None:
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


# --------------------------------------------------------------------------- plots


def plot_attention(
    share_table: pd.DataFrame,
    actors: Sequence[str] | None = None,
    *,
    n: int = 6,
    window: int = 3,
    flags: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    title: str = "Share of attention over time",
    labels: pd.DataFrame | None = None,
) -> Figure:
    """Small multiples: one panel per actor with its share of all actor mentions per bin
    (thin line with dots), a centred rolling mean over ``window`` bins (thick line),
    flagged bins from :func:`change_flags` (triangles) and, optionally, the chronology's
    milestones as faint vertical lines. Returns the Figure.
    """
    actors = list(actors) if actors is not None else top_actors(share_table, n)
    if not actors:
        raise ValueError("No actor has any mention in the share table: nothing to plot.")
    ncols = 2 if len(actors) > 1 else 1
    nrows = int(np.ceil(len(actors) / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(11, 2.3 * nrows + 0.8), sharex=True, sharey=True, squeeze=False
    )
    freq = share_table.attrs.get("binning", {}).get("freq", "")
    ymax = 0.0
    for ax, actor in zip(axes.flat, actors, strict=False):
        sub = share_table[share_table["actor_id"] == actor].sort_values("bin")
        color = actor_color(actor)
        ax.plot(sub["bin"], sub["share"], "-o", color=color, lw=0.8, ms=2.5, alpha=0.45)
        sm = smooth(sub.set_index("bin")["share"], window)
        ax.plot(sm.index, sm.values, color=color, lw=2.2, label=f"{window}-bin mean")
        ymax = max(ymax, float(np.nanmax(sub["share"].to_numpy(dtype=float), initial=0)))
        if flags is not None:
            fl = flags[(flags["actor_id"] == actor) & flags["flag"]]
            up = fl[fl["direction"] == "up"]
            down = fl[fl["direction"] == "down"]
            ax.scatter(up["bin"], up["share"], marker="^", s=50, color="black", zorder=5)
            ax.scatter(down["bin"], down["share"], marker="v", s=50, color="black", zorder=5)
        if events is not None:
            for day in events.loc[events["milestone"], "date"]:
                ax.axvline(day, color="grey", lw=0.6, ls=":", zorder=0)
        ax.set_title(actor_label(actor, labels), fontsize=11)
        _date_axis(ax)
    for ax in axes.flat[len(actors):]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("share of mentions")
    for ax in axes[-1, :]:
        ax.set_xlabel(f"{_FREQ_NAMES.get(freq, 'time')} bin")
    axes.flat[0].set_ylim(0, min(1.0, ymax * 1.15 + 0.02))
    note = "▲/▼ change flag (|z| ≥ 2 and ≥ 5 points vs the previous 4 bins, ≥ 10 mentions in the bin)" if flags is not None else ""
    if events is not None:
        note += ("; " if note else "") + "dotted lines: chronology milestones"
    fig.suptitle(title, fontweight="bold")
    if note:
        fig.text(0.5, -0.01, note, ha="center", fontsize=9, color="dimgrey")
    fig.tight_layout()
    return fig


def plot_sentiment(
    sentiment_table: pd.DataFrame,
    actors: Sequence[str],
    *,
    min_n: int = 3,
    title: str = "Targeted sentiment over time (mean, 95% bootstrap CI)",
    labels: pd.DataFrame | None = None,
) -> Figure:
    """One panel per chosen actor: mean sentiment per bin with its 95% bootstrap interval
    as an error bar and ``n`` (scored mentions) written above each point. Points with
    fewer than ``min_n`` mentions are drawn hollow: read them as anecdotes. Returns the
    Figure.
    """
    actors = list(actors)
    if not actors:
        raise ValueError("Name at least one actor id to plot (e.g. ['haftar', 'sarraj']).")
    fig, axes = plt.subplots(
        len(actors), 1, figsize=(11, 2.4 * len(actors) + 0.8), sharex=True, squeeze=False
    )
    if len(sentiment_table):  # the whole table's time range, so figures line up
        first, last = sentiment_table["bin"].min(), sentiment_table["bin"].max()
        pad = max((last - first) * 0.03, pd.Timedelta(days=15))
        axes[0, 0].set_xlim(first - pad, last + pad)
    for ax, actor in zip(axes[:, 0], actors, strict=True):
        sub = sentiment_table[sentiment_table["actor_id"] == actor].sort_values("bin")
        color = actor_color(actor)
        ax.axhline(0, color="grey", lw=0.8)
        lo = (sub["mean"] - sub["ci_low"]).clip(lower=0).fillna(0)
        hi = (sub["ci_high"] - sub["mean"]).clip(lower=0).fillna(0)
        ax.errorbar(sub["bin"], sub["mean"], yerr=[lo, hi], fmt="none", ecolor=color,
                    elinewidth=1.2, capsize=3, alpha=0.8)
        solid = sub["n"] >= min_n
        ax.scatter(sub.loc[solid, "bin"], sub.loc[solid, "mean"], color=color, s=30, zorder=3)
        ax.scatter(sub.loc[~solid, "bin"], sub.loc[~solid, "mean"], facecolors="white",
                   edgecolors=color, s=30, zorder=3)
        for _, row in sub.iterrows():
            top = row["ci_high"] if pd.notna(row["ci_high"]) else row["mean"]
            ax.annotate(f"n={row['n']}", (row["bin"], top), xytext=(0, 3),
                        textcoords="offset points", ha="center", fontsize=7, color="dimgrey")
        ax.set_ylim(-1.15, 1.15)
        ax.set_ylabel("sentiment")
        ax.set_title(actor_label(actor, labels), fontsize=11)
        _date_axis(ax)
    freq = sentiment_table.attrs.get("binning", {}).get("freq", "")
    axes[-1, 0].set_xlabel(f"{_FREQ_NAMES.get(freq, 'time')} bin")
    fig.suptitle(title, fontweight="bold")
    fig.text(0.5, -0.01, f"hollow points: fewer than {min_n} scored mentions in the bin",
             ha="center", fontsize=9, color="dimgrey")
    fig.tight_layout()
    return fig


def event_lane(event_type: str) -> str:
    """The lane of the event timeline for an event type ("Other" when unknown)."""
    for lane, types in EVENT_LANES.items():
        if event_type in types:
            return lane
    return "Other"


def _label_levels(dates: Sequence[pd.Timestamp], widths_days: Sequence[float],
                  levels: int = 3) -> list[int]:
    """Stack labels centred on ``dates`` into the lowest level where they do not overlap
    the previous label of that level (greedy, in date order)."""
    ends = [pd.Timestamp.min] * levels
    out = []
    for day, width in zip(dates, widths_days, strict=True):
        half = pd.Timedelta(days=width / 2)
        level = next((i for i in range(levels) if ends[i] < day - half), None)
        if level is None:
            level = int(np.argmin([e.value for e in ends]))
        ends[level] = day + half
        out.append(level)
    return out


def _short_title(text: str, width: int = 48) -> str:
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    return text[:width].rsplit(" ", 1)[0] + " …"


def plot_event_timeline(
    events: pd.DataFrame,
    articles: pd.DataFrame | None = None,
    *,
    annotate: Iterable[str] | None = None,
    title: str = "Libya 2019–2021: chronology and corpus articles",
) -> Figure:
    """Events as markers in lanes by event type (see ``EVENT_LANES``), milestones (or the
    ids in ``annotate``) labelled; month-precision events drawn as a bar spanning their
    month, not as a point on the 1st. ``articles`` (e.g. the ``kind == "article"`` rows of
    the corpus) are drawn in their own bottom lane as black stars with date and title;
    undated articles are left out with a printed note. Returns the Figure.
    """
    ev = events.dropna(subset=["date"]).copy()
    ev["lane"] = ev["event_type"].map(event_lane)
    lanes = [lane for lane in [*EVENT_LANES, "Other"] if lane in set(ev["lane"])]
    if articles is not None:
        lanes = lanes + ["Corpus articles"]
    ypos = {lane: i for i, lane in enumerate(reversed(lanes))}
    width_in = 13.0
    fig, ax = plt.subplots(figsize=(width_in, 1.25 * len(lanes) + 1.6))
    ids = set(annotate) if annotate is not None else set(ev.loc[ev["milestone"], "id"])
    palette = ["#D55E00", "#CC79A7", "#0072B2", "#009E73", "#E69F00"]
    lane_colors = dict(zip(EVENT_LANES, palette, strict=True))
    month = ev["date_precision"] == "month"
    for lane in lanes:
        if lane == "Corpus articles":
            continue
        sub = ev[ev["lane"] == lane]
        color = lane_colors.get(lane, "#7F7F7F")
        day = sub[~month.loc[sub.index]]
        ax.scatter(day["date"], [ypos[lane]] * len(day), s=42, color=color, alpha=0.9,
                   edgecolor="white", linewidth=0.5, zorder=3)
        for _, row in sub[month.loc[sub.index]].iterrows():
            period = row["date"].to_period("M")
            ax.plot([period.start_time, period.end_time], [ypos[lane]] * 2, color=color,
                    lw=7, alpha=0.45, solid_capstyle="butt", zorder=2)
    all_dates = pd.concat([ev["date"], articles["date"]]) if articles is not None else ev["date"]
    span_days = max((all_dates.max() - all_dates.min()).days, 30)
    days_per_pt = span_days * 1.08 / ((width_in - 2.2) * 72)
    labelled = ev[ev["id"].isin(ids)].sort_values("date")
    for lane, grp in labelled.groupby("lane", sort=False):
        widths = [len(t) * 7.5 * 0.52 * days_per_pt + 8 for t in grp["title"]]
        for (_, row), level in zip(grp.iterrows(), _label_levels(list(grp["date"]), widths),
                                   strict=True):
            ax.annotate(row["title"], (row["date"], ypos[lane]), xytext=(0, 9 + 12 * level),
                        textcoords="offset points", ha="center", va="bottom", fontsize=7.5,
                        arrowprops={"arrowstyle": "-", "color": "grey", "lw": 0.5},
                        bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none",
                              "alpha": 0.85})
    if articles is not None:
        dated = articles.dropna(subset=["date"]).sort_values("date")
        left_out = len(articles) - len(dated)
        if left_out:
            print(f"Event timeline: {left_out} undated article(s) left out.")
        y = ypos["Corpus articles"]
        ax.scatter(dated["date"], [y] * len(dated), marker="*", s=260, color="black", zorder=4)
        for i, (_, row) in enumerate(dated.iterrows()):
            shift = -12 - 24 * (i % 2)
            ax.annotate(f"article {row['date']:%Y-%m-%d}", (row["date"], y),
                        xytext=(0, shift), textcoords="offset points", ha="center",
                        va="top", fontsize=8, fontweight="bold")
            ax.annotate(_short_title(row.get("title") or row["article_id"]), (row["date"], y),
                        xytext=(0, shift - 11), textcoords="offset points", ha="center",
                        va="top", fontsize=8)
    ax.set_yticks(list(ypos.values()), list(ypos.keys()))
    ax.set_ylim(-0.9 if articles is not None else -0.5, len(lanes) - 0.35)
    ax.grid(axis="y", alpha=0.0)
    ax.set_xlabel("date")
    ax.set_ylabel("lane (event type)")
    _date_axis(ax)
    ax.set_title(title)
    handles = [plt.Line2D([], [], marker="o", ls="", color="grey", label="event (day known)"),
               plt.Line2D([], [], color="grey", lw=7, alpha=0.45,
                          label="event known to the month only (bar spans the month)")]
    if articles is not None:
        handles.append(plt.Line2D([], [], marker="*", ls="", ms=13, color="black",
                                  label="corpus article"))
    ax.legend(handles=handles, loc="upper right", fontsize=8, frameon=True, framealpha=0.9)
    fig.tight_layout()
    return fig


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


def plot_narrative(
    actor_sentiment: pd.DataFrame,
    article_id: str,
    *,
    n_sentences: int | None = None,
    max_actors: int = 15,
    title: str | None = None,
    labels: pd.DataFrame | None = None,
) -> Figure:
    """Within-article narrative timeline: sentence order on x, actors on y (in order of
    first appearance), marker colour = mean targeted sentiment of the actor's mentions in
    that sentence (colour bar, red negative, blue positive), marker size = number of
    mentions. Returns the Figure.
    """
    table = narrative_table(actor_sentiment, article_id)
    keep = table.drop_duplicates("actor_id").nsmallest(max_actors, "order")["actor_id"]
    table = table[table["actor_id"].isin(keep)]
    actors = table.drop_duplicates("actor_id").sort_values("order")["actor_id"].tolist()
    ypos = {a: i for i, a in enumerate(reversed(actors))}
    fig, ax = plt.subplots(figsize=(11, 0.38 * len(actors) + 1.8))
    points = ax.scatter(
        table["sent_id"], table["actor_id"].map(ypos), c=table["score"], cmap="RdBu",
        vmin=-1, vmax=1, s=40 + 30 * table["n"], edgecolor="black", linewidth=0.4, zorder=3,
    )
    ax.set_yticks(list(ypos.values()), [actor_label(a, labels) for a in ypos])
    last = n_sentences - 1 if n_sentences else int(table["sent_id"].max())
    ax.set_xlim(-0.7, last + 0.7)
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.set_xlabel("sentence number in the article (0 = first)")
    ax.set_ylabel("actor (first mention at the top)")
    fig.colorbar(points, ax=ax, label="targeted sentiment (−1 … +1)", pad=0.01)
    ax.set_title(title or f"Narrative timeline of article {article_id}")
    fig.text(0.01, -0.01, "marker size: number of mentions of the actor in the sentence",
             fontsize=8.5, color="dimgrey")
    fig.tight_layout()
    return fig
