"""helpers.figures: set-up (fonts, seeds, version check, file names), colours, label
placement, and the data behind every figure (edges drawn, ticks, keys, label boxes that do
not overlap, arrows that stop at the labels, markers that are not clipped)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.patches import FancyArrowPatch  # noqa: E402

import helpers  # noqa: E402
from helpers import figures as F  # noqa: E402

SRC = Path(helpers.__file__).parent

ACTORS = pd.DataFrame({
    "actor_id": ["haftar", "gna", "turkey", "uae", "lna", "russia", "egypt", "france"],
    "name_en": ["Khalifa Haftar", "Government of National Accord", "Turkey",
                "United Arab Emirates", "Libyan National Army", "Russia", "Egypt", "France"],
    "name_ar": ["خليفة حفتر", "حكومة الوفاق", "تركيا", "الإمارات", "الجيش الوطني الليبي",
                "روسيا", "مصر", "فرنسا"],
    "surname_ar": ["حفتر", "", "", "", "", "", "", ""],
    "type": ["person", "government", "state", "state", "armed_group", "state", "state",
             "state"],
})


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def figures_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ARABIC_NEWS_FIGURES", str(tmp_path))
    return tmp_path


def _boxes_overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


# ----------------------------------------------------------------------------- set-up


def test_setup_registers_an_arabic_font_and_seeds():
    info = F.setup("99_test")
    assert info["notebook"] == "99_test"
    families = {f.name for f in matplotlib.font_manager.fontManager.ttflist}
    assert info["font"] in families
    first = np.random.rand()
    F.setup("99_test")
    assert np.random.rand() == first  # same seed, same numbers


def test_save_fig_names_the_file_after_the_notebook(figures_dir):
    F.setup("98_naming")
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    rel = F.save_fig("line", fig)
    assert (figures_dir / "98_naming-line.png").is_file()
    assert rel.name == "98_naming-line.png"
    assert not str(rel).startswith("/")  # no machine path shown in notebooks


def _ink_columns(path) -> int:
    img = plt.imread(path)[..., :3].mean(axis=2)
    return int((img < 0.5).any(axis=0).sum())


def test_arabic_label_is_drawn_with_glyphs_not_boxes(figures_dir):
    """Shaping works: the joined word is narrower than the same letters kept apart by
    zero-width non-joiners (which only stop joining). Without shaping both would draw
    the same isolated letter forms."""
    F.setup("97_arabic")
    widths = {}
    for name, label in {"joined": "حكومة الوفاق",
                        "isolated": "\u200c".join("حكومة الوفاق")}.items():
        fig = plt.figure(figsize=(4, 1))
        fig.text(0.05, 0.4, label, fontsize=20)
        path = F.figure_path(name, "97_arabic")
        fig.savefig(path)
        widths[name] = _ink_columns(path)
        plt.close(fig)
    assert 0 < widths["joined"] < widths["isolated"]


def test_the_installed_versions_hold():
    assert F.check_versions() == []


def test_setup_says_what_to_do_when_matplotlib_is_too_old(monkeypatch):
    real = F._installed_version
    monkeypatch.setattr(F, "_installed_version",
                        lambda dist: "3.10.7" if dist == "matplotlib" else real(dist))
    with pytest.warns(UserWarning, match=r"matplotlib 3\.10\.7 is older than 3\.11") as seen:
        info = F.setup("96_versions")
    message = str(seen[0].message)
    assert "Arabic" in message and "make install" in message
    assert "pip install -r requirements.txt" in message
    assert len(info["problems"]) == 1


def test_a_missing_package_is_named_with_its_fix(monkeypatch):
    real = F._installed_version
    monkeypatch.setattr(F, "_installed_version",
                        lambda dist: None if dist == "adjustText" else real(dist))
    problems = F.check_versions()
    assert len(problems) == 1
    assert problems[0].startswith("adjustText is not installed") and "make install" in problems[0]


@pytest.mark.parametrize(("version", "expected"), [
    ("3.11.2", (3, 11, 2)), ("3.9", (3, 9)), ("4.0rc1", (4, 0)), ("1.4.0.post1", (1, 4, 0))])
def test_version_tuple(version, expected):
    assert F._version_tuple(version) == expected
    assert (F._version_tuple(version) >= (3, 11)) == (expected >= (3, 11))


def test_key_actor_colours_are_distinct_and_stable():
    colours = list(F.KEY_ACTOR_COLORS.values())
    assert len(colours) == len(set(colours))
    assert F.actor_color("haftar") != F.actor_color("gna")
    assert F.actor_color("new_actor_x") == F.actor_color("new_actor_x")
    assert F.actor_color("new_actor_x") in F.OTHER_PALETTE


# ----------------------------------------------------------------------------- one plotting home


def test_only_the_figures_module_imports_matplotlib_in_its_source():
    pattern = re.compile(r"^\s*(import matplotlib|from matplotlib)", re.MULTILINE)
    offenders = [p.name for p in sorted(SRC.rglob("*.py"))
                 if p.name != "figures.py" and pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
    assert pattern.search((SRC / "figures.py").read_text(encoding="utf-8"))
    assert not (SRC / "plotting.py").exists()


def test_importing_any_other_helpers_module_leaves_matplotlib_unloaded():
    """Each module in a fresh interpreter: none of them pulls matplotlib in at import."""
    names = sorted(p.stem for p in SRC.glob("*.py")
                   if p.stem not in {"figures", "__main__", "__init__"})
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module('helpers.' + name)\n"
        "    assert 'matplotlib' not in sys.modules, name\n"
        "print('ok', len(sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("ok")


# ----------------------------------------------------------------------------- labels


def test_actor_label_uses_the_table_and_never_loads_one():
    assert F.actor_label("haftar", ACTORS) == "Haftar · حفتر"
    assert F.actor_label("gna", ACTORS) == "Government of National Accord · حكومة الوفاق"
    assert F.actor_label("new_actor", ACTORS) == "New Actor"
    # without a table: the id, not a name read from data/actors.csv behind the caller's back
    assert F.actor_label("haftar") == "Haftar"


def _max_depth(spans) -> int:
    events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
    depth = best = 0
    for _, step in events:  # an end sorts before a start at the same point
        depth += step
        best = max(best, depth)
    return best


def test_stack_levels_never_overlaps_and_uses_the_fewest_levels():
    rng = np.random.default_rng(3)
    starts = rng.uniform(0, 100, 60)
    spans = [(float(s), float(s + w)) for s, w in zip(starts, rng.uniform(1, 15, 60),
                                                       strict=True)]
    levels = F.stack_levels(spans, gap=0.0)
    for level in set(levels):
        row = sorted(sp for sp, lv in zip(spans, levels, strict=True) if lv == level)
        assert all(a[1] <= b[0] for a, b in zip(row, row[1:], strict=False))
    assert max(levels) + 1 == _max_depth(spans)
    assert F.stack_levels([(0, 10), (11, 20)], gap=2) == [0, 1]
    assert F.stack_levels([]) == []


# ----------------------------------------------------------------------------- actors


def test_top_actors_has_whole_number_ticks_and_bilingual_labels():
    table = pd.DataFrame({"article_id": ["a", "a", "b", "b"],
                          "actor_id": ["turkey", "haftar", "turkey", "gna"],
                          "mentions": [2, 1, 1, 1]})
    ax = F.plot_top_actors(table, ACTORS, n=3)
    ax.figure.canvas.draw()
    assert len(ax.patches) == 3
    assert [p.get_width() for p in ax.patches] == [1, 1, 3]
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks)
    top_label = ax.get_yticklabels()[-1].get_text()
    assert "تركيا" in top_label and "Turkey" in top_label
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def _complete_edges(n: int) -> pd.DataFrame:
    ids = list(ACTORS["actor_id"])[:n]
    rows = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]]
    return pd.DataFrame({"source": [a for a, _ in rows], "target": [b for _, b in rows],
                         "weight": range(1, len(rows) + 1), "articles": 1})


def test_actor_network_keeps_the_strongest_links_and_has_keys():
    edges = _complete_edges(8)  # 28 links, weights 1..28
    ax = F.plot_actor_network(edges, ACTORS, max_edges=6)
    lines = [c for c in ax.collections if isinstance(c, LineCollection)
             and c.get_gid() == "comention-edges"]
    assert len(lines) == 1 and len(lines[0].get_segments()) == 6
    widths = sorted(lines[0].get_linewidths(), reverse=True)
    assert widths[0] > widths[-1]  # heavier links are wider
    labels = [t for t in ax.texts if (t.get_gid() or "").startswith("label:")]
    heaviest = edges.nlargest(6, "weight")  # weights 23..28
    kept_nodes = set(heaviest["source"]) | set(heaviest["target"])
    assert {t.get_gid()[6:] for t in labels} == kept_nodes
    assert any("الإمارات" in t.get_text() and "United Arab Emirates" in t.get_text()
               for t in labels) == ("uae" in kept_nodes)
    assert "6 strongest of 28 links" in ax.get_title()
    legends = [a for a in [*ax.artists, ax.get_legend()] if isinstance(a, matplotlib.legend.Legend)]
    titles = " ".join(leg.get_title().get_text() for leg in legends)
    assert "node size" in titles and "edge width" in titles
    assert all(len(leg.get_texts()) >= 2 for leg in legends)


def test_actor_network_of_an_archive_keeps_nodes_and_edges_readable():
    """Counts in the thousands (an archive) must not draw nodes that fill the figure."""
    small = _complete_edges(6)  # weights 1..15
    big = small.assign(weight=small["weight"] * 1000)
    sizes = {}
    for name, edges in (("small", small), ("big", big)):
        ax = F.plot_actor_network(edges, ACTORS)
        nodes = [c for c in ax.collections if not isinstance(c, LineCollection)]
        lines = [c for c in ax.collections if c.get_gid() == "comention-edges"][0]
        sizes[name] = (max(nodes[0].get_sizes()), max(lines.get_linewidths()))
        legends = [a for a in [*ax.artists, ax.get_legend()]
                   if isinstance(a, matplotlib.legend.Legend)]
        keys = " ".join(t.get_text() for leg in legends for t in leg.get_texts())
        if name == "big":
            assert "15000" in keys  # the key still shows the real counts
    assert sizes["big"][0] <= 80 + 30 * F.NETWORK_MAX_STRENGTH
    assert sizes["big"][1] <= 0.6 + 0.9 * F.NETWORK_MAX_WEIGHT
    assert sizes["small"][0] < sizes["big"][0] * 1.01  # small counts: sizes as they were


def test_actor_network_min_weight_and_nothing_to_draw():
    edges = _complete_edges(5)  # weights 1..10
    ax = F.plot_actor_network(edges, ACTORS, min_weight=8, max_edges=30)
    lines = [c for c in ax.collections if c.get_gid() == "comention-edges"]
    assert len(lines[0].get_segments()) == 3
    empty = F.plot_actor_network(edges.iloc[0:0], ACTORS)
    assert any("no co-mentions" in t.get_text() for t in empty.texts)


def test_actor_network_labels_do_not_overlap():
    ax = F.plot_actor_network(_complete_edges(6), ACTORS, max_edges=8)
    ax.figure.canvas.draw()
    boxes = [t.get_window_extent() for t in ax.texts if (t.get_gid() or "").startswith("label:")]
    assert len(boxes) >= 4
    assert not any(_boxes_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


# ----------------------------------------------------------------------------- sentiment


def test_actor_sentiment_one_row_per_actor_and_hollow_small_n():
    summary = pd.DataFrame({"actor_id": ["haftar", "egypt"], "n": [6, 1],
                            "mean": [-0.23, 0.4], "ci_low": [-0.4, 0.4],
                            "ci_high": [-0.05, 0.4], "small_n": [False, True]})
    ax = F.plot_actor_sentiment(summary, ACTORS)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Khalifa Haftar · خليفة حفتر",
                                                            "Egypt · مصر"]
    faces = [tuple(c.get_facecolor()[0][:3]) for c in ax.collections]
    assert faces[1] == (1.0, 1.0, 1.0)  # egypt, n = 1: hollow
    assert faces[0] != (1.0, 1.0, 1.0)
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert sorted(t.get_text() for t in ax.texts) == ["n=1", "n=6"]


def test_confusion_matrix_writes_every_count():
    cm = pd.DataFrame([[5, 1, 0], [2, 7, 1], [0, 3, 9]],
                      index=[f"gold {x}" for x in ("positive", "negative", "neutral")],
                      columns=[f"pred {x}" for x in ("positive", "negative", "neutral")])
    ax = F.plot_confusion({"confusion": cm}, title="All items")
    assert sorted(int(t.get_text()) for t in ax.texts) == sorted(cm.to_numpy().ravel())
    assert ax.get_xlabel() == "predicted" and ax.get_ylabel() == "gold"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["positive", "negative", "neutral"]


# ----------------------------------------------------------------------------- stance


def _stance(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame({
        "article_id": [f"a{i}" for i in range(len(rows))], "sent_id": 0,
        "source_actor": [r[0] for r in rows], "relation": [r[1] for r in rows],
        "target_actor": [r[2] for r in rows], "trigger": "تدعم", "evidence": "…",
        "rule": "test"})


STANCE_ROWS = [("turkey", "supports", "gna"), ("uae", "supports", "haftar"),
               ("gna", "opposes", "uae"), ("egypt", "cooperates", "france"),
               ("france", "cooperates", "egypt"), ("gna", "attacks", "lna"),
               ("russia", "supports", "lna"), ("turkey", "opposes", "haftar"),
               ("turkey", "supports", "gna")]


def test_stance_arrows_stop_at_the_label_boxes():
    stance = _stance(STANCE_ROWS)
    ax = F.plot_stance_network(stance, ACTORS)
    ax.figure.canvas.draw()
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)
              and (p.get_gid() or "").startswith("stance:")]
    # one arrow per merged edge: egypt <-> france cooperation is one double-headed arrow
    assert len(arrows) == 7
    assert "stance:uae>supports>haftar" in {a.get_gid() for a in arrows}
    labels = {t.get_gid()[6:]: t for t in ax.texts if (t.get_gid() or "").startswith("actor:")}
    assert "الإمارات\nUnited Arab\nEmirates" in {t.get_text() for t in labels.values()}
    boxes = {n: t.get_bbox_patch().get_window_extent() for n, t in labels.items()}
    assert not any(_boxes_overlap(a, b) for i, a in enumerate(boxes.values())
                   for b in list(boxes.values())[i + 1:])
    for arrow in arrows:
        path = arrow.get_transform().transform_path(arrow.get_path())
        points = np.concatenate(path.to_polygons(closed_only=False))
        for name, box in boxes.items():
            inside = ((points[:, 0] > box.x0) & (points[:, 0] < box.x1)
                      & (points[:, 1] > box.y0) & (points[:, 1] < box.y1))
            assert not inside.any(), f"{arrow.get_gid()} is drawn over the label of {name}"
    legends = [a for a in [*ax.artists, ax.get_legend()] if isinstance(a, matplotlib.legend.Legend)]
    entries = {t.get_text() for leg in legends for t in leg.get_texts()}
    assert {"supports", "opposes", "cooperates", "attacks"} <= entries
    assert ax.get_title()


def test_stance_plot_with_no_edges_says_so():
    ax = F.plot_stance_network(_stance([]), ACTORS)
    assert any("no stance edges" in t.get_text() for t in ax.texts)


# ----------------------------------------------------------------------------- timelines


def _articles(rows: list[tuple[str, str | None, str | None]]) -> pd.DataFrame:
    return pd.DataFrame({"article_id": [r[0] for r in rows],
                         "date": pd.to_datetime([r[1] for r in rows]),
                         "date_precision": [r[2] for r in rows]})


def _share_table() -> pd.DataFrame:
    """Weekly shares of three actors, written out by hand (as attention_share returns)."""
    bins = pd.to_datetime(["2020-06-07", "2020-06-14", "2020-06-21", "2020-06-28",
                           "2020-07-05"])
    mentions = {"haftar": [4, 2, 0, 3, 5], "sisi": [2, 0, 1, 1, 0], "erdogan": [0, 2, 3, 0, 1]}
    total = np.sum(list(mentions.values()), axis=0)
    return pd.DataFrame([{"bin": b, "actor_id": a, "mentions": m[i], "share": m[i] / total[i]}
                         for a, m in mentions.items() for i, b in enumerate(bins)])


def _events(dates: list[str], milestone: bool = True) -> pd.DataFrame:
    return pd.DataFrame({
        "id": [f"e{i}" for i in range(len(dates))],
        "date": pd.to_datetime(dates), "date_precision": "day",
        "title": [f"Milestone number {i} with a long enough title" for i in range(len(dates))],
        "event_type": ["battle", "ceasefire", "battle", "conference"] * (len(dates) // 4)
        + ["battle"] * (len(dates) % 4),
        "milestone": milestone})


def test_attention_panels_numbered_milestones_unclipped_flags_and_a_key():
    table = _share_table()
    flags = table.assign(flag=False, direction="")
    flags.loc[(flags["actor_id"] == "haftar") & (flags["mentions"] == 0),
              ["flag", "direction"]] = [True, "down"]  # a fall to a zero share
    flags.loc[(flags["actor_id"] == "erdogan") & (flags["mentions"] == 3),
              ["flag", "direction"]] = [True, "up"]
    events = _events(["2020-06-05", "2020-06-08", "2020-07-01"])
    fig = F.plot_attention(table, ["haftar", "sisi", "erdogan"], flags=flags, events=events,
                           actors=ACTORS, freq="W")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3
    assert visible[0].get_title() == "Haftar · حفتر"
    assert fig.axes[0].get_ylabel() == "share of mentions"
    assert fig.axes[-2].get_xlabel() == "week bin"
    # every milestone line is numbered on the top panels, and listed under the figure
    top = fig.axes[0]
    lines = [ln for ln in top.get_lines() if (ln.get_gid() or "").startswith("milestone:")]
    numbers = [t for t in top.texts if (t.get_gid() or "").startswith("milestone-label:")]
    assert len(lines) == len(numbers) == 3
    fig.canvas.draw()
    boxes = [t.get_window_extent() for t in numbers]
    assert not any(_boxes_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    notes = next(" ".join(t.get_text().split()) for t in fig.texts
                 if t.get_gid() == "attention-notes")
    assert all(f"{i} " in notes for i in (1, 2, 3)) and "Milestone number 2" in notes
    # a ▼ on a zero share is drawn whole: not clipped, and the axis leaves room below 0
    downs = [c for ax in visible for c in ax.collections if c.get_gid() == "flag-down"]
    assert downs and not any(c.get_clip_on() for c in downs)
    assert any(len(c.get_offsets()) for c in downs)
    assert top.get_ylim()[0] < 0
    key = {t.get_text() for t in fig.legends[0].get_texts()}
    assert any("thin" in k for k in key) and any("thick" in k for k in key)
    assert any("milestone" in k for k in key) and any("fall" in k for k in key)
    assert "Share of attention" in fig._suptitle.get_text()


def test_sentiment_over_time_writes_n():
    table = pd.DataFrame({"bin": pd.to_datetime(["2020-06-30", "2020-07-31"]),
                          "actor_id": "sisi", "mean": [0.3, -0.2], "ci_low": [0.1, np.nan],
                          "ci_high": [0.5, np.nan], "n": [2, 1]})
    fig = F.plot_sentiment_over_time(table, ["sisi"], freq="M")
    ax = fig.axes[0]
    assert sorted(t.get_text() for t in ax.texts) == ["n=1", "n=2"]
    assert ax.get_ylabel() == "sentiment" and ax.get_xlabel() == "month bin"
    with pytest.raises(ValueError, match="at least one actor"):
        F.plot_sentiment_over_time(table, [])


def test_event_timeline_spans_month_precision_events():
    ev = pd.DataFrame({
        "id": ["e1", "e2"], "date": pd.to_datetime(["2020-06-05", "2019-09-01"]),
        "date_precision": ["day", "month"], "title": ["Tarhuna", "Wagner reports"],
        "event_type": ["territorial_change", "foreign_intervention"],
        "milestone": [True, False]})
    arts = _articles([("seed", "2020-06-15", "day"), ("undated", None, None)])
    arts["title"] = ["عنوان المقال", "بلا تاريخ"]
    fig = F.plot_event_timeline(ev, arts)
    ax = fig.axes[0]
    spans = [line for line in ax.get_lines() if len(line.get_xdata()) == 2]
    x0, x1 = (pd.Timestamp(mdates.num2date(v)).tz_localize(None)
              for v in mdates.date2num(spans[0].get_xdata()))
    assert x0 == pd.Timestamp("2019-09-01") and x1.strftime("%Y-%m-%d") == "2019-09-30"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "Corpus articles" and "Military" in labels
    assert any("2020-06-15" in t.get_text() and "عنوان المقال" in t.get_text() for t in ax.texts)
    assert any("1 undated article" in t.get_text() for t in fig.texts)
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    with pytest.raises(ValueError, match="Nothing dated"):
        F.plot_event_timeline(ev.iloc[0:0], arts.iloc[1:])


def test_event_timeline_labels_never_overlap():
    # twelve milestones within a few weeks, in two lanes: they must stack, not collide
    days = pd.date_range("2020-01-01", periods=12, freq="4D").strftime("%Y-%m-%d").tolist()
    events = pd.concat([_events(days), _events(["2019-01-01", "2021-12-31"], milestone=False)
                        .assign(id=["x1", "x2"])], ignore_index=True)
    articles = _articles([("s1", "2020-01-10", "day"), ("s2", "2020-01-12", "day")])
    articles["title"] = ["مقال أول عن مؤتمر برلين", "مقال ثان عن وقف إطلاق النار"]
    fig = F.plot_event_timeline(events, articles)
    fig.canvas.draw()
    ax = fig.axes[0]
    labels = [t for t in ax.texts if (t.get_gid() or "").startswith("event-label:")]
    assert len(labels) == 12 + 2
    boxes = [t.get_bbox_patch().get_window_extent() for t in labels]
    overlaps = [(labels[i].get_text(), labels[j].get_text())
                for i, a in enumerate(boxes) for j, b in enumerate(boxes) if i < j
                and _boxes_overlap(a, b)]
    assert overlaps == []
    axes_box = ax.get_window_extent()
    assert all(axes_box.x0 - 1 <= b.x0 and b.x1 <= axes_box.x1 + 1 for b in boxes)
    assert all(b.y1 <= axes_box.y1 + 1 and b.y0 >= axes_box.y0 - 1 for b in boxes)


def test_event_timeline_of_an_archive_labels_a_spread_of_articles_and_says_so():
    days = pd.date_range("2019-01-01", "2021-12-31", periods=F.MAX_ARTICLE_LABELS * 3)
    articles = _articles([(f"a{i}", f"{d:%Y-%m-%d}", "day") for i, d in enumerate(days)])
    articles["title"] = [f"مقال رقم {i}" for i in range(len(articles))]
    fig = F.plot_event_timeline(_events(["2020-01-01"]), articles)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.texts
              if (t.get_gid() or "") == "event-label:Corpus articles"]
    assert len(labels) == F.MAX_ARTICLE_LABELS
    assert any(f"{days[0]:%Y-%m-%d}" in t for t in labels)  # the first and the last day
    assert any(f"{days[-1]:%Y-%m-%d}" in t for t in labels)
    stars = sum(len(c.get_offsets()) for c in ax.collections)
    assert stars >= len(articles)  # every article keeps its star
    assert any(f"{F.MAX_ARTICLE_LABELS} of {len(articles)} articles labelled" in t.get_text()
               for t in fig.texts)
    assert fig.get_figheight() < 30


def test_narrative_plot_has_one_row_per_actor():
    scored = pd.DataFrame({"article_id": "art", "sent_id": [0, 0, 1, 3, 3],
                           "start": [5, 20, 0, 0, 9],
                           "actor_id": ["sisi", "haftar", "haftar", "sisi", "sisi"],
                           "score": [0.5, -0.5, -1.0, 0.2, 0.4]})
    fig = F.plot_narrative(scored, "art", n_sentences=5, actors=ACTORS)
    assert len(fig.axes) == 2  # the plot and its colour bar
    ax = fig.axes[0]
    assert ax.get_xlim()[1] == pytest.approx(4.7)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Haftar · حفتر", "Sisi"]
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
