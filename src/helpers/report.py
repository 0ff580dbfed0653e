"""A self-contained HTML report of one :class:`helpers.pipeline.Analysis`, and its figures.

One file a student can open in any browser, e-mail or archive: no external files, no
scripts. Figures are PNGs embedded as base64 ``data:`` URIs; Arabic text is shown right to
left (``dir="rtl" lang="ar"``); every piece of article text, title, table cell and file name
is HTML-escaped, so markup inside an article (``<script>``, ``<img onerror=...>``) is shown
as text and never executed. A Content-Security-Policy that forbids scripts and remote
content adds a second lock. Entities are highlighted by type with
:func:`helpers.ner.highlight_html`, the function notebook 02 uses.

>>> from helpers.pipeline import analyze
>>> analysis = analyze("data/corpus")  # doctest: +SKIP
>>> figures = make_figures(analysis, "out/figures")  # doctest: +SKIP
>>> write_report(analysis, "out", figures=figures)  # doctest: +SKIP
PosixPath('out/report.html')
"""

from __future__ import annotations

import base64
import html
import importlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__

REPORT_NAME = "report.html"
#: Articles whose full highlighted text is shown; later ones are listed in a table only.
MAX_ARTICLES = 50
#: Articles shown unfolded; the others are folded (click the title to open).
OPEN_ARTICLES = 3
MAX_CELL = 300
MAX_ROWS = 60

CSS = """
body{font-family:"Noto Sans Arabic","Noto Sans","DejaVu Sans",Arial,sans-serif;margin:24px auto;
max-width:1100px;color:#222;line-height:1.5;padding:0 16px}
h1{font-size:1.6em;margin-bottom:4px} h2{border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:32px}
h3{margin-bottom:4px} .meta{color:#555;font-size:.92em}
table{border-collapse:collapse;margin:8px 0 16px;font-size:.9em;width:100%}
th,td{border:1px solid #ddd;padding:4px 6px;vertical-align:top;unicode-bidi:plaintext;text-align:start;
overflow-wrap:break-word}
summary{cursor:pointer} summary h3{display:inline}
th{background:#f3f3f3} tr:nth-child(even) td{background:#fafafa}
figure{margin:16px 0;text-align:center} figure img{max-width:100%;border:1px solid #eee}
figcaption{color:#555;font-size:.9em}
article{border:1px solid #ddd;border-radius:6px;padding:12px 16px;margin:16px 0}
.warn{background:#fff4e5;border-left:4px solid #E69F00;padding:8px 12px}
.ar{direction:rtl;text-align:right;unicode-bidi:isolate}
code{background:#f3f3f3;padding:0 3px} .scroll{overflow-x:auto}
"""
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
#: Report figures in display order, with their captions.
FIGURE_CAPTIONS = {
    "top_actors": "Most mentioned actors",
    "actor_network": "Actors named in the same sentence (edge width: sentences)",
    "actor_sentiment": "Targeted sentiment per actor: mean and 95% bootstrap interval",
    "stance_network": "Who supports or opposes whom (stance edges)",
    "attention_over_time": "Share of actor mentions over time",
    "sentiment_over_time": "Sentiment toward the most mentioned actors over time",
}


# ------------------------------------------------------------------------------ pieces


def esc(value: Any) -> str:
    """HTML-escape any value (``None``/NaN -> empty string).

    >>> esc('<img src=x onerror=alert(1)> «ليبيا»')
    '&lt;img src=x onerror=alert(1)&gt; «ليبيا»'
    """
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value)
                         and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=True)


def data_uri(png: str | Path | bytes) -> str:
    """A ``data:image/png;base64,...`` URI of a PNG file or its bytes."""
    content = png if isinstance(png, bytes) else Path(png).read_bytes()
    return "data:image/png;base64," + base64.b64encode(content).decode("ascii")


def actor_names(actors: pd.DataFrame | None) -> dict[str, str]:
    """``actor_id -> "name_en · name_ar"`` from the actor dictionary (empty when absent).

    >>> actor_names(pd.DataFrame({"actor_id": ["haftar"], "name_en": ["Khalifa Haftar"],
    ...                           "name_ar": ["خليفة حفتر"]}))
    {'haftar': 'Khalifa Haftar · خليفة حفتر'}
    """
    if actors is None or not {"actor_id", "name_en", "name_ar"} <= set(actors.columns):
        return {}
    return {str(a): f"{en} · {ar}" for a, en, ar in
            zip(actors["actor_id"], actors["name_en"], actors["name_ar"], strict=True)}


def _cell(value: Any) -> str:
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


def table_html(table: pd.DataFrame | None, *, names: Mapping[str, str] | None = None,
               columns: list[str] | None = None, max_rows: int = MAX_ROWS) -> str:
    """An escaped HTML table: numbers rounded, long cells cut, actor ids followed by their
    names (``names`` from :func:`actor_names`) in an ``actor`` column. Each cell takes its
    direction from its content, so Arabic cells read right to left.

    >>> "&lt;b&gt;" in table_html(pd.DataFrame({"x": ["<b>"]}))
    True
    """
    if table is None or len(table) == 0:
        return '<p class="meta">(empty)</p>'
    frame = table[[c for c in (columns or list(table.columns)) if c in table.columns]].copy()
    if names:
        for col in [c for c in frame.columns if c == "actor_id" or c.endswith("_actor")
                    or c in {"source", "target"}]:
            label = "actor" if col == "actor_id" else f"{col} name"
            position = list(frame.columns).index(col) + 1
            frame.insert(position, label, frame[col].map(lambda a: names.get(str(a), "")))
    shown = frame.head(max_rows)
    head = "".join(f"<th>{esc(c)}</th>" for c in shown.columns)
    body = "\n".join("<tr>" + "".join(f"<td>{esc(_cell(v))}</td>" for v in row) + "</tr>"
                     for row in shown.itertuples(index=False))
    more = (f'<p class="meta">{len(frame) - max_rows} more rows in the CSV/Parquet tables.</p>'
            if len(frame) > max_rows else "")
    return (f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>\n{body}\n'
            f"</tbody></table></div>{more}")


# ----------------------------------------------------------------------------- figures


def _upstream(module: str, name: str) -> Callable[..., Any] | None:
    try:
        return getattr(importlib.import_module(f"helpers.{module}"), name, None)
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
    """(name, draw function or None, reason when None) for every report figure."""
    actors = getattr(analysis, "actors", None)
    specs: list[tuple[str, Callable[[], Any] | None, str]] = []

    def add(name: str, module: str, func: str, table: pd.DataFrame | None,
            call: Callable[[Callable[..., Any]], Any]) -> None:
        fn = _upstream(module, func)
        if table is None or len(table) == 0:
            specs.append((name, None, "nothing to draw (empty table)"))
        elif fn is None:
            specs.append((name, None, f"helpers.{module}.{func} is not available"))
        else:
            specs.append((name, lambda: call(fn), ""))

    add("top_actors", "actors", "plot_top_actors", getattr(analysis, "actor_table", None),
        lambda f: f(analysis.actor_table, actors))
    add("actor_network", "actors", "plot_actor_network", getattr(analysis, "comention", None),
        lambda f: f(analysis.comention, actors))
    add("actor_sentiment", "sentiment", "plot_actor_sentiment",
        getattr(analysis, "sentiment_summary", None),
        lambda f: f(analysis.sentiment_summary, actors))
    add("stance_network", "stance", "plot_stance_network", getattr(analysis, "stance", None),
        lambda f: f(analysis.stance, actors))
    attention = getattr(analysis, "attention", None)
    if attention is not None and attention["bin"].nunique() < 2:
        attention = None  # one time bin is a point, not a trend
    over_time = getattr(analysis, "sentiment_time", None)
    if over_time is not None and (attention is None or over_time.empty):
        over_time = None
    if attention is not None:
        add("attention_over_time", "timeline", "plot_attention", attention,
            lambda f: f(attention, labels=actors))
    if over_time is not None:
        # actors seen in the most time bins first, then the most scored mentions
        spread = over_time.groupby("actor_id").agg(bins=("bin", "nunique"), n=("n", "sum"))
        chosen = spread.sort_values(["bins", "n"], ascending=False).index[:4].tolist()
        add("sentiment_over_time", "timeline", "plot_sentiment", over_time,
            lambda f: f(over_time, chosen, labels=actors))
    return specs


def make_figures(analysis: Any, out_dir: str | Path) -> dict[str, Path]:
    """Draw every figure of the report and save it as ``out_dir/<name>.png``.

    Figures with nothing to draw (no stance edge, undated corpus) or whose plotting helper
    is missing are skipped with a note appended to ``analysis.notes``; a plotting error is
    reported the same way and does not stop the others. Returns ``{name: path}``.
    """
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    notes = getattr(analysis, "notes", None)
    paths: dict[str, Path] = {}
    for name, draw, reason in _figure_specs(analysis):
        if draw is None:
            if notes is not None and "empty" not in reason:
                notes.append(f"figure {name!r} not drawn: {reason}")
            continue
        try:
            fig = _figure_of(draw())
        except Exception as exc:  # noqa: BLE001 - one broken figure must not lose the others
            if notes is not None:
                notes.append(f"figure {name!r} not drawn: {type(exc).__name__}: {exc}")
            plt.close("all")
            continue
        if fig is None:
            continue
        path = out / f"{name}.png"
        fig.savefig(path, dpi=110, bbox_inches="tight", metadata={"Software": None})
        plt.close(fig)
        paths[name] = path
    return paths


# ------------------------------------------------------------------------------ report


def _rows(analysis: Any, attr: str) -> int:
    table = getattr(analysis, attr, None)
    return 0 if table is None else len(table)


def _counts(analysis: Any) -> dict[str, int]:
    resolved = getattr(analysis, "resolved", None)
    actor_ids = getattr(analysis, "actor_table", None)
    return {
        "articles": _rows(analysis, "articles"),
        "sentences": _rows(analysis, "sentences"),
        "entity mentions (model)": _rows(analysis, "mentions"),
        "actor mentions (model + dictionary)": 0 if resolved is None or not len(resolved)
        else int(resolved["actor_id"].notna().sum()),
        "actors": 0 if actor_ids is None or not len(actor_ids)
        else int(actor_ids["actor_id"].nunique()),
        "stance edges": _rows(analysis, "stance_edges"),
    }


def _header(analysis: Any) -> str:
    profile = dict(getattr(analysis, "profile", {}) or {})
    rows = [*_counts(analysis).items(), *profile.items()]
    items = "".join(f"<tr><th>{esc(k)}</th><td>{esc(_cell(v))}</td></tr>" for k, v in rows)
    return f'<table style="width:auto">{items}</table>'


def legend_html() -> str:
    """The colour key of the entity highlights (the colours of :mod:`helpers.plotting`)."""
    from .plotting import ENTITY_COLORS

    names = {"PERS": "person", "LOC": "place / state", "ORG": "organisation", "MISC": "other"}
    keys = " ".join(
        f'<span style="background:{c}33;border-bottom:2px solid {c};padding:0 4px">'
        f"{esc(k)} ({esc(names.get(k, k))})</span>" for k, c in ENTITY_COLORS.items())
    return f'<p class="meta">Entities: {keys}</p>'


def _skipped(analysis: Any) -> str:
    report = getattr(analysis, "load_report", None)
    if report is None or len(report) == 0:
        return '<p class="meta">Every input was analysed.</p>'
    return (f'<div class="warn" id="skipped">{len(report)} input(s) were skipped or changed '
            f"while loading:</div>{table_html(report)}")


def _figures(figures: Mapping[str, str | Path | bytes]) -> str:
    parts = []
    for name, png in figures.items():
        parts.append(f'<figure><img alt="{esc(name)}" src="{data_uri(png)}">'
                     f"<figcaption>{esc(FIGURE_CAPTIONS.get(name, name))}</figcaption></figure>")
    return "\n".join(parts) or '<p class="meta">No figure.</p>'


def _article_block(row: Any, analysis: Any, names: Mapping[str, str], *, opened: bool = True
                   ) -> str:
    from .ner import highlight_html

    aid = str(row.article_id)
    resolved = getattr(analysis, "resolved", None)
    if resolved is None or len(resolved) == 0:
        resolved = getattr(analysis, "mentions", pd.DataFrame(columns=["article_id"]))
    spans = resolved[resolved["article_id"].astype(str) == aid] if len(resolved) else resolved
    text_html = highlight_html(str(row.text), spans, legend=False)
    date = getattr(row, "date", None)
    meta = [f"id <code>{esc(aid)}</code>"]
    if date is not None and not pd.isna(date):
        meta.append(f"date {esc(_cell(pd.Timestamp(date)))} ({esc(getattr(row, 'date_precision', ''))})")
    else:
        meta.append("undated")
    for field in ("source", "url"):
        value = getattr(row, field, None)
        if value is not None and not pd.isna(value) and str(value).strip():
            meta.append(f"{field} <span dir=\"auto\">{esc(value)}</span>")
    title = getattr(row, "title", None)
    title = esc(title) if title is not None and not pd.isna(title) and str(title) else esc(aid)
    parts = [f'<article id="article-{esc(aid)}"><details{" open" if opened else ""}>',
             f'<summary><h3 dir="auto" lang="ar">{title}</h3></summary>',
             f'<p class="meta">{" · ".join(meta)}</p>', text_html]
    sentiment = getattr(analysis, "actor_sentiment", None)
    if sentiment is not None and len(sentiment):
        mine = sentiment[sentiment["article_id"].astype(str) == aid]
        if len(mine):
            summary = (mine.groupby("actor_id")["score"].agg(["size", "mean"])
                       .rename(columns={"size": "mentions", "mean": "mean sentiment"})
                       .sort_values("mentions", ascending=False).reset_index())
            parts.append("<h4>Actors and sentiment in this article</h4>"
                         + table_html(summary, names=names))
    stance = getattr(analysis, "stance", None)
    if stance is not None and len(stance):
        mine = stance[stance["article_id"].astype(str) == aid]
        if len(mine):
            cols = ["source_actor", "relation", "target_actor", "trigger", "evidence"]
            parts.append("<h4>Stance in this article</h4>"
                         + table_html(mine, names=names, columns=cols))
    parts.append("</details></article>")
    return "\n".join(parts)


def articles_html(analysis: Any, article_ids: list[str] | None = None, *,
                  max_articles: int = OPEN_ARTICLES) -> str:
    """The article section of the report for a notebook: the entity colour key, then each
    article (``article_ids``, default the first ``max_articles``) with its entities
    highlighted (escaped, right to left), its actors with their mean sentiment and its
    stance edges. Show it with ``IPython.display.HTML``.

    >>> from IPython.display import HTML
    >>> HTML(articles_html(analysis))  # doctest: +SKIP
    """
    names = actor_names(getattr(analysis, "actors", None))
    articles = analysis.articles
    if article_ids is not None:
        articles = articles[articles["article_id"].astype(str).isin([str(a) for a in article_ids])]
    else:
        articles = articles.head(max_articles)
    blocks = [_article_block(row, analysis, names) for row in articles.itertuples(index=False)]
    return legend_html() + "\n".join(blocks)


def render_report(analysis: Any, figures: Mapping[str, str | Path | bytes] | None = None, *,
                  title: str = "Arabic news analysis", max_articles: int = MAX_ARTICLES) -> str:
    """The report as one HTML string (see the module docstring for what it guarantees).

    Sections: a one-line summary, skipped inputs with reasons, notes; every article (up to
    ``max_articles``; the first three unfolded) with its entities highlighted, its actors
    and their sentiment, and its stance edges; then the corpus tables (actors, sentiment per
    actor with evidence, stance edges), the figures and the run details (model identities).
    """
    names = actor_names(getattr(analysis, "actors", None))
    articles = getattr(analysis, "articles", pd.DataFrame(columns=["article_id", "text"]))
    notes = list(getattr(analysis, "notes", []) or [])
    sentiment_cols = ["actor_id", "n", "mean", "ci_low", "ci_high", "small_n",
                      "most_positive_context", "most_positive_evidence",
                      "most_negative_context", "most_negative_evidence"]
    summary = getattr(analysis, "sentiment_summary", None)
    counts = _counts(analysis)
    summary_line = " · ".join(f"{k}: {v}" for k, v in counts.items())
    model = (getattr(analysis, "profile", {}) or {}).get("ner_model")
    body = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="meta">{esc(summary_line)}' + (f" · NER model <code>{esc(model)}</code>"
                                                  if model else "") + "</p>",
        '<p class="meta">Made by <code>python -m helpers analyze</code> (helpers '
        f"{esc(__version__)}); the tables are in <code>tables/</code> (CSV and Parquet), the "
        "figures in <code>figures/</code>. Contents: <a href=\"#articles\">articles</a> · "
        "<a href=\"#actors\">actors</a> · <a href=\"#sentiment\">sentiment</a> · "
        "<a href=\"#stance\">stance</a> · <a href=\"#figures\">figures</a> · "
        "<a href=\"#run\">run details</a></p>",
        _skipped(analysis),
    ]
    if notes:
        body.append('<ul class="meta">' + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    body.append(f'<h2 id="articles">Articles ({len(articles)})</h2>')
    if len(articles):
        body.append(legend_html())
    shown = articles.head(max_articles)
    body += [_article_block(row, analysis, names, opened=i < OPEN_ARTICLES)
             for i, row in enumerate(shown.itertuples(index=False))]
    if len(articles) > max_articles:
        rest = articles.iloc[max_articles:][[c for c in ("article_id", "title", "date", "source")
                                             if c in articles.columns]]
        body += [f'<p class="meta">Only the first {max_articles} articles are shown in full; '
                 "the others:</p>", table_html(rest, max_rows=len(rest))]
    body += ['<h2 id="actors">Actors</h2>',
             table_html(getattr(analysis, "actor_table", None), names=names,
                        columns=["actor_id", "mentions", "sentences", "articles", "surfaces",
                                 "type"]),
             '<h2 id="sentiment">Sentiment toward actors</h2>',
             '<p class="meta">Score in [-1, 1] per mention, averaged per actor; the interval is a '
             "95% bootstrap interval; <code>small_n</code> marks actors with fewer than 5 "
             "mentions. Evidence: the words that produced the score.</p>",
             table_html(summary, names=names,
                        columns=[c for c in sentiment_cols if summary is not None
                                 and c in summary.columns] or None),
             '<h2 id="stance">Stance edges</h2>',
             table_html(getattr(analysis, "stance_edges", None), names=names),
             '<h2 id="figures">Figures</h2>', _figures(figures or {}),
             '<h2 id="run">Run details</h2>', _header(analysis)]
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


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
