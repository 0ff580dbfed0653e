"""Corpus loading: every format, encoding, date form and bad input of issue 2."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pytest

from helpers.clean import clean_text
from helpers.corpus import (
    decode_bytes,
    get_load_report,
    load_corpus,
    parse_date,
    read_corpus,
    split_front_matter,
)
from helpers.schema import ARTICLES, LOAD_REPORT

AR1 = "أعلنت حكومة الوفاق الوطني في طرابلس استعادة السيطرة على مدينة ترهونة بعد معارك عنيفة."
AR2 = "دعا الأمين العام للأمم المتحدة إلى وقف فوري لإطلاق النار في ليبيا واستئناف الحوار."
AR3 = "وصل وزير الخارجية الروسي سيرغي لافروف إلى أنقرة لبحث الملف الليبي مع نظيره التركي."
EN = "The United Nations called for an immediate ceasefire in Libya and a return to talks."

HTML = """<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>السيسي يعلن مبادرة لليبيا | موقع اختبار</title>
<meta property="og:title" content="السيسي يعلن مبادرة لليبيا">
<meta property="article:published_time" content="2020-06-06T10:00:00+02:00">
</head><body><nav><a href="/">الرئيسية</a> | <a href="/world">العالم</a></nav>
<article><h1>السيسي يعلن مبادرة لليبيا</h1>
<p>أعلن الرئيس المصري عبد الفتاح السيسي مبادرة سياسية لحل الأزمة الليبية تتضمن وقفا لإطلاق النار.</p>
<p>وحضر الإعلان في القاهرة قائد قوات شرق ليبيا خليفة حفتر ورئيس مجلس النواب عقيلة صالح.</p>
</article><footer>جميع الحقوق محفوظة للموقع</footer></body></html>"""


def report_of(articles: pd.DataFrame) -> pd.DataFrame:
    report = get_load_report(articles)
    assert list(report.columns) == LOAD_REPORT.columns
    return report


def problems(articles: pd.DataFrame) -> dict[str, str]:
    report = report_of(articles)
    return dict(zip(report["file"], report["problem"], strict=True))


# --------------------------------------------------------------------------- the seed


def test_seed_loads_as_one_article_with_metadata(seed_articles):
    a = seed_articles
    assert list(a.columns[: len(ARTICLES.columns)]) == ARTICLES.columns
    assert len(a) == 1 and report_of(a).empty
    row = a.iloc[0]
    assert row.article_id == "000_libya_2020-06-15"
    assert row.date == pd.Timestamp("2020-06-15") and row.date_precision == "day"
    assert "inferred from content" in row.date_note
    assert row.source == "unknown" and row.kind == "article" and pd.isna(row.url)
    assert row.title in row.raw_text  # the title is taken from the article's own words
    assert row.path == "data/corpus/000_libya_2020-06-15.txt"
    assert not row.raw_text.startswith("---") and row.text == clean_text(row.raw_text)
    assert str(a["date"].dtype) == "datetime64[ns]"


def test_embedded_corpus_is_the_default_source_and_readme_is_skipped():
    a = load_corpus()
    assert a["article_id"].tolist() == ["000_libya_2020-06-15"]
    assert report_of(a).empty


def test_seed_body_is_the_shared_seed_verbatim(seed_articles):
    shared = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_a5c8f450c814b1f9.txt"
    if not shared.is_file():
        pytest.skip("../shared/seeds is not present in this checkout")
    assert seed_articles["raw_text"].iloc[0].rstrip("\n") == shared.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- formats


def test_pasted_text_and_list_of_sources(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(AR2, encoding="utf-8")
    a = load_corpus([AR1, f])
    assert a["path"].tolist() == ["<text>", "a.txt"]
    assert a["article_id"].iloc[0].startswith("text-") and a["article_id"].iloc[1] == "a"
    assert a["title"].iloc[1] == AR2  # no front matter: the first line is the title
    assert a["date"].isna().all() and a["date_precision"].isna().all()


def test_pasted_text_with_front_matter():
    a = load_corpus(f"---\ntitle: عنوان\ndate: 2020-06\n---\n{AR1}\n")
    row = a.iloc[0]
    assert (row.title, row.date, row.date_precision) == ("عنوان", pd.Timestamp("2020-06-01"), "month")
    assert row.text == f"عنوان\n{AR1}"  # the headline is the first line of the text


def test_front_matter_extra_keys_comments_and_quotes(tmp_path):
    (tmp_path / "x.txt").write_text(
        "---\n# comment\ntitle: \"عنوان: فرعي\"\nauthor: مراسل\nkind: chronology\n---\n" + AR1,
        encoding="utf-8")
    row = load_corpus(tmp_path / "x.txt").iloc[0]
    assert row.title == "عنوان: فرعي" and row.kind == "chronology"
    assert row.extra == {"author": "مراسل"}


def test_unclosed_front_matter_is_reported_and_text_kept(tmp_path):
    (tmp_path / "x.txt").write_text("---\ntitle: عنوان\n" + AR1, encoding="utf-8")
    a = load_corpus(tmp_path)
    assert len(a) == 1 and AR1 in a["text"].iloc[0]
    assert "never closed" in problems(a)["x.txt"]


def test_split_front_matter_without_header():
    assert split_front_matter(AR1) == ({}, AR1, [])


def test_jsonl_with_kinds_extras_and_bad_lines(tmp_path):
    lines = [
        json.dumps({"id": "e1", "text": AR1, "date": "2020-06-05", "kind": "chronology",
                    "actors": ["gna"], "source_urls": ["https://example.org"]}, ensure_ascii=False),
        "",
        "{not json",
        json.dumps({"title": "بلا نص"}, ensure_ascii=False),
        json.dumps({"text": AR2, "date": "حزيران 2020"}, ensure_ascii=False),
    ]
    (tmp_path / "events.jsonl").write_text("\n".join(lines), encoding="utf-8")
    a = load_corpus(tmp_path)
    assert a["article_id"].tolist() == ["e1", "events-0005"]
    assert a["kind"].tolist() == ["chronology", "article"]
    assert a["extra"].iloc[0] == {"actors": ["gna"], "source_urls": ["https://example.org"]}
    assert a["date_precision"].tolist() == ["day", "month"]
    p = problems(a)
    assert "invalid JSON" in p["events.jsonl:3"] and "'text'" in p["events.jsonl:4"]


def test_json_list(tmp_path):
    (tmp_path / "b.json").write_text(json.dumps([{"text": AR1}, {"text": AR2}]), encoding="utf-8")
    assert load_corpus(tmp_path / "b.json")["article_id"].tolist() == ["b-0001", "b-0002"]


def test_csv_auto_columns_and_mapping(tmp_path):
    pd.DataFrame({"title": ["عنوان أول", "عنوان ثان"], "text": [AR1, AR2],
                  "date": ["2020-06-05", ""], "section": ["سياسة", "دولي"]}).to_csv(
        tmp_path / "auto.csv", index=False)
    a = load_corpus(tmp_path / "auto.csv")
    assert a["title"].tolist() == ["عنوان أول", "عنوان ثان"]
    assert a["raw_text"].tolist() == [AR1, AR2]
    assert a["text"].tolist() == [f"عنوان أول\n{AR1}", f"عنوان ثان\n{AR2}"]
    assert a["date"].iloc[0] == pd.Timestamp("2020-06-05") and pd.isna(a["date"].iloc[1])
    assert a["extra"].iloc[0] == {"section": "سياسة"}

    pd.DataFrame({"headline": ["ج"], "body": [AR3], "published": ["15/06/2020"]}).to_csv(
        tmp_path / "mapped.tsv", sep="\t", index=False)
    b = load_corpus(tmp_path / "mapped.tsv",
                    csv_columns={"text": "body", "title": "headline", "date": "published"})
    assert (b["title"].iloc[0], b["date"].iloc[0]) == ("ج", pd.Timestamp("2020-06-15"))


def test_csv_without_text_column_says_how_to_map(tmp_path):
    pd.DataFrame({"body": [AR1]}).to_csv(tmp_path / "c.csv", index=False)
    a = load_corpus(tmp_path / "c.csv")
    assert a.empty
    report = report_of(a)
    assert "no 'text' column" in report["problem"].iloc[0] and "csv_columns" in report["action"].iloc[0]


def test_html_main_text_title_and_date(tmp_path):
    (tmp_path / "page.html").write_text(HTML, encoding="utf-8")
    row = load_corpus(tmp_path / "page.html").iloc[0]
    assert row.title == "السيسي يعلن مبادرة لليبيا"
    assert (row.date, row.date_precision) == (pd.Timestamp("2020-06-06"), "day")
    assert "عبد الفتاح السيسي" in row.text and "عقيلة صالح" in row.text
    assert "الرئيسية" not in row.text and "محفوظة" not in row.text  # navigation and footer


def test_html_without_main_text_is_reported(tmp_path):
    (tmp_path / "blank.html").write_text(
        "<html><head><title>صفحة</title></head><body><script>var x = 1;</script></body></html>",
        encoding="utf-8")
    a = load_corpus(tmp_path)
    assert a.empty and "no main text" in problems(a)["blank.html"]


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
                                      "cp1256"])
def test_encodings_are_detected(tmp_path, encoding):
    text = f"---\ntitle: عنوان الخبر\n---\n{AR1}\n{AR2}\n"
    (tmp_path / "e.txt").write_bytes(text.encode(encoding))
    a = load_corpus(tmp_path / "e.txt")
    assert a["text"].iloc[0] == f"عنوان الخبر\n{AR1}\n{AR2}" and a["title"].iloc[0] == "عنوان الخبر"


def test_decode_bytes_names_the_encoding():
    assert decode_bytes(AR1.encode("cp1256"))[1] == "cp1256"
    assert decode_bytes(AR1.encode("utf-16"))[1] == "utf-16"
    assert decode_bytes(AR1.encode("utf-8")) == (AR1, "utf-8", 0)


def test_damaged_utf8_is_kept_and_reported(tmp_path):
    (tmp_path / "d.txt").write_bytes(AR1.encode() + b"\xff" + AR2.encode())
    a = load_corpus(tmp_path)
    assert len(a) == 1 and "\ufffd" in a["text"].iloc[0]
    offset = len(AR1.encode())
    assert problems(a)["d.txt"] == (f"undecodable bytes: 1 damaged byte(s) in UTF-8 at line(s) "
                                    f"1 (byte offsets {offset})")


def test_undecodable_bytes_are_reported(tmp_path):
    (tmp_path / "u.txt").write_bytes(bytes(range(0x80, 0x100)) * 20)
    a = load_corpus(tmp_path)
    assert a.empty and problems(a)["u.txt"].startswith("undecodable bytes")


# --------------------------------------------------------------------------- bad input


def make_mixed_folder(folder: Path) -> None:
    (folder / "sub").mkdir(parents=True)
    (folder / "01_good.txt").write_text(f"---\ndate: 4 أبريل/نيسان 2019\n---\n{AR1}", encoding="utf-8")
    (folder / "02_cp1256.txt").write_bytes(AR2.encode("cp1256"))
    (folder / "sub" / "03_page.html").write_text(HTML, encoding="utf-8")
    (folder / "04_empty.txt").write_bytes(b"")
    (folder / "05_binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "06_english.txt").write_text(EN, encoding="utf-8")
    (folder / "07_duplicate.txt").write_text("\ufeff" + AR1.replace("حكومة", "حكومـــة"),
                                             encoding="utf-8")
    (folder / "08_bad_date.txt").write_text(f"---\ndate: 2020-13-45\n---\n{AR3}", encoding="utf-8")
    (folder / "09_scan.pdf").write_bytes(b"%PDF-1.4 ...")
    (folder / ".hidden.txt").write_text(AR3, encoding="utf-8")
    (folder / "README.md").write_text("# notes", encoding="utf-8")


def test_mixed_folder_loads_good_files_and_reports_each_bad_one(tmp_path):
    make_mixed_folder(tmp_path)
    articles, report = read_corpus(tmp_path)
    assert articles["path"].tolist() == ["01_good.txt", "02_cp1256.txt", "08_bad_date.txt",
                                         "sub/03_page.html"]
    assert articles["article_id"].tolist() == ["01_good", "02_cp1256", "08_bad_date", "sub/03_page"]
    p = dict(zip(report["file"], report["problem"], strict=True))
    assert "cp1256" in p["02_cp1256.txt"]
    assert p["04_empty.txt"] == "empty file"
    assert p["05_binary.txt"].startswith("binary file")
    assert p["06_english.txt"].startswith("non-Arabic document")
    assert p["07_duplicate.txt"].startswith("duplicate of 01_good")
    assert p["08_bad_date.txt"].startswith("malformed date '2020-13-45'")
    assert "unsupported extension '.pdf'" in p["09_scan.pdf"]
    assert p[".hidden.txt"].startswith("hidden file")
    assert not any("README" in f for f in report["file"])
    bad_date = articles.set_index("article_id").loc["08_bad_date"]
    assert pd.isna(bad_date["date"]) and pd.isna(bad_date["date_precision"])
    good = articles.set_index("article_id").loc["01_good"]
    assert (good["date"], good["date_precision"]) == (pd.Timestamp("2019-04-04"), "day")
    for action in report.set_index("file").loc[["04_empty.txt", "05_binary.txt", "06_english.txt",
                                                "07_duplicate.txt"], "action"]:
        assert action.startswith("skipped")


def test_loading_is_deterministic(tmp_path):
    make_mixed_folder(tmp_path)
    a, ra = read_corpus(tmp_path)
    b, rb = read_corpus(tmp_path)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(ra, rb)


def test_non_arabic_kept_when_threshold_is_zero(tmp_path):
    (tmp_path / "en.txt").write_text(EN, encoding="utf-8")
    assert len(load_corpus(tmp_path, min_arabic_ratio=0)) == 1


def test_same_id_in_two_files_is_renamed(tmp_path):
    (tmp_path / "a.txt").write_text(f"---\nid: x\n---\n{AR1}", encoding="utf-8")
    (tmp_path / "b.txt").write_text(f"---\nid: x\n---\n{AR2}", encoding="utf-8")
    a = load_corpus(tmp_path)
    assert a["article_id"].tolist() == ["x", "x-2"]
    assert "renamed to 'x-2'" in report_of(a)["action"].iloc[0]


def test_missing_path_raises_with_the_name_and_the_fix():
    with pytest.raises(FileNotFoundError, match=r"no_such_folder/articles.*CORPUS_DIR"):
        load_corpus("no_such_folder/articles")
    with pytest.raises(FileNotFoundError, match="missing.jsonl"):
        load_corpus("missing.jsonl")


def test_unreadable_file_is_reported_with_the_fix(tmp_path, monkeypatch):
    f = tmp_path / "locked.txt"
    f.write_text(AR1, encoding="utf-8")

    def deny(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", deny)
    articles, report = read_corpus(f)
    assert articles.empty
    assert report.values.tolist() == [["locked.txt", "cannot be read: Permission denied",
                                       report["action"].iloc[0]]]
    assert report["action"].iloc[0].startswith("skipped") and "chmod" in report["action"].iloc[0]


def test_bad_kind_argument():
    with pytest.raises(ValueError, match="kind"):
        load_corpus(AR1, kind="blog")


def test_five_megabyte_article_loads_fast(tmp_path):
    paragraph = " ".join([AR1, AR2, AR3]) + "\n"
    body = paragraph * (5_000_000 // len(paragraph.encode("utf-8")) + 1)
    f = tmp_path / "big.txt"
    f.write_text(body, encoding="utf-8")
    assert f.stat().st_size >= 5_000_000
    start = time.perf_counter()
    a = load_corpus(f)
    elapsed = time.perf_counter() - start
    assert len(a) == 1 and len(a["text"].iloc[0]) == len(body.strip())
    assert elapsed < 15, f"loading 5 MB took {elapsed:.1f} s"


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("value", "expected", "precision"),
    [
        ("2020-06-15", "2020-06-15", "day"),
        ("2020-06-15T10:00:00+02:00", "2020-06-15", "day"),
        ("2020/6/5", "2020-06-05", "day"),
        ("15/06/2020", "2020-06-15", "day"),
        ("15.06.2020", "2020-06-15", "day"),
        ("٢٠٢٠-٠٦-١٥", "2020-06-15", "day"),
        ("4 أبريل/نيسان 2019", "2019-04-04", "day"),
        ("4 ابريل 2019", "2019-04-04", "day"),
        ("٤ نيسان ٢٠١٩", "2019-04-04", "day"),
        ("4 نيسان (أبريل) 2019", "2019-04-04", "day"),
        ("الاثنين، 15 يونيو 2020", "2020-06-15", "day"),
        ("15 من حزيران 2020م", "2020-06-15", "day"),
        ("15 تشرين الأول 2020", "2020-10-15", "day"),
        ("1 كانون الثاني 2021", "2021-01-01", "day"),
        ("15 جوان 2020", "2020-06-15", "day"),
        ("June 15, 2020", "2020-06-15", "day"),
        ("15 Jun 2020", "2020-06-15", "day"),
        ("حزيران 2020", "2020-06-01", "month"),
        ("يونيو/حزيران ٢٠٢٠", "2020-06-01", "month"),
        ("2020-06", "2020-06-01", "month"),
        ("06/2020", "2020-06-01", "month"),
        ("2020", "2020-01-01", "year"),
        ("٢٠٢٠", "2020-01-01", "year"),
    ],
)
def test_date_forms(value, expected, precision):
    assert parse_date(value) == (pd.Timestamp(expected), precision)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("أمس", "unrecognised"),
        ("31/02/2020", "no such day"),
        ("2020-13-45", "no such day"),
        ("4 أبريل/أيار 2019", "disagree"),
        ("15 يونيو", "unrecognised"),
        ("1441 هـ", "Hijri"),
        ("0020-01-01", "out of range"),
    ],
)
def test_malformed_dates_raise_with_reason(value, reason):
    with pytest.raises(ValueError, match=reason):
        parse_date(value)


def test_missing_dates_and_explicit_precision():
    assert parse_date(None)[1] is None and pd.isna(parse_date("")[0])
    assert parse_date("2020-06-15", "month") == (pd.Timestamp("2020-06-01"), "month")
    assert parse_date(pd.Timestamp("2020-06-15 13:00", tz="UTC")) == (pd.Timestamp("2020-06-15"), "day")
    with pytest.raises(ValueError, match="date_precision"):
        parse_date("2020", "week")


def test_windows_1256_html_page(tmp_path):
    page = HTML.replace('<meta charset="utf-8">', '<meta http-equiv="Content-Type" '
                        'content="text/html; charset=windows-1256">')
    page = page.replace("<head>", "<head>" + "<script>var tracking = 'analytics';</script>" * 30)
    (tmp_path / "old.htm").write_bytes(page.encode("cp1256"))
    row = load_corpus(tmp_path / "old.htm").iloc[0]
    assert row.title == "السيسي يعلن مبادرة لليبيا" and "عقيلة صالح" in row.text


def test_docstring_examples_hold():
    import doctest

    import helpers.corpus

    result = doctest.testmod(helpers.corpus)
    assert result.attempted > 0 and result.failed == 0


def test_load_report_travels_without_breaking_concat_or_parquet(tmp_path):
    """The report is kept as plain records, so tables from two loads concatenate and save
    to Parquet (a DataFrame in ``attrs`` breaks both on pandas 3)."""
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "good.txt").write_text("قالت الحكومة الليبية إن المحادثات ستستأنف.",
                                       encoding="utf-8")
    first = load_corpus(tmp_path)
    second = load_corpus("أعلنت الأمم المتحدة عن جولة جديدة من الحوار في جنيف.")
    report = get_load_report(first)
    assert report["file"].str.contains("empty.txt").any()
    assert get_load_report(second).empty
    both = pd.concat([first, second], ignore_index=True)
    assert len(both) == 2
    out = tmp_path / "articles.parquet"
    first.drop(columns=["extra"]).to_parquet(out)
    assert pd.read_parquet(out)["article_id"].tolist() == first["article_id"].tolist()
