"""Archives in partitions: planning, resume, engines that agree, bad inputs reported."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from helpers import archive
from helpers.archive import (
    ArchiveError,
    Options,
    analyze_archive,
    is_complete,
    plan_partitions,
    read_part_table,
    synthetic_archive,
)

PER_ROW = ("articles", "resolved_mentions", "actor_sentiment", "stance")


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory) -> Path:
    return synthetic_archive(24, tmp_path_factory.mktemp("arch") / "small.jsonl", seed=1,
                             sentences_per_article=(2, 4))


@pytest.fixture(scope="module")
def local_run(small_archive, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local")
    analyze_archive(small_archive, out, partition_size=8, progress=False)
    return out


def _tables(out: Path) -> dict[str, pd.DataFrame]:
    return {name: read_part_table(out, name) for name in PER_ROW}


def _assert_same(a: Path, b: Path) -> None:
    for name, table in _tables(a).items():
        pd.testing.assert_frame_equal(table, read_part_table(b, name), obj=name)


def test_synthetic_archive_is_deterministic(tmp_path):
    a = synthetic_archive(5, tmp_path / "a.jsonl", seed=3)
    b = synthetic_archive(5, tmp_path / "b.jsonl", seed=3)
    assert a.read_text() == b.read_text()
    records = [json.loads(line) for line in a.read_text().splitlines()]
    assert len(records) == 5 and all(r["date"].startswith(("2019", "2020", "2021"))
                                      for r in records)


def test_plan_by_count_and_by_month(small_archive):
    parts = plan_partitions(small_archive, size=10)
    assert [p.key for p in parts] == ["p00000", "p00001", "p00002"]
    assert [p.size for p in parts] == [10, 10, 4]
    assert len({p.fingerprint for p in parts}) == 3
    months = plan_partitions(small_archive, size=10, by="month")
    assert sum(p.size for p in months) == 24
    assert all(p.key[:7] == f"{pd.Timestamp(p.key[:7]):%Y-%m}" for p in months)


def test_plan_refuses_month_for_a_folder_and_bad_sizes(tmp_path):
    (tmp_path / "a.txt").write_text("قالت الأمم المتحدة إن المحادثات ستستأنف.", encoding="utf-8")
    with pytest.raises(ArchiveError, match="partition-by count"):
        plan_partitions(tmp_path, by="month")
    with pytest.raises(ArchiveError, match="at least 1"):
        plan_partitions(tmp_path, size=0)


def test_partitioned_tables_are_readable_as_one_dataset(local_run):
    resolved = pd.read_parquet(local_run / "parts" / "resolved_mentions")
    assert len(resolved) == len(read_part_table(local_run, "resolved_mentions")) > 0
    articles = read_part_table(local_run, "articles")
    assert articles["article_id"].is_unique and len(articles) == 24


def test_the_run_records_its_analysis_phase(local_run):
    run = json.loads((local_run / "parts" / "run.json").read_text(encoding="utf-8"))
    assert run["engine"] == "local" and run["partitions"] == 3 and run["articles"] == 24
    assert run["engine_s"] > 0 and run["cpu_s"] > 0


def test_resume_after_an_interrupted_run_gives_the_same_tables(small_archive, local_run,
                                                                tmp_path, monkeypatch):
    real = archive.run_partition
    calls = []

    def dies_on_second(part, out, options):
        calls.append(part.key)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(part, out, options)

    monkeypatch.setattr(archive, "run_partition", dies_on_second)
    with pytest.raises(KeyboardInterrupt):
        analyze_archive(small_archive, tmp_path, partition_size=8, progress=False)
    monkeypatch.setattr(archive, "run_partition", real)
    result = analyze_archive(small_archive, tmp_path, partition_size=8, progress=False)
    assert result.skipped_complete == 1 and result.partitions == 3
    _assert_same(local_run, tmp_path)


def test_a_damaged_partition_file_is_redone(small_archive, tmp_path):
    analyze_archive(small_archive, tmp_path, partition_size=8, progress=False)
    part = plan_partitions(small_archive, size=8)[1]
    assert is_complete(part, tmp_path, Options())
    (tmp_path / "parts" / "stance" / f"{part.key}.parquet").write_bytes(b"PAR1 truncated")
    assert not is_complete(part, tmp_path, Options())
    assert not is_complete(part, tmp_path, Options(metonymy=False))  # other options: redo
    result = analyze_archive(small_archive, tmp_path, partition_size=8, progress=False)
    assert result.skipped_complete == 2
    assert is_complete(part, tmp_path, Options())


def test_a_bad_input_is_reported_and_the_rest_completes(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    good = "رحبت الأمم المتحدة باستئناف المحادثات بين الأطراف الليبية في جنيف."
    for i in range(4):
        (folder / f"{i}_good.txt").write_text(f"{good} ({i})", encoding="utf-8")
    (folder / "2_empty.txt").write_text("", encoding="utf-8")
    result = analyze_archive(folder, tmp_path / "out", partition_size=2, progress=False)
    assert not result.failed and result.partitions == 3
    report = result.analysis.load_report
    assert report["file"].str.contains("2_empty").any()
    assert len(result.analysis.articles) == 4


@pytest.mark.slow
def test_dask_and_local_engines_agree_on_200_articles(tmp_path, monkeypatch):
    pytest.importorskip("dask.distributed")
    source = synthetic_archive(200, tmp_path / "200.jsonl", seed=2, sentences_per_article=(2, 4))
    monkeypatch.setenv("ARABIC_NEWS_CACHE", str(tmp_path / "cache_local"))
    local = analyze_archive(source, tmp_path / "local", partition_size=50, progress=False)
    # a cache of its own: the Dask workers analyse every partition themselves
    monkeypatch.setenv("ARABIC_NEWS_CACHE", str(tmp_path / "cache_dask"))
    dask = analyze_archive(source, tmp_path / "dask", partition_size=50, engine="dask",
                           workers=2, progress=False)
    assert not dask.failed and not local.failed
    _assert_same(tmp_path / "local", tmp_path / "dask")
    pd.testing.assert_frame_equal(local.analysis.actor_table, dask.analysis.actor_table)
    pd.testing.assert_frame_equal(local.analysis.stance_edges, dask.analysis.stance_edges)
    pd.testing.assert_frame_equal(local.analysis.sentiment_summary, dask.analysis.sentiment_summary)


def test_cli_archive_options_write_parts_tables_and_report(small_archive, tmp_path):
    from helpers.__main__ import main

    out = tmp_path / "out"
    assert main(["analyze", str(small_archive), "--out", str(out), "--partition-size", "8",
                 "--no-progress"]) == 0
    assert (out / "report.html").is_file()
    assert len(list((out / "parts" / "_manifest").glob("*.json"))) == 3
    table = pd.read_csv(out / "tables" / "actor_table.csv")
    assert table["mentions"].sum() == read_part_table(out, "resolved_mentions")[
        "actor_id"].notna().sum()
    with pytest.raises(SystemExit) as exit_:
        main(["analyze", str(small_archive), "--out", str(out), "--partition-size", "0"])
    assert exit_.value.code == 1


def test_a_cached_partition_is_read_back_identical_and_options_are_in_its_key(
        small_archive, tmp_path, monkeypatch):
    monkeypatch.setenv("ARABIC_NEWS_CACHE", str(tmp_path / "cache"))
    first = analyze_archive(small_archive, tmp_path / "a", partition_size=8, progress=False)
    assert not first.failed
    assert len(list((tmp_path / "cache" / archive.PARTITION_CACHE_STAGE).glob("*.parquet"))) \
        == 3 * (len(archive._CACHED_TABLES) + 1)

    def no_analysis(*args, **kwargs):
        raise AssertionError("a cached partition was analysed again")

    monkeypatch.setattr(archive, "analyze_rows", no_analysis)
    again = analyze_archive(small_archive, tmp_path / "b", partition_size=8, resume=False,
                            progress=False)
    assert not again.failed
    for name in archive.PART_TABLES:
        pd.testing.assert_frame_equal(read_part_table(tmp_path / "a", name),
                                      read_part_table(tmp_path / "b", name), obj=name)
    pd.testing.assert_frame_equal(first.analysis.actor_table, again.analysis.actor_table)
    # another option (or code, data, input) is another key: analysed again, here refused
    other = analyze_archive(small_archive, tmp_path / "c", partition_size=8, progress=False,
                            options=Options(metonymy=False))
    assert len(other.failed) == 3 and "analysed again" in other.failed[0]["error"]


def test_streamed_aggregation_equals_the_stage_functions_on_whole_tables(local_run):
    """The corpus tables read partition by partition, from narrow columns, are those the
    stage functions make from the whole per-row tables (what ``analyze`` would do)."""
    from helpers.actors import actor_table, comention_edges, load_actors
    from helpers.discovery import with_discovered
    from helpers.sentiment import aggregate_sentiment
    from helpers.stance import stance_edges

    whole = {name: read_part_table(local_run, name) for name in archive.PART_TABLES}
    resolved, per_mention = whole["resolved_mentions"], whole["actor_sentiment"]
    assert resolved["article_id"].nunique() > 5  # several partitions, several articles
    known = resolved[resolved["actor_id"].notna()]
    actors = with_discovered(load_actors(), resolved)
    got = archive.aggregate(local_run, Options(), report_articles=5)
    pd.testing.assert_frame_equal(got.actor_table,
                                  actor_table(known, by_article=False, actors=actors))
    pd.testing.assert_frame_equal(got.article_actors,
                                  actor_table(known, by_article=True, actors=actors))
    pd.testing.assert_frame_equal(got.comention, comention_edges(known))
    pd.testing.assert_frame_equal(got.stance_edges, stance_edges(whole["stance"]))
    expected = aggregate_sentiment(per_mention, by=("actor_id",))
    for col in expected.columns:  # the most positive/negative mention's text included
        assert got.sentiment_summary[col].tolist() == pytest.approx(
            expected[col].tolist(), nan_ok=True) if expected[col].dtype.kind == "f" else \
            got.sentiment_summary[col].tolist() == expected[col].tolist(), col
    assert (got.sentiment_summary["most_negative_context"] != "").any()
    # only the shown articles keep their rows and text; the counts are the whole tables'
    assert len(got.articles) == 24 and (got.articles["text"] != "").sum() == 5
    assert got.resolved["article_id"].nunique() <= 5
    assert got.counts()["resolved_mentions"] == len(resolved)
    assert got.counts()["actor_sentiment"] == len(per_mention)
    assert got.n_articles == 24


def test_archive_tables_folder_points_to_parts_instead_of_copying(local_run, tmp_path):
    got = archive.aggregate(local_run, Options(), report_articles=5)
    got.to_dir(tmp_path)
    written = {p.stem for p in tmp_path.glob("*.csv")}
    assert {"actor_table", "stance_edges", "sentiment_summary"} <= written
    assert not written & set(archive.PART_TABLES)  # per-row tables stay in parts/ only
    meta = json.loads((tmp_path / "analysis.json").read_text("utf-8"))
    assert "parts" in meta["per_row_tables"] and meta["counts"]["articles"] == 24
