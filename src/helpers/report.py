"""A self-contained HTML report of one :class:`helpers.pipeline.Analysis`, and its figures.

One file a student can open in any browser, e-mail or archive: no external files, no
scripts. Figures are PNGs embedded as base64 ``data:`` URIs; Arabic text is shown right to
left (``dir="rtl" lang="ar"``). The page is rendered from jinja2 templates
(``helpers/templates/``) with autoescape on, so every piece of article text, title, table
cell, note and file name is HTML-escaped: markup inside an article (``<script>``,
``<img onerror=...>``) is shown as text and never executed. A Content-Security-Policy that
forbids scripts and remote content adds a second lock. Entities are highlighted by type with
:func:`highlight_html`, the function notebook 02 uses; actors found in the text rather than
in the actor dictionary (``origin == "discovered"``) carry a *discovered* badge.

>>> from helpers.pipeline import analyze
>>> analysis = analyze("data/corpus")  # doctest: +SKIP
>>> figures = make_figures(analysis, "out/figures")  # doctest: +SKIP
>>> write_report(analysis, "out", figures=figures)  # doctest: +SKIP
PosixPath('out/report.html')
"""

from __future__ import annotations

import base64
import functools
import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from . import __version__
from .colors import ENTITY_COLORS
from .corpus import split_report

REPORT_NAME = "report.html"
#: Articles whose full highlighted text is shown; later ones are listed in a table only.
MAX_ARTICLES = 50
#: Articles shown unfolded; the others are folded (click the title to open).
OPEN_ARTICLES = 3
MAX_CELL = 300
MAX_ROWS = 60

TEMPLATES = Path(__file__).with_name("templates")
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
#: Report figures in display order, with their captions.
FIGURE_CAPTIONS = {
    "top_actors": "Most mentioned actors",
    "actor_network": "Actors named in the same sentence (edge width: sentences)",
    "actor_sentiment": "Targeted sentiment per actor: mean and 95% bootstrap interval",
    "stance_network": "Who supports or opposes whom (stance edges)",
    "narrative": "Narrative timeline of the first article: the actors sentence by sentence, "
                 "coloured by targeted sentiment",
    "event_timeline": "The dated articles on the project's chronology of the Libyan conflict",
    "attention_over_time": "Share of actor mentions over time",
    "sentiment_over_time": "Sentiment toward the most mentioned actors over time",
}
ENTITY_NAMES = {"PERS": "person", "LOC": "place / state", "ORG": "organisation",
                "MISC": "other"}


# --------------------------------------------------------------------------- templates


@functools.cache
def environment() -> jinja2.Environment:
    """The jinja2 environment of the report templates (autoescape on for every template,
    undefined names are errors)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True)


def _macros() -> Any:
    return environment().get_template("macros.html.j2").module


# ------------------------------------------------------------------------------ pieces


@dataclass(frozen=True)
class Cell:
    """One table cell as shown: its text (escaped by the template) and whether it names a
    discovered actor (a badge follows it)."""

    text: str
    discovered: bool = False


def data_uri(png: str | Path | bytes) -> str:
    """A ``data:image/png;base64,...`` URI of a PNG file or its bytes."""
    content = png if isinstance(png, bytes) else Path(png).read_bytes()
    return "data:image/png;base64," + base64.b64encode(content).decode("ascii")


def _text(value: Any) -> str:
    """``value`` as a string, empty for None/NaN/NaT."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    return str(value).strip()


def actor_names(actors: pd.DataFrame | None) -> dict[str, str]:
    """``actor_id -> "name_en · name_ar"`` from the actor table (empty when absent); an actor
    without an English name, or discovered (``origin == "discovered"``: its English name is
    a machine transliteration), is named in Arabic only.

    >>> actor_names(pd.DataFrame({"actor_id": ["haftar", "x1"],
    ...                           "name_en": ["Khalifa Haftar", None],
    ...                           "name_ar": ["خليفة حفتر", "عبد الفتاح البرهان"]}))
    {'haftar': 'Khalifa Haftar · خليفة حفتر', 'x1': 'عبد الفتاح البرهان'}
    """
    if actors is None or not {"actor_id", "name_en", "name_ar"} <= set(actors.columns):
        return {}
    # a discovered actor's English name is a machine transliteration («Bd Alftah Albrhan»):
    # name it in Arabic only (its badge says it was discovered)
    english = actors["name_en"].where(~actors["actor_id"].astype(str).isin(
        discovered_actors(actors)), None)
    return {str(a): " · ".join(n for n in (_text(en), _text(ar)) if n) for a, en, ar in
            zip(actors["actor_id"], english, actors["name_ar"], strict=True)}


def discovered_actors(*tables: pd.DataFrame | None) -> set[str]:
    """Ids of the actors marked ``origin == "discovered"`` in any of the actor ``tables``
    (the actor dictionary of a run, its ``actor_table``); tables without ``origin`` add none.

    >>> sorted(discovered_actors(pd.DataFrame({"actor_id": ["haftar", "burhan"],
    ...                                        "origin": ["dictionary", "discovered"]})))
    ['burhan']
    """
    found: set[str] = set()
    for table in tables:
        if table is not None and {"actor_id", "origin"} <= set(table.columns):
            chosen = table["origin"].astype(str).str.strip().str.lower() == "discovered"
            found |= set(table.loc[chosen, "actor_id"].astype(str))
    return found


def _cell(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, float):
        return "" if pd.isna(value) else f"{value:.3f}".rstrip("0").rstrip(".") or "0"
    if isinstance(value, pd.Timestamp):
        return "" if pd.isna(value) else value.strftime("%Y-%m-%d")
    if isinstance(value, (list, tuple, set)):
        value = ", ".join(map(str, value))
    text = "" if value is None else str(value)
    if text in {"nan", "NaT", "None", "<NA>"}:
        return ""
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _is_actor_column(column: str) -> bool:
    return column == "actor_id" or column.endswith("_actor") or column in {"source", "target"}


def _table_view(table: pd.DataFrame | None, *, names: Mapping[str, str] | None = None,
                columns: list[str] | None = None, max_rows: int = MAX_ROWS,
                discovered: Iterable[str] = ()) -> dict[str, Any] | None:
    """What the ``table`` macro shows: the header, rows of :class:`Cell` and the number of
    rows left out (None for an empty table). Each actor-id column is followed by a column of
    actor names when ``names`` is given; the name (else the id) of a ``discovered`` actor
    carries the badge."""
    if table is None or len(table) == 0:
        return None
    frame = table[[c for c in (columns or list(table.columns)) if c in table.columns]]
    discovered = set(discovered)
    header: list[str] = []
    specs: list[tuple[int, str]] = []  # (position in the row, "value" | "id" | "name")
    for position, col in enumerate(map(str, frame.columns)):
        actor = _is_actor_column(col)
        header.append(col)
        specs.append((position, "id" if actor and not names else "value"))
        if actor and names:
            header.append("actor" if col == "actor_id" else f"{col} name")
            specs.append((position, "name"))

    def show(value: Any, kind: str) -> Cell:
        if kind == "name":
            return Cell(_cell(names.get(str(value), "")), str(value) in discovered)
        return Cell(_cell(value), kind == "id" and str(value) in discovered)

    rows = [[show(row[position], kind) for position, kind in specs]
            for row in frame.head(max_rows).itertuples(index=False)]
    return {"columns": header, "rows": rows, "more": max(0, len(frame) - max_rows)}


def table_html(table: pd.DataFrame | None, *, names: Mapping[str, str] | None = None,
               columns: list[str] | None = None, max_rows: int = MAX_ROWS,
               discovered: Iterable[str] = ()) -> str:
    """An escaped HTML table: numbers rounded, long cells cut, actor ids followed by their
    names (``names`` from :func:`actor_names`) in an ``actor`` column, ``discovered`` actors
    (ids) marked with a badge. Each cell takes its direction from its content, so Arabic
    cells read right to left.

    >>> "&lt;b&gt;" in table_html(pd.DataFrame({"x": ["<b>"]}))
    True
    """
    view = _table_view(table, names=names, columns=columns, max_rows=max_rows,
                       discovered=discovered)
    return str(_macros().table(view))


def _segments(text: str, mentions: pd.DataFrame) -> list[dict[str, Any]]:
    """``text`` cut into plain and entity segments (what the ``highlight`` macro shows);
    spans outside the text, empty or overlapping an earlier span are left out."""
    segments: list[dict[str, Any]] = []
    pos = 0
    ordered = mentions.sort_values(["start", "end"]) if len(mentions) else mentions
    for row in ordered.itertuples(index=False):
        start, end = int(row.start), int(row.end)
        if start < pos or end > len(text) or end <= start:
            continue
        label = _text(row.label)
        score = pd.to_numeric(getattr(row, "score", None), errors="coerce")
        if start > pos:
            segments.append({"text": text[pos:start], "label": None})
        segments.append({"text": text[start:end], "label": label,
                         "title": label + ("" if pd.isna(score) else f" {float(score):.2f}"),
                         "color": ENTITY_COLORS.get(label, "#7F7F7F")})
        pos = end
    if pos < len(text):
        segments.append({"text": text[pos:], "label": None})
    return segments


def _entity_types() -> list[tuple[str, str, str]]:
    return [(key, ENTITY_NAMES.get(key, key), color) for key, color in ENTITY_COLORS.items()]


def legend_html() -> str:
    """The colour key of the entity highlights (the colours of :mod:`helpers.colors`, which
    the figures use too)."""
    return str(_macros().entity_legend(_entity_types()))


def highlight_html(text: str, mentions: pd.DataFrame, *, legend: bool = True) -> str:
    """Right-to-left HTML of ``text`` with the entity spans of ``mentions`` (offsets into
    ``text``) coloured by type (hover: type and score, when there is one), after the colour
    key (:func:`legend_html`) unless ``legend=False``. The text is escaped; overlapping spans
    keep the first.

    >>> highlight_html("وصل أردوغان", pd.DataFrame({"start": [4], "end": [11],
    ...     "label": ["PERS"], "score": [0.9]}), legend=False)  # doctest: +ELLIPSIS
    '<div dir="rtl" lang="ar" ...>وصل <mark title="PERS 0.90" ...>أردوغان<sub ...>PERS</sub></mark></div>'
    """
    out = str(_macros().highlight(_segments(text, mentions)))
    return legend_html() + "\n" + out if legend else out


# ----------------------------------------------------------------------------- figures


def _upstream(name: str) -> Callable[..., Any] | None:
    """The figure function ``helpers.figures.<name>`` (None when it is not there)."""
    try:
        return getattr(importlib.import_module("helpers.figures"), name, None)
    except ImportError:
        return None


def _figure_of(result: Any) -> Any:
    if result is None:
        return None
    if hasattr(result, "savefig"):
        return result
    if hasattr(result, "figure"):
        return result.figure
    if isinstance(result, (list, tuple)) and result:
        return _figure_of(result[0])
    flat = getattr(result, "flat", None)  # numpy array of Axes
    return _figure_of(next(iter(flat))) if flat is not None else None


def _figure_specs(analysis: Any) -> list[tuple[str, Callable[[], Any] | None, str]]:
    """(name, draw function or None, reason) for every report figure: the reason says why a
    figure is not drawn (draw is None), or what a drawn figure leaves out."""
    actors = getattr(analysis, "actors", None)
    specs: list[tuple[str, Callable[[], Any] | None, str]] = []

    def add(name: str, func: str, table: pd.DataFrame | None,
            call: Callable[[Callable[..., Any]], Any]) -> None:
        fn = _upstream(func)
        if table is None or len(table) == 0:
            specs.append((name, None, "nothing to draw (empty table)"))
        elif fn is None:
            specs.append((name, None, f"helpers.figures.{func} is not available"))
        else:
            specs.append((name, lambda: call(fn), ""))

    add("top_actors", "plot_top_actors", getattr(analysis, "actor_table", None),
        lambda f: f(analysis.actor_table, actors))
    add("actor_network", "plot_actor_network", getattr(analysis, "comention", None),
        lambda f: f(analysis.comention, actors))
    add("actor_sentiment", "plot_actor_sentiment", getattr(analysis, "sentiment_summary", None),
        lambda f: f(analysis.sentiment_summary, actors))
    add("stance_network", "plot_stance_network", getattr(analysis, "stance", None),
        lambda f: f(analysis.stance, actors))
    specs += _timeline_specs(analysis, actors)
    attention = getattr(analysis, "attention", None)
    if attention is not None and attention["bin"].nunique() < 2:
        attention = None  # one time bin is a point, not a trend
    over_time = getattr(analysis, "sentiment_time", None)
    if over_time is not None and (attention is None or over_time.empty):
        over_time = None
    freq = getattr(getattr(analysis, "binning", None), "freq", None)  # the bin size (H3)
    if attention is not None:
        add("attention_over_time", "plot_attention", attention,
            lambda f: f(attention, actors=actors, freq=freq))
    if over_time is not None:
        # actors seen in the most time bins first, then the most scored mentions
        spread = over_time.groupby("actor_id").agg(bins=("bin", "nunique"), n=("n", "sum"))
        chosen = spread.sort_values(["bins", "n"], ascending=False).index[:4].tolist()
        add("sentiment_over_time", "plot_sentiment_over_time", over_time,
            lambda f: f(over_time, chosen, actors=actors, freq=freq))
    return specs


def chronology_span(events: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First and last day the chronology ``events`` cover (a month-precision event covers
    its whole month), or None when no event is dated.

    >>> ev = pd.DataFrame({"date": pd.to_datetime(["2019-04-04", "2021-12-01"]),
    ...                    "date_precision": ["day", "month"]})
    >>> [d.date().isoformat() for d in chronology_span(ev)]
    ['2019-04-04', '2021-12-31']
    """
    dated = events.dropna(subset=["date"])
    if dated.empty:
        return None
    precision = (dated["date_precision"] if "date_precision" in dated
                 else pd.Series("day", index=dated.index))
    ends = dated["date"].where(precision != "month", dated["date"] + pd.offsets.MonthEnd(0))
    return dated["date"].min().normalize(), ends.max().normalize()


def articles_on_chronology(articles: pd.DataFrame, events: pd.DataFrame
                           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The dated articles (``kind == "article"`` when the table has ``kind``) split into
    ``(inside, outside)`` the chronology's span (:func:`chronology_span`).

    The rule of the report's event timeline: an article is placed on the chronology only when
    its date falls within the span the chronology covers (for the bundled chronology, Libya
    April 2019 – December 2021). An article outside it is not placed, because stretching the
    time axis to it would squeeze every event into one corner and suggest a link to events
    of another time; the figure is drawn only when at least one article is inside.

    >>> arts = pd.DataFrame({"article_id": ["a", "b"], "kind": "article",
    ...                      "date": pd.to_datetime(["2020-06-15", "2023-04-15"])})
    >>> ev = pd.DataFrame({"date": pd.to_datetime(["2019-04-04", "2021-12-24"])})
    >>> [part["article_id"].tolist() for part in articles_on_chronology(arts, ev)]
    [['a'], ['b']]
    """
    dated = articles.dropna(subset=["date"]) if "date" in articles else articles.iloc[:0]
    if "kind" in dated.columns:
        dated = dated[dated["kind"].fillna("article").astype(str) == "article"]
    span = chronology_span(events)
    if span is None:
        return dated.iloc[:0], dated
    day = pd.to_datetime(dated["date"]).dt.normalize()
    inside = day.between(*span)
    return dated[inside], dated[~inside]


def _day_list(dates: pd.Series, limit: int = 3) -> str:
    days = sorted({pd.Timestamp(d).date().isoformat() for d in dates})
    return ", ".join(days[:limit]) + (f" and {len(days) - limit} more" if len(days) > limit
                                      else "")


def _timeline_specs(analysis: Any, actors: pd.DataFrame | None
                    ) -> list[tuple[str, Callable[[], Any] | None, str]]:
    """The narrative timeline of the first article (when it has scored actor mentions) and
    the event timeline (the dated articles on the chronology, see
    :func:`articles_on_chronology`), as notebook 07 draws them."""
    specs: list[tuple[str, Callable[[], Any] | None, str]] = []
    articles = getattr(analysis, "articles", None)
    if articles is None or len(articles) == 0:
        return specs
    scored = getattr(analysis, "actor_sentiment", None)
    first = str(articles["article_id"].iloc[0])
    narrative = _upstream("plot_narrative")
    if scored is not None and len(scored) and (scored["article_id"].astype(str) == first).any():
        sentences = getattr(analysis, "sentences", None)
        n_sentences = (int((sentences["article_id"].astype(str) == first).sum())
                       if sentences is not None and len(sentences) else None)
        title = _text(articles["title"].iloc[0]) if "title" in articles else ""
        title = title if len(title) <= 40 else title[:39].rstrip() + "…"
        specs.append(("narrative", None, "helpers.figures.plot_narrative is not available")
                     if narrative is None else
                     ("narrative", lambda: narrative(
                         scored, first, actors=actors, n_sentences=n_sentences or None,
                         title=f"Narrative timeline of the first article ({title or first})"),
                      ""))
    if "date" not in articles or not articles["date"].notna().any():
        return specs
    draw = _upstream("plot_event_timeline")
    try:
        from .timeline import load_events

        events = load_events()
    except (OSError, ValueError) as exc:
        return [*specs, ("event_timeline", None, f"the chronology cannot be read: {exc}")]
    inside, outside = articles_on_chronology(articles, events)
    span = chronology_span(events)
    where = (f"the chronology's span ({span[0].date()} – {span[1].date()})" if span
             else "the chronology (no dated event)")
    if inside.empty:
        if len(outside):
            specs.append(("event_timeline", None,
                          f"the dated article(s) ({_day_list(outside['date'])}) lie outside "
                          f"{where}; only articles within it are placed on the chronology"))
        return specs
    if draw is None:
        return [*specs, ("event_timeline", None,
                         "helpers.figures.plot_event_timeline is not available")]
    caveat = (f"{len(outside)} dated article(s) ({_day_list(outside['date'])}) lie outside "
              f"{where} and are not placed on it" if len(outside) else "")
    specs.append(("event_timeline", lambda: draw(events, inside), caveat))
    return specs


#: columns of a cached set of figures: one row per figure (its PNG bytes), one per note
FIGURE_COLUMNS = ["name", "png", "note"]


def _figures_key(analysis: Any) -> str | None:
    """The cache key of an analysis's figures: a digest of every table and setting the
    figures read (the tables, the actor names, the profile and time bins), of the code and
    data of the package (:func:`helpers.archive.code_fingerprint`) and of the matplotlib
    version. ``None`` (no caching) for an object that is not an :class:`Analysis`."""
    import hashlib
    import json
    from dataclasses import asdict, is_dataclass
    from importlib.metadata import version

    from .archive import code_fingerprint
    from .pipeline import _portable

    if not callable(getattr(analysis, "tables", None)):
        return None
    digest = hashlib.sha256()
    frames = dict(analysis.tables())
    if isinstance(getattr(analysis, "actors", None), pd.DataFrame):
        frames["actors"] = analysis.actors
    for name, table in sorted(frames.items()):
        frame = _portable(table)
        digest.update(json.dumps([name, list(map(str, frame.columns)),
                                  list(map(str, frame.dtypes))]).encode())
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    binning = getattr(analysis, "binning", None)
    settings = [getattr(analysis, "profile", {}),
                asdict(binning) if is_dataclass(binning) else None,
                getattr(analysis, "row_counts", None), version("matplotlib"),
                digest.hexdigest()]
    return _figure_cache().key(code_fingerprint(), [[json.dumps(settings, default=str,
                                                               sort_keys=True)]])


def _figure_cache() -> Any:
    """The figures' :class:`helpers.models.OutputCache` (stage ``figures``)."""
    from .models import OutputCache

    return OutputCache("figures")


def make_figures(analysis: Any, out_dir: str | Path, *, cache: bool = True) -> dict[str, Path]:
    """Draw every figure of the report and save it as ``out_dir/<name>.png``.

    The figures: top actors, co-mention network, sentiment per actor, stance network, the
    narrative timeline of the first article, the event timeline (dated articles within the
    chronology's span placed on it: :func:`articles_on_chronology`) and, with dated
    articles in at least two time bins, attention and sentiment over time. Figures with
    nothing to draw (no stance edge, undated corpus) are skipped; a figure that cannot be
    drawn for another reason (articles outside the chronology, a missing plotting helper)
    gets a note in ``analysis.notes``, and so does what a drawn figure leaves out; a
    plotting error is reported the same way and does not stop the others. Returns
    ``{name: path}``.

    With ``cache=True`` the drawn figures and their notes are kept in the model-output
    cache (``ARABIC_NEWS_CACHE``, stage ``figures``), keyed by everything they are drawn
    from (:func:`_figures_key`): a re-run whose tables did not change (a resumed or cached
    archive run, the same articles again) copies them back instead of drawing them again.
    """
    from . import figures

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    notes = getattr(analysis, "notes", None)
    paths: dict[str, Path] = {}
    key = _figures_key(analysis) if cache else None
    hit = _figure_cache().get(key, FIGURE_COLUMNS) if key else None
    if hit is not None:
        for name, png, note in hit[FIGURE_COLUMNS].itertuples(index=False):
            if name:
                path = out / f"{name}.png"
                path.write_bytes(png)
                paths[name] = path
            elif notes is not None and note not in notes:
                notes.append(note)
        return paths
    before = list(notes) if notes is not None else []
    failed = False
    for name, draw, reason in _figure_specs(analysis):
        if draw is None:
            note = f"figure {name!r} not drawn: {reason}"
            if notes is not None and "empty" not in reason and note not in notes:
                notes.append(note)
            continue
        if reason and notes is not None and f"figure {name!r}: {reason}" not in notes:
            notes.append(f"figure {name!r}: {reason}")
        try:
            fig = _figure_of(draw())
        except Exception as exc:  # noqa: BLE001 - one broken figure must not lose the others
            failed = True
            if notes is not None:
                notes.append(f"figure {name!r} not drawn: {type(exc).__name__}: {exc}")
            figures.close()
            continue
        if fig is None:
            continue
        path = out / f"{name}.png"
        fig.savefig(path, dpi=110, bbox_inches="tight", metadata={"Software": None})
        figures.close(fig)
        paths[name] = path
    if key and not failed:  # a figure that raised is drawn again next time
        added = [n for n in (notes or []) if n not in before]
        rows = [(name, path.read_bytes(), "") for name, path in paths.items()]
        rows += [("", b"", note) for note in added]
        _figure_cache().put(key, pd.DataFrame(rows, columns=FIGURE_COLUMNS), identity="figures")
    return paths


# ------------------------------------------------------------------------------ report


def _rows(analysis: Any, attr: str) -> int:
    table = getattr(analysis, attr, None)
    return 0 if table is None else len(table)


def _counts(analysis: Any) -> dict[str, int]:
    resolved = getattr(analysis, "resolved", None)
    actor_ids = getattr(analysis, "actor_table", None)
    # an archive run: the per-row tables here hold the shown articles only; the whole
    # tables' sizes are in row_counts, and the actor mentions in the corpus actor table
    whole = getattr(analysis, "row_counts", None) or {}
    if whole:
        mentions = 0 if actor_ids is None or not len(actor_ids) else int(actor_ids["mentions"].sum())
    else:
        mentions = 0 if resolved is None or not len(resolved) else int(resolved["actor_id"].notna().sum())
    return {
        "articles": whole.get("articles", _rows(analysis, "articles")),
        "sentences": whole.get("sentences", _rows(analysis, "sentences")),
        "entity mentions (model)": whole.get("mentions", _rows(analysis, "mentions")),
        "actor mentions (model + dictionary)": mentions,
        "actors": 0 if actor_ids is None or not len(actor_ids)
        else int(actor_ids["actor_id"].nunique()),
        "stance edges": _rows(analysis, "stance_edges"),
    }


def _discovered(analysis: Any) -> set[str]:
    return discovered_actors(getattr(analysis, "actors", None),
                             getattr(analysis, "actor_table", None))


def _spans_by_article(analysis: Any) -> dict[str, pd.DataFrame]:
    """The entity spans to highlight, per article id: actor mentions, else model mentions."""
    spans = getattr(analysis, "resolved", None)
    if spans is None or len(spans) == 0:
        spans = getattr(analysis, "mentions", None)
    if spans is None or len(spans) == 0:
        return {}
    return {str(aid): group for aid, group in spans.groupby(spans["article_id"].astype(str))}


def _article_view(row: Any, analysis: Any, spans: pd.DataFrame | None,
                  names: Mapping[str, str], discovered: set[str], *, opened: bool
                  ) -> dict[str, Any]:
    """What the ``article`` macro shows for one row of ``analysis.articles``."""
    aid = str(row.article_id)
    no_spans = pd.DataFrame(columns=["start", "end", "label"])
    date = getattr(row, "date", None)
    view: dict[str, Any] = {
        "id": aid, "opened": opened, "title": _text(getattr(row, "title", None)) or aid,
        "date": "" if date is None or pd.isna(date) else _cell(pd.Timestamp(date)),
        "precision": _cell(getattr(row, "date_precision", None)),
        "links": [(field, str(getattr(row, field))) for field in ("source", "url")
                  if _text(getattr(row, field, None))],
        "segments": _segments(str(row.text), spans if spans is not None else no_spans),
        "sentiment": None, "stance": None,
    }
    sentiment = getattr(analysis, "actor_sentiment", None)
    if sentiment is not None and len(sentiment):
        mine = sentiment[sentiment["article_id"].astype(str) == aid]
        if len(mine):
            summary = (mine.groupby("actor_id")["score"].agg(["size", "mean"])
                       .rename(columns={"size": "mentions", "mean": "mean sentiment"})
                       .sort_values("mentions", ascending=False).reset_index())
            view["sentiment"] = _table_view(summary, names=names, discovered=discovered)
    stance = getattr(analysis, "stance", None)
    if stance is not None and len(stance):
        mine = stance[stance["article_id"].astype(str) == aid]
        if len(mine):
            cols = ["source_actor", "relation", "target_actor", "trigger", "evidence"]
            view["stance"] = _table_view(mine, names=names, columns=cols, discovered=discovered)
    return view


def _articles_view(analysis: Any, articles: pd.DataFrame, *, opened: int) -> dict[str, Any]:
    """What the ``articles`` macro shows: the colour key, the discovered-actor key when a
    discovered actor is in the run, and each article (the first ``opened`` unfolded)."""
    names = actor_names(getattr(analysis, "actors", None))
    discovered = _discovered(analysis)
    spans = _spans_by_article(analysis)
    return {
        "entity_types": _entity_types(),
        "discovered": bool(discovered),
        "articles": [_article_view(row, analysis, spans.get(str(row.article_id)), names,
                                   discovered, opened=i < opened)
                     for i, row in enumerate(articles.itertuples(index=False))],
    }


def articles_html(analysis: Any, article_ids: list[str] | None = None, *,
                  max_articles: int = OPEN_ARTICLES) -> str:
    """The article section of the report for a notebook: the entity colour key, then each
    article (``article_ids``, default the first ``max_articles``) with its entities
    highlighted (escaped, right to left), its actors with their mean sentiment and its
    stance edges. Show it with ``IPython.display.HTML``.

    >>> from IPython.display import HTML
    >>> HTML(articles_html(analysis))  # doctest: +SKIP
    """
    articles = analysis.articles
    if article_ids is not None:
        articles = articles[articles["article_id"].astype(str).isin([str(a) for a in article_ids])]
    else:
        articles = articles.head(max_articles)
    view = _articles_view(analysis, articles, opened=len(articles))
    return str(_macros().articles(view))


def _load_report_view(report: pd.DataFrame | None) -> dict[str, Any]:
    """The load report split in two: inputs skipped (not analysed) and notes on inputs that
    were analysed with a change (decoded, date set to NaT, id renamed)."""
    if report is None or len(report) == 0:
        return {"skipped": None, "n_skipped": 0, "changed": None, "n_changed": 0}
    skipped, changed = split_report(report)  # the one skip rule (helpers.corpus.SKIP_ACTION)
    return {"skipped": _table_view(skipped), "n_skipped": len(skipped),
            "changed": _table_view(changed), "n_changed": len(changed)}


#: Run-detail labels of the keys of ``Analysis.profile``
PROFILE_LABELS = {
    "ner_profile": "model profile", "ner_model": "NER model",
    "sentiment_method": "sentiment method", "sentiment_model": "sentiment model",
    "actors": "actor dictionary", "metonymy": "capitals read as their states (metonymy)",
    "freq": "time bin asked for", "helpers": "helpers version",
}


def _run_details(analysis: Any, counts: Mapping[str, int], profile: Mapping[str, Any]
                 ) -> list[tuple[str, str]]:
    """(label, value) rows of the run details: the counts, the profile under readable
    labels, and the time bins actually used."""
    rows = [(k, _cell(v)) for k, v in counts.items()]
    rows += [(PROFILE_LABELS.get(k, k), _cell(v)) for k, v in profile.items()]
    binning = getattr(analysis, "binning", None)
    if binning is not None:
        rows.append(("time bins used", f"{_BIN_NAMES.get(binning.freq, binning.freq)} "
                     f"({binning.n_binned} of {binning.n_documents} articles binned)"))
    return rows


_BIN_NAMES = {"D": "day", "W": "week", "M": "month"}


def render_report(analysis: Any, figures: Mapping[str, str | Path | bytes] | None = None, *,
                  title: str = "Arabic news analysis", max_articles: int = MAX_ARTICLES) -> str:
    """The report as one HTML string (see the module docstring for what it guarantees).

    Sections: a one-line summary; inputs skipped while loading, then notes on inputs that
    were analysed but changed while loading (each with its problem and what was done); the
    run's notes; every article (up to ``max_articles``; the first three unfolded) with its
    entities highlighted, its actors and their sentiment, and its stance edges; then the
    corpus tables (actors, sentiment per actor with evidence, stance edges), the figures and
    the run details (model identities). Discovered actors carry a badge, explained once.
    """
    names = actor_names(getattr(analysis, "actors", None))
    discovered = _discovered(analysis)
    articles = getattr(analysis, "articles", pd.DataFrame(columns=["article_id", "text"]))
    sentiment_cols = ["actor_id", "n", "mean", "ci_low", "ci_high", "small_n",
                      "most_positive_context", "most_positive_evidence",
                      "most_negative_context", "most_negative_evidence"]
    summary = getattr(analysis, "sentiment_summary", None)
    counts = _counts(analysis)
    profile = dict(getattr(analysis, "profile", {}) or {})
    rest = articles.iloc[max_articles:][[c for c in ("article_id", "title", "date", "source")
                                         if c in articles.columns]]
    context = {
        "csp": CSP,
        "title": title,
        "version": __version__,
        "summary_line": " · ".join(f"{k}: {v}" for k, v in counts.items()),
        "model": profile.get("ner_model"),
        "load": _load_report_view(getattr(analysis, "load_report", None)),
        "notes": [str(n) for n in getattr(analysis, "notes", []) or []],
        "n_articles": len(articles),
        "articles": _articles_view(analysis, articles.head(max_articles), opened=OPEN_ARTICLES),
        "max_articles": max_articles,
        "rest": _table_view(rest, max_rows=len(rest)),
        "actor_table": _table_view(
            getattr(analysis, "actor_table", None), names=names, discovered=discovered,
            columns=["actor_id", "mentions", "sentences", "articles", "surfaces", "type"]),
        "sentiment": _table_view(summary, names=names, discovered=discovered,
                                 columns=[c for c in sentiment_cols if summary is not None
                                          and c in summary.columns] or None),
        "stance_edges": _table_view(getattr(analysis, "stance_edges", None), names=names,
                                    discovered=discovered),
        "figures": [{"name": name, "uri": data_uri(png),
                     "caption": FIGURE_CAPTIONS.get(name, name)}
                    for name, png in (figures or {}).items()],
        "run": _run_details(analysis, counts, profile),
    }
    return environment().get_template("report.html.j2").render(context)


def write_report(analysis: Any, out_dir: str | Path, *,
                 figures: Mapping[str, str | Path | bytes] | None = None,
                 title: str = "Arabic news analysis", name: str = REPORT_NAME) -> Path:
    """Write :func:`render_report` to ``out_dir/report.html`` (UTF-8) and return its path.

    >>> write_report(analysis, "out", figures=make_figures(analysis, "out/figures"))  # doctest: +SKIP
    PosixPath('out/report.html')
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / name
    path.write_text(render_report(analysis, figures, title=title), encoding="utf-8")
    return path
