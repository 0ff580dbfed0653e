"""Every figure of the collection, and the set-up that each notebook calls first.

This is the only module of ``helpers`` that imports matplotlib: the stage modules
(``actors``, ``sentiment``, ``stance``, ``timeline`` ...) return tables, and the functions
here draw them. Each plot function takes the tables it draws and, for display names, the
actor table (``actors``, as returned by ``helpers.actors.load_actors``) as arguments;
nothing is loaded behind the caller's back. Without an actor table the ids are shown.

=================================  =========================================================
``setup(notebook)``                style, Arabic font, seeds, display options, version check
``save_fig(name, fig)``            ``figures/<notebook>-<name>.png``
``plot_top_actors``                bar chart of the most mentioned actors
``plot_actor_network``             co-mention network (strongest links, with a key)
``plot_actor_sentiment``           mean targeted sentiment per actor with its interval
``plot_stance_network``            who supports / opposes whom (arrows stop at the labels)
``plot_confusion``                 confusion matrix of a sentiment evaluation
``plot_attention``                 share of attention over time, one panel per actor
``plot_sentiment_over_time``       sentiment per time bin, one panel per actor
``plot_event_timeline``            the chronology in lanes, milestones labelled
``plot_narrative``                 actors along the sentences of one article
=================================  =========================================================

Arabic: matplotlib >= 3.11 shapes Arabic itself (libraqm), so pass raw strings such as
``"حكومة الوفاق"``. Do **not** apply ``arabic_reshaper`` + ``bidi.get_display``: on 3.11
that draws the text backwards. :func:`setup` warns when the installed matplotlib is older.
"""

from __future__ import annotations

import os
import random
import re
import textwrap
import warnings
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path

import matplotlib
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from . import SEED
from .colors import (
    ENTITY_COLORS,
    KEY_ACTOR_COLORS,
    OTHER_PALETTE,
    PALETTE,
    RELATION_COLORS,
    actor_color,
)
from .paths import FIGURES_DIR
from .sentiment import LABELS
from .stance import stance_edges
from .timeline import EVENT_LANES, event_lane, narrative_table, smooth, top_actors

__all__ = [
    "ENTITY_COLORS", "KEY_ACTOR_COLORS", "OTHER_PALETTE", "PALETTE", "RELATION_COLORS",
    "SEED", "actor_color", "actor_label", "check_versions", "figure_path",
    "plot_actor_network", "plot_actor_sentiment", "plot_attention", "plot_confusion",
    "plot_event_timeline", "plot_narrative", "plot_sentiment_over_time",
    "plot_stance_network", "plot_top_actors", "register_arabic_font", "save_fig", "setup",
    "stack_levels",
]

ARABIC_FONT = "Noto Sans Arabic"
_current_notebook: str | None = None

# The versions the figures rely on: (minimum, why). ``setup`` warns when one does not hold.
MIN_VERSIONS: dict[str, tuple[str, str]] = {
    "matplotlib": ("3.11", "it shapes Arabic itself; older versions draw Arabic letters "
                           "unjoined and left to right"),
    "networkx": ("3.0", "the actor and stance networks are laid out with it"),
    "adjustText": ("1.0", "it places the labels of the co-mention network"),
    "fontpkg-noto-sans-arabic": ("2.0", "it provides the Noto Sans Arabic font of the "
                                        "figures (DejaVu Sans is used without it)"),
}
INSTALL_HINT = ("run `make install` (or `.venv/bin/pip install -r requirements.txt`) in the "
                "repository and restart the kernel")
_FREQ_NAMES = {"D": "day", "W": "week", "M": "month"}


# ----------------------------------------------------------------------------- set-up


def _installed_version(dist: str) -> str | None:
    """The installed version of a distribution, or None when it is not installed."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _version_tuple(version: str) -> tuple[int, ...]:
    """``"3.11.2"`` -> ``(3, 11, 2)``; a pre-release part such as ``"0rc1"`` counts as 0."""
    parts = []
    for piece in version.split(".")[:3]:
        digits = re.match(r"\d+", piece)
        parts.append(int(digits.group()) if digits else 0)
    return tuple(parts)


def check_versions() -> list[str]:
    """What is wrong with the installed versions the figures rely on (``MIN_VERSIONS``),
    one sentence per problem that names the fix; an empty list when everything holds.

    >>> check_versions()  # doctest: +SKIP
    ['matplotlib 3.9.2 is older than 3.11, which the figures need (it shapes Arabic ...']
    """
    problems = []
    for dist, (minimum, why) in MIN_VERSIONS.items():
        have = _installed_version(dist)
        if have is None:
            problems.append(f"{dist} is not installed; the figures need {dist} >= {minimum} "
                            f"({why}): {INSTALL_HINT}.")
        elif _version_tuple(have) < _version_tuple(minimum):
            problems.append(f"{dist} {have} is older than {minimum}, which the figures need "
                            f"({why}): {INSTALL_HINT}.")
    return problems


def register_arabic_font() -> str:
    """Register the bundled Noto Sans Arabic font (PyPI ``fontpkg-noto-sans-arabic``) with
    matplotlib and return the family name to use; falls back to DejaVu Sans, which has
    Arabic glyphs too (``check_versions`` reports the missing package)."""
    try:
        import fontpkg_noto_sans_arabic as pkg
    except ImportError:
        return "DejaVu Sans"
    for path in sorted(Path(pkg.ROOT).rglob("*.[ot]tf")):
        font_manager.fontManager.addfont(str(path))
    return pkg.FAMILY


def setup(notebook: str | None = None, seed: int = SEED) -> dict:
    """One call at the top of every notebook: style, font, seeds, pandas display options,
    and a check of the versions that matter (a ``UserWarning`` that says what to run when
    one does not hold, e.g. matplotlib older than 3.11, which cannot shape Arabic).

    ``notebook`` (e.g. ``"01_corpus_and_cleaning"``) names the figures that
    :func:`save_fig` writes. Returns a small dict of what was set, for display.
    """
    global _current_notebook
    if notebook:
        _current_notebook = notebook
    problems = check_versions()
    for problem in problems:
        warnings.warn(problem, UserWarning, stacklevel=2)
    _inline_in_notebook()
    family = register_arabic_font()
    matplotlib.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": ["DejaVu Sans", family],
            "figure.dpi": 100,
            "savefig.dpi": 120,
            "figure.figsize": (9, 5),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.titleweight": "bold",
            "svg.hashsalt": "arabic-news",
        }
    )
    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch

        torch.manual_seed(seed)
    except ImportError:  # torch is optional for the figures
        pass
    pd.set_option("display.max_colwidth", 120)
    pd.set_option("display.width", 160)
    pd.set_option("display.max_rows", 60)
    return {"notebook": _current_notebook, "font": family, "seed": seed,
            "matplotlib": matplotlib.__version__, "problems": problems}


def _inline_in_notebook() -> None:
    """Show figures inline in a Jupyter kernel even when ``MPLBACKEND=Agg`` is exported (the
    Makefile sets it so that scripts and tests never need a screen)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell":
        shell.run_line_magic("matplotlib", "inline")


def figure_path(name: str, notebook: str | None = None) -> Path:
    """Path ``figures/<notebook>-<name>.png`` (``ARABIC_NEWS_FIGURES`` overrides the folder)."""
    nb = notebook or _current_notebook or "figure"
    folder = Path(os.environ.get("ARABIC_NEWS_FIGURES", FIGURES_DIR))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{nb}-{name}.png"


def save_fig(name: str, fig: Figure | None = None, notebook: str | None = None) -> Path:
    """Save the current (or given) figure as ``figures/<notebook>-<name>.png`` and return the
    path relative to the repository (no machine paths in notebook outputs)."""
    fig = fig or plt.gcf()
    path = figure_path(name, notebook)
    fig.savefig(path, bbox_inches="tight", metadata={"Software": None})
    try:
        return path.relative_to(FIGURES_DIR.parent)
    except ValueError:
        return Path(path.name)


def close(fig: Figure | None = None) -> None:
    """Close ``fig`` (every open figure when None), e.g. after saving it in a loop."""
    plt.close(fig if fig is not None else "all")


# ----------------------------------------------------------------------------- labels


def actor_names(actors: pd.DataFrame | None) -> dict[str, tuple[str, str]]:
    """``{actor_id: (name_en, name_ar)}`` from an actor table; empty without one."""
    if actors is None or actors.empty or not {"actor_id", "name_en", "name_ar"} <= set(actors):
        return {}
    return {str(a): ("" if pd.isna(en) else str(en), "" if pd.isna(ar) else str(ar))
            for a, en, ar in zip(actors["actor_id"], actors["name_en"], actors["name_ar"],
                                 strict=True)}


def _first_value(row: pd.Series, columns: Sequence[str]) -> str | None:
    for col in columns:
        if col in row.index and isinstance(row[col], str) and row[col].strip():
            return row[col].split("|")[0].strip()
    return None


def actor_label(actor_id: str, actors: pd.DataFrame | None = None) -> str:
    """Short axis label for an actor, English and Arabic: ``"Haftar · حفتر"``.

    Names come from the actor table ``actors`` (columns ``name_en``, ``name_ar``,
    ``surname_ar``, ``type``): people are labelled by surname (last English word and
    ``surname_ar``), everything else by its full names. Without a row for the id (or
    without a table) the id is shown, title-cased.

    >>> table = pd.DataFrame({"actor_id": ["haftar"], "name_en": ["Khalifa Haftar"],
    ...     "name_ar": ["خليفة حفتر"], "surname_ar": ["حفتر"], "type": ["person"]})
    >>> actor_label("haftar", table), actor_label("new_actor", table)
    ('Haftar · حفتر', 'New Actor')
    """
    en, ar = None, None
    if actors is not None and "actor_id" in actors.columns:
        row = actors[actors["actor_id"] == actor_id]
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


def _node_label(actor_id: str, names: Mapping[str, tuple[str, str]],
                width: int | None = None) -> str:
    """Two-line node label, Arabic above English (wrapped at ``width`` characters)."""
    en, ar = names.get(actor_id, (actor_id, ""))
    en = en or actor_id
    if width:
        en = "\n".join(textwrap.wrap(en, width))
    return f"{ar}\n{en}" if ar else en


def stack_levels(spans: Sequence[tuple[float, float]], gap: float = 0.0) -> list[int]:
    """Give each interval ``(start, end)`` a level (0, 1, 2 ...) so that no two intervals
    on one level overlap or come closer than ``gap``: the lowest free level, intervals taken
    by start (first fit, which uses the fewest levels possible for intervals). Used to stack
    labels of a timeline: the spans are the labels' horizontal extents.

    >>> stack_levels([(0, 10), (5, 15), (12, 20), (16, 30)])
    [0, 1, 0, 1]
    """
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], spans[i][1], i))
    ends: list[float] = []  # right end of the last interval on each level
    levels = [0] * len(spans)
    for i in order:
        start, end = spans[i]
        level = next((k for k, last in enumerate(ends) if last + gap <= start), len(ends))
        if level == len(ends):
            ends.append(end)
        else:
            ends[level] = end
        levels[i] = level
    return levels


def _date_axis(ax: Axes) -> None:
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


# ----------------------------------------------------------------------------- actors


def plot_top_actors(table: pd.DataFrame, actors: pd.DataFrame | None = None, n: int = 15,
                    ax: Axes | None = None) -> Axes:
    """Horizontal bar chart of the ``n`` most mentioned actors of an ``actor_table``
    (per-article tables are summed), coloured by :func:`actor_color`, labelled in English
    and Arabic (``"Turkey  تركيا"``) from ``actors``; mention counts on whole-number ticks.
    Returns the axes."""
    totals = table.groupby("actor_id")["mentions"].sum().sort_values(ascending=False,
                                                                     kind="stable")
    top = totals.head(n).iloc[::-1]
    ax = _new_axes(ax, (8, 0.35 * len(top) + 1.5))
    names = actor_names(actors)
    labels = [f"{names[a][0]}  {names[a][1]}".strip() if a in names else a for a in top.index]
    ax.barh(labels, top.values, color=[actor_color(a) for a in top.index])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("mentions")
    ax.set_ylabel("actor")
    ax.set_title(f"Most mentioned actors (top {len(top)})")
    ax.grid(axis="y", visible=False)
    return ax


def _size_key(values: Sequence[float]) -> list[int]:
    """Up to three round values spanning ``values`` for a size or width key."""
    lo, hi = int(min(values)), int(max(values))
    keys = sorted({lo, int(round((lo + hi) / 2)), hi})
    return [k for k in keys if k > 0] or [1]


#: co-mention network: above these counts (a node's shared sentences, an edge's sentences)
#: sizes and widths are scaled down so that the largest stays this size
NETWORK_MAX_STRENGTH, NETWORK_MAX_WEIGHT = 40, 8
#: steps of adjustText's label placement (a step count keeps the figure the same on every run)
ADJUST_TEXT_STEPS = 250


def plot_actor_network(edges: pd.DataFrame, actors: pd.DataFrame | None = None,
                       ax: Axes | None = None, *, min_weight: int = 1, max_edges: int = 30,
                       max_nodes: int = 30) -> Axes:
    """Draw the co-mention network of ``helpers.actors.comention_edges``: actors named in
    the same sentence are linked.

    To stay readable only the strongest links are drawn: the edges with weight (number of
    shared sentences) of at least ``min_weight``, of those the ``max_edges`` heaviest (ties
    by ids), and only actors on a drawn edge (at most ``max_nodes``, the strongest). The
    subtitle says how many links are shown. Node size = the actor's co-mention sentences
    over *all* its links (weighted degree, before pruning); edge width = shared sentences;
    both have a key. Colours from :func:`actor_color`; labels in Arabic and English, placed
    by adjustText so that they do not overlap. Returns the axes.
    """
    from adjustText import adjust_text

    ax = _new_axes(ax, (11, 8))
    ax.set_axis_off()
    full = nx.Graph()
    for row in edges.itertuples(index=False):
        full.add_edge(row.source, row.target, weight=int(row.weight))
    strength = dict(full.degree(weight="weight"))
    kept = edges[edges["weight"] >= min_weight].sort_values(
        ["weight", "source", "target"], ascending=[False, True, True], kind="stable")
    kept = kept.head(max_edges)
    graph = nx.Graph()
    for row in kept.itertuples(index=False):
        graph.add_edge(row.source, row.target, weight=int(row.weight))
    if graph.number_of_nodes() > max_nodes:
        top = sorted(graph.nodes, key=lambda n: (-strength[n], n))[:max_nodes]
        graph = graph.subgraph(top).copy()
    ax.set_title("Co-mention network: actors named in the same sentence\n"
                 f"the {graph.number_of_edges()} strongest of {len(edges)} links "
                 f"(at least {min_weight} shared sentence{'s' if min_weight > 1 else ''})",
                 fontsize=11)
    if graph.number_of_nodes() == 0:
        ax.text(0.5, 0.5, "no co-mentions to draw", ha="center", va="center",
                transform=ax.transAxes)
        return ax
    nodes = sorted(graph.nodes)
    graph = nx.Graph(graph.subgraph(nodes))
    pos = nx.kamada_kawai_layout(graph, weight=None)  # deterministic: same picture every run

    # sizes grow with the counts up to a cap, so that an archive's counts in the thousands
    # draw the same picture as an article's (the keys show the real counts)
    size_scale = min(1.0, NETWORK_MAX_STRENGTH / max(max(strength[n] for n in nodes), 1))
    width_scale = min(1.0, NETWORK_MAX_WEIGHT / max(
        max(graph.edges[e]["weight"] for e in graph.edges), 1))

    def node_size(s: float) -> float:
        return 80 + 30 * s * size_scale

    def edge_width(w: float) -> float:
        return 0.6 + 0.9 * w * width_scale

    edge_list = sorted(graph.edges, key=lambda e: (-graph.edges[e]["weight"], e))
    lines = nx.draw_networkx_edges(graph, pos, edgelist=edge_list, ax=ax, alpha=0.4,
                                   width=[edge_width(graph.edges[e]["weight"]) for e in edge_list],
                                   edge_color="#555555")
    lines.set_gid("comention-edges")
    circles = nx.draw_networkx_nodes(graph, pos, nodelist=nodes, ax=ax,
                           node_size=[node_size(strength[n]) for n in nodes],
                           node_color=[actor_color(n) for n in nodes], alpha=0.9,
                           edgecolors="white")
    ax.margins(0.15)
    names = actor_names(actors)
    texts = [ax.text(*pos[n], _node_label(n, names, width=18), fontsize=8, ha="center",
                     va="center", gid=f"label:{n}",
                     bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                           "alpha": 0.7})
             for n in nodes]
    xy = np.array([pos[n] for n in nodes])
    # a step limit, not adjustText's default one-second limit: the same picture on any machine
    adjust_text(texts, x=xy[:, 0], y=xy[:, 1], objects=circles, ax=ax, expand=(1.1, 1.3),
                iter_lim=ADJUST_TEXT_STEPS,
                arrowprops={"arrowstyle": "-", "color": "#888888", "lw": 0.5})
    size_handles = [Line2D([], [], ls="", marker="o", color="#999999",
                           markersize=node_size(s) ** 0.5, label=str(s))
                    for s in _size_key([strength[n] for n in nodes])]
    width_handles = [Line2D([], [], color="#555555", alpha=0.6, lw=edge_width(w), label=str(w))
                     for w in _size_key([graph.edges[e]["weight"] for e in edge_list])]
    size_legend = ax.legend(handles=size_handles, title="node size: sentences\nshared with "
                            "other actors", loc="upper left", bbox_to_anchor=(1.0, 1.0),
                            fontsize=8, title_fontsize=8, frameon=False, labelspacing=2.4,
                            handletextpad=1.6, borderpad=1.2)
    ax.add_artist(size_legend)
    size_legend.set_clip_on(False)  # add_artist clips to the axes; the key sits beside them
    ax.legend(handles=width_handles, title="edge width: sentences\nnaming both actors",
              loc="upper left", bbox_to_anchor=(1.0, 0.55), fontsize=8, title_fontsize=8,
              frameon=False)
    return ax


# ----------------------------------------------------------------------------- sentiment


def plot_actor_sentiment(
    summary: pd.DataFrame,
    actors: pd.DataFrame | None = None,
    *,
    top: int | None = 15,
    ax: Axes | None = None,
    title: str = "Sentiment toward actors (mean and 95% bootstrap interval)",
) -> Axes:
    """Dot chart of ``helpers.sentiment.aggregate_sentiment`` output: mean score with its
    interval, n labelled. Actors with small n are drawn as hollow dots (their interval is
    wide or, for n = 1, a point). Labels are ``name_en · name_ar`` when ``actors`` is
    given. Returns the matplotlib Axes.
    """
    data = summary.sort_values(["n", "mean"], ascending=[False, False]).head(top or len(summary))
    data = data.sort_values("mean").reset_index(drop=True)
    names = {a: f"{en} · {ar}" if ar else en for a, (en, ar) in actor_names(actors).items()}
    ax = _new_axes(ax, (9, 0.42 * len(data) + 1.6))
    for y, r in data.iterrows():
        color = actor_color(str(r["actor_id"]))
        ax.plot([r["ci_low"], r["ci_high"]], [y, y], color=color, lw=2, alpha=0.7)
        ax.scatter([r["mean"]], [y], s=60, zorder=3, color=color if not r["small_n"] else "white",
                   edgecolors=color, linewidths=1.8)
        ax.annotate(f"n={int(r['n'])}", (1.02, y), xycoords=("axes fraction", "data"),
                    va="center", fontsize=9, color="#444444")
    ax.axvline(0, color="#888888", lw=1, ls="--")
    ax.set_yticks(range(len(data)))
    ax.set_yticklabels([names.get(a, a) for a in data["actor_id"]])
    ax.set_xlim(-1.05, 1.05)
    ax.set_xlabel("score (−1 negative … +1 positive); hollow dot: small n (default n < 5)")
    ax.set_ylabel("actor")
    ax.set_title(title)
    return ax


def plot_confusion(metrics: dict, ax: Axes | None = None, title: str = "Confusion matrix") -> Axes:
    """Heat map of the confusion matrix of ``helpers.eval_sentiment.sentiment_metrics``
    (rows gold, columns predicted, in the order of ``helpers.sentiment.LABELS``); returns
    the Axes."""
    cm = metrics["confusion"].to_numpy()
    ax = _new_axes(ax, (4.6, 4))
    ax.imshow(cm, cmap="Blues")
    for (i, j), v in np.ndenumerate(cm):
        ax.text(j, i, str(v), ha="center", va="center",
                color="white" if v > cm.max() / 2 else "black")
    ax.set_xticks(range(len(LABELS)), LABELS)
    ax.set_yticks(range(len(LABELS)), LABELS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.grid(False)
    ax.set_title(title)
    return ax


# ----------------------------------------------------------------------------- stance


def _exit_distance(half_w: float, half_h: float, angle: float) -> float:
    """Distance from a box's centre to its edge in direction ``angle`` (radians)."""
    c, s = abs(np.cos(angle)), abs(np.sin(angle))
    return min(half_w / c if c > 1e-9 else np.inf, half_h / s if s > 1e-9 else np.inf)


def _box_margin(half_w: float, half_h: float, angle: float, spread: float) -> float:
    """Largest exit distance over directions within ``spread`` of ``angle``: a curved arrow
    leaves its node a little off the straight line between the two nodes."""
    return max(_exit_distance(half_w, half_h, angle + d)
               for d in np.linspace(-spread, spread, 9))


def _spread(pos: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Stretch a layout so that it fills [-1, 1] on both axes (labels need the room)."""
    xy = np.array(list(pos.values()), dtype=float)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = np.where(hi - lo > 1e-9, hi - lo, 1.0)
    return {n: 2 * (np.asarray(p, dtype=float) - lo) / span - 1 + (hi - lo <= 1e-9)
            for n, p in pos.items()}


def _circle_order(graph: nx.MultiDiGraph) -> list[str]:
    """Nodes in the order they go round the circle: connected groups one after the other,
    each walked breadth-first from its best-connected actor, so that linked actors sit
    close together and most arrows are short."""
    undirected = nx.Graph(graph.to_undirected())
    order: list[str] = []
    groups = sorted(nx.connected_components(undirected), key=lambda c: (-len(c), min(c)))
    for group in groups:
        sub = undirected.subgraph(group)
        start = min(group, key=lambda n: (-sub.degree(n), n))
        order += [start, *(v for _, v in nx.bfs_edges(sub, start,
                                                     sort_neighbors=lambda ns: sorted(ns)))]
    return order


def plot_stance_network(stance: pd.DataFrame, actors: pd.DataFrame | None = None,
                        ax: Axes | None = None, *, min_n: int = 1,
                        title: str | None = None) -> Axes:
    """Draw the stance network of ``helpers.stance.extract_stance``: a directed signed
    graph, one arrow per (source, relation, target) with width by the number of sentences
    and colour by relation (``RELATION_COLORS``: green supports, blue cooperates,
    vermillion opposes, orange attacks ...); a pair seen both ways with the same relation
    is one double-headed arrow. Edges seen in fewer than ``min_n`` sentences are left out.

    Each actor is drawn as its label (Arabic above English, e.g. ``"حكومة الوفاق\\nGNA"``)
    in a box framed in its :func:`actor_color`. The actors sit on a circle (linked actors
    next to each other) and every arrow bends towards the centre, where there are no
    labels; arrows start and stop at the edge of the label boxes, so no arrow is drawn
    over a name. Returns the matplotlib Axes; each arrow has gid
    ``stance:<source>><relation>><target>``, each label ``actor:<id>``.
    """
    ax = _new_axes(ax, (11, 8.5))
    edges = stance_edges(stance, merge_symmetric=True)
    edges = edges[edges["n"] >= min_n]
    names = actor_names(actors)
    graph = nx.MultiDiGraph()
    for e in edges.itertuples(index=False):
        graph.add_edge(e.source, e.target, relation=e.relation, n=int(e.n), both=e.both_ways)
    ax.set_title(title or "Stance network: who supports or opposes whom")
    ax.set_axis_off()
    if graph.number_of_nodes() == 0:
        ax.text(0.5, 0.5, "no stance edges found", ha="center", va="center",
                transform=ax.transAxes)
        return ax
    nodes = sorted(graph.nodes())
    pos = nx.circular_layout(_circle_order(graph))
    pos = _spread(pos)
    ax.set_xlim(-1.2, 1.2)
    ax.set_ylim(-1.12, 1.12)
    labels = {}
    for n in nodes:
        labels[n] = ax.text(*pos[n], _node_label(n, names, width=16), ha="center",
                            va="center", fontsize=9, zorder=4, gid=f"actor:{n}",
                            bbox={"boxstyle": "round,pad=0.3", "fc": "white",
                                  "ec": actor_color(n), "lw": 2})
    renderer = ax.figure.canvas.get_renderer()
    pt_per_px = 72 / ax.figure.dpi
    # half width and height of each label box in points: the text, its padding (0.3 em)
    # and a small gap, so that an arrow head stops just outside the frame
    half = {n: (t.get_window_extent(renderer).width / 2 * pt_per_px + 0.3 * 9 + 4,
                t.get_window_extent(renderer).height / 2 * pt_per_px + 0.3 * 9 + 4)
            for n, t in labels.items()}
    to_px = ax.transData.transform
    seen_pairs: dict[frozenset, int] = {}
    for src, tgt, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1],
                                                                          e[2]["relation"])):
        pair = frozenset((src, tgt))
        k = seen_pairs.get(pair, 0)
        seen_pairs[pair] = k + 1
        (x0, y0), (x1, y1) = to_px(pos[src]), to_px(pos[tgt])
        # bend every arrow towards the centre of the circle, where there are no labels
        cx, cy = to_px((0.0, 0.0)) - ((x0 + x1) / 2, (y0 + y1) / 2)
        inward = 1 if (y1 - y0) * cx - (x1 - x0) * cy >= 0 else -1
        rad = inward * (0.12 + 0.14 * k)
        angle = np.arctan2(y1 - y0, x1 - x0)
        spread = np.arctan(2 * abs(rad))
        arrows = nx.draw_networkx_edges(
            graph, pos, edgelist=[(src, tgt)], ax=ax, arrows=True,
            edge_color=RELATION_COLORS.get(data["relation"], "#7F7F7F"),
            width=1.2 + 0.8 * min(data["n"], 5),
            arrowstyle="<|-|>" if data["both"] else "-|>", arrowsize=16,
            connectionstyle=f"arc3,rad={rad}",
            min_source_margin=_box_margin(*half[src], angle, spread),
            min_target_margin=_box_margin(*half[tgt], angle + np.pi, spread))
        for arrow in arrows:
            arrow.set_gid(f"stance:{src}>{data['relation']}>{tgt}")
    relation_handles = [Line2D([0], [0], color=c, lw=3, label=r)
                        for r, c in RELATION_COLORS.items()]
    first = ax.legend(handles=relation_handles, title="relation\n(arrow: source → target)",
                      loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9,
                      title_fontsize=9, frameon=False)
    ax.add_artist(first)
    first.set_clip_on(False)  # add_artist clips to the axes; the key sits beside them
    width_handles = [Line2D([0], [0], color="#555555", lw=1.2 + 0.8 * n, label=label)
                     for n, label in ((1, "1"), (3, "3"), (5, "5 or more"))]
    ax.legend(handles=width_handles, title="arrow width:\nsentences", loc="upper left",
              bbox_to_anchor=(1.0, 0.6), fontsize=9, title_fontsize=9, frameon=False)
    return ax


# ----------------------------------------------------------------------------- timelines


def _freq_name(table: pd.DataFrame, freq: str | None) -> str:
    freq = freq or table.attrs.get("binning", {}).get("freq", "")
    return _FREQ_NAMES.get(freq, "time")


def _milestones(events: pd.DataFrame | None) -> pd.DataFrame:
    if events is None or events.empty:
        return pd.DataFrame(columns=["date", "title"])
    ms = events[events["milestone"].fillna(False).astype(bool)].dropna(subset=["date"])
    return ms.sort_values("date")[["date", "title"]].reset_index(drop=True)


def plot_attention(
    share_table: pd.DataFrame,
    actor_ids: Sequence[str] | None = None,
    *,
    actors: pd.DataFrame | None = None,
    n: int = 6,
    window: int = 3,
    flags: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    freq: str | None = None,
    title: str = "Share of attention over time",
) -> Figure:
    """Small multiples: one panel per actor (``actor_ids``, default the ``n`` most
    mentioned) with its share of all actor mentions per bin (thin line with dots), a
    centred rolling mean over ``window`` bins (thick line), flagged bins from
    ``helpers.timeline.change_flags`` (▲ rise, ▼ fall) and, with ``events``, the
    chronology's milestones as dotted vertical lines numbered at the top of each panel and
    listed under the figure. A key explains every mark. ``actors`` (the actor table) names
    the panels. Returns the Figure.
    """
    actor_ids = list(actor_ids) if actor_ids is not None else top_actors(share_table, n)
    if not actor_ids:
        raise ValueError("No actor has any mention in the share table: nothing to plot.")
    ncols = 2 if len(actor_ids) > 1 else 1
    nrows = int(np.ceil(len(actor_ids) / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(11, 2.3 * nrows + 1.2), sharex=True, sharey=True, squeeze=False
    )
    milestones = _milestones(events)
    ymax = 0.0
    for ax, actor in zip(axes.flat, actor_ids, strict=False):
        sub = share_table[share_table["actor_id"] == actor].sort_values("bin")
        color = actor_color(actor)
        ax.plot(sub["bin"], sub["share"], "-o", color=color, lw=0.8, ms=2.5, alpha=0.45,
                gid="share")
        sm = smooth(sub.set_index("bin")["share"], window)
        ax.plot(sm.index, sm.values, color=color, lw=2.2, gid="rolling-mean")
        ymax = max(ymax, float(np.nanmax(sub["share"].to_numpy(dtype=float), initial=0)))
        if flags is not None:
            fl = flags[(flags["actor_id"] == actor) & flags["flag"]]
            for direction, marker in (("up", "^"), ("down", "v")):
                pts = fl[fl["direction"] == direction]
                ax.scatter(pts["bin"], pts["share"], marker=marker, s=50, color="black",
                           zorder=5, clip_on=False, gid=f"flag-{direction}")
        for number, day in enumerate(milestones["date"], start=1):
            ax.axvline(day, color="grey", lw=0.7, ls=":", zorder=0, gid=f"milestone:{number}")
        ax.set_title(actor_label(actor, actors), fontsize=11)
        _date_axis(ax)
    for ax in axes.flat[len(actor_ids):]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("share of mentions")
    for ax in axes[-1, :]:
        ax.set_xlabel(f"{_freq_name(share_table, freq)} bin")
        ax.xaxis.set_tick_params(labelbottom=True)
    top = min(1.0, ymax * 1.15 + 0.02)
    # a margin below 0 so that ▼ on a zero share is drawn whole, above the axis line
    axes.flat[0].set_ylim(-0.06 * top, top)
    handles = [Line2D([], [], color="grey", lw=0.8, marker="o", ms=2.5, alpha=0.6,
                      label="share in each bin (thin)"),
               Line2D([], [], color="grey", lw=2.2, label=f"{window}-bin rolling mean (thick)")]
    if flags is not None:
        handles += [Line2D([], [], ls="", marker="^", color="black", label="rise flag"),
                    Line2D([], [], ls="", marker="v", color="black", label="fall flag")]
    if len(milestones):
        handles.append(Line2D([], [], color="grey", lw=0.7, ls=":",
                              label="milestone (numbered, listed below)"))
    fig.suptitle(title, fontweight="bold")
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0),
               ncol=min(len(handles), 3), fontsize=9, frameon=False)
    notes = []
    if flags is not None:
        notes.append("▲ / ▼: bins flagged by timeline.change_flags, a rise or fall far "
                     "outside the variation of the previous bins")
    if len(milestones):
        items = [f"{i} {d:%Y-%m-%d} {t}" for i, (d, t) in
                 enumerate(zip(milestones["date"], milestones["title"], strict=True), start=1)]
        notes.append("Milestones: " + "; ".join(items))
    if notes:
        fig.text(0.5, -0.055 - 0.02 * (len(handles) > 3), "\n".join(
            textwrap.fill(n, 150) for n in notes), ha="center", va="top", fontsize=8.5,
            color="dimgrey", gid="attention-notes")
    fig.tight_layout()
    if len(milestones):
        _number_milestones(fig, axes[0, :], milestones["date"])
    return fig


def _number_milestones(fig: Figure, top_axes: Iterable[Axes], dates: Sequence) -> None:
    """Write each milestone's number at the top of the top-row panels, stacking numbers
    of close milestones so that they do not overlap."""
    renderer = fig.canvas.get_renderer()
    for ax in top_axes:
        if not ax.get_visible():
            continue
        texts = [ax.annotate(str(i), (mdates.date2num(day), 1.0),
                             xycoords=("data", "axes fraction"), xytext=(0, -2),
                             textcoords="offset points", ha="center", va="top", fontsize=7,
                             color="dimgrey", gid=f"milestone-label:{i}", annotation_clip=True)
                 for i, day in enumerate(dates, start=1)]
        boxes = [t.get_window_extent(renderer) for t in texts]
        levels = stack_levels([(b.x0, b.x1) for b in boxes], gap=1.0)
        for text, box, level in zip(texts, boxes, levels, strict=True):
            text.xyann = (0, -2 - level * (box.height * 72 / fig.dpi + 1))


def plot_sentiment_over_time(
    sentiment_table: pd.DataFrame,
    actor_ids: Sequence[str],
    *,
    actors: pd.DataFrame | None = None,
    min_n: int = 3,
    freq: str | None = None,
    title: str = "Targeted sentiment over time (mean, 95% bootstrap CI)",
) -> Figure:
    """One panel per chosen actor: mean sentiment per bin (``sentiment_over_time``) with its
    95% bootstrap interval as an error bar and ``n`` (scored mentions) written above each
    point. Points with fewer than ``min_n`` mentions are drawn hollow: read them as
    anecdotes. ``actors`` (the actor table) names the panels. Returns the Figure.
    """
    actor_ids = list(actor_ids)
    if not actor_ids:
        raise ValueError("Name at least one actor id to plot (e.g. ['haftar', 'sarraj']).")
    fig, axes = plt.subplots(
        len(actor_ids), 1, figsize=(11, 2.4 * len(actor_ids) + 0.8), sharex=True,
        squeeze=False
    )
    if len(sentiment_table):  # the whole table's time range, so figures line up
        first, last = sentiment_table["bin"].min(), sentiment_table["bin"].max()
        pad = max((last - first) * 0.03, pd.Timedelta(days=15))
        axes[0, 0].set_xlim(first - pad, last + pad)
    for ax, actor in zip(axes[:, 0], actor_ids, strict=True):
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
        ax.set_title(actor_label(actor, actors), fontsize=11)
        _date_axis(ax)
    axes[-1, 0].set_xlabel(f"{_freq_name(sentiment_table, freq)} bin")
    fig.suptitle(title, fontweight="bold")
    fig.text(0.5, -0.01, f"hollow points: fewer than {min_n} scored mentions in the bin",
             ha="center", fontsize=9, color="dimgrey")
    fig.tight_layout()
    return fig


def _short_title(text: str, width: int = 48) -> str:
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    return text[:width].rsplit(" ", 1)[0] + " …"


_LABEL_PT = 7.5  # font size of the event labels
_ROW_PT = 13.0  # height of one stacked label row, in points
_LANE_PT = 26.0  # room for a lane's markers and the gap above them, in points
#: corpus articles labelled on the event timeline at most (an archive of thousands would
#: make a figure metres tall: every article still gets its star, a spread of them a label)
MAX_ARTICLE_LABELS = 40
_LANE_COLORS = dict(zip(EVENT_LANES, ["#D55E00", "#CC79A7", "#0072B2", "#009E73", "#E69F00"],
                        strict=True))


def plot_event_timeline(
    events: pd.DataFrame,
    articles: pd.DataFrame | None = None,
    *,
    annotate: Iterable[str] | None = None,
    title: str = "Libya 2019–2021: chronology and corpus articles",
) -> Figure:
    """Events as markers in lanes by event type (``helpers.timeline.EVENT_LANES``),
    milestones (or the ids in ``annotate``) labelled; month-precision events drawn as a bar
    spanning their month, not as a point on the 1st. ``articles`` (e.g. the
    ``kind == "article"`` rows of the corpus) are drawn in their own bottom lane as black
    stars with date and title (beyond :data:`MAX_ARTICLE_LABELS` articles, only that many,
    spread over time, are labelled; a note says so); undated articles are left out and
    counted in a note.

    Labels never overlap: their widths are measured and close labels are stacked in rows
    (:func:`stack_levels`); each lane is as tall as its rows need. Returns the Figure.
    """
    ev = events.dropna(subset=["date"]).copy()
    ev["lane"] = ev["event_type"].map(event_lane)
    lanes = [lane for lane in [*EVENT_LANES, "Other"] if lane in set(ev["lane"])]
    ids = set(annotate) if annotate is not None else set(ev.loc[ev["milestone"], "id"])
    labelled = ev[ev["id"].isin(ids)].sort_values(["date", "id"])
    dated = (articles.dropna(subset=["date"]).sort_values("date") if articles is not None
             else pd.DataFrame(columns=["date", "title", "article_id"]))
    if articles is not None:
        lanes = [*lanes, "Corpus articles"]
    all_dates = pd.concat([ev["date"], dated["date"]])
    if all_dates.empty:
        raise ValueError("Nothing dated to draw: the events and articles have no date "
                         "(give articles a `date:` line, or load the chronology with "
                         "helpers.timeline.load_events()).")
    first, last = all_dates.min(), all_dates.max()
    pad = max((last - first) * 0.04, pd.Timedelta(days=20))
    width_in = 13.0
    fig, ax = plt.subplots(figsize=(width_in, 1.25 * len(lanes) + 1.6))
    # 1. lay the axes out with their final x range and lane names, to measure the labels
    ax.set_xlim(first - pad, last + pad)
    ax.set_yticks(range(len(lanes)), list(reversed(lanes)))
    ax.set_xlabel("date")
    ax.set_ylabel("lane (event type)")
    ax.set_title(title)
    _date_axis(ax)
    handles = [Line2D([], [], marker="o", ls="", color="grey", label="event (day known)"),
               Line2D([], [], color="grey", lw=7, alpha=0.45,
                      label="event known to the month only (bar spans the month)")]
    if articles is not None:
        handles.append(Line2D([], [], marker="*", ls="", ms=13, color="black",
                              label="corpus article"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12),
              ncol=len(handles), fontsize=8, frameon=False)
    left_out = 0 if articles is None else len(articles) - len(dated)
    note = [f"{left_out} undated article(s) left out."] if left_out else []
    labelled_articles = dated
    if len(dated) > MAX_ARTICLE_LABELS:  # evenly spread over the sorted dates
        picks = np.unique(np.linspace(0, len(dated) - 1, MAX_ARTICLE_LABELS).round())
        labelled_articles = dated.iloc[picks.astype(int)]
        note.append(f"{len(labelled_articles)} of {len(dated)} articles labelled (spread "
                    "over time); every article has its star.")
    if note:
        fig.text(0.01, 0.0, " ".join(note), fontsize=8, color="dimgrey", va="bottom")
    fig.tight_layout()
    renderer = fig.canvas.get_renderer()
    px_per_pt = fig.dpi / 72
    # 2. measure each label and stack labels of one lane into rows
    texts: dict[str, list[tuple[pd.Timestamp, str]]] = {lane: [] for lane in lanes}
    for row in labelled.itertuples(index=False):
        texts[row.lane].append((row.date, str(row.title)))
    for row in labelled_articles.itertuples(index=False):
        name = getattr(row, "title", None)
        name = name if isinstance(name, str) and name.strip() else row.article_id
        texts["Corpus articles"].append(
            (row.date, f"article {row.date:%Y-%m-%d}\n{_short_title(name)}"))
    x_lo, x_hi = ax.get_window_extent(renderer).x0, ax.get_window_extent(renderer).x1
    placed: dict[str, list[tuple[pd.Timestamp, str, float, int]]] = {}
    rows_needed: dict[str, int] = {}
    for lane, items in texts.items():
        spans, shifts = [], []
        for day, text in items:
            probe = ax.text(0, 0, text, fontsize=_LABEL_PT, ha="center")
            width = probe.get_window_extent(renderer).width + 4 * px_per_pt
            probe.remove()
            x = ax.transData.transform((mdates.date2num(day), 0))[0]
            shift = min(max(x - width / 2, x_lo), x_hi - width) - (x - width / 2)
            spans.append((x - width / 2 + shift, x + width / 2 + shift))
            shifts.append(shift / px_per_pt)
        levels = stack_levels(spans, gap=3 * px_per_pt)
        lines = 2 if lane == "Corpus articles" else 1
        rows_needed[lane] = (max(levels) + 1) * lines if levels else 0
        placed[lane] = [(d, t, s, lv * lines) for (d, t), s, lv
                        in zip(items, shifts, levels, strict=True)]
    # 3. lane heights follow their rows; the figure grows so that one row is _ROW_PT tall
    heights = [_LANE_PT + _ROW_PT * rows_needed[lane] for lane in reversed(lanes)]
    ypos, y = {}, 0.0
    for lane, h in zip(reversed(lanes), heights, strict=True):
        ypos[lane] = y + (_LANE_PT / 2 + _ROW_PT * rows_needed[lane]
                          if lane == "Corpus articles" else _LANE_PT / 2)
        y += h
    box = ax.get_position()
    extra_in = fig.get_figheight() * (1 - box.height)
    fig.set_figheight(extra_in + y / 72)
    ax.set_ylim(0, y)
    ax.set_yticks([ypos[lane] for lane in reversed(lanes)], list(reversed(lanes)))
    ax.grid(axis="y", alpha=0.0)
    fig.tight_layout()
    # 4. draw the events, then the labels at their rows (offsets in points)
    month = ev["date_precision"] == "month"
    for lane in lanes:
        if lane == "Corpus articles":
            continue
        sub = ev[ev["lane"] == lane]
        color = _LANE_COLORS.get(lane, "#7F7F7F")
        day = sub[~month.loc[sub.index]]
        ax.scatter(day["date"], [ypos[lane]] * len(day), s=42, color=color, alpha=0.9,
                   edgecolor="white", linewidth=0.5, zorder=3)
        for _, row in sub[month.loc[sub.index]].iterrows():
            period = row["date"].to_period("M")
            ax.plot([period.start_time, period.end_time], [ypos[lane]] * 2, color=color,
                    lw=7, alpha=0.45, solid_capstyle="butt", zorder=2)
    if articles is not None:
        ax.scatter(dated["date"], [ypos["Corpus articles"]] * len(dated), marker="*", s=260,
                   color="black", zorder=4)
    for lane, items in placed.items():
        below = lane == "Corpus articles"
        for day, text, shift, row in items:
            offset = -(12 + _ROW_PT * row) if below else 9 + _ROW_PT * row
            ax.annotate(text, (day, ypos[lane]), xytext=(shift, offset),
                        textcoords="offset points", ha="center",
                        va="top" if below else "bottom", fontsize=_LABEL_PT,
                        gid=f"event-label:{lane}", linespacing=1.0,
                        arrowprops={"arrowstyle": "-", "color": "grey", "lw": 0.5},
                        bbox={"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none",
                              "alpha": 0.85})
    return fig


def plot_narrative(
    actor_sentiment: pd.DataFrame,
    article_id: str,
    *,
    actors: pd.DataFrame | None = None,
    n_sentences: int | None = None,
    max_actors: int = 15,
    title: str | None = None,
) -> Figure:
    """Within-article narrative timeline: sentence order on x, actors on y (in order of
    first appearance), marker colour = mean targeted sentiment of the actor's mentions in
    that sentence (colour bar, red negative, blue positive), marker size = number of
    mentions. ``actors`` (the actor table) names the rows. Returns the Figure.
    """
    table = narrative_table(actor_sentiment, article_id)
    keep = table.drop_duplicates("actor_id").nsmallest(max_actors, "order")["actor_id"]
    table = table[table["actor_id"].isin(keep)]
    order = table.drop_duplicates("actor_id").sort_values("order")["actor_id"].tolist()
    ypos = {a: i for i, a in enumerate(reversed(order))}
    fig, ax = plt.subplots(figsize=(11, 0.38 * len(order) + 1.8))
    points = ax.scatter(
        table["sent_id"], table["actor_id"].map(ypos), c=table["score"], cmap="RdBu",
        vmin=-1, vmax=1, s=40 + 30 * table["n"], edgecolor="black", linewidth=0.4, zorder=3,
    )
    ax.set_yticks(list(ypos.values()), [actor_label(a, actors) for a in ypos])
    last = n_sentences - 1 if n_sentences else int(table["sent_id"].max())
    ax.set_xlim(-0.7, last + 0.7)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("sentence number in the article (0 = first)")
    ax.set_ylabel("actor (first mention at the top)")
    fig.colorbar(points, ax=ax, label="targeted sentiment (−1 … +1)", pad=0.01)
    ax.set_title(title or f"Narrative timeline of article {article_id}")
    fig.text(0.01, -0.01, "marker size: number of mentions of the actor in the sentence",
             fontsize=8.5, color="dimgrey")
    fig.tight_layout()
    return fig
