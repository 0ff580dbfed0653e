"""helpers.pipeline: analyze() chains every stage and keeps every table; to_dir writes them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from helpers import ner, pipeline
from helpers.corpus import load_corpus
from helpers.schema import (
    ACTOR_SENTIMENT,
    ARTICLES,
    RESOLVED_MENTIONS,
    SENTENCES,
    SPECS,
    STANCE,
    TableSpec,
)

ARTICLE_A = """---
title: موسكو وأنقرة تبحثان الهدنة
date: 2020-06-15
source: نص للاختبار
---
أجرى الرئيس الروسي فلاديمير بوتين اتصالا مع الرئيس التركي رجب طيب أردوغان.
وتدعم روسيا قوات حفتر في سرت، بينما تدعم تركيا حكومة الوفاق في طرابلس.
"""

ARTICLE_B = """---
title: القاهرة تحذر
date: 2020-06-20
---
حذر الرئيس المصري عبد الفتاح السيسي من أي تقدم نحو سرت والجفرة.
ورحبت فرنسا بالمبادرة المصرية.
"""


@pytest.fixture()
def models(bundled_models) -> str:
    return bundled_models


@pytest.fixture()
def corpus(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE_A, encoding="utf-8")
    (folder / "b.txt").write_text(ARTICLE_B, encoding="utf-8")
    return folder


def test_analyze_runs_every_stage(models, corpus):
    analysis = pipeline.analyze(corpus, models=models)
    assert list(analysis.articles.columns)[: len(ARTICLES.columns)] == ARTICLES.columns
    assert analysis.articles["article_id"].tolist() == ["a", "b"]
    assert list(analysis.sentences.columns) == SENTENCES.columns
    assert list(analysis.resolved.columns) == RESOLVED_MENTIONS.columns
    assert list(analysis.actor_sentiment.columns) == ACTOR_SENTIMENT.columns
    assert list(analysis.stance.columns) == STANCE.columns
    for name, table in analysis.tables().items():  # every table follows its contract
        SPECS[name].validate(table)
    found = set(analysis.resolved["actor_id"].dropna())
    assert {"putin", "erdogan", "russia", "turkey", "gna", "sisi", "france"} <= found
    # offsets point into the article text
    texts = analysis.articles.set_index("article_id")["text"]
    for row in analysis.resolved.itertuples():
        assert texts[row.article_id][row.start:row.end] == row.surface
    edges = set(zip(analysis.stance["source_actor"], analysis.stance["relation"],
                    analysis.stance["target_actor"], strict=True))
    assert ("turkey", "supports", "gna") in edges
    assert set(analysis.sentiment_summary["actor_id"]) == set(analysis.actor_sentiment["actor_id"])
    assert analysis.actor_table["mentions"].sum() == analysis.resolved["actor_id"].notna().sum()
    assert analysis.profile["ner_model"] == ner.load_ner(models).identity
    assert analysis.profile["metonymy"] is True and analysis.skipped == 0


def test_dated_articles_get_time_tables(models, corpus):
    analysis = pipeline.analyze(corpus, models=models, freq="D")
    assert analysis.dated
    assert set(analysis.attention["bin"]) >= {pd.Timestamp("2020-06-15"), pd.Timestamp("2020-06-20")}
    in_bin = analysis.attention.groupby("bin")["share"].sum()
    assert in_bin[pd.Timestamp("2020-06-15")] == pytest.approx(1.0)
    assert {"bin", "actor_id", "mean", "n"} <= set(analysis.sentiment_time.columns)
    assert any("day" in note for note in analysis.notes)
    assert analysis.binning is not None and analysis.binning.freq == "D"
    assert analysis.binning.n_binned == 2 and analysis.binning.note in analysis.notes
    assert not analysis.attention.attrs and not analysis.sentiment_time.attrs


def test_undated_text_has_no_time_tables(models):
    analysis = pipeline.analyze("قال وزير الخارجية التركي إن أنقرة تدعم حكومة الوفاق.",
                                models=models)
    assert not analysis.dated and analysis.attention is None and analysis.sentiment_time is None
    assert any("no article is dated" in note for note in analysis.notes)
    assert analysis.binning is None


def test_metonymy_switch(models):
    text = "تدعم باريس قوات حفتر."
    on = pipeline.analyze(text, models=models)
    off = pipeline.analyze(text, models=models, metonymy=False)
    assert "france" in set(on.resolved["actor_id"])
    assert "france" not in set(off.resolved["actor_id"]) and "paris" in set(off.resolved["actor_id"])


def test_stages_are_callable_alone(models, corpus):
    from helpers.sentences import split_sentences

    articles, report = pipeline.load_input(corpus)
    assert report.empty and not articles.attrs
    sentences = split_sentences(articles)
    mentions, resolved, identity, actors = pipeline.tag_and_resolve(sentences, models=models)
    per_mention, per_actor = pipeline.score_sentiment(resolved, sentences, "bundled")
    stance, edges = pipeline.find_stance(resolved, sentences)
    whole = pipeline.analyze(articles, models=models)
    pd.testing.assert_frame_equal(resolved, whole.resolved)
    pd.testing.assert_frame_equal(per_mention, whole.actor_sentiment)
    pd.testing.assert_frame_equal(stance, whole.stance)
    assert identity == whole.profile["ner_model"]
    pd.testing.assert_frame_equal(actors, whole.actors)


def test_bad_inputs_are_reported_and_skipped(models, corpus):
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    (corpus / "notes.docx").write_bytes(b"PK\x03\x04")
    analysis = pipeline.analyze(corpus, models=models)
    assert analysis.articles["article_id"].tolist() == ["a", "b"]
    assert analysis.skipped == 2
    assert {"empty.txt", "notes.docx"} == {f.rsplit("/", 1)[-1] for f in analysis.load_report["file"]}


def test_url_lists_are_fetched_and_mixed_with_local_files(models, corpus, monkeypatch, tmp_path):
    import helpers.fetch as fetch

    asked: list[list[str]] = []

    def fake_fetch(urls, **options):
        asked.append(list(urls))
        frame = load_corpus(ARTICLE_B.replace("القاهرة تحذر", "صفحة"))
        frame["article_id"] = ["example-org-1"]
        frame["url"] = urls[0]
        return frame, pd.DataFrame([{"file": urls[1], "problem": "HTTP 404",
                                     "action": "skipped"}])

    monkeypatch.setattr(fetch, "fetch_urls", fake_fetch)
    urls = tmp_path / "urls.txt"
    urls.write_text("https://example.org/1\nhttps://example.org/2\n", encoding="utf-8")
    articles, report = pipeline.load_input([corpus / "a.txt", urls])
    assert asked == [["https://example.org/1", "https://example.org/2"]]
    assert articles["article_id"].tolist() == ["a", "example-org-1"]
    assert report["file"].tolist() == ["https://example.org/2"]


def test_no_network_with_local_files_skips_the_urls(models, corpus, monkeypatch, tmp_path):
    import helpers.fetch as fetch

    def offline(urls, **options):
        raise fetch.NetworkUnavailable("cannot reach example.org: no network")

    monkeypatch.setattr(fetch, "fetch_urls", offline)
    mixed, report = pipeline.load_input([corpus, "https://example.org/1"])
    assert len(mixed) == 2
    assert report["problem"].str.contains("cannot reach").all()
    with pytest.raises(fetch.NetworkUnavailable):
        pipeline.load_input("https://example.org/1")


def test_to_dir_writes_csv_and_parquet_that_read_back(models, corpus, tmp_path):
    analysis = pipeline.analyze(corpus, models=models)
    written = analysis.to_dir(tmp_path / "tables")
    names = {p.name for p in written}
    for table in ("articles", "sentences", "resolved_mentions", "actor_sentiment",
                  "sentiment_summary", "stance", "stance_edges", "actor_table",
                  "attention_over_time", "sentiment_over_time", "load_report"):
        assert f"{table}.csv" in names and f"{table}.parquet" in names
    back = pd.read_parquet(tmp_path / "tables" / "resolved_mentions.parquet")
    assert back["surface"].tolist() == analysis.resolved["surface"].tolist()
    csv = pd.read_csv(tmp_path / "tables" / "articles.csv")
    assert csv.columns[0] == "article_id"  # the BOM does not stick to the first name
    assert csv["text"].tolist() == analysis.articles["text"].tolist()
    edges = pd.read_parquet(tmp_path / "tables" / "stance_edges.parquet")
    assert json.loads(edges["evidence"].iloc[0])  # lists are stored as JSON text
    meta = json.loads((tmp_path / "tables" / "analysis.json").read_text(encoding="utf-8"))
    assert meta["counts"]["articles"] == 2 and meta["profile"]["ner_model"]
    assert meta["binning"]["freq"] == analysis.binning.freq and meta["binning"]["n_binned"] == 2


def test_nothing_readable_gives_empty_tables(models, tmp_path):
    (tmp_path / "empty.txt").write_text(" ", encoding="utf-8")
    analysis = pipeline.analyze(tmp_path, models=models)
    assert analysis.articles.empty and analysis.resolved.empty and analysis.skipped == 1
    assert "no article could be analysed" in analysis.notes[0]
    analysis.to_dir(tmp_path / "out")


@pytest.mark.parametrize("bad", [{"models": "gpt"}, {"freq": "Y"}])
def test_bad_options_raise(bad, models):
    with pytest.raises(ValueError, match="choose one of"):
        pipeline.analyze("نص", **bad)


# ------------------------------------------------------------ no known actor (issue 11.3)

MARKET = "ذهبت إلى السوق صباحا واشتريت خبزا وحليبا ثم عدت إلى البيت."


def _assert_typed(table: pd.DataFrame, spec: TableSpec) -> None:
    """``table`` has the spec's columns with the declared dtypes (strings: pandas' str)."""
    assert list(table.columns)[: len(spec.columns)] == spec.columns
    for col, dtype in spec.dtypes.items():
        if dtype == "str":
            assert pd.api.types.is_string_dtype(table[col]), (spec.name, col, table[col].dtype)
        else:
            assert str(table[col].dtype) == dtype, (spec.name, col, table[col].dtype)


def test_article_naming_no_known_actor_gives_typed_empty_tables(models):
    analysis = pipeline.analyze(MARKET, models=models)
    assert len(analysis.articles) == 1 and len(analysis.sentences) == 1
    assert analysis.resolved["actor_id"].isna().all()
    for name in ("actor_sentiment", "sentiment_summary", "stance", "stance_edges",
                 "actor_table", "article_actors", "comention_edges"):
        table = analysis.tables()[name]
        assert table.empty, name
        _assert_typed(table, SPECS[name])
    assert analysis.attention is None and analysis.binning is None


def test_cli_on_an_article_naming_no_known_actor(models, tmp_path):
    article = tmp_path / "market.txt"
    article.write_text(MARKET + "\n", encoding="utf-8")
    env = {**os.environ, "MPLBACKEND": "Agg", "HF_HUB_OFFLINE": "1"}
    run = subprocess.run([sys.executable, "-m", "helpers", "analyze", str(article),
                          "--out", str(tmp_path / "out")], capture_output=True, text=True,
                         env=env, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert (tmp_path / "out" / "report.html").is_file()
    edges = pd.read_parquet(tmp_path / "out" / "tables" / "stance_edges.parquet")
    assert edges.empty and list(edges.columns) == SPECS["stance_edges"].columns


# ------------------------------------------------------------ titles are text (issue 13.1)

HEADLINES = [
    ("t1", "تركيا تدعم حكومة الوفاق في طرابلس",
     "قال وزير الخارجية إن بلاده ستواصل مساعدة الحكومة. وأضاف أن الحل سياسي."),
    ("t2", "فرنسا تعارض التدخل التركي في ليبيا",
     "أعلنت باريس موقفها في بيان صدر مساء الأحد."),
]


def _jsonl(path, records) -> None:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                    encoding="utf-8")


def test_headline_in_title_gives_the_same_actors_and_edges_as_in_text(models, tmp_path):
    in_title = tmp_path / "title.jsonl"
    in_text = tmp_path / "text.jsonl"
    _jsonl(in_title, [{"id": i, "title": t, "text": body} for i, t, body in HEADLINES])
    _jsonl(in_text, [{"id": i, "text": f"{t}\n{body}"} for i, t, body in HEADLINES])
    a = pipeline.analyze(in_title, models=models)
    b = pipeline.analyze(in_text, models=models)
    pd.testing.assert_frame_equal(a.actor_table, b.actor_table)
    pd.testing.assert_frame_equal(a.stance_edges, b.stance_edges)
    assert a.articles["text"].tolist() == b.articles["text"].tolist()
    assert {"turkey", "gna", "france"} <= set(a.actor_table["actor_id"])
    # the headline is the first sentence, marked as such, in both
    for analysis in (a, b):
        heads = analysis.sentences[analysis.sentences["headline"]]
        assert heads["sent_id"].tolist() == [0, 0]
        assert heads["text"].tolist() == [t for _, t, _ in HEADLINES]
        assert not analysis.sentences.loc[analysis.sentences["sent_id"] > 0, "headline"].any()


def test_headline_of_an_articles_table_is_put_into_text_once(models):
    table = pd.DataFrame({"article_id": ["x", "y"],
                          "title": ["تركيا تدعم حكومة الوفاق", "تركيا تدعم حكومة الوفاق"],
                          "text": ["قال الوزير ذلك.", "تركيا تدعم حكومة الوفاق\nقال الوزير ذلك."]})
    articles, report = pipeline.load_input(table)
    assert articles["text"].tolist() == ["تركيا تدعم حكومة الوفاق\nقال الوزير ذلك."] * 2
    assert report.empty
    assert table["text"].iloc[0] == "قال الوزير ذلك."  # the caller's table is not changed


def test_time_note_of_one_dated_article_says_why_no_trend_is_drawn():
    from helpers.timeline import bin_documents

    one = pd.DataFrame({"article_id": ["a", "u"], "date": pd.to_datetime(["2020-06-15", None]),
                        "date_precision": ["day", None]})
    note = pipeline.time_note(*bin_documents(one, "W"))
    assert note.startswith("One dated article (2020-06-15)") and "at least two time bins" in note
    assert "1 undated article(s)" in note and "Time bins" not in note
    same_week = pd.DataFrame({"article_id": ["a", "b"], "date_precision": ["day", "day"],
                              "date": pd.to_datetime(["2020-06-15", "2020-06-17"])})
    note = pipeline.time_note(*bin_documents(same_week, "W"))
    assert note.startswith("2 dated articles, all in one week (2020-06-15 – 2020-06-17)")
    two_weeks = same_week.assign(date=pd.to_datetime(["2020-06-15", "2020-06-29"]))
    binned, binning = bin_documents(two_weeks, "W")
    assert pipeline.time_note(binned, binning) == binning.note  # a trend can be drawn


def test_one_dated_article_gets_the_one_article_time_note(models):
    analysis = pipeline.analyze(ARTICLE_A, models=models)
    assert analysis.binning is not None and analysis.binning.n_binned == 1
    assert any(n.startswith("One dated article (2020-06-15)") for n in analysis.notes)
    assert not any("Time bins" in n for n in analysis.notes)


def test_one_long_article_shows_a_bar_over_its_sentences(models, monkeypatch, capsys,
                                                         tmp_path):
    from helpers.models import load_ner
    from helpers.sentences import split_sentences

    body = ARTICLE_A.split("---\n")[2].strip()
    long_text = "\n".join([body] * 4)  # one article of 8 sentences
    sentences = split_sentences(pipeline.load_input(long_text)[0])
    n = len(sentences)
    pipeline.tag_and_resolve(sentences, models=models)  # below the threshold: silent
    assert capsys.readouterr().err == ""
    pipeline.tag_and_resolve(sentences, models=models, progress=True)  # asked for: shown
    assert f"{n}/{n}" in capsys.readouterr().err
    two = pd.concat([sentences, sentences.assign(article_id="other")], ignore_index=True)
    pipeline.tag_and_resolve(two, models=models, progress=True)  # a bar over articles only
    err = capsys.readouterr().err
    assert "2/2" in err and "sentence" not in err
    monkeypatch.setattr(pipeline, "PROGRESS_MIN_SENTENCES", n)
    monkeypatch.setattr(pipeline._SentenceProgress, "CHUNK", 3)  # tagged in chunks
    monkeypatch.setenv("ARABIC_NEWS_CACHE", str(tmp_path))  # an empty cache: no hit
    with_bar = pipeline.tag_and_resolve(sentences, models=models)
    err = capsys.readouterr().err
    assert "sentence" in err and f"{n}/{n}" in err
    silent = pipeline.tag_and_resolve(sentences, models=models, progress=False)
    assert capsys.readouterr().err == ""
    direct = ner.run_ner(sentences, tagger=load_ner(models), cache=False)
    pd.testing.assert_frame_equal(with_bar.mentions, direct)
    pd.testing.assert_frame_equal(silent.mentions, direct)


def test_cache_notes_reach_every_analysis_not_only_the_first(models, tmp_path, monkeypatch):
    from helpers.models import CacheWarning

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("ARABIC_NEWS_CACHE", str(blocker / "cache"))
    with pytest.warns(CacheWarning):  # shown once per process ...
        first = pipeline.analyze(ARTICLE_A, models=models)
    second = pipeline.analyze(ARTICLE_B, models=models)  # ... noted in every run
    for analysis in (first, second):
        cache = [n for n in analysis.notes if "cannot be written" in n]
        assert len(cache) == 1 and str(blocker) in cache[0]
    monkeypatch.setenv("ARABIC_NEWS_CACHE", str(tmp_path / "writable"))
    assert not [n for n in pipeline.analyze(ARTICLE_A, models=models).notes
                if "cannot be written" in n]
