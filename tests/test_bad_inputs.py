"""Issue 14: bad inputs and faults found by trying to break the collection. Each one ends
in the input analysed correctly, or in a load-report row (file, problem, what was done and
how to fix it) while the rest of the run goes on; the CLI's exit code says which.

Every bad file is crafted here, in ``tmp_path``; nothing binary is committed."""

from __future__ import annotations

import os
import random
import re
import socket
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from helpers import __main__ as cli
from helpers.clean import clean_text, match_key, normalize_presentation_forms
from helpers.corpus import (
    decode_bytes,
    persian_or_urdu,
    read_corpus,
    split_report,
    utf8_damage,
)
from helpers.export import neutralise_cell, spreadsheet_safe, staged_output

AR1 = "أعلنت حكومة الوفاق الوطني في طرابلس استعادة السيطرة على مدينة ترهونة بعد معارك عنيفة."
AR2 = "دعا الأمين العام للأمم المتحدة إلى وقف فوري لإطلاق النار في ليبيا واستئناف الحوار."
AR3 = "وصل وزير الخارجية الروسي سيرغي لافروف إلى أنقرة لبحث الملف الليبي مع نظيره التركي."
PERSIAN = ("وزیر امور خارجه ایران گفت که این سفر برای گفتگو درباره لیبی است و ایران از "
           "آتش بس حمایت می کند. او همچنین گفت که باید همه طرف ها به مذاکره بازگردند.")
URDU = ("لیبیا میں جنگ بندی کے لیے اقوام متحدہ نے ایک نیا منصوبہ پیش کیا ہے اور ترکی نے "
        "اس کی حمایت کی ہے۔ وزیر خارجہ نے کہا کہ بات چیت جاری رہے گی۔")
GOOD = """---
title: {title}
date: 2020-06-{day:02d}
source: وكالة اختبار
---
قال وزير الخارجية التركي مولود جاويش أوغلو إن أنقرة تدعم حكومة الوفاق في طرابلس.
وأعلنت روسيا أنها تتابع الوضع في سرت، فيما رحبت الجزائر بالحوار يوم {day} يونيو.
"""
PAGE_WITHOUT_DATE = f"""<!DOCTYPE html><html lang="ar"><head><meta charset="utf-8">
<title>عنوان الصفحة</title></head><body><article><h1>عنوان الصفحة</h1>
<p>{AR1}</p><p>{AR2}</p><p>{AR3}</p></article></body></html>"""


def rows(report: pd.DataFrame) -> dict[str, tuple[str, str]]:
    return {r.file: (r.problem, r.action) for r in report.itertuples(index=False)}


def damaged(text: str, n: int, seed: int = 0) -> tuple[bytes, list[int]]:
    """UTF-8 bytes of ``text`` with the first byte of ``n`` two-byte (Arabic) characters
    replaced by 0xFF, never valid in UTF-8; the orphaned second byte is invalid too.
    Returns the bytes and the offsets of the invalid bytes."""
    data = bytearray(text.encode("utf-8"))
    starts = [i for i, b in enumerate(data) if 0xC0 <= b < 0xE0]
    hit = sorted(random.Random(seed).sample(starts, n))
    for i in hit:
        data[i] = 0xFF
    return bytes(data), [j for i in hit for j in (i, i + 1)]


# --------------------------------------------------------------------------- decoding


def test_mostly_valid_utf8_stays_utf8_and_names_the_damage(tmp_path):
    text = "\n".join([AR1, AR2, AR3, AR1, AR2, AR3])  # ~ 500 characters, as in the issue
    data, offsets = damaged(text, 5)
    decoded, encoding, replaced = decode_bytes(data)
    assert (encoding, replaced) == ("utf-8", 10)
    assert decoded.count("\ufffd") == 10 and "ليبيا" in decoded  # not Windows-1256 mojibake
    (tmp_path / "d.txt").write_bytes(data)
    articles, report = read_corpus(tmp_path / "d.txt")
    assert len(articles) == 1
    problem, action = rows(report)["d.txt"]
    lines = sorted({data.count(b"\n", 0, off) + 1 for off in offsets})
    assert problem.startswith("undecodable bytes: 10 damaged byte(s) in UTF-8 at line(s) "
                              + ", ".join(map(str, lines)))
    assert f"byte offsets {', '.join(map(str, offsets[:5]))}, ... (5 more)" in problem
    assert action.startswith("analysed") and split_report(report)[0].empty


def test_short_utf8_text_with_one_damaged_byte_stays_utf8():
    assert decode_bytes("ليبيا".encode() + b"\xff") == ("ليبيا\ufffd", "utf-8", 1)


def test_utf8_damage_counts_valid_characters():
    damage, valid = utf8_damage("ليبيا".encode() + b"\xff\xfe" + "تونس".encode())
    assert damage.offsets == (10, 11) and valid == 9


def test_random_high_bytes_are_refused_not_read_as_arabic(tmp_path):
    rng = random.Random(14)
    (tmp_path / "noise.txt").write_bytes(bytes(rng.randrange(0x80, 0x100) for _ in range(3000)))
    with pytest.raises(ValueError, match="undecodable bytes"):
        decode_bytes((tmp_path / "noise.txt").read_bytes())
    articles, report = read_corpus(tmp_path)
    assert articles.empty
    problem, action = rows(report)["noise.txt"]
    assert problem.startswith("undecodable bytes") and action.startswith("skipped")
    assert "--encoding" in action


def test_windows_1256_is_still_read_when_it_is_arabic_prose():
    text, encoding, _ = decode_bytes(f"{AR1}\n{AR2}".encode("cp1256"))
    assert encoding == "cp1256" and text == f"{AR1}\n{AR2}"


def test_forced_encoding(tmp_path):
    (tmp_path / "a.txt").write_bytes(AR1.encode("cp1256"))
    articles, _ = read_corpus(tmp_path, encoding="cp1256")
    assert articles["text"].tolist() == [AR1]
    articles, report = read_corpus(tmp_path, encoding="utf-8")
    assert articles.empty and "not valid utf-8" in rows(report)["a.txt"][0]
    with pytest.raises(ValueError, match="unknown encoding"):
        read_corpus(tmp_path, encoding="klingon")


@pytest.mark.parametrize("text, language", [(PERSIAN, "Persian"), (URDU, "Urdu"),
                                            (f"{AR1} {AR2} {AR3}", None)])
def test_persian_and_urdu_are_told_apart_from_arabic(text, language):
    assert persian_or_urdu(text) == language
    # Arabic typed on a Persian keyboard stays Arabic
    assert persian_or_urdu(f"{AR1} {AR2} {AR3}".replace("ي", "ی").replace("ك", "ک")) is None


def test_persian_document_is_analysed_with_a_note(tmp_path):
    (tmp_path / "fa.txt").write_text(PERSIAN, encoding="utf-8")
    articles, report = read_corpus(tmp_path)
    assert articles["article_id"].tolist() == ["fa"]
    problem, action = rows(report)["fa.txt"]
    assert "Persian" in problem and action.startswith("analysed")
    assert split_report(report)[0].empty  # a note, not a skip


# --------------------------------------------------------------------------- folders


def test_special_files_links_and_hidden_files_each_get_a_row(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.txt").write_text(AR1, encoding="utf-8")
    (folder / "sub" / "good2.txt").write_text(AR2, encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "sock.txt"))
    (folder / "loop.txt").symlink_to("loop.txt")
    (folder / "broken.txt").symlink_to("nowhere.txt")
    (folder / "sub" / "up").symlink_to("..", target_is_directory=True)
    (folder / ".hidden.txt").write_text(AR3, encoding="utf-8")
    (folder / "..name.txt").write_text(AR3, encoding="utf-8")
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main", encoding="utf-8")
    opened: list[str] = []
    read_bytes = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: opened.append(self.name)
                        or read_bytes(self))
    try:
        articles, report = read_corpus(folder)
    finally:
        sock.close()
    assert articles["article_id"].tolist() == ["good", "sub/good2"]
    assert sorted(opened) == ["good.txt", "good2.txt"]  # the FIFO and socket never opened
    found = rows(report)
    assert sorted(found) == ["..name.txt", ".git", ".hidden.txt", "broken.txt", "loop.txt",
                             "pipe.txt", "sock.txt", "sub/up"]
    assert found["pipe.txt"][0] == "special file: named pipe (FIFO), not a regular file"
    assert found["sock.txt"][0].startswith("special file: socket")
    assert found["loop.txt"][0].startswith("symbolic link loop")
    assert found["sub/up"][0].startswith("symbolic link loop")
    assert found["broken.txt"][0].startswith("broken symbolic link")
    assert found["..name.txt"][0] == "hidden file (its name starts with '..')"
    assert "without the leading dots" in found["..name.txt"][1]
    assert found[".git"][0].startswith("hidden folder")
    skipped, notes = split_report(report)
    assert set(notes["file"]) == {".git"}  # a hidden folder is noted, not counted as skipped
    assert all(";" in action for action in report["action"])  # what was done; how to fix


def test_fifo_and_link_loop_given_directly_do_not_hang(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "loop.txt").symlink_to("loop.txt")
    articles, report = read_corpus([tmp_path / "pipe.txt", tmp_path / "loop.txt"])
    assert articles.empty
    found = rows(report)
    assert found["pipe.txt"][0].startswith("special file")
    assert found["loop.txt"][0].startswith("symbolic link loop")


def test_cli_passes_a_link_loop_to_the_loader_instead_of_saying_it_does_not_exist(tmp_path):
    (tmp_path / "loop.txt").symlink_to("loop.txt")
    assert cli._check_inputs([str(tmp_path / "loop.txt")]) == [tmp_path / "loop.txt"]
    with pytest.raises(cli.UsageError, match="does not exist"):
        cli._check_inputs([str(tmp_path / "missing.txt")])


def test_one_unreadable_file_does_not_stop_the_others(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(AR1, encoding="utf-8")
    (tmp_path / "locked.txt").write_text(AR2, encoding="utf-8")
    (tmp_path / "z.txt").write_text(AR3, encoding="utf-8")
    read_bytes = Path.read_bytes

    def deny(self: Path) -> bytes:
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    articles, report = read_corpus(tmp_path)
    assert articles["article_id"].tolist() == ["a", "z"]
    problem, action = rows(report)["locked.txt"]
    assert problem == "cannot be read: Permission denied" and "chmod u+r" in action


def test_unreadable_subfolder_is_reported(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(AR1, encoding="utf-8")
    (tmp_path / "closed").mkdir()
    (tmp_path / "closed" / "b.txt").write_text(AR2, encoding="utf-8")
    scandir = os.scandir

    def deny(path):
        if Path(path).name == "closed":
            raise PermissionError(13, "Permission denied")
        return scandir(path)

    monkeypatch.setattr(os, "scandir", deny)
    articles, report = read_corpus(tmp_path)
    assert articles["article_id"].tolist() == ["a"]
    problem, action = rows(report)["closed"]
    assert problem == "folder cannot be read: Permission denied" and "chmod u+rx" in action


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_chmod_000_file_and_folder(tmp_path):
    (tmp_path / "a.txt").write_text(AR1, encoding="utf-8")
    (tmp_path / "locked.txt").write_text(AR2, encoding="utf-8")
    (tmp_path / "closed").mkdir()
    (tmp_path / "locked.txt").chmod(0)
    (tmp_path / "closed").chmod(0)
    try:
        articles, report = read_corpus(tmp_path)
    finally:
        (tmp_path / "locked.txt").chmod(0o600)
        (tmp_path / "closed").chmod(0o700)
    assert articles["article_id"].tolist() == ["a"]
    assert set(rows(report)) == {"locked.txt", "closed"}


# --------------------------------------------------------------------------- records


def test_csv_with_one_ragged_row_keeps_the_good_rows(tmp_path):
    (tmp_path / "export.csv").write_text(
        f'body,headline\n"{AR1}",أول\n"{AR2}",ثان,زائد\n"{AR3}",ثالث\n', encoding="utf-8")
    articles, report = read_corpus(tmp_path, csv_columns={"text": "body", "title": "headline"})
    assert articles["title"].tolist() == ["أول", "ثالث"]
    problem, action = rows(report)["export.csv:line 3"]
    assert problem == "malformed CSV row: 3 field(s), the header has 2"
    assert action.startswith("row skipped") and len(report) == 1


def test_jsonl_text_key_can_be_named(tmp_path):
    (tmp_path / "a.jsonl").write_text(f'{{"body": "{AR1}", "headline": "عنوان"}}\n',
                                      encoding="utf-8")
    _, report = read_corpus(tmp_path)
    assert "--text-column" in rows(report)["a.jsonl:1"][1]
    articles, _ = read_corpus(tmp_path, csv_columns={"text": "body", "title": "headline"})
    assert articles[["raw_text", "title"]].values.tolist() == [[AR1, "عنوان"]]


def test_duplicates_keep_the_copy_with_the_most_metadata(tmp_path):
    (tmp_path / "a_bare.txt").write_text(AR1, encoding="utf-8")
    (tmp_path / "b_full.txt").write_text(
        f"---\ntitle: عنوان\ndate: 2020-06-05\nsource: وكالة\n---\n{AR1}", encoding="utf-8")
    (tmp_path / "c_dated.txt").write_text(f"---\ndate: 2020-06-05\n---\n{AR1}",
                                          encoding="utf-8")
    articles, report = read_corpus(tmp_path)
    assert articles["article_id"].tolist() == ["b_full"]
    assert articles["date"].tolist() == [pd.Timestamp("2020-06-05")]
    found = rows(report)
    assert found["a_bare.txt"][0].startswith("duplicate of b_full (b_full.txt")
    assert found["a_bare.txt"][1] == ("skipped; the copy in b_full.txt is kept because it has "
                                      "date, title, source")
    assert found["c_dated.txt"][1].endswith("because it has title, source")


def test_saved_page_without_a_date_is_noted(tmp_path):
    (tmp_path / "page.html").write_text(PAGE_WITHOUT_DATE, encoding="utf-8")
    articles, report = read_corpus(tmp_path)
    assert len(articles) == 1 and pd.isna(articles["date"].iloc[0])
    problem, action = rows(report)["page.html"]
    assert problem == "no publication date found in the saved page"
    assert action.startswith("analysed undated") and split_report(report)[0].empty


# --------------------------------------------------------------------------- text forms


def presentation_forms(text: str) -> str:
    """``text`` written with Arabic presentation forms (initial, medial, final glyphs), as
    text copied from some PDFs is."""
    forms: dict[tuple[str, str], str] = {}
    for cp in range(0xFE70, 0xFEFF):
        parts = unicodedata.decomposition(chr(cp)).split()
        if len(parts) == 2:
            forms[(chr(int(parts[1], 16)), parts[0])] = chr(cp)

    def shape(word: str) -> str:
        out = []
        for i, c in enumerate(word):
            where = ("<isolated>" if len(word) == 1 else "<initial>" if i == 0
                     else "<final>" if i == len(word) - 1 else "<medial>")
            out.append(forms.get((c, where)) or forms.get((c, "<final>")) or c)
        return "".join(out)

    return re.sub(r"\w+", lambda m: shape(m.group()), text)


def persian_keyboard(text: str) -> str:
    return text.replace("ي", "ی").replace("ى", "ی").replace("ك", "ک")


def test_match_key_reads_presentation_forms_and_persian_letters():
    shaped = presentation_forms(AR3)
    assert shaped != AR3 and any("\ufe70" <= c <= "\ufeff" for c in shaped)
    assert match_key(shaped) == match_key(AR3) == match_key(persian_keyboard(AR3))
    assert match_key("ۀ ہ ھ ە ۃ ے ڪ") == match_key("ه ه ه ه ة ي ك")
    assert normalize_presentation_forms(shaped) == AR3
    assert clean_text(shaped) == clean_text(AR3)  # the model reads plain letters
    assert clean_text(persian_keyboard(AR3)) == persian_keyboard(AR3)  # written as it was


def test_same_actors_with_persian_letters_and_presentation_forms(seed_articles, bundled_models):
    from helpers.pipeline import analyze

    plain = seed_articles["raw_text"].iloc[0]
    found = {}
    for name, text in [("plain", plain), ("persian", persian_keyboard(plain)),
                       ("presentation", presentation_forms(plain))]:
        analysis = analyze(text, models=bundled_models, progress=False)
        found[name] = set(analysis.resolved["actor_id"].dropna())
    assert len(found["plain"]) >= 10
    assert found["persian"] == found["plain"]
    assert found["presentation"] == found["plain"]


# --------------------------------------------------------------------------- outputs


def test_formula_cells_are_neutralised_for_spreadsheets_only():
    frame = pd.DataFrame({"t": ["=1+2", "+x", "-y", "@SUM(A1)", "\tz", "ليبيا", None],
                          "n": [-1, 2, 3, 4, 5, 6, 7]})
    safe = spreadsheet_safe(frame)
    assert safe["t"].tolist()[:6] == ["'=1+2", "'+x", "'-y", "'@SUM(A1)", "'\tz", "ليبيا"]
    assert pd.isna(safe["t"].iloc[6]) and safe["n"].tolist() == frame["n"].tolist()
    assert frame["t"].iloc[0] == "=1+2"  # the input is not changed
    assert neutralise_cell(-3) == -3


def test_staged_output_is_all_or_nothing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("kept", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), staged_output(out) as staging:
        (staging / "report.html").write_text("half", encoding="utf-8")
        raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary folder left
    assert sorted(p.name for p in out.iterdir()) == ["old.txt"]
    with staged_output(out) as staging:
        (staging / "tables").mkdir()
        (staging / "report.html").write_text("done", encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["old.txt", "report.html", "tables"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


# --------------------------------------------------------------------------- the CLI


@pytest.fixture()
def no_analysis(monkeypatch):
    """Fail the test if the analysis starts (options must be checked before any work)."""
    import helpers.pipeline

    def refuse(*args, **kwargs):
        raise AssertionError("the analysis started before --out was checked")

    monkeypatch.setattr(helpers.pipeline, "analyze", refuse)


@pytest.mark.parametrize("out, message", [
    ("", "--out is empty"),
    ("FILE", "is a file, not a folder"),
    ("/proc/arabic-news-out", "cannot be written"),
])
def test_bad_out_is_one_clear_line_before_any_work(out, message, tmp_path, capsys, no_analysis):
    (tmp_path / "a.txt").write_text(AR1, encoding="utf-8")
    if out == "FILE":
        out = str(tmp_path / "a.txt")
    assert cli.main(["analyze", str(tmp_path / "a.txt"), "--out", out]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("option, message", [
    (["--encoding", "klingon"], "--encoding 'klingon' is not a known encoding"),
    (["--min-arabic-ratio", "2"], "'2' is not between 0 and 1"),
])
def test_bad_loader_options_are_usage_errors(option, message, tmp_path, capsys, no_analysis):
    (tmp_path / "a.txt").write_text(AR1, encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        raise SystemExit(cli.main(["analyze", str(tmp_path / "a.txt"), "--out",
                                   str(tmp_path / "o"), *option]))
    assert info.value.code == cli.EXIT_USAGE and message in capsys.readouterr().err


def test_ctrl_c_exits_130_with_one_line_and_no_partial_output(tmp_path, capsys, monkeypatch):
    import helpers.pipeline

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(helpers.pipeline, "analyze", interrupted)
    (tmp_path / "a.txt").write_text(AR1, encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["analyze", str(tmp_path / "a.txt"), "--out", str(out)]) == 130
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "interrupted" in err
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_loader_options_reach_the_loader(tmp_path, monkeypatch):
    import helpers.pipeline

    seen = {}

    def capture(source, **kwargs):
        seen.update(kwargs["load_options"])
        raise KeyboardInterrupt  # stop before any real work

    monkeypatch.setattr(helpers.pipeline, "analyze", capture)
    (tmp_path / "a.csv").write_text("body\nx\n", encoding="utf-8")
    cli.main(["analyze", str(tmp_path / "a.csv"), "--out", str(tmp_path / "o"),
              "--min-arabic-ratio", "0", "--text-column", "body", "--date-column", "published",
              "--encoding", "cp1256"])
    assert seen == {"min_arabic_ratio": 0.0, "encoding": "cp1256",
                    "csv_columns": {"text": "body", "date": "published"}}


def test_every_hint_names_a_real_option():
    options = {opt for action in cli.build_parser()._subparsers._group_actions[0]
               .choices["analyze"]._actions for opt in action.option_strings}
    source = (Path(cli.__file__).parent / "corpus.py").read_text(encoding="utf-8")
    named = set(re.findall(r"--[a-z][a-z-]+", source))
    assert named and named <= options, named - options


def make_bad_folder(folder: Path) -> list[str]:
    """Two good articles and one of each bad input of issue 14; returns the bad names."""
    (folder / "sub").mkdir(parents=True)
    (folder / "good1.txt").write_text(GOOD.format(title="=HYPERLINK(\"http://x\")", day=10),
                                      encoding="utf-8")
    (folder / "sub" / "good2.txt").write_text(GOOD.format(title="خبر ثان", day=12),
                                              encoding="utf-8")
    bad: dict[str, bytes | None] = {
        "damaged.txt": damaged("\n".join([AR1, AR2, AR3] * 2), 5)[0],
        "noise.txt": bytes(random.Random(1).randrange(0x80, 0x100) for _ in range(2000)),
        "empty.txt": b"",
        "english.txt": b"The talks resumed in Geneva on Monday. " * 5,
        "persian.txt": PERSIAN.encode(),
        "duplicate.txt": GOOD.format(title="خبر ثان", day=12).split("---\n")[-1].encode(),
        "ragged.csv": f'text,title\n"{AR1}",أ,زائد\n'.encode(),
        "page.html": PAGE_WITHOUT_DATE.encode(),
        "slides.pptx": b"PK\x03\x04 not a text",
        ".hidden.txt": AR3.encode(),
        "..name.txt": AR3.encode(),
    }
    for name, data in bad.items():
        (folder / name).write_bytes(data or b"")
    os.mkfifo(folder / "pipe.txt")
    (folder / "loop.txt").symlink_to("loop.txt")
    return [*bad, "pipe.txt", "loop.txt"]


def test_acceptance_folder_of_bad_inputs_through_the_cli(tmp_path, capsys, bundled_models):
    folder = tmp_path / "in"
    bad = make_bad_folder(folder)
    out = tmp_path / "out"
    code = cli.main(["analyze", str(folder), "--out", str(out), "--no-progress"])
    captured = capsys.readouterr()
    err = captured.err
    assert code == cli.EXIT_SKIPPED
    assert "Traceback" not in err
    articles = pd.read_parquet(out / "tables" / "articles.parquet")
    # damaged.txt is analysed (bytes replaced), persian.txt and page.html too (notes)
    assert sorted(articles["article_id"]) == ["damaged", "good1", "page", "persian",
                                              "sub/good2"]
    report = pd.read_parquet(out / "tables" / "load_report.parquet")
    assert sorted(report["file"]) == sorted(
        "ragged.csv:line 2" if name == "ragged.csv" else name for name in bad)
    skipped, notes = split_report(report)
    assert sorted(notes["file"]) == ["damaged.txt", "page.html", "persian.txt"]
    for row in skipped.itertuples(index=False):
        assert f"skipped: {row.file}: {row.problem}" in err
    for row in notes.itertuples(index=False):
        assert f"note: {row.file}: {row.problem}" in err
    assert f"5 article(s) analysed, {len(skipped)} input(s) skipped" in captured.out
    # formula injection: neutralised in the CSV, exact in Parquet
    assert "=HYPERLINK(\"http://x\")" in articles["title"].tolist()
    csv_titles = pd.read_csv(out / "tables" / "articles.csv")["title"].tolist()
    assert "'=HYPERLINK(\"http://x\")" in csv_titles
    assert not list(tmp_path.glob(".out.partial-*"))
