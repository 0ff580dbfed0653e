"""The whole analysis in one call: load -> clean -> sentences -> NER -> actors -> targeted
sentiment -> stance -> time tables, with every table kept in one :class:`Analysis`.

:func:`analyze` only chains the stage functions the notebooks use, in the order of
DESIGN.md; each stage stays callable on its own (:func:`load_input`,
:func:`helpers.sentences.split_sentences`, :func:`tag_and_resolve`, :func:`score_sentiment`,
:func:`find_stance`, :func:`time_tables`), so a notebook can stop after any step and look.
The command line (``python -m helpers analyze``) and notebook 06 call :func:`analyze` and
:func:`helpers.report.write_report`.

>>> analysis = analyze('''---
... title: لقاء في القاهرة
... date: 2020-07-01
... ---
... استقبل الرئيس عبد الفتاح السيسي في القاهرة وفدا ليبيا.''')  # doctest: +SKIP
>>> analysis.actor_table[["actor_id", "mentions"]]  # doctest: +SKIP
>>> analysis.to_dir("out/tables")  # doctest: +SKIP
"""

from __future__ import annotations

import inspect
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from . import __version__
from .corpus import get_load_report, split_report
from .export import spreadsheet_safe
from .schema import ARTICLES, LOAD_REPORT, MENTIONS, RESOLVED_MENTIONS
from .timeline import Binning

#: Show a progress bar (``progress=None``) when the corpus has more articles than this.
PROGRESS_MIN_ARTICLES = 3
#: ... and a bar over the sentences of one article that has at least this many sentences
#: (about 300 KB of news text; the bundled model tags it in about half a minute).
PROGRESS_MIN_SENTENCES = 1000
FREQS = ("auto", "D", "W", "M")

Source = str | Path | pd.DataFrame | Sequence[str | Path]


# ---------------------------------------------------------------------------- result


@dataclass
class Analysis:
    """Every table of one run, plus what produced it.

    ``profile`` records the model identities (NER model, sentiment method), the actor
    dictionary, the metonymy switch and the helpers version; ``notes`` lists what the run
    wants a reader to know (undated articles, figures not drawn, model fall-backs);
    ``timings`` the seconds per stage. The time tables are ``None`` when no article is
    dated; ``binning`` then is ``None`` too, else it says which bin size was used and how
    many articles the bins left out (:class:`helpers.timeline.Binning`). Every table
    follows its contract in :mod:`helpers.schema` (typed and empty when there is nothing
    to show); inputs that could not be read are in ``load_report`` (``skipped`` counts them).
    """

    articles: pd.DataFrame
    load_report: pd.DataFrame
    sentences: pd.DataFrame
    mentions: pd.DataFrame
    resolved: pd.DataFrame
    actor_sentiment: pd.DataFrame
    sentiment_summary: pd.DataFrame
    stance: pd.DataFrame
    stance_edges: pd.DataFrame
    actor_table: pd.DataFrame
    article_actors: pd.DataFrame
    comention: pd.DataFrame
    actors: pd.DataFrame | None = None
    attention: pd.DataFrame | None = None
    sentiment_time: pd.DataFrame | None = None
    profile: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    binning: Binning | None = None
    #: an archive run (:func:`helpers.archive.aggregate`): the folder of the whole per-row
    #: tables (partitioned Parquet); the per-row tables here then hold only the articles
    #: the report shows, and ``articles`` the text of those only
    parts: str | None = None
    #: rows of each whole per-row table of an archive run (see ``parts``)
    row_counts: dict[str, int] | None = None

    #: table name in files -> attribute
    TABLES = {
        "articles": "articles", "load_report": "load_report", "sentences": "sentences",
        "mentions": "mentions", "resolved_mentions": "resolved",
        "actor_sentiment": "actor_sentiment", "sentiment_summary": "sentiment_summary",
        "stance": "stance", "stance_edges": "stance_edges", "actor_table": "actor_table",
        "article_actors": "article_actors", "comention_edges": "comention",
        "attention_over_time": "attention", "sentiment_over_time": "sentiment_time",
    }

    @property
    def dated(self) -> bool:
        """True when at least one article has a date (the time tables exist)."""
        return "date" in self.articles and bool(self.articles["date"].notna().any())

    @property
    def skipped(self) -> int:
        """Number of inputs (files, records, pages) skipped by the loader or the downloader;
        report rows that only note a change (a malformed date set to NaT, a renamed id) do
        not count."""
        report = self.load_report
        if report is None or report.empty:
            return 0
        return len(split_report(report)[0])

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables of this run by file name (tables that were not built are left out)."""
        out = {}
        for name, attr in self.TABLES.items():
            table = getattr(self, attr)
            if isinstance(table, pd.DataFrame):
                out[name] = table
        return out

    def counts(self) -> dict[str, int]:
        """Rows per table, for a quick look (of the whole per-row tables of an archive run)."""
        counts = {name: len(table) for name, table in self.tables().items()}
        return counts | {k: v for k, v in (self.row_counts or {}).items() if k in counts}

    @property
    def n_articles(self) -> int:
        """Number of articles analysed (all of them in an archive run)."""
        return self.counts().get("articles", len(self.articles))

    def to_dir(self, out: str | Path) -> list[Path]:
        """Write every table as ``<name>.csv`` (UTF-8 with a BOM, so that spreadsheet
        programs show Arabic) and ``<name>.parquet`` into ``out``, plus ``analysis.json``
        (profile, notes, time bins, timings, row counts). Returns the written paths.

        >>> analysis.to_dir("out/tables")  # doctest: +SKIP
        [PosixPath('out/tables/articles.csv'), PosixPath('out/tables/articles.parquet'), ...]
        """
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name, table in self.tables().items():
            if name in (self.row_counts or {}):
                continue  # an archive run: the whole per-row tables are in parts/ already
            frame = _portable(table)
            csv_path = folder / f"{name}.csv"
            spreadsheet_safe(frame).to_csv(csv_path, index=False, encoding="utf-8-sig")
            parquet_path = folder / f"{name}.parquet"
            _write_parquet(frame, parquet_path)
            written += [csv_path, parquet_path]
        meta = {"profile": self.profile, "notes": self.notes, "counts": self.counts(),
                "per_row_tables": (None if self.parts is None else
                                   "../parts/<table>/ (partitioned Parquet, one file per "
                                   "partition: pandas.read_parquet on the folder)"),
                "binning": asdict(self.binning) if self.binning is not None else None,
                "timings_s": {k: round(v, 3) for k, v in self.timings.items()}}
        meta_path = folder / "analysis.json"
        meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2, default=str),
                             encoding="utf-8")
        written.append(meta_path)
        return written


def _portable(table: pd.DataFrame) -> pd.DataFrame:
    """A copy without ``attrs`` whose object cells holding lists/dicts are JSON strings."""
    frame = table.copy()
    frame.attrs = {}
    for col in frame.columns:
        if frame[col].dtype == object and frame[col].map(
                lambda v: isinstance(v, (dict, list, tuple, set))).any():
            frame[col] = frame[col].map(
                lambda v: json.dumps(sorted(v) if isinstance(v, set) else v, ensure_ascii=False,
                                     default=str) if isinstance(v, (dict, list, tuple, set)) else v)
    return frame


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Parquet, with object columns of mixed types written as text when Arrow refuses them."""
    import pyarrow as pa

    try:
        frame.to_parquet(path, index=False)
    except (pa.ArrowException, TypeError, ValueError):
        mixed = frame.copy()
        for col in mixed.columns:
            if mixed[col].dtype == object:
                mixed[col] = mixed[col].map(lambda v: None if v is None else str(v))
        mixed.to_parquet(path, index=False)


# ----------------------------------------------------------------------------- stages


def _merge_reports(*reports: pd.DataFrame | None) -> pd.DataFrame:
    frames = [r[LOAD_REPORT.columns] for r in reports if r is not None and len(r)]
    if not frames:
        return LOAD_REPORT.empty()
    return LOAD_REPORT.validate(pd.concat(frames, ignore_index=True))


def _without_attrs(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy(deep=False)
    frame.attrs = {}
    return frame


def _split_source(source: Any) -> tuple[list[Any], list[str]]:
    """Loader inputs and URLs (single URLs and the lines of URL-list files) of ``source``."""
    from .fetch import is_url, looks_like_url_list, read_url_list

    items = list(source) if isinstance(source, (list, tuple)) else [source]
    local: list[Any] = []
    urls: list[str] = []
    for item in items:
        if isinstance(item, str) and is_url(item):
            urls.append(item.strip())
        elif isinstance(item, (str, Path)) and len(str(item)) < 4096 and "\n" not in str(item) \
                and looks_like_url_list(item):
            urls += read_url_list(item)
        else:
            local.append(item)
    return local, urls


def load_input(source: Source, *, fetch_options: dict[str, Any] | None = None,
               load_options: dict[str, Any] | None = None
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``articles`` table of any input a user may have and the report of the inputs
    that were skipped or changed: ``(articles, load_report)`` (:data:`helpers.schema.ARTICLES`,
    :data:`helpers.schema.LOAD_REPORT`; the articles carry nothing in ``attrs``).

    ``source``: a pasted Arabic text, a file (.txt with optional front matter, .csv,
    .jsonl, saved .html), a folder, an ``http(s)`` URL, a ``.txt`` file listing URLs (one per
    line; downloaded with :func:`helpers.fetch.fetch_urls`, ``fetch_options`` passed on),
    a list of any of these, or an ``articles`` DataFrame (its headline put into ``text`` by
    :func:`helpers.sentences.with_headline`, as the loader does). ``load_options``
    go to :func:`helpers.corpus.load_corpus` (``min_arabic_ratio``, ``csv_columns``,
    ``encoding``). Without network,
    URLs alone raise :class:`helpers.fetch.NetworkUnavailable`; mixed with local inputs
    they are reported as skipped and the local inputs are loaded.

    >>> articles, report = load_input("data/corpus")  # doctest: +SKIP
    >>> articles, report = load_input(["my_articles/", "urls.txt"])  # doctest: +SKIP
    """
    if isinstance(source, pd.DataFrame):
        from .sentences import with_headline

        missing = [c for c in ("article_id", "text") if c not in source.columns]
        if missing:
            raise ValueError(f"the articles table lacks column(s) {missing}: build it with "
                             "helpers.corpus.load_corpus(...)")
        articles = _without_attrs(ARTICLES.validate(source, ["article_id", "text"])).copy()
        if "title" in articles.columns and len(articles):
            articles["text"] = [with_headline(title, text) for title, text
                                in zip(articles["title"], articles["text"], strict=True)]
        return articles, LOAD_REPORT.validate(get_load_report(source))
    local, urls = _split_source(source)
    frames: list[pd.DataFrame] = []
    reports: list[pd.DataFrame] = []
    if local:
        from .corpus import read_corpus

        loaded, loaded_report = read_corpus(local if len(local) > 1 else local[0],
                                            **(load_options or {}))
        frames.append(loaded)
        reports.append(loaded_report)
    if urls:
        from .fetch import NetworkUnavailable, fetch_urls

        try:
            fetched, fetch_report = fetch_urls(urls, **(fetch_options or {}))
        except NetworkUnavailable as exc:
            if not local:  # nothing else to analyse: say so
                raise
            fetched = ARTICLES.empty()
            reports.append(pd.DataFrame([{"file": url, "problem": str(exc), "action": "skipped"}
                                         for url in urls], columns=LOAD_REPORT.columns))
        else:
            reports.append(fetch_report)
        frames.append(fetched)
    frames = [_without_attrs(f) for f in frames if len(f)]
    articles = pd.concat(frames, ignore_index=True) if frames else ARTICLES.empty()
    return ARTICLES.validate(articles), _merge_reports(*reports)


def _progress_bar(total: int, progress: bool | None, desc: str, *, unit: str = "article",
                  nested: bool = False) -> Any:
    if progress is False or (progress is None and total <= PROGRESS_MIN_ARTICLES):
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=not nested,
                position=1 if nested else None)


class _SentenceProgress:
    """A tagger that tags in chunks and moves ``bar`` by the sentences tagged (``bar=None``:
    in one call, with the tagger's own progress bar off); same ``identity`` (so the NER
    cache key is unchanged) and ``labels()`` as ``tagger``."""

    CHUNK = 64

    def __init__(self, tagger: Any, bar: Any = None) -> None:
        self.tagger, self.bar = tagger, bar
        self.identity = tagger.identity
        params = inspect.signature(tagger.predict).parameters
        self._options = {"batch_size", "progress"} & set(params)

    def labels(self) -> list[str]:
        return list(self.tagger.labels())

    def predict(self, batch: Sequence[Sequence[str]], batch_size: int = 32) -> list[Any]:
        options = {k: v for k, v in (("batch_size", batch_size), ("progress", False))
                   if k in self._options}
        if self.bar is None:
            return list(self.tagger.predict(batch, **options))
        out: list[Any] = []
        for i in range(0, len(batch), self.CHUNK):
            chunk = batch[i:i + self.CHUNK]
            out += self.tagger.predict(chunk, **options)
            self.bar.update(len(chunk))
        return out


def _tag_article(group: pd.DataFrame, tagger: Any, progress: bool | None, *, nested: bool,
                 alone: bool) -> pd.DataFrame:
    """``run_ner`` on one article, with a bar over its sentences when it has at least
    :data:`PROGRESS_MIN_SENTENCES`, or when it is ``alone`` (the only article) and
    ``progress`` is True; ``progress=False``: never, not even the model's own bar."""
    from .ner import run_ner

    if progress is False:
        return run_ner(group, tagger=_SentenceProgress(tagger))
    if len(group) < PROGRESS_MIN_SENTENCES and not (progress and alone):
        return run_ner(group, tagger=tagger)
    bar = _progress_bar(len(group), True, f"NER {group['article_id'].iloc[0]}",
                        unit="sentence", nested=nested)
    try:
        return run_ner(group, tagger=_SentenceProgress(tagger, bar))
    finally:
        bar.update(bar.total - bar.n)  # a cache hit tags nothing: show it done
        bar.close()


class Tagged(NamedTuple):
    """What :func:`tag_and_resolve` returns (unpacks as four values)."""

    #: the model's entity mentions (:data:`helpers.schema.MENTIONS`)
    mentions: pd.DataFrame
    #: mentions resolved to actor ids (:data:`helpers.schema.RESOLVED_MENTIONS`)
    resolved: pd.DataFrame
    #: the NER model identity
    ner_model: str
    #: the actor dictionary plus the discovered actors ``resolved`` uses (column ``origin``)
    actors: pd.DataFrame


def tag_and_resolve(sentences: pd.DataFrame, *, models: str | None = None,
                    actors: str | Path | pd.DataFrame | None = None, metonymy: bool = True,
                    progress: bool | None = None) -> Tagged:
    """NER and actor resolution, article by article (so a progress bar can follow a long
    corpus and the NER cache is reused when one article is added); actor discovery over
    the whole corpus (:func:`helpers.discovery.discover_and_resolve`).

    Returns ``(mentions, resolved, ner_model, actors)`` (a :class:`Tagged`): ``actors`` is
    the dictionary (``actors``: a table or CSV path, default ``data/actors.csv``) plus the
    discovered actors, with an ``origin`` column, for the later stages. ``models`` is the NER
    profile (``bundled``, ``camelbert``, ``auto``; ``None``: ``$ARABIC_NEWS_MODELS`` or
    bundled). ``progress``: a progress bar over articles (``None``: when more than 3), or
    over the sentences of one long article (:data:`PROGRESS_MIN_SENTENCES`); ``False``: none.

    >>> mentions, resolved, ner_model, actors = tag_and_resolve(sentences)  # doctest: +SKIP
    """
    from .actors import load_actors
    from .discovery import discover_and_resolve, with_discovered
    from .models import load_ner

    tagger = load_ner(models)
    table = actors if isinstance(actors, pd.DataFrame) else load_actors(actors)
    if sentences.empty:
        return Tagged(MENTIONS.empty(), RESOLVED_MENTIONS.empty(), tagger.identity,
                      with_discovered(table, RESOLVED_MENTIONS.empty()))
    mentions_parts = []
    groups = list(sentences.groupby("article_id", sort=False))
    # a bar over the articles, or (one article) over its sentences in _tag_article
    bar = _progress_bar(len(groups), progress, "NER + actors") if len(groups) > 1 else None
    for _, group in groups:
        mentions = _tag_article(group.reset_index(drop=True), tagger, progress,
                                nested=bar is not None, alone=len(groups) == 1)
        mentions_parts.append(mentions)
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    mentions = pd.concat([m for m in mentions_parts if len(m)] or [mentions_parts[0]],
                         ignore_index=True)
    # dictionary actors, then actors discovered over the whole corpus (helpers.discovery)
    resolved, discovered = discover_and_resolve(mentions, sentences, table, metonymy=metonymy)
    return Tagged(mentions, resolved, tagger.identity,
                  with_discovered(table, resolved, discovered))


def score_sentiment(resolved: pd.DataFrame, sentences: pd.DataFrame,
                    method: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Targeted sentiment per resolved mention and its per-actor summary (mean, 95%
    bootstrap interval, evidence): ``(actor_sentiment, sentiment_summary)``.

    >>> per_mention, per_actor = score_sentiment(resolved, sentences)  # doctest: +SKIP
    """
    from .sentiment import aggregate_sentiment, score_mentions

    per_mention = score_mentions(resolved, sentences, method=method)
    return per_mention, aggregate_sentiment(per_mention, by=("actor_id",))


def find_stance(resolved: pd.DataFrame, sentences: pd.DataFrame,
                actors: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stance triples (who supports/opposes/cooperates with/attacks whom) and their
    aggregated edges: ``(stance, stance_edges)``.

    >>> stance, edges = find_stance(resolved, sentences)  # doctest: +SKIP
    """
    from .stance import extract_stance, stance_edges

    stance = extract_stance(resolved, sentences, actors=actors)
    return stance, stance_edges(stance)


#: the note of a corpus without dates
UNDATED_NOTE = ("no article is dated: time tables and plots are left out "
                "(add a date: line to the front matter of a .txt article)")


def binning_of(articles: pd.DataFrame, freq: str = "auto") -> Binning | None:
    """The time bins :func:`time_tables` uses for ``articles`` (``auto`` resolved to ``D``,
    ``W`` or ``M`` by :func:`helpers.timeline.choose_freq`), or ``None`` when no article
    is dated.

    >>> binning_of(articles).freq  # doctest: +SKIP
    'M'
    """
    if "date" not in articles or not articles["date"].notna().any():
        return None
    from .timeline import bin_documents

    return bin_documents(articles, freq)[1]


def time_tables(articles: pd.DataFrame, resolved: pd.DataFrame, actor_sentiment: pd.DataFrame,
                freq: str = "auto") -> tuple[pd.DataFrame | None, pd.DataFrame | None, list[str]]:
    """Attention share and sentiment per time bin when articles are dated:
    ``(attention, sentiment_over_time, notes)``; ``(None, None, notes)`` for an undated
    corpus. ``freq``: ``auto`` (:func:`helpers.timeline.choose_freq` picks day, week or
    month from the data density), ``D``, ``W`` or ``M``; the bin size used and what the
    bins left out are in the notes and in :func:`binning_of` (``Analysis.binning``).

    >>> attention, over_time, notes = time_tables(articles, resolved, per_mention)  # doctest: +SKIP
    """
    if "date" not in articles or not articles["date"].notna().any():
        return None, None, [UNDATED_NOTE]
    from .timeline import attention_share, bin_documents, sentiment_over_time

    binned, binning = bin_documents(articles, freq)
    attention = attention_share(resolved, articles, binning.freq)
    over_time = sentiment_over_time(actor_sentiment, articles, binning.freq, n_boot=1000,
                                    seed=0)
    return attention, over_time, [time_note(binned, binning)]


_BIN_NAMES = {"D": "day", "W": "week", "M": "month"}


def time_note(binned: pd.DataFrame, binning: Binning) -> str:
    """The run's note on time: :attr:`helpers.timeline.Binning.note`, unless the dated
    articles fill fewer than two time bins; then it says why no over-time figure is drawn.
    ``binned`` and ``binning`` come from :func:`helpers.timeline.bin_documents`.

    >>> from helpers.timeline import bin_documents
    >>> one = pd.DataFrame({"article_id": ["a"], "date": pd.to_datetime(["2020-06-15"]),
    ...                     "date_precision": ["day"]})
    >>> time_note(*bin_documents(one, "W"))  # doctest: +ELLIPSIS
    'One dated article (2020-06-15): the over-time figures ... at least two time bins...'
    """
    n_bins = binned["bin"].nunique() if "bin" in binned else 0
    if n_bins >= 2:
        return binning.note
    name = _BIN_NAMES.get(binning.freq, binning.freq)
    days = sorted({pd.Timestamp(d).date().isoformat() for d in binned.get("date", [])})
    when = days[0] if len(days) == 1 else (f"{days[0]} – {days[-1]}" if days else "")
    if binning.n_binned == 1:
        head = f"One dated article ({when})"
    elif binning.n_binned:
        head = f"{binning.n_binned} dated articles, all in one {name} ({when})"
    else:
        head = "No article has a date fine enough for the time bins"
    parts = [f"{head}: the over-time figures (attention and sentiment over time) need dated "
             f"articles in at least two time bins ({name}s here; --freq / freq= sets the "
             "bin size)."]
    if binning.n_undated:
        parts.append(f"{binning.n_undated} undated article(s) left out (give them a date: "
                     "line).")
    if binning.n_too_coarse:
        parts.append(f"{binning.n_too_coarse} article(s) dated only to the month or year left "
                     f"out of {name} bins (freq='M' counts them).")
    return " ".join(parts)


# ---------------------------------------------------------------------------- analyze


def _check_options(models: str | None, freq: str) -> None:
    from .models import resolve_profile

    if models is not None:
        resolve_profile(models)  # raises ValueError naming the profiles
    if freq not in FREQS:
        raise ValueError(f"unknown time bin {freq!r}: choose one of {', '.join(FREQS)}")


def analyze(source: Source, *, models: str | None = None,
            actors: str | Path | pd.DataFrame | None = None, metonymy: bool = True,
            sentiment_method: str | None = None, freq: str = "auto",
            progress: bool | None = None, fetch_options: dict[str, Any] | None = None,
            load_options: dict[str, Any] | None = None) -> Analysis:
    """Run every stage on ``source`` and return all tables in one :class:`Analysis`.

    ``source``: anything :func:`load_input` takes (pasted text, file, folder, CSV/JSONL,
    saved HTML, URLs or a URL-list file, a list of these, or an articles table).
    ``models``: NER profile ``bundled`` | ``camelbert`` | ``auto`` (``None``:
    ``$ARABIC_NEWS_MODELS``, default bundled). ``actors``: an actor dictionary (CSV path or
    table; default ``data/actors.csv``). ``metonymy``: capitals stand for their states
    (باريس -> france). ``sentiment_method``: ``bundled`` | ``camelbert`` | ``auto``
    (``None``: follows ``models``). ``freq``: time bin, ``auto`` | ``D`` | ``W`` | ``M``.
    ``progress``: tqdm bars on stderr (``None``: over the articles when more than 3, over the
    sentences of an article of :data:`PROGRESS_MIN_SENTENCES` or more; ``False``: none; the
    CLI's ``--no-progress``). ``load_options``: for
    :func:`helpers.corpus.load_corpus`, e.g. ``{"min_arabic_ratio": 0}``.

    Inputs that cannot be read are skipped and listed in ``analysis.load_report``. Notes of
    the model layer (an ``auto`` profile that fell back to the bundled model, a cache folder
    that cannot be written: :func:`helpers.models.collect_notes`) are in ``analysis.notes``.

    >>> analysis = analyze("data/corpus")  # doctest: +SKIP
    >>> analysis.profile["ner_model"]  # doctest: +SKIP
    'bundled:crf-anercorp@...'
    """
    from .models import collect_notes

    with collect_notes() as model_notes:
        analysis = _analyze(source, models=models, actors=actors, metonymy=metonymy,
                            sentiment_method=sentiment_method, freq=freq, progress=progress,
                            fetch_options=fetch_options, load_options=load_options)
    analysis.notes += [note for note in model_notes if note not in analysis.notes]
    return analysis


def _analyze(source: Source, *, models: str | None, actors: str | Path | pd.DataFrame | None,
             metonymy: bool, sentiment_method: str | None, freq: str, progress: bool | None,
             fetch_options: dict[str, Any] | None, load_options: dict[str, Any] | None
             ) -> Analysis:
    _check_options(models, freq)
    from .actors import actor_table, comention_edges, load_actors
    from .models import resolve_profile
    from .sentences import split_sentences

    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now

    profile_name = resolve_profile(models)
    actor_table_in = actors if isinstance(actors, pd.DataFrame) else load_actors(actors)
    articles, load_report = load_input(source, fetch_options=fetch_options,
                                       load_options=load_options)
    lap("load")
    sentences = split_sentences(articles)
    lap("sentences")
    mentions, resolved, ner_model, actor_table_in = tag_and_resolve(  # + discovered actors
        sentences, models=profile_name, actors=actor_table_in, metonymy=metonymy,
        progress=progress)
    lap("ner_and_actors")
    method = sentiment_method or profile_name
    per_mention, summary = score_sentiment(resolved, sentences, method)
    lap("sentiment")
    stance, edges = find_stance(resolved, sentences, actor_table_in)
    lap("stance")
    known = resolved[resolved["actor_id"].notna()]
    table = actor_table(known, by_article=False, actors=actor_table_in)
    per_article = actor_table(known, by_article=True, actors=actor_table_in)
    comention = comention_edges(known)
    lap("actor_tables")
    binning = binning_of(articles, freq)
    attention, over_time, notes = time_tables(articles, known, per_mention,
                                              binning.freq if binning else freq)
    lap("time_tables")
    if articles.empty:
        notes = ["no article could be analysed: see the skipped inputs"]
    methods = sorted(set(per_mention["method"].dropna().astype(str))) if len(per_mention) else []
    profile = {
        "ner_profile": profile_name, "ner_model": ner_model,
        "sentiment_method": method, "sentiment_model": ", ".join(methods) or method,
        "actors": "data/actors.csv" if actors is None else
                  ("(table)" if isinstance(actors, pd.DataFrame) else Path(actors).name),
        "metonymy": metonymy, "freq": freq, "helpers": __version__,
    }
    return Analysis(
        articles=articles, load_report=load_report, sentences=sentences, mentions=mentions,
        resolved=resolved, actor_sentiment=per_mention, sentiment_summary=summary,
        stance=stance, stance_edges=edges, actor_table=table, article_actors=per_article,
        comention=comention, actors=actor_table_in, attention=attention,
        sentiment_time=over_time, profile=profile, notes=notes, timings=timings,
        binning=binning)
