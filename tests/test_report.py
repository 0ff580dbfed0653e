"""helpers.report: the self-contained HTML report escapes every article and shows Arabic RTL.

The analysis here is made of small hand-made tables, so the report is tested without any
model; tests/test_cli.py and tests/test_report_browser.py run it on real pipeline output.
"""

from __future__ import annotations

import base64
import io
from html.parser import HTMLParser

import matplotlib
import pandas as pd
import pytest

from helpers import report
from helpers.pipeline import Analysis
from helpers.schema import LOAD_REPORT

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _own_cache(monkeypatch, tmp_path):
    """Each test its own model-output cache: drawn figures are cached (stage figures), and
    a figure kept by another test or an earlier run must not stand in for one drawn here."""
    monkeypatch.setenv("ARABIC_NEWS_CACHE", str(tmp_path / "cache"))

ATTACK = ("قال المتحدث <script>alert(1)</script> إن حفتر رفض العرض، "
          "وأضاف <img src=x onerror=alert(1)> أن تركيا تدعم حكومة الوفاق.")


def _span(text: str, surface: str) -> tuple[int, int]:
    start = text.index(surface)
    return start, start + len(surface)


def _analysis() -> Analysis:
    calm = "رحبت مصر بالاتفاق."
    articles = pd.DataFrame({
        "article_id": ["evil", "calm"], "title": ["<b>عنوان</b> خطر", "خبر هادئ"],
        "date": pd.to_datetime(["2020-06-15", None]), "date_precision": ["day", None],
        "source": ["<i>مصدر</i>", None], "url": ["javascript:alert(1)", None],
        "kind": "article", "raw_text": [ATTACK, calm], "text": [ATTACK, calm]})
    rows = []
    for aid, text, surface, label, actor in [
            ("evil", ATTACK, "حفتر", "PERS", "haftar"), ("evil", ATTACK, "تركيا", "LOC", "turkey"),
            ("evil", ATTACK, "حكومة الوفاق", "ORG", "gna"), ("calm", calm, "مصر", "LOC", "egypt")]:
        start, end = _span(text, surface)
        rows.append({"article_id": aid, "sent_id": 0, "start": start, "end": end,
                     "surface": surface, "label": label, "score": 0.9, "model": "test",
                     "match_key": surface, "actor_id": actor, "origin": "model", "rule": "exact"})
    resolved = pd.DataFrame(rows)
    sentiment = resolved[["article_id", "sent_id", "start", "end", "actor_id"]].assign(
        context="<script>x</script>", label="negative", score=-0.5, method="test",
        evidence="رفض:-1.0")
    stance = pd.DataFrame({"article_id": ["evil"], "sent_id": [0], "source_actor": ["turkey"],
                           "relation": ["supports"], "target_actor": ["gna"],
                           "trigger": ["تدعم"], "evidence": [ATTACK], "rule": ["r1"]})
    actors = pd.DataFrame({"actor_id": ["haftar", "turkey", "gna", "egypt"],
                           "name_en": ["Khalifa Haftar", "Turkey", "GNA", "Egypt"],
                           "name_ar": ["خليفة حفتر", "تركيا", "حكومة الوفاق", "مصر"]})
    return Analysis(
        articles=articles,
        load_report=pd.DataFrame([{"file": "bad<file>.bin", "problem": "binary file",
                                   "action": "skipped"}], columns=LOAD_REPORT.columns),
        sentences=pd.DataFrame({"article_id": ["evil", "calm"], "sent_id": [0, 0]}),
        mentions=resolved.drop(columns=["match_key", "actor_id", "origin", "rule"]),
        resolved=resolved, actor_sentiment=sentiment,
        sentiment_summary=pd.DataFrame({"actor_id": ["haftar"], "n": [1], "mean": [-0.5],
                                        "most_negative_context": ["<b>x</b>"]}),
        stance=stance,
        stance_edges=pd.DataFrame({"source": ["turkey"], "relation": ["supports"],
                                   "target": ["gna"], "n": [1]}),
        actor_table=pd.DataFrame({"actor_id": ["haftar", "egypt"], "mentions": [1, 1]}),
        article_actors=pd.DataFrame(), comention=pd.DataFrame(), actors=actors,
        profile={"ner_model": "test-model"}, notes=["a <note> for the reader"])


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _png() -> bytes:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [0, 1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def test_article_markup_is_escaped_never_live():
    page = report.render_report(_analysis())
    assert "<script" not in page.lower()
    assert "<img src=x" not in page and "onerror=alert(1)>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;b&gt;عنوان&lt;/b&gt;" in page and "&lt;i&gt;مصدر&lt;/i&gt;" in page
    parser = _Tags()
    parser.feed(page)
    tags = {tag for tag, _ in parser.tags}
    assert "script" not in tags and "img" not in tags and "b" not in tags
    assert not [a for _, attrs in parser.tags for a in attrs if a.startswith("on")]
    assert not [attrs for tag, attrs in parser.tags if tag == "a"
                and not str(attrs.get("href", "")).startswith("#")]  # no live links at all
    shown = "".join(parser.text)
    assert "<script>alert(1)</script>" in shown and "<img src=x onerror=alert(1)>" in shown


def test_arabic_is_right_to_left_and_entities_are_highlighted():
    analysis = _analysis()
    page = report.render_report(analysis)
    parser = _Tags()
    parser.feed(page)
    rtl = [attrs for tag, attrs in parser.tags if attrs.get("dir") == "rtl"]
    assert len(rtl) == 2 and all(a.get("lang") == "ar" for a in rtl)  # one per article
    marks = [attrs for tag, attrs in parser.tags if tag == "mark"]
    assert len(marks) == len(analysis.resolved)
    assert sorted(m["title"].split()[0] for m in marks) == ["LOC", "LOC", "ORG", "PERS"]


def test_report_lists_skipped_inputs_notes_and_the_model():
    page = report.render_report(_analysis())
    assert "bad&lt;file&gt;.bin" in page and "binary file" in page
    assert "a &lt;note&gt; for the reader" in page
    assert "test-model" in page
    assert "Khalifa Haftar · خليفة حفتر" in page  # actor ids are named
    assert 'http-equiv="Content-Security-Policy"' in page and "default-src 'none'" in page


def test_figures_are_embedded_as_base64(tmp_path):
    png = _png()
    (tmp_path / "top_actors.png").write_bytes(png)
    page = report.render_report(_analysis(), {"top_actors": tmp_path / "top_actors.png"})
    parser = _Tags()
    parser.feed(page)
    images = [attrs["src"] for tag, attrs in parser.tags if tag == "img"]
    assert len(images) == 1 and images[0].startswith("data:image/png;base64,")
    assert base64.b64decode(images[0].split(",", 1)[1]) == png


def test_write_report_is_one_utf8_file(tmp_path):
    path = report.write_report(_analysis(), tmp_path / "out", figures={"x": _png()})
    assert path == tmp_path / "out" / "report.html"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.html"]
    assert "تركيا" in path.read_text(encoding="utf-8")


def test_long_corpus_folds_articles_and_lists_the_rest(monkeypatch):
    analysis = _analysis()
    analysis.articles = pd.concat([analysis.articles] * 3, ignore_index=True).assign(
        article_id=[f"a{i}" for i in range(6)])
    page = report.render_report(analysis, max_articles=4)
    assert page.count("<details open>") == report.OPEN_ARTICLES
    assert page.count("<details>") == 4 - report.OPEN_ARTICLES
    assert "Only the first 4 articles" in page and ">a5<" in page


def test_table_html_names_actors_and_cuts_long_cells():
    table = pd.DataFrame({"actor_id": ["haftar"], "text": ["ب" * 1000], "x": [0.123456]})
    out = report.table_html(table, names={"haftar": "Khalifa Haftar · خليفة حفتر"})
    assert "<th>actor</th>" in out and "Khalifa Haftar · خليفة حفتر" in out
    assert "ب" * (report.MAX_CELL - 1) + "…" in out and "ب" * report.MAX_CELL not in out
    assert "0.123" in out and "0.1234" not in out


@pytest.mark.parametrize("empty", [None, pd.DataFrame()])
def test_empty_tables_say_so(empty):
    assert "(empty)" in report.table_html(empty)


def test_make_figures_draws_what_has_data_and_notes_the_rest(tmp_path):
    from helpers.actors import load_actors

    analysis = _analysis()
    analysis.actors = load_actors()
    analysis.actor_table = pd.DataFrame({"actor_id": ["haftar", "turkey"], "mentions": [3, 1]})
    analysis.comention = pd.DataFrame(columns=["source", "target", "weight"])
    analysis.sentiment_summary = pd.DataFrame({
        "actor_id": ["haftar", "turkey"], "n": [3, 1], "mean": [-0.4, 0.2],
        "ci_low": [-0.6, 0.2], "ci_high": [-0.1, 0.2], "small_n": [True, True]})
    paths = report.make_figures(analysis, tmp_path)
    assert {"top_actors", "actor_sentiment", "stance_network"} <= set(paths)
    assert "actor_network" not in paths  # no co-mention edge: nothing to draw
    for path in paths.values():
        assert path.parent == tmp_path and path.stat().st_size > 5000


def test_a_broken_figure_is_noted_and_the_others_are_drawn(tmp_path, monkeypatch):
    import helpers.figures

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(helpers.figures, "plot_top_actors", broken)
    analysis = _analysis()
    paths = report.make_figures(analysis, tmp_path)
    assert "top_actors" not in paths and "stance_network" in paths
    assert any("top_actors" in n and "boom" in n for n in analysis.notes)


def _drawable() -> Analysis:
    """The small analysis with a sentiment summary every figure can draw."""
    analysis = _analysis()
    analysis.sentiment_summary = pd.DataFrame({
        "actor_id": ["haftar", "turkey"], "n": [3, 1], "mean": [-0.4, 0.2],
        "ci_low": [-0.6, float("nan")], "ci_high": [-0.1, float("nan")],
        "small_n": [True, True]})
    return analysis


def test_unchanged_tables_get_their_figures_from_the_cache(tmp_path, monkeypatch):
    import helpers.figures

    first_analysis = _drawable()
    first = report.make_figures(first_analysis, tmp_path / "a")
    assert {"top_actors", "actor_sentiment"} <= set(first)
    assert not any("not drawn" in n for n in first_analysis.notes)

    def broken(*args, **kwargs):
        raise RuntimeError("drawn again")

    monkeypatch.setattr(helpers.figures, "plot_top_actors", broken)
    again = _drawable()
    paths = report.make_figures(again, tmp_path / "b")  # same tables: copied, not drawn
    assert set(paths) == set(first)
    assert all(paths[n].read_bytes() == first[n].read_bytes() for n in first)
    assert again.notes == first_analysis.notes
    changed = _drawable()
    changed.actor_table = changed.actor_table.head(1)  # another table: drawn again
    report.make_figures(changed, tmp_path / "c")
    assert any("drawn again" in n for n in changed.notes)
    fresh = _drawable()
    report.make_figures(fresh, tmp_path / "d", cache=False)  # no cache: drawn
    assert any("drawn again" in n for n in fresh.notes)
    # a run in which a figure failed is not kept: the figure is tried again next time
    monkeypatch.undo()
    assert "top_actors" in report.make_figures(changed, tmp_path / "e")


def test_articles_html_for_notebooks_shows_the_chosen_articles_escaped():
    out = report.articles_html(_analysis(), ["calm"])
    assert "رحبت" in out and "حفتر" not in out
    out = report.articles_html(_analysis())
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and "<script" not in out
    assert out.count('dir="rtl" lang="ar"') == 2 and "Entities:" in out


# ------------------------------------------------ escaping in every section, discovered actors

EVIL = '"><script>alert(1)</script><svg onload=alert(2)></textarea><img src=x onerror=alert(3)>'
EVIL_SHOWN = ('&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;svg onload=alert(2)&gt;'
              "&lt;/textarea&gt;&lt;img src=x onerror=alert(3)&gt;")
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "h4", "p",
                "code", "a", "div", "table", "thead", "tbody", "tr", "th", "td", "ul", "li",
                "article", "details", "summary", "mark", "sub", "span", "figure", "img",
                "figcaption"}


def _evil_analysis() -> Analysis:
    """The hand-made analysis with the payload as an actor's names (one of them discovered),
    every article title, a skipped and a changed load-report row, and a note."""
    analysis = _analysis()
    analysis.articles = pd.concat([analysis.articles] * 2, ignore_index=True).assign(
        article_id=["evil", "calm", "evil2", "calm2"], title=f"عنوان {EVIL}")
    analysis.actors = pd.concat([analysis.actors, pd.DataFrame(
        {"actor_id": ["evil_actor"], "name_en": [None], "name_ar": [f"حميدتي {EVIL}"],
         "origin": ["discovered"]})], ignore_index=True).assign(
        name_en=lambda t: t["name_en"].where(t["actor_id"] != "turkey", f"Turkey {EVIL}"))
    analysis.resolved.loc[analysis.resolved["actor_id"] == "haftar", "actor_id"] = "evil_actor"
    analysis.actor_sentiment = analysis.actor_sentiment.assign(actor_id=analysis.resolved[
        "actor_id"].to_numpy())
    analysis.actor_table = pd.DataFrame({"actor_id": ["evil_actor", "turkey"],
                                         "mentions": [2, 1]})
    analysis.stance_edges = pd.DataFrame({"source": ["turkey"], "relation": ["supports"],
                                          "target": ["evil_actor"], "n": [1]})
    analysis.sentiment_summary = pd.DataFrame({"actor_id": ["evil_actor"], "n": [1],
                                               "mean": [-0.5], "most_negative_context": [EVIL]})
    analysis.load_report = pd.DataFrame(
        [{"file": f"{EVIL}.txt", "problem": "empty file", "action": "skipped"},
         {"file": f"{EVIL}.html", "problem": f"malformed date {EVIL!r}",
          "action": "kept the article; date set to NaT"}], columns=LOAD_REPORT.columns)
    analysis.notes = [f"note {EVIL}"]
    return analysis


def _sections(page: str) -> dict[str, str]:
    """The page cut at its section headings (``<h2 id=...>``); the part before the first
    heading is ``top``."""
    parts = page.split('<h2 id="')
    return {"top": parts[0], **{p.split('"', 1)[0]: p for p in parts[1:]}}


def test_payload_is_escaped_in_every_section():
    png = _png()
    page = report.render_report(_evil_analysis(), {f"top_actors{EVIL}": png}, max_articles=3,
                                title=f"تقرير {EVIL}")
    parser = _Tags()
    parser.feed(page)
    assert {tag for tag, _ in parser.tags} <= ALLOWED_TAGS
    assert not [a for _, attrs in parser.tags for a in attrs if a.startswith("on")]
    assert "<script" not in page and "<svg" not in page and "</textarea" not in page
    sections = _sections(page)
    top = sections["top"]
    # the title twice, the skipped file, the changed file and its problem, the note
    assert top.count(EVIL_SHOWN) == 6
    for name, at_least in [("articles", 3 + 1), ("actors", 2), ("sentiment", 2),
                           ("stance", 2), ("figures", 2)]:
        assert sections[name].count(EVIL_SHOWN) >= at_least, name
    shown = "".join(parser.text)
    assert shown.count(EVIL) >= 15  # the text a reader sees is the payload, verbatim
    assert "&amp;lt;" not in page  # escaped once, not twice


def test_notes_and_skipped_inputs_are_apart():
    page = report.render_report(_evil_analysis())
    skipped = page[page.index('id="skipped"'):page.index('id="load-notes"')]
    notes = page[page.index('id="load-notes"'):page.index('id="articles"')]
    assert "1 input(s) were skipped" in skipped and "empty file" in skipped
    assert "malformed date" not in skipped
    assert "1 note(s) on inputs that were analysed" in notes and "malformed date" in notes
    assert "empty file" not in notes and "Every input was analysed" not in page
    analysis = _evil_analysis()
    analysis.load_report = analysis.load_report.iloc[[1]]
    page = report.render_report(analysis)
    assert "Every input was analysed" in page and 'id="skipped"' not in page
    assert 'id="load-notes"' in page


def test_discovered_actors_carry_a_badge_and_a_legend():
    analysis = _evil_analysis()
    page = report.render_report(analysis)
    sections = _sections(page)
    badge = 'class="badge"'
    assert sections["articles"].count("found in the text itself") == 1  # the legend line
    assert sections["actors"].count("found in the text itself") == 1
    for name in ("actors", "sentiment", "stance"):  # evil_actor is named in each
        table = sections[name][sections[name].index("<table"):]
        assert table.count(badge) == 1, name
    rows = [r for r in sections["actors"].split("<tr>")[1:] if badge in r]
    assert len(rows) == 1 and "evil_actor" in rows[0] and "turkey" not in rows[0]
    analysis.actors = analysis.actors.drop(columns="origin")
    plain = report.render_report(analysis)
    assert badge not in plain and "found in the text itself" not in plain


def test_discovered_badge_goes_on_the_id_when_actors_have_no_names():
    table = pd.DataFrame({"actor_id": ["burhan", "sudan"], "mentions": [3, 2]})
    out = report.table_html(table, discovered={"burhan"})
    rows = out.split("<tr>")[2:]
    assert "burhan" in rows[0] and 'class="badge"' in rows[0]
    assert 'class="badge"' not in rows[1]


def test_discovered_actors_read_the_origin_column():
    actors = pd.DataFrame({"actor_id": ["a", "b", "c"],
                           "origin": ["dictionary", " Discovered", None]})
    assert report.discovered_actors(actors, None, pd.DataFrame({"actor_id": ["d"]})) == {"b"}


def test_highlight_html_escapes_and_shows_the_colour_key():
    text = "قال <b>حميدتي</b> إن «قوات الدعم السريع» & الجيش"
    start = text.index("قوات")
    mentions = pd.DataFrame({"start": [start], "end": [start + len("قوات الدعم السريع")],
                             "label": ['ORG"><script>'], "score": [0.5]})
    out = report.highlight_html(text, mentions)
    assert out.startswith('<p class="meta">Entities:') and "PERS (person)" in out
    assert "<b>" not in out and "&lt;b&gt;حميدتي&lt;/b&gt;" in out and "&amp; الجيش" in out
    assert "<script>" not in out and 'title="ORG&#34;&gt;&lt;script&gt; 0.50"' in out
    assert ">قوات الدعم السريع<sub" in out
    assert "Entities:" not in report.highlight_html(text, mentions, legend=False)


def test_templates_are_package_data():
    import fnmatch
    import tomllib

    from helpers.paths import REPO_ROOT

    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["helpers"]
    shipped = [p.relative_to(report.TEMPLATES.parent).as_posix()
               for p in report.TEMPLATES.iterdir()]
    assert {"report.html.j2", "macros.html.j2", "report.css"} <= {p.split("/")[-1]
                                                                  for p in shipped}
    assert all(any(fnmatch.fnmatch(p, pat) for pat in patterns) for p in shipped)
    assert report.environment().autoescape is True


def _dated(analysis: Analysis, *days: str) -> Analysis:
    analysis.articles = analysis.articles.assign(
        date=pd.to_datetime(list(days)), date_precision="day")
    return analysis


def test_one_dated_article_in_the_chronology_gets_the_timeline_figures(tmp_path):
    from markupsafe import escape

    from helpers.actors import load_actors

    analysis = _dated(_analysis(), "2020-06-15", "2020-07-01")
    analysis.actors = load_actors()
    paths = report.make_figures(analysis, tmp_path)
    assert {"narrative", "event_timeline"} <= set(paths)
    assert not [n for n in analysis.notes if "event_timeline" in n]
    page = report.render_report(analysis, paths)
    assert str(escape(report.FIGURE_CAPTIONS["event_timeline"])) in page
    assert str(escape(report.FIGURE_CAPTIONS["narrative"])) in page


def test_articles_outside_the_chronology_are_not_placed_and_say_so(tmp_path):
    analysis = _dated(_analysis(), "2023-04-15", "2023-04-16")
    paths = report.make_figures(analysis, tmp_path)
    assert "event_timeline" not in paths and "narrative" in paths
    note = next(n for n in analysis.notes if "event_timeline" in n)
    assert "2023-04-15" in note and "outside the chronology" in note
    report.make_figures(analysis, tmp_path)  # drawn again: the note is not repeated
    assert sum("event_timeline" in n for n in analysis.notes) == 1
    analysis.notes.clear()
    analysis = _dated(analysis, "2020-06-15", "2023-04-15")  # one in, one out
    paths = report.make_figures(analysis, tmp_path)
    assert "event_timeline" in paths
    assert any("1 dated article(s) (2023-04-15)" in n and "not placed" in n
               for n in analysis.notes)


def test_chronology_span_covers_month_precision_events():
    events = pd.DataFrame({"date": pd.to_datetime(["2019-04-04", "2021-12-01"]),
                           "date_precision": ["day", "month"]})
    articles = pd.DataFrame({"article_id": ["in", "late", "out", "undated", "chron"],
                             "kind": ["article", "article", "article", "article", "chronology"],
                             "date": pd.to_datetime(["2019-04-04", "2021-12-31", "2022-01-01",
                                                     None, "2020-01-01"])})
    inside, outside = report.articles_on_chronology(articles, events)
    assert inside["article_id"].tolist() == ["in", "late"]
    assert outside["article_id"].tolist() == ["out"]


def test_load_report_sections_use_the_corpus_skip_rule():
    from helpers.corpus import split_report

    rows = pd.DataFrame([["a.txt", "empty file", "skipped; add text"],
                         ["b.txt", "a note mentioning skip", "decoded; nothing skipped"]],
                        columns=LOAD_REPORT.columns)
    view = report._load_report_view(rows)
    assert (view["n_skipped"], view["n_changed"]) == tuple(len(p) for p in split_report(rows))
    assert (view["n_skipped"], view["n_changed"]) == (1, 1)


def test_discovered_actors_are_named_in_arabic_and_booleans_read_as_words():
    actors = pd.DataFrame({"actor_id": ["haftar", "d_bd_alftah_albrhan_4003"],
                           "name_en": ["Khalifa Haftar", "Bd Alftah Albrhan"],
                           "name_ar": ["خليفة حفتر", "عبد الفتاح البرهان"],
                           "origin": ["dictionary", "discovered"]})
    names = report.actor_names(actors)
    assert names == {"haftar": "Khalifa Haftar · خليفة حفتر",
                     "d_bd_alftah_albrhan_4003": "عبد الفتاح البرهان"}
    out = report.table_html(pd.DataFrame({"actor_id": ["haftar"], "small_n": [True]}))
    assert ">yes<" in out and "True" not in out


def test_run_details_label_the_profile_and_name_the_time_bins_used():
    from helpers.timeline import Binning

    analysis = _analysis()
    analysis.profile = {"ner_model": "test-model", "actors": "data/actors.csv",
                        "metonymy": True}
    analysis.binning = Binning("W", 2, 1, 1, 0)
    run = _sections(report.render_report(analysis))["run"]
    assert "actor dictionary" in run and "data/actors.csv" in run
    assert "time bins used" in run and "week (1 of 2 articles binned)" in run
    assert "metonymy" in run and ">yes<" in run
