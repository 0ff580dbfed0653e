"""Archives, not articles: the analysis in partitions, with bounded memory, resume and Dask.

:func:`helpers.pipeline.analyze` holds every table of a corpus in memory until the end, which
is right for a course and wrong for a newspaper archive of 100,000 articles. This module runs
the same stages over a corpus **in partitions** (a number of articles each, or one calendar
month each for a dated JSON Lines export), writes each partition's tables as soon as it is
done, and aggregates the corpus-level tables (actors, stance edges, sentiment per actor,
attention and sentiment over time, the HTML report) from the written partitions at the end:

    out/
      parts/<table>/<partition>.parquet    per-row tables, one file per partition
                                           (articles, load_report, sentences, mentions,
                                           resolved_mentions, actor_sentiment, stance)
      parts/_manifest/<partition>.json     written last: the partition is complete
      tables/                              corpus-level tables (CSV and Parquet); the
                                           per-row tables are read from parts/, not copied
      figures/, report.html                as for a small run

``pandas.read_parquet("out/parts/resolved_mentions")`` (or ``dask.dataframe.read_parquet``)
reads a per-row table of the whole archive. Memory is bounded by the partition size, not the
corpus: a worker holds one partition at a time, and the final aggregation (:func:`aggregate`)
reads one partition at a time and keeps only a few narrow columns of the actor mentions and
sentiment scores (a few dozen bytes per mention, not the text). The figures of an unchanged
set of corpus tables come back from the cache too (:func:`helpers.report.make_figures`).

**Resume.** A partition is skipped when its manifest says it is complete, was made from the
same input (a fingerprint of its files' names, sizes and modification times, or of its JSON
lines), with the same options and helpers version, and every table file it lists is there
with the listed number of rows. A run killed midway therefore resumes where it stopped.

**Cache.** With the bundled profile, the per-row tables of every analysed partition are also
kept in the model-output cache (``ARABIC_NEWS_CACHE``, stage ``partition``), keyed by the
partition's articles, the options and a digest of the package's code and ``data/``
(:func:`cached_rows`): a re-run with ``--no-resume``, or into another ``--out``, reads an
unchanged partition back instead of analysing it again (same tables); any change of text,
option, code, lexicon or model is a new key. Per article, only the NER outputs are cached:
actor discovery works over a whole partition, so the later stages cannot be cached by
article.

**Engines.** ``engine="local"`` (the default) runs the partitions one after the other in
this process and needs no Dask. ``engine="dask"`` starts a local Dask cluster of ``workers``
processes (one thread each), or connects to a running scheduler (``scheduler="tcp://..."``;
a Slurm cluster through dask-jobqueue, a Kubernetes cluster through dask-kubernetes: see
the README). Every worker loads the models once (the loaders keep them per process) and
writes its partitions itself, so the output folder (and the model-output cache,
``ARABIC_NEWS_CACHE``, whose writes are atomic) must be on a file system the workers share.
Both engines call the same function per partition, so their tables are identical.

Limits: duplicate articles are found within a partition, not across partitions; a CSV file is
one partition (split a large CSV into several files, or export JSON Lines).

>>> result = analyze_archive("archive/", "out/", partition_size=500)  # doctest: +SKIP
>>> result.analysis.actor_table.head()  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__

#: per-row tables written for every partition (file name -> Analysis attribute)
PART_TABLES = {
    "articles": "articles", "load_report": "load_report", "sentences": "sentences",
    "mentions": "mentions", "resolved_mentions": "resolved",
    "actor_sentiment": "actor_sentiment", "stance": "stance",
}
ENGINES = ("local", "dask")
PARTITION_BY = ("count", "month")
DEFAULT_PARTITION_SIZE = 500
MANIFEST_DIR = "_manifest"
UNDATED = "undated"
_READABLE = {".txt", ".text", ".jsonl", ".json", ".csv", ".tsv", ".html", ".htm"}


class ArchiveError(RuntimeError):
    """An archive run that cannot start; the message says what to change."""


# ----------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class Partition:
    """One unit of work: ``files`` to load whole, or ``lines`` (1-based) of one JSONL file."""

    key: str
    files: tuple[str, ...] = ()
    jsonl: str | None = None
    lines: tuple[int, ...] = ()
    fingerprint: str = ""

    @property
    def size(self) -> int:
        """Number of inputs (files or JSON lines) in the partition."""
        return len(self.lines) if self.jsonl else len(self.files)


def _digest(parts: Sequence[str]) -> str:
    h = hashlib.sha1()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()[:16]


def _file_sig(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return f"{path}|missing"
    return f"{path}|{st.st_size}|{st.st_mtime_ns}"


def _list_inputs(source: str | Path | Sequence[str | Path]) -> list[Path]:
    items = [source] if isinstance(source, str | Path) else list(source)
    files: list[Path] = []
    for item in items:
        path = Path(item).expanduser()
        if path.is_dir():
            files += sorted(p for p in path.rglob("*")
                            if not any(part.startswith(".") for part in p.relative_to(path).parts)
                            and (p.is_file() or p.is_symlink() or not p.is_dir()))
        elif path.exists() or path.is_symlink():
            files.append(path)
        else:
            raise ArchiveError(f"No such file or folder: '{item}'. Check the path.")
    return files


def _jsonl_months(path: Path) -> dict[str, list[int]]:
    """Line numbers of ``path`` grouped by the month of each record's ``date`` (or undated)."""
    from .corpus import parse_date

    groups: dict[str, list[int]] = {}
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        for n, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                date, _ = parse_date(json.loads(line).get("date"))
                key = UNDATED if pd.isna(date) else f"{date:%Y-%m}"
            except (ValueError, AttributeError, TypeError):
                key = UNDATED
            groups.setdefault(key, []).append(n)
    return groups


def _jsonl_line_count(path: Path) -> list[int]:
    with path.open("rb") as handle:
        return [n for n, line in enumerate(handle, start=1) if line.strip()]


def _line_fingerprint(path: Path, lines: Sequence[int]) -> str:
    wanted = set(lines)
    h = hashlib.sha1(str(path).encode())
    with path.open("rb") as handle:
        for n, line in enumerate(handle, start=1):
            if n in wanted:
                h.update(line)
    return h.hexdigest()[:16]


def plan_partitions(source: str | Path | Sequence[str | Path], *,
                    size: int = DEFAULT_PARTITION_SIZE, by: str = "count") -> list[Partition]:
    """Cut ``source`` (a folder, files, or one JSON Lines file) into partitions.

    ``by="count"``: ``size`` inputs each (files of a folder in sorted order; lines of a
    JSONL file). ``by="month"``: one partition per month of the records' ``date`` (JSON
    Lines only; undated records go to ``undated``), cut again when a month holds more than
    ``size`` records. Partition keys sort in input order (``p00000``, ``2020-06``,
    ``2020-06.1``).

    >>> [p.key for p in plan_partitions("data/corpus", size=10)]
    ['p00000']
    """
    if size < 1:
        raise ArchiveError(f"partition size must be at least 1, not {size}")
    if by not in PARTITION_BY:
        raise ArchiveError(f"unknown partitioning {by!r}: choose one of {', '.join(PARTITION_BY)}")
    files = _list_inputs(source)
    jsonl = [f for f in files if f.suffix.lower() == ".jsonl" and f.is_file()]
    if by == "month" and (len(files) != 1 or not jsonl):
        raise ArchiveError("--partition-by month needs one JSON Lines file (records with a "
                           "'date'); for a folder use --partition-by count")
    parts: list[Partition] = []
    if len(files) == 1 and jsonl:
        path = jsonl[0]
        groups = (_jsonl_months(path) if by == "month"
                  else {"p": _jsonl_line_count(path)})
        for month, lines in sorted(groups.items(), key=lambda kv: (kv[0] == UNDATED, kv[0])):
            for j, start in enumerate(range(0, len(lines), size)):
                chunk = tuple(lines[start:start + size])
                key = (f"p{start // size:05d}" if by == "count"
                       else month + (f".{j}" if j else ""))
                parts.append(Partition(key=key, jsonl=str(path), lines=chunk,
                                       fingerprint=_line_fingerprint(path, chunk)))
        return parts
    for start in range(0, len(files), size):
        chunk = files[start:start + size]
        parts.append(Partition(key=f"p{start // size:05d}", files=tuple(map(str, chunk)),
                               fingerprint=_digest([_file_sig(p) for p in chunk])))
    return parts


# --------------------------------------------------------------------- one partition


@dataclass
class Options:
    """What every partition is analysed with (picklable, sent to Dask workers)."""

    models: str | None = None
    actors: str | None = None
    metonymy: bool = True
    sentiment_method: str | None = None
    min_arabic_ratio: float = 0.3

    def digest(self) -> str:
        """Changes when an option that changes the tables changes."""
        return _digest([json.dumps(asdict(self), sort_keys=True, default=str), __version__])


def load_partition(part: Partition, min_arabic_ratio: float = 0.3) -> tuple[pd.DataFrame,
                                                                               pd.DataFrame]:
    """The ``(articles, load_report)`` of one partition, read by the corpus loader."""
    from .corpus import read_corpus, read_jsonl_lines

    if part.jsonl:
        wanted = set(part.lines)
        with open(part.jsonl, encoding="utf-8", errors="replace") as handle:
            lines = {n: line.rstrip("\n") for n, line in enumerate(handle, start=1)
                     if n in wanted}
        return read_jsonl_lines(lines, path=part.jsonl, min_arabic_ratio=min_arabic_ratio)
    return read_corpus(list(part.files), min_arabic_ratio=min_arabic_ratio)


def _atomic_json(path: Path, payload: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=str),
                       encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_table(table: pd.DataFrame, path: Path) -> None:
    from .pipeline import _portable, _write_parquet

    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.parquet")
    try:
        _write_parquet(_portable(table), tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def analyze_rows(articles: pd.DataFrame, options: Options) -> tuple[dict[str, pd.DataFrame],
                                                                    dict[str, Any]]:
    """The per-row tables (:data:`PART_TABLES`, without ``load_report``) of one partition
    and the run's profile: the stages of :func:`helpers.pipeline.analyze` up to stance, in
    the same order and with the same arguments, without the corpus-level tables (sentiment
    summary, actor tables, stance edges, time tables with their bootstrap), which
    :func:`aggregate` makes once from all partitions.
    """
    from .actors import load_actors
    from .discovery import with_discovered
    from .models import resolve_profile
    from .pipeline import load_input, tag_and_resolve
    from .sentences import split_sentences
    from .sentiment import score_mentions
    from .stance import extract_stance

    profile_name = resolve_profile(options.models)
    actors = load_actors(options.actors)
    articles, _ = load_input(articles)
    sentences = split_sentences(articles)
    tagged = tag_and_resolve(sentences, models=profile_name, actors=actors,
                             metonymy=options.metonymy, progress=False)
    mentions, resolved, ner_model = tagged[0], tagged[1], tagged[2]
    # the dictionary plus the discovered actors (returned by tag_and_resolve as a 4th value)
    actors = tagged[3] if len(tagged) > 3 else with_discovered(actors, resolved)
    method = options.sentiment_method or profile_name
    per_mention = score_mentions(resolved, sentences, method=method)
    stance = extract_stance(resolved, sentences, actors=actors)
    methods = sorted(set(per_mention["method"].dropna().astype(str))) if len(per_mention) else []
    profile = {  # as helpers.pipeline.analyze writes it
        "ner_profile": profile_name, "ner_model": ner_model,
        "sentiment_method": method, "sentiment_model": ", ".join(methods) or method,
        "actors": "data/actors.csv" if options.actors is None else Path(options.actors).name,
        "metonymy": options.metonymy, "freq": "auto", "helpers": __version__,
    }
    tables = {"articles": articles, "sentences": sentences, "mentions": mentions,
              "resolved_mentions": resolved, "actor_sentiment": per_mention, "stance": stance}
    return tables, profile


#: per-row tables of whole partitions, by their articles (stage ``partition`` of the cache)
PARTITION_CACHE_STAGE = "partition"
_CACHED_TABLES = ("articles", "sentences", "mentions", "resolved_mentions", "actor_sentiment",
                  "stance")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A digest of everything a bundled analysis depends on besides its input: the files of
    the ``helpers`` package (code, templates) and of ``data/`` (actors, titles, lexicons,
    stance rules, the bundled models). Any edit changes it."""
    from .paths import DATA_DIR

    h = hashlib.sha256(__version__.encode())
    for root in (Path(__file__).parent, DATA_DIR):
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root).parts
            if (path.is_file() and "__pycache__" not in rel
                    and not any(part.startswith(".") for part in rel)):
                h.update(f"{root.name}/{'/'.join(rel)}".encode())
                h.update(path.read_bytes())
    return h.hexdigest()[:32]


def _partition_cache_key(articles: pd.DataFrame, options: Options) -> str | None:
    """The cache key of a partition's tables, or ``None`` when they are not cached: only the
    bundled and fast profiles (NER and sentiment) are, whose models and data are all in the
    repository (:func:`code_fingerprint`); a transformer model is not."""
    from .models import OFFLINE_PROFILES, OutputCache, resolve_profile

    profile = resolve_profile(options.models)
    if (profile not in OFFLINE_PROFILES
            or (options.sentiment_method or profile) not in OFFLINE_PROFILES):
        return None
    actors = ""
    if options.actors:
        try:
            actors = hashlib.sha256(Path(options.actors).read_bytes()).hexdigest()
        except OSError:
            return None
    identity = json.dumps([options.digest(), code_fingerprint(), actors])
    columns = list(articles.columns)
    rows = ([columns], articles.astype(str).itertuples(index=False))
    return OutputCache(PARTITION_CACHE_STAGE).key(identity, (r for part in rows for r in part))


def cached_rows(articles: pd.DataFrame, options: Options) -> tuple[dict[str, pd.DataFrame],
                                                                   dict[str, Any]]:
    """:func:`analyze_rows`, with the tables of a partition whose articles, options, code
    and data were seen before read from the model-output cache (``ARABIC_NEWS_CACHE``,
    stage ``partition``; :class:`helpers.models.OutputCache`), so that a re-run with
    ``--no-resume`` (or into another ``--out``) does not analyse them again. Tables come
    back as written to ``parts/`` (lists as JSON text), which is all a partition writes.
    A fresh ``ARABIC_NEWS_CACHE`` (or deleting its ``partition/`` folder) recomputes."""
    from .models import OutputCache
    from .pipeline import _portable

    key = _partition_cache_key(articles, options)
    if key is None:
        return analyze_rows(articles, options)
    cache = OutputCache(PARTITION_CACHE_STAGE)
    entries = {name: f"{key[:24]}-{i}" for i, name in enumerate((*_CACHED_TABLES, "profile"))}
    meta = cache.get(entries["profile"], ["profile", "columns"])
    if meta is not None and len(meta) == 1:
        columns = json.loads(meta["columns"].iloc[0])
        tables = {name: cache.get(entries[name], columns[name]) for name in _CACHED_TABLES}
        if all(t is not None for t in tables.values()):
            return tables, json.loads(meta["profile"].iloc[0])
    tables, profile = analyze_rows(articles, options)
    portable = {name: _portable(tables[name]) for name in _CACHED_TABLES}
    for name, table in portable.items():
        cache.put(entries[name], table, identity=key)
    cache.put(entries["profile"], pd.DataFrame(
        {"profile": [json.dumps(profile, default=str)],
         "columns": [json.dumps({n: list(t.columns) for n, t in portable.items()})]}),
        identity=key)  # written last: the entry is complete
    return tables, profile


def run_partition(part: Partition, out: str | Path, options: Options) -> dict[str, Any]:
    """Analyse one partition and write its tables; return its manifest (also written).

    Runs in the calling process (local engine) or on a Dask worker. An error inside the
    analysis is caught and returned in the manifest (``status: "failed"``) so that the other
    partitions go on; the partition is then retried by the next run.
    """
    from .corpus import set_load_report

    out = Path(out)
    started = time.process_time()
    manifest: dict[str, Any] = {"key": part.key, "fingerprint": part.fingerprint,
                                "options": options.digest(), "helpers": __version__,
                                "inputs": part.size}
    try:
        articles, report = load_partition(part, options.min_arabic_ratio)
        tables, profile = cached_rows(set_load_report(articles, report), options)
        tables["load_report"] = report
        rows = {}
        for name in PART_TABLES:
            folder = out / "parts" / name
            folder.mkdir(parents=True, exist_ok=True)
            _write_table(tables[name], folder / f"{part.key}.parquet")
            rows[name] = len(tables[name])
        manifest.update(status="complete", rows=rows, profile=profile)
    except Exception as exc:  # noqa: BLE001 - one bad partition must not stop the archive
        manifest.update(status="failed", error=f"{type(exc).__name__}: {exc}")
    manifest["cpu_s"] = round(time.process_time() - started, 3)
    folder = out / "parts" / MANIFEST_DIR
    folder.mkdir(parents=True, exist_ok=True)
    _atomic_json(folder / f"{part.key}.json", manifest)
    return manifest


def _rows_in(path: Path) -> int | None:
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path).metadata.num_rows
    except Exception:  # noqa: BLE001 - a missing or damaged file means "redo"
        return None


def is_complete(part: Partition, out: str | Path, options: Options) -> bool:
    """True when ``out`` holds a verified, complete result of ``part`` with ``options``."""
    folder = Path(out) / "parts"
    try:
        manifest = json.loads((folder / MANIFEST_DIR / f"{part.key}.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    if (manifest.get("status") != "complete" or manifest.get("fingerprint") != part.fingerprint
            or manifest.get("options") != options.digest()):
        return False
    return all(_rows_in(folder / name / f"{part.key}.parquet") == n
               for name, n in manifest.get("rows", {}).items())


# ------------------------------------------------------------------------- engines


def _run_local(todo: list[Partition], out: Path, options: Options,
               done: Callable[[dict], None]) -> None:
    for part in todo:
        done(run_partition(part, out, options))


#: Dask settings for the local cluster's workers: the partitions are long, CPU-bound Python
#: tasks, so the diagnostics that sample the worker thread are turned off or slowed down
WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.admin.tick.interval": "200ms",
    "distributed.worker.memory.monitor-interval": "500ms",
}


def _run_dask(todo: list[Partition], out: Path, options: Options, done: Callable[[dict], None],
              *, workers: int | None, scheduler: str | None) -> None:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError as exc:  # pragma: no cover - dask is pinned in requirements.txt
        raise ArchiveError("--engine dask needs Dask: pip install -r requirements.txt "
                           "(dask and distributed)") from exc
    import logging

    import dask

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        # the workers inherit this configuration: no sampling profiler and no GIL monitor
        # (both take the GIL many times a second from the one thread that does the work;
        # measured: about 20% more CPU per partition with them, benchmarks/README.md)
        with dask.config.set(WORKER_CONFIG):
            cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                   processes=True, dashboard_address=None,
                                   silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        futures = client.map(run_partition, todo, out=str(out), options=options, pure=False)
        for future in as_completed(futures):
            done(future.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ---------------------------------------------------------------------- aggregation


def read_part_table(out: str | Path, name: str, columns: Sequence[str] | None = None
                    ) -> pd.DataFrame:
    """One per-row table of the whole archive, read partition by partition (only ``columns``
    when given), in partition order.

    >>> resolved = read_part_table("out/", "resolved_mentions", ["article_id", "actor_id"])  # doctest: +SKIP
    """
    folder = Path(out) / "parts" / name
    frames = [pd.read_parquet(p, columns=list(columns) if columns else None)
              for p in sorted(folder.glob("*.parquet")) if not p.name.startswith(".")]
    return _concat(frames, name, columns)


def _restore(table: pd.DataFrame) -> pd.DataFrame:
    """Lists written as JSON text by :func:`helpers.pipeline._portable` back to lists."""
    for col in ("surfaces", "triggers"):
        if col in table and table[col].dtype == object:
            table[col] = table[col].map(lambda v: json.loads(v) if isinstance(v, str)
                                        and v.startswith("[") else v)
    if "date" in table:
        table["date"] = pd.to_datetime(table["date"])
    return table


#: columns of the per-row tables the corpus tables are made from (the rest stays in parts/)
_CORPUS_COLUMNS = {
    "resolved_mentions": ["article_id", "sent_id", "start", "surface", "label", "actor_id"],
    "actor_sentiment": ["article_id", "sent_id", "start", "actor_id", "label", "score"],
}
#: article columns kept only for the articles the report shows
_TEXT_COLUMNS = ("raw_text", "text")


def _partition_keys(out: str | Path) -> list[str]:
    """The partitions written under ``out``, in order (as :func:`read_part_table` reads them)."""
    folder = Path(out) / "parts" / "articles"
    return sorted(p.stem for p in folder.glob("*.parquet") if not p.name.startswith("."))


def _read_part(out: str | Path, name: str, key: str) -> pd.DataFrame | None:
    path = Path(out) / "parts" / name / f"{key}.parquet"
    return pd.read_parquet(path) if path.is_file() else None


def _concat(frames: list[pd.DataFrame], name: str, columns: Sequence[str] | None = None
            ) -> pd.DataFrame:
    """``frames`` (partitions of the per-row table ``name``) as one table; its typed
    empty form (only ``columns`` when given) when no partition was written."""
    from .schema import SPECS

    frames = [f for f in frames if len(f)] or frames[:1]
    if not frames:
        empty = SPECS[name].empty()
        return empty[list(columns)] if columns else empty
    return pd.concat(frames, ignore_index=True)


def _extreme_rows(scored: pd.DataFrame) -> pd.DataFrame:
    """Per actor, the first row of the highest and of the lowest score of one partition
    (with its context and evidence): where :func:`helpers.sentiment.aggregate_sentiment`
    finds the most positive and most negative mention of the whole archive."""
    scored = scored[scored["actor_id"].notna()]
    if scored.empty:
        return scored[["actor_id", "score", "context", "evidence"]]
    by_actor = scored.groupby("actor_id", sort=False)["score"]
    picks = pd.Index(by_actor.idxmax()).append(pd.Index(by_actor.idxmin()))
    return scored.loc[picks, ["actor_id", "score", "context", "evidence"]]


def _with_extremes(summary: pd.DataFrame, extremes: pd.DataFrame) -> pd.DataFrame:
    """Fill the ``most_positive_*`` / ``most_negative_*`` context and evidence of an
    actor summary made without those columns: the first row, in archive order, with the
    actor and the score the summary names (the row ``idxmax`` / ``idxmin`` would pick)."""
    first = extremes.drop_duplicates(["actor_id", "score"])
    found = {(a, float(s)): (c, e) for a, s, c, e in
             first[["actor_id", "score", "context", "evidence"]].itertuples(index=False)}
    summary = summary.copy()
    for side in ("positive", "negative"):
        picked = [found.get((a, float(s)), ("", "")) if pd.notna(s) else ("", "")
                  for a, s in zip(summary["actor_id"], summary[f"most_{side}_score"],
                                  strict=True)]
        summary[f"most_{side}_context"] = [c for c, _ in picked]
        summary[f"most_{side}_evidence"] = [e for _, e in picked]
    return summary


def aggregate(out: str | Path, options: Options, *, freq: str = "auto",
              report_articles: int = 50) -> Any:
    """The corpus-level :class:`helpers.pipeline.Analysis` of a partitioned run.

    Reads the partitions one at a time and keeps only what the corpus tables need: the
    actor mentions and sentiment scores as a few narrow columns (:data:`_CORPUS_COLUMNS`),
    the stance rows, the articles without their text, and per actor the mentions with the
    highest and lowest score. The corpus tables are then made by the same stage functions
    as :func:`helpers.pipeline.analyze`, so a partitioned run and a single run agree, and
    memory grows with the number of actor mentions (a few dozen bytes each), not with the
    text of the archive.

    In the returned analysis, ``articles`` lists every article, with the text of the first
    ``report_articles`` only (the report shows no more); ``sentences``, ``mentions``,
    ``resolved``, ``actor_sentiment`` and ``stance`` hold the rows of those first articles;
    ``parts`` names the folder of the whole per-row tables and ``row_counts`` their sizes.
    """
    from .actors import actor_table, comention_edges, load_actors
    from .discovery import with_discovered
    from .pipeline import Analysis, binning_of, time_tables
    from .sentiment import aggregate_sentiment
    from .stance import stance_edges

    profile: dict[str, Any] = {}
    for path in sorted((Path(out) / "parts" / MANIFEST_DIR).glob("*.json")):
        manifest = json.loads(path.read_text("utf-8"))
        if manifest.get("status") == "complete":
            profile = dict(manifest.get("profile") or {}, freq=freq)
            break
    kept: dict[str, list[pd.DataFrame]] = {name: [] for name in PART_TABLES}
    known: list[pd.DataFrame] = []
    scores: list[pd.DataFrame] = []
    extremes: list[pd.DataFrame] = []
    counts = dict.fromkeys(PART_TABLES, 0)
    shown: set = set()
    for key in _partition_keys(out):
        tables = {name: _read_part(out, name, key) for name in PART_TABLES}
        tables = {name: t for name, t in tables.items() if t is not None}
        for name, table in tables.items():
            counts[name] += len(table)
        arts = tables.get("articles")
        if arts is not None:
            room = report_articles - len(shown)
            shown.update(arts["article_id"].head(max(room, 0)))
            arts = arts.copy()
            rest = ~arts["article_id"].isin(shown)
            for col in _TEXT_COLUMNS:
                if col in arts and rest.any():
                    arts.loc[rest, col] = ""
            kept["articles"].append(arts)
        for name in ("sentences", "mentions", "resolved_mentions", "actor_sentiment"):
            if name in tables:
                kept[name].append(tables[name][tables[name]["article_id"].isin(shown)])
        for name in ("stance", "load_report"):
            if name in tables:
                kept[name].append(tables[name])
        if "resolved_mentions" in tables:
            res = tables["resolved_mentions"]
            known.append(res.loc[res["actor_id"].notna(),
                                 _CORPUS_COLUMNS["resolved_mentions"]])
        if "actor_sentiment" in tables:
            per = tables["actor_sentiment"]
            scores.append(per[_CORPUS_COLUMNS["actor_sentiment"]])
            extremes.append(_extreme_rows(per))
        del tables
    table = {name: _concat(frames, name) for name, frames in kept.items()}
    articles = _restore(table["articles"])
    stance = table["stance"]
    known_rows = _restore(_concat(known, "resolved_mentions",
                                  _CORPUS_COLUMNS["resolved_mentions"]))
    scored = _concat(scores, "actor_sentiment", _CORPUS_COLUMNS["actor_sentiment"])
    actors = with_discovered(load_actors(options.actors), known_rows)
    summary = aggregate_sentiment(scored, by=("actor_id",))
    if len(summary):
        summary = _with_extremes(summary, pd.concat(extremes, ignore_index=True))
    binning = binning_of(articles, freq)
    attention, over_time, notes = time_tables(articles, known_rows, scored,
                                              binning.freq if binning else freq)
    return Analysis(
        articles=articles, load_report=table["load_report"],
        sentences=table["sentences"].reset_index(drop=True),
        mentions=table["mentions"].reset_index(drop=True),
        resolved=_restore(table["resolved_mentions"]).reset_index(drop=True),
        actor_sentiment=table["actor_sentiment"].reset_index(drop=True),
        sentiment_summary=summary,
        stance=stance[stance["article_id"].isin(shown)].reset_index(drop=True),
        stance_edges=stance_edges(stance),
        actor_table=actor_table(known_rows, by_article=False, actors=actors),
        article_actors=actor_table(known_rows, by_article=True, actors=actors),
        comention=comention_edges(known_rows), actors=actors, attention=attention,
        sentiment_time=over_time, notes=notes, profile=profile, binning=binning,
        parts=str(Path(out) / "parts"), row_counts=counts)


# ---------------------------------------------------------------------------- run


@dataclass
class ArchiveResult:
    """What :func:`analyze_archive` did: the corpus-level analysis and the partitions."""

    analysis: Any
    partitions: int
    skipped_complete: int
    failed: list[dict] = field(default_factory=list)
    cpu_s: float = 0.0
    #: wall seconds of the analysis phase: the engine's start (a Dask cluster's included)
    #: to the last partition written; the corpus tables, figures and report come after
    engine_s: float = 0.0


def analyze_archive(source: str | Path | Sequence[str | Path], out: str | Path, *,
                    engine: str = "local", workers: int | None = None,
                    scheduler: str | None = None, partition_size: int = DEFAULT_PARTITION_SIZE,
                    partition_by: str = "count", resume: bool = True,
                    options: Options | None = None, freq: str = "auto",
                    progress: bool | None = None) -> ArchiveResult:
    """Analyse ``source`` in partitions into ``out`` and aggregate the corpus tables.

    ``engine``: ``local`` (this process) or ``dask`` (``workers`` local processes, or the
    cluster at ``scheduler``). ``resume``: skip partitions already complete in ``out``
    (verified by their manifest). Returns an :class:`ArchiveResult`; write the corpus tables
    and the report with ``result.analysis.to_dir(...)`` and
    :func:`helpers.report.write_report`, as the CLI does.

    >>> result = analyze_archive("big.jsonl", "out/", engine="dask", workers=2)  # doctest: +SKIP
    """
    if engine not in ENGINES:
        raise ArchiveError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    options = options or Options()
    out = Path(out)
    parts = plan_partitions(source, size=partition_size, by=partition_by)
    todo = [p for p in parts if not (resume and is_complete(p, out, options))]
    bar = None
    if progress or (progress is None and len(todo) > 1):
        from tqdm import tqdm

        bar = tqdm(total=len(todo), desc="partitions", unit="part", file=sys.stderr)
    manifests: list[dict] = []

    def done(manifest: dict) -> None:
        manifests.append(manifest)
        if bar is not None:
            bar.update(1)

    started = time.perf_counter()
    try:
        if engine == "dask":
            _run_dask(todo, out, options, done, workers=workers, scheduler=scheduler)
        else:
            _run_local(todo, out, options, done)
    finally:
        if bar is not None:
            bar.close()
    engine_s = time.perf_counter() - started
    if todo:
        articles = sum(m.get("rows", {}).get("articles", 0) for m in manifests)
        _atomic_json(out / "parts" / "run.json", {
            "engine": engine, "workers": workers, "partitions": len(todo), "articles": articles,
            "engine_s": round(engine_s, 3), "cpu_s": round(sum(m.get("cpu_s", 0.0) for m in manifests), 3)})
    failed = [m for m in manifests if m.get("status") != "complete"]
    analysis = aggregate(out, options, freq=freq)
    for m in failed:
        analysis.notes.append(f"partition {m['key']} failed ({m.get('error')}); run the same "
                              "command again to retry it")
    analysis.notes.append(f"{len(parts)} partition(s) of at most {partition_size} inputs; "
                          f"{len(parts) - len(todo)} already complete were reused")
    return ArchiveResult(analysis=analysis, partitions=len(parts),
                         skipped_complete=len(parts) - len(todo), failed=failed,
                         cpu_s=sum(m.get("cpu_s", 0.0) for m in manifests), engine_s=engine_s)


def iter_partition_tables(out: str | Path, name: str) -> Iterator[pd.DataFrame]:
    """The partitions of one per-row table, one DataFrame at a time (bounded memory)."""
    folder = Path(out) / "parts" / name
    for path in sorted(folder.glob("*.parquet")):
        if not path.name.startswith("."):
            yield pd.read_parquet(path)


def synthetic_archive(n: int, path: str | Path, *, seed: int = 0,
                      sentences_per_article: tuple[int, int] = (6, 14)) -> Path:
    """Write a synthetic JSON Lines archive of ``n`` article-like records to ``path``, for
    benchmarks and tests: sentences of the embedded corpus and the chronology, shuffled and
    dated over 2019–2021 (one record: ``id``, ``title``, ``date``, ``source``, ``text``).
    The same ``n`` and ``seed`` give the same file.

    >>> synthetic_archive(3, "/tmp/three.jsonl").name  # doctest: +SKIP
    'three.jsonl'
    """
    import random

    from .corpus import load_corpus
    from .paths import CORPUS_DIR, DATA_DIR
    from .sentences import split_sentences

    texts = load_corpus([CORPUS_DIR, DATA_DIR / "chronology" / "libya_2019_2021.jsonl"])
    pool = [s for s in split_sentences(texts)["text"] if len(s) > 20]
    rng = random.Random(seed)
    start = pd.Timestamp("2019-01-01")
    days = (pd.Timestamp("2021-12-31") - start).days
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            body = rng.sample(pool, rng.randint(*sentences_per_article))
            record = {"id": f"syn-{i:06d}", "title": body[0][:80],
                      "date": f"{start + pd.Timedelta(days=rng.randrange(days)):%Y-%m-%d}",
                      "source": "synthetic", "text": " ".join(body[1:])}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
