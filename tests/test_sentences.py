"""Sentence splitting: seed headlines and glued stops, edge cases, offsets round trip."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from helpers.corpus import load_corpus
from helpers.schema import SENTENCES
from helpers.sentences import (
    sentence_spans,
    split_sentences,
    text_statistics,
    with_headline,
    word_frequencies,
)

HEADLINES = ["تعاون تركي روسي لوقف القتال", "مساع جزائرية لانهاء الأزمة", "مرتزقة وتوريد أسلحة"]


def texts(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


@pytest.fixture(scope="module")
def seed_sentences(seed_articles):
    return split_sentences(seed_articles)


def test_seed_offsets_round_trip(seed_sentences, seed_text):
    assert list(seed_sentences.columns) == SENTENCES.columns
    for row in seed_sentences.itertuples():
        assert seed_text[row.start : row.end] == row.text
        assert row.text == row.text.strip() and "\n" not in row.text
    assert seed_sentences["sent_id"].tolist() == list(range(len(seed_sentences)))
    # spans are ordered, disjoint and cover every non-space character of the text
    covered = "".join(seed_text[a:b] for a, b in zip(seed_sentences.start, seed_sentences.end, strict=True))
    assert covered.replace(" ", "") == seed_text.replace(" ", "").replace("\n", "")


def test_seed_headlines_are_sentences(seed_sentences):
    for headline in HEADLINES:
        assert headline in seed_sentences["text"].tolist()


def test_seed_glued_stops_split_after_repair(seed_sentences):
    starts = [t.split()[0] + " " + t.split()[1] for t in seed_sentences["text"]]
    for start in ["وقال وزير", "ونقلت رويترز", "وبعد تأجيل", "كما تؤكد"]:
        assert start in starts
    # 13 sentences ended by a full stop (9 in the file + 4 that were glued) + 3 headlines
    assert len(seed_sentences) == 16
    assert (seed_sentences["text"].str[-1] == ".").sum() == 13


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ارتفع بنسبة 3.5 في المئة. ثم انخفض", ["ارتفع بنسبة 3.5 في المئة.", "ثم انخفض"]),
        ("نقلت د. ب. أ. عن مصدر. وأضاف", ["نقلت د. ب. أ. عن مصدر.", "وأضاف"]),
        ("قال Mr. Smith إن U.S. forces انسحبت. انتهى", ["قال Mr. Smith إن U.S. forces انسحبت.", "انتهى"]),
        ("أعلنت تركيا، وروسيا، الاتفاق", ["أعلنت تركيا، وروسيا، الاتفاق"]),
        ("قال: «انتهت الحرب. وبدأ السلام» ثم غادر. وعاد", ["قال: «انتهت الحرب. وبدأ السلام» ثم غادر.", "وعاد"]),
        ('قال: "لن ننسحب. أبدا" وغادر', ['قال: "لن ننسحب. أبدا" وغادر']),
        ("قال: “لن ننسحب! أبدا” وغادر", ["قال: “لن ننسحب! أبدا” وغادر"]),
        ("قال «انتهى الأمر.» ثم سكت. بعدها", ["قال «انتهى الأمر.» ثم سكت.", "بعدها"]),
        ("هل انتهت الحرب؟ لا! بل بدأت؛ وهكذا? نعم", ["هل انتهت الحرب؟", "لا!", "بل بدأت؛", "وهكذا?", "نعم"]),
        ("انظر www.libya.gov.ly/news.html للمزيد. ثم", ["انظر www.libya.gov.ly/news.html للمزيد.", "ثم"]),
        ("وانتظر الجميع... ولم يأت أحد", ["وانتظر الجميع... ولم يأت أحد"]),
        ("هل؟! نعم", ["هل؟!", "نعم"]),
        ("  عنوان  \n\n  نص أول.  نص ثان.  ", ["عنوان", "نص أول.", "نص ثان."]),
        ("قال «بدأ. ولم ينته", ["قال «بدأ.", "ولم ينته"]),  # unclosed quote: normal rules
        ("", []),
        (" \n \n", []),
    ],
)
def test_edge_cases(text, expected):
    assert texts(text) == expected


def test_offsets_round_trip_on_edge_text():
    text = "  أ.ف.ب: قال «x. y» 3.5\n\nعنوان\r\nنص؟ نص! "
    for a, b in sentence_spans(text):
        assert text[a:b] == text[a:b].strip() != ""


def test_split_sentences_restarts_ids_per_article_and_skips_missing_text():
    arts = pd.DataFrame({"article_id": ["a", "b", "c"],
                         "text": ["عنوان\nنص أول. نص ثان.", "سطر واحد", None]})
    out = split_sentences(arts)
    assert out[["article_id", "sent_id"]].values.tolist() == [["a", 0], ["a", 1], ["a", 2], ["b", 0]]
    assert out.dtypes["start"] == "int64" and out.dtypes["sent_id"] == "int64"
    for row in out.itertuples():
        source = arts.set_index("article_id").loc[row.article_id, "text"]
        assert source[row.start : row.end] == row.text


def test_split_sentences_empty_and_bad_input():
    empty = split_sentences(pd.DataFrame({"article_id": [], "text": []}))
    assert list(empty.columns) == SENTENCES.columns and empty.empty
    with pytest.raises(KeyError, match="load_corpus"):
        split_sentences(pd.DataFrame({"id": ["a"]}))


def test_text_statistics_counts_words_not_punctuation(seed_articles, seed_sentences):
    stats = text_statistics(seed_articles, seed_sentences).iloc[0]
    text = seed_articles["text"].iloc[0]
    assert stats["sentences"] == len(seed_sentences)
    assert stats["characters"] == len(text)
    # whitespace-separated chunks minus the chunks that are only punctuation
    chunks = [c for c in text.split() if any(ch.isalnum() for ch in c)]
    assert stats["words"] == len(chunks)


def test_word_frequencies_merge_spellings_and_drop_function_words():
    freq = word_frequencies(["قال إن الأزمة في ليبيا", "الازمة في ليبيا", "ليبيا 2020"])
    assert freq["match_key"].tolist() == ["ليبيا", "الازمه"]
    assert freq["count"].tolist() == [3, 2]
    assert freq["example"].tolist() == ["ليبيا", "الأزمة"]
    assert "في" not in set(freq["example"]) and "2020" not in set(freq["example"])


def test_word_frequencies_seed_top_words(seed_sentences):
    freq = word_frequencies(seed_sentences["text"], top=5)
    assert len(freq) == 5 and freq["count"].is_monotonic_decreasing
    assert {"حفتر", "ليبيا"} <= set(freq["match_key"])


def test_docstring_examples_hold():
    import doctest

    import helpers.sentences

    result = doctest.testmod(helpers.sentences)
    assert result.attempted > 0 and result.failed == 0


# ------------------------------------------------------------ titles are text (issue 13.1)

TITLE = "تركيا تدعم حكومة الوفاق في طرابلس"
BODY = ("قال وزير الخارجية التركي إن بلاده ستواصل مساعدة الحكومة الشرعية في ليبيا. "
        "وأضاف أن الحل السياسي هو الطريق الوحيد لإنهاء الأزمة التي طالت سنوات.")


def test_with_headline_puts_an_arabic_title_first_once():
    assert with_headline(TITLE, BODY) == f"{TITLE}\n{BODY}"
    assert with_headline(TITLE, f"{TITLE}\n{BODY}") == f"{TITLE}\n{BODY}"
    # the same headline spelt with other hamza / taa marbuta forms is not added again
    assert with_headline("تركيا تدعم حكومه الوفاق في طرابلس", f"{TITLE}\n{BODY}") == \
        f"{TITLE}\n{BODY}"
    assert with_headline("  تركيا   تدعم\nحكومة الوفاق ", BODY).split("\n")[0] == \
        "تركيا تدعم حكومة الوفاق"  # one clean line
    assert with_headline("Turkey backs the GNA", BODY) == BODY  # the models read Arabic
    assert with_headline(None, BODY) == BODY and with_headline("", BODY) == BODY


def test_split_sentences_marks_the_headline():
    arts = pd.DataFrame({"article_id": ["a", "b", "c"],
                         "title": [TITLE, "عنوان آخر", TITLE],
                         "text": [f"{TITLE}\n{BODY}", f"{TITLE}\n{BODY}", TITLE]})
    out = split_sentences(arts)
    assert out.dtypes["headline"] == "bool"
    heads = out[out["headline"]]
    assert heads[["article_id", "sent_id", "text"]].values.tolist() == [["a", 0, TITLE]]
    # b: the first line is not b's title; c: a one-line article is its body, not a headline
    assert not out.loc[out["article_id"].isin(["b", "c"]), "headline"].any()


def _html(title: str, body: str) -> str:
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><article>"
            f"<h1>{title}</h1><p>{body}</p></article></body></html>")


def test_headline_is_the_first_sentence_whatever_the_format(tmp_path):
    (tmp_path / "a.txt").write_text(f"---\ntitle: {TITLE}\n---\n{BODY}\n", encoding="utf-8")
    pd.DataFrame({"id": ["b"], "title": [TITLE], "text": [BODY + " ب"]}).to_csv(
        tmp_path / "b.csv", index=False)
    (tmp_path / "c.jsonl").write_text(
        json.dumps({"id": "c", "title": TITLE, "text": BODY + " ج"}, ensure_ascii=False) + "\n",
        encoding="utf-8")
    (tmp_path / "d.html").write_text(_html(TITLE, BODY + " د"), encoding="utf-8")
    articles = load_corpus(tmp_path)
    assert len(articles) == 4
    sentences = split_sentences(articles)
    for article in articles.itertuples():
        assert article.text.startswith(f"{TITLE}\n") and article.text.count(TITLE) == 1
        first = sentences[sentences["article_id"] == article.article_id].iloc[0]
        assert first["headline"] and first["text"] == TITLE and first["start"] == 0
        assert article.raw_text.count(TITLE) <= 2  # raw_text stays as read
    assert sentences["headline"].sum() == 4
