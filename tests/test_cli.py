"""``python -m helpers analyze``: outputs, exit codes (0 / 2 skipped / 1 usage) and help."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import warnings

import pandas as pd
import pytest

from helpers.__main__ import main
from helpers.models import ModelNote
from helpers.paths import REPO_ROOT

GOOD = """---
title: {title}
date: 2020-06-{day:02d}
---
قال وزير الخارجية التركي مولود جاويش أوغلو إن أنقرة تدعم حكومة الوفاق في طرابلس.
وأعلنت روسيا أنها تتابع الوضع في سرت، فيما رحبت الجزائر بالحوار.
وجاءت التصريحات يوم {day} يونيو.
"""


@pytest.fixture(autouse=True)
def models(bundled_models) -> str:
    return bundled_models


def _article(folder, name, day):
    (folder / name).write_text(GOOD.format(title=f"خبر {day}", day=day), encoding="utf-8")


@pytest.fixture()
def mixed(tmp_path):
    """Two good articles and four bad files."""
    folder = tmp_path / "in"
    folder.mkdir()
    _article(folder, "good1.txt", 10)
    _article(folder, "good2.txt", 12)
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "english.txt").write_text("The talks resumed in Geneva on Monday. " * 5,
                                        encoding="utf-8")
    (folder / "slides.pptx").write_bytes(b"PK\x03\x04 not a text")
    return folder


def test_mixed_folder_exits_2_and_reports_each_bad_file(mixed, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["analyze", str(mixed), "--out", str(out), "--no-progress", "--freq", "D"]) == 2
    err = capsys.readouterr().err
    for bad in ("empty.txt", "binary.txt", "english.txt", "slides.pptx"):
        assert f"skipped: {bad}" in err
    articles = pd.read_parquet(out / "tables" / "articles.parquet")
    assert articles["article_id"].tolist() == ["good1", "good2"]
    resolved = pd.read_csv(out / "tables" / "resolved_mentions.csv")
    assert {"cavusoglu", "turkey", "gna", "russia"} <= set(resolved["actor_id"].dropna())
    page = (out / "report.html").read_text(encoding="utf-8")
    for bad in ("empty.txt", "binary.txt", "english.txt", "slides.pptx"):
        assert bad in page
    assert "4 input(s) were skipped" in page
    figures = {p.stem for p in (out / "figures").glob("*.png")}
    assert {"top_actors", "actor_sentiment", "attention_over_time", "sentiment_over_time"} <= figures
    assert page.count('src="data:image/png;base64,') == len(figures)
    assert 'dir="rtl" lang="ar"' in page and "<mark" in page


def test_all_good_exits_0_and_names_the_report(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    _article(folder, "only.txt", 3)
    assert main(["analyze", str(folder), "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert "1 article(s) analysed, 0 input(s) skipped" in captured.out
    assert "report.html" in captured.out and "skipped:" not in captured.err
    assert "NER + actors" not in captured.err  # no progress bar for one article


def test_progress_bar_for_more_than_three_articles(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    for day in range(1, 5):
        _article(folder, f"a{day}.txt", day)
    assert main(["analyze", str(folder), "--out", str(tmp_path / "out")]) == 0
    assert "NER + actors" in capsys.readouterr().err


def test_stdin_input(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(GOOD.format(title="من الإدخال", day=5)))
    assert main(["analyze", "-", "--out", str(tmp_path / "out")]) == 0
    articles = pd.read_csv(tmp_path / "out" / "tables" / "articles.csv")
    assert articles["title"].tolist() == ["من الإدخال"]


@pytest.mark.parametrize("argv, message", [
    (["analyze", "nowhere/at/all", "--out", "x"], "does not exist"),
    (["analyze", "data/corpus"], "--out"),
    (["analyze", "data/corpus", "--out", "x", "--models", "gpt"], "invalid choice"),
    (["analyze", "data/corpus", "--out", "x", "--actors", "missing.csv"], "not a file"),
    (["analyze", "data/corpus", "--out", "x", "--colour"], "unrecognized arguments"),
    (["summarise", "x"], "invalid choice"),
    ([], "required"),
])
def test_usage_errors_exit_1(argv, message, capsys, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    with pytest.raises(SystemExit) as info:
        raise SystemExit(main(argv))
    assert info.value.code == 1
    assert message in capsys.readouterr().err


def test_empty_stdin_is_a_usage_error(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("  \n"))
    assert main(["analyze", "-", "--out", str(tmp_path / "out")]) == 1
    assert "nothing was read from stdin" in capsys.readouterr().err


def test_bad_actor_dictionary_is_a_usage_error(tmp_path, capsys):
    bad = tmp_path / "actors.csv"
    bad.write_text("actor_id,name_en\nx,X\nx,Y\n", encoding="utf-8")
    assert main(["analyze", "data/corpus", "--out", str(tmp_path / "o"),
                 "--actors", str(bad)]) == 1
    assert "--actors actors.csv" in capsys.readouterr().err


def test_url_list_without_network_is_a_clear_error(tmp_path, capsys, monkeypatch):
    import helpers.fetch as fetch

    monkeypatch.setattr(fetch, "_sleep", lambda seconds: None)  # no real back-off
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    urls = tmp_path / "urls.txt"
    urls.write_text(f"http://127.0.0.1:{port}/news/1.html\n", encoding="utf-8")
    assert main(["analyze", str(urls), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "cannot reach 127.0.0.1" in err and "save the pages" in err.lower()


def test_help_explains_every_option_with_examples():
    result = subprocess.run([sys.executable, "-m", "helpers", "analyze", "--help"],
                            capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    text = result.stdout
    for option in ("--out", "--models", "--actors", "--no-metonymy", "--freq", "INPUT"):
        assert option in text
    assert "examples:" in text and "python -m helpers analyze data/corpus --out out/" in text
    assert "exit status" in text and "urls.txt" in text


def test_one_dated_article_gets_the_timeline_figures_and_a_useful_time_note(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    _article(folder, "only.txt", 15)
    assert main(["analyze", str(folder), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    figures = {p.stem for p in (tmp_path / "out" / "figures").glob("*.png")}
    assert {"narrative", "event_timeline"} <= figures  # as notebook 07 draws them
    assert "attention_over_time" not in figures  # one time bin is not a trend
    assert "note: One dated article (2020-06-15)" in err and "two time bins" in err
    assert "Time bins: week; 1 of 1" not in err


def test_an_unwritable_cache_is_one_clean_note_line(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("ARABIC_NEWS_CACHE", str(blocker / "cache"))
    folder = tmp_path / "in"
    folder.mkdir()
    _article(folder, "only.txt", 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ModelNote)  # a Python warning to the user fails
        assert main(["analyze", str(folder), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "cannot be written" in line]
    assert len(lines) == 1 and lines[0].startswith("note: the output cache in ")
    assert "ARABIC_NEWS_CACHE" in lines[0] and "Warning" not in err and "warn(" not in err
    meta = json.loads((tmp_path / "out" / "tables" / "analysis.json").read_text("utf-8"))
    assert any("cannot be written" in note for note in meta["notes"])
