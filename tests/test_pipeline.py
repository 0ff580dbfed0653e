"""helpers.pipeline: analyze() chains every stage and keeps every table; to_dir writes them."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from helpers import ner, pipeline
from helpers.corpus import get_load_report, set_load_report
from helpers.schema import ACTOR_SENTIMENT, ARTICLES, RESOLVED_MENTIONS, SENTENCES, STANCE

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
    assert list(analysis.articles.columns)[: len(ARTICLES)] == ARTICLES
    assert analysis.articles["article_id"].tolist() == ["a", "b"]
    assert list(analysis.sentences.columns) == SENTENCES
    assert list(analysis.resolved.columns) == RESOLVED_MENTIONS
    assert list(analysis.actor_sentiment.columns) == ACTOR_SENTIMENT
    assert list(analysis.stance.columns) == STANCE
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


def test_undated_text_has_no_time_tables(models):
    analysis = pipeline.analyze("قال وزير الخارجية التركي إن أنقرة تدعم حكومة الوفاق.",
                                models=models)
    assert not analysis.dated and analysis.attention is None and analysis.sentiment_time is None
    assert any("no article is dated" in note for note in analysis.notes)


def test_metonymy_switch(models):
    text = "تدعم باريس قوات حفتر."
    on = pipeline.analyze(text, models=models)
    off = pipeline.analyze(text, models=models, metonymy=False)
    assert "france" in set(on.resolved["actor_id"])
    assert "france" not in set(off.resolved["actor_id"]) and "paris" in set(off.resolved["actor_id"])


def test_stages_are_callable_alone(models, corpus):
    from helpers.sentences import split_sentences

    articles = pipeline.load_input(corpus)
    sentences = split_sentences(articles)
    mentions, resolved, identity = pipeline.tag_and_resolve(sentences, models=models)
    per_mention, per_actor = pipeline.score_sentiment(resolved, sentences, "bundled")
    stance, edges = pipeline.find_stance(resolved, sentences)
    whole = pipeline.analyze(articles, models=models)
    pd.testing.assert_frame_equal(resolved, whole.resolved)
    pd.testing.assert_frame_equal(per_mention, whole.actor_sentiment)
    pd.testing.assert_frame_equal(stance, whole.stance)
    assert identity == whole.profile["ner_model"]


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
        frame = pipeline.load_input(ARTICLE_B.replace("القاهرة تحذر", "صفحة"))
        frame["article_id"] = ["example-org-1"]
        frame["url"] = urls[0]
        return set_load_report(
            frame, [{"file": urls[1], "problem": "HTTP 404", "action": "skipped"}])

    monkeypatch.setattr(fetch, "fetch_urls", fake_fetch)
    urls = tmp_path / "urls.txt"
    urls.write_text("https://example.org/1\nhttps://example.org/2\n", encoding="utf-8")
    articles = pipeline.load_input([corpus / "a.txt", urls])
    assert asked == [["https://example.org/1", "https://example.org/2"]]
    assert articles["article_id"].tolist() == ["a", "example-org-1"]
    assert get_load_report(articles)["file"].tolist() == ["https://example.org/2"]


def test_no_network_with_local_files_skips_the_urls(models, corpus, monkeypatch, tmp_path):
    import helpers.fetch as fetch

    def offline(urls, **options):
        raise fetch.NetworkUnavailable("cannot reach example.org: no network")

    monkeypatch.setattr(fetch, "fetch_urls", offline)
    mixed = pipeline.load_input([corpus, "https://example.org/1"])
    assert len(mixed) == 2
    assert get_load_report(mixed)["problem"].str.contains("cannot reach").all()
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
