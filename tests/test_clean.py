"""Cleaning: the model text (clean_text) and the match key, on the seed's traps and edge cases."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd
import pytest

from helpers.clean import (
    clean_articles,
    clean_text,
    cleaning_changes,
    clitic_candidates,
    match_key,
    repair_glued_punctuation,
    strip_clitics,
)

GLUED = re.compile(r"[\u0621-\u064a]{2}\.[\u0621-\u064a]{2}")


def test_seed_glued_full_stops_are_repaired(seed_articles):
    raw, text = seed_articles["raw_text"].iloc[0], seed_articles["text"].iloc[0]
    glued = GLUED.findall(raw)
    assert len(glued) == 4  # حفتر.وقال, الفنية.ونقلت, روسيا.وبعد, مهندسيه.كما
    assert GLUED.findall(text) == []
    for pair in glued:
        assert pair.replace(".", ". ") in text


def test_seed_diacritics_removed_in_text_but_kept_in_raw(seed_articles):
    raw, text = seed_articles["raw_text"].iloc[0], seed_articles["text"].iloc[0]
    assert "الجلَوس" in raw and "لغّمت" in raw
    assert "الجلوس" in text and "لغمت" in text
    assert not re.search("[\u064b-\u0652\u0670]", text)


def test_seed_keeps_lines_and_hamza(seed_articles):
    raw, text = seed_articles["raw_text"].iloc[0], seed_articles["text"].iloc[0]
    assert text.count("\n") == raw.strip().count("\n")
    assert "أردوغان" in text and "إسطنبول" in text


def test_clean_text_is_idempotent(seed_text):
    assert clean_text(seed_text) == seed_text


@pytest.mark.parametrize(
    "kept",
    [
        "ارتفع المؤشر 3.5 في المئة",
        "بلغ ٣٫٥ مليار",
        "في 15.06.2020 وقع الاتفاق",
        "راجع https://www.aljazeera.net/news/ليبيا.وسرت للمزيد",
        "راسلوا info@libya.gov.ly للمزيد",
        "قال مسؤول في U.S. Department إن",
        "نقلت وكالة د.ب.أ عن مصدر",
        "حسب أ.ف.ب فإن",
        "د.محمد سيالة",
        "الساعة 10.30 صباحا",
    ],
)
def test_full_stops_that_are_not_glued_sentences_stay(kept):
    assert clean_text(kept) == kept


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("قوات حفتر.وقال الوزير", "قوات حفتر. وقال الوزير"),
        ("هل انتهت الحرب؟لا", "هل انتهت الحرب؟ لا"),
        ("أعلنت تركيا،وروسيا", "أعلنت تركيا، وروسيا"),
        ("انتهى الاجتماع!وغادر", "انتهى الاجتماع! وغادر"),
    ],
)
def test_glued_punctuation_gets_a_space(raw, expected):
    assert repair_glued_punctuation(raw) == expected


def test_invisible_marks_tatweel_and_nfc():
    decomposed = "\u0627\u0654\u0631\u062f\u0648\u063a\u0627\u0646"  # alef + hamza above
    raw = "\ufeff\u200fليبيـــا\u200e و\u200bتركيا " + decomposed
    out = clean_text(raw)
    assert out == "ليبيا وتركيا أردوغان"
    assert unicodedata.is_normalized("NFC", out)


def test_whitespace_is_tidied_but_lines_are_kept():
    raw = "  عنوان بلا نقطة \r\n\r\n\r\n\r\nالنص\t الأول  هنا\u00a0.\r\nسطر ثان  "
    assert clean_text(raw) == "عنوان بلا نقطة\n\nالنص الأول هنا .\nسطر ثان"


def test_keep_diacritics_option():
    assert clean_text("لغّمت", keep_diacritics=True) == "لغّمت"
    assert clean_text("لغّمت") == "لغمت"


def test_clean_text_rejects_non_strings_with_advice():
    with pytest.raises(TypeError, match="str"):
        clean_text(None)  # type: ignore[arg-type]


def test_match_key_unifies_spellings():
    assert match_key("الجلَوس") == match_key("الجلوس")
    assert match_key("لغّمت") == "لغمت"
    assert match_key("أحمد إبراهيم آمنة") == "احمد ابراهيم امنه"
    assert match_key("مصطفى") == "مصطفي"
    assert match_key("ليبيـــا\u200f") == "ليبيا"
    assert match_key("  حكومة   الوفاق ") == "حكومه الوفاق"


def test_clean_articles_fills_text_and_keeps_raw():
    arts = pd.DataFrame({"article_id": ["a"], "raw_text": ["حفتر.وقال لغّمت"], "text": [None]})
    out = clean_articles(arts)
    assert out["text"].tolist() == ["حفتر. وقال لغمت"]
    assert out["raw_text"].tolist() == ["حفتر.وقال لغّمت"]
    assert arts["text"].isna().all()  # input not modified


def test_clean_articles_needs_raw_text():
    with pytest.raises(KeyError, match="load_corpus"):
        clean_articles(pd.DataFrame({"text": ["x"]}))


def test_cleaning_changes_lists_the_seed_traps(seed_articles):
    changes = cleaning_changes(seed_articles["raw_text"].iloc[0])
    glued = changes[changes["change"] == "glued punctuation"]
    assert glued["raw"].tolist() == ["حفتر.وقال", "الفنية.ونقلت", "روسيا.وبعد", "مهندسيه.كما"]
    assert set(changes.loc[changes["change"] == "diacritics", "text"]) == {"الجلوس", "لغمت"}
    assert (changes["match_key"] == changes["text"].map(match_key)).all()


def test_cleaning_changes_shows_invisible_marks():
    changes = cleaning_changes("\u200fليبيـــا نص")
    assert changes.values.tolist() == [["tatweel, invisible mark", "<U+200F>ليبيـــا", "ليبيا", "ليبيا"]]


def test_docstring_examples_hold():
    import doctest

    import helpers.clean

    result = doctest.testmod(helpers.clean)
    assert result.attempted > 0 and result.failed == 0


def test_strip_clitics_candidates():
    assert "حكومه" in strip_clitics("وبالحكومة")
    assert "الحكومه" in strip_clitics("وبالحكومة")
    assert strip_clitics("لحكومة")[:2] == ["لحكومه", "حكومه"]
    assert "الجيش" in strip_clitics("للجيش")
    assert strip_clitics("ليبيا")[0] == "ليبيا"
    assert all(len(c) >= 2 for c in strip_clitics("ولي"))
    assert clitic_candidates("وللامم") == ("وللامم", "للامم", "الامم", "لامم", "امم")
