"""Time helpers: binning, share of attention, smoothing, sentiment intervals, change flags,
on small made-up tables whose answers are worked out by hand (plots: test_figures.py)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from helpers import timeline as tl


def _articles(rows: list[tuple[str, str | None, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "article_id": [r[0] for r in rows],
            "date": pd.to_datetime([r[1] for r in rows]),
            "date_precision": [r[2] for r in rows],
        }
    )


@pytest.fixture()
def articles() -> pd.DataFrame:
    # a1, a2: June 2020 (week of 1 June and week of 15 June); a3: known only to the month
    # (June 2020); a4: July 2020; a5: undated.
    return _articles(
        [
            ("a1", "2020-06-03", "day"),
            ("a2", "2020-06-17", "day"),
            ("a3", "2020-06-01", "month"),
            ("a4", "2020-07-10", "day"),
            ("a5", None, None),
        ]
    )


@pytest.fixture()
def resolved() -> pd.DataFrame:
    rows = [
        ("a1", "haftar"), ("a1", "haftar"), ("a1", "sisi"), ("a1", None),
        ("a2", "sisi"),
        ("a3", "haftar"), ("a3", "erdogan"),
        ("a4", "erdogan"), ("a4", "erdogan"), ("a4", "haftar"),
        ("a5", "haftar"),
    ]
    return pd.DataFrame(rows, columns=["article_id", "actor_id"])


# --------------------------------------------------------------------------- binning


def test_choose_freq_follows_density() -> None:
    dense = pd.Series(pd.to_datetime(["2020-06-01"] * 5 + ["2020-06-03"] * 5))
    assert tl.choose_freq(dense) == "D"  # 10 documents over 3 days
    weekly = pd.Series(pd.date_range("2020-06-01", periods=12, freq="2D"))
    assert tl.choose_freq(weekly) == "W"  # 12 over 23 days: 0.5/day, 3.7/week
    sparse = pd.Series(pd.date_range("2019-04-01", periods=30, freq="MS"))
    assert tl.choose_freq(sparse) == "M"
    assert tl.choose_freq(pd.Series([pd.NaT, pd.NaT])) == "M"


def test_choose_freq_prefers_months_when_many_dates_are_coarse() -> None:
    dates = pd.Series(pd.to_datetime(["2020-06-01"] * 10 + ["2020-06-02"] * 10))
    prec = pd.Series(["day"] * 14 + ["month"] * 6)  # 30% month-only
    assert tl.choose_freq(dates) == "D"
    assert tl.choose_freq(dates, prec) == "M"


def test_bin_documents_week_drops_month_precision_and_undated(articles, capsys) -> None:
    binned, binning = tl.bin_documents(articles, "W")
    assert binned["article_id"].tolist() == ["a1", "a2", "a4"]
    # weeks start on Monday: 2020-06-03 is a Wednesday, its week starts on 2020-06-01
    assert binned["bin"].tolist() == pd.to_datetime(
        ["2020-06-01", "2020-06-15", "2020-07-06"]).tolist()
    assert (binning.n_undated, binning.n_too_coarse, binning.n_binned) == (1, 1, 3)
    assert binning.freq == "W" and binning.n_documents == 5
    assert "1 undated" in binning.note and "dated only to the month" in binning.note
    assert capsys.readouterr().out == "" and not binned.attrs  # nothing printed or hidden
    assert tl.assign_bins(articles, "W")["article_id"].tolist() == ["a1", "a2", "a4"]


def test_bin_documents_month_keeps_month_precision(articles) -> None:
    binned, binning = tl.bin_documents(articles, "M")
    assert binned.set_index("article_id")["bin"].dt.strftime("%Y-%m").to_dict() == {
        "a1": "2020-06", "a2": "2020-06", "a3": "2020-06", "a4": "2020-07"}
    assert binning.n_too_coarse == 0 and "dated only" not in binning.note
    assert tl.bin_documents(articles)[1].freq == tl.choose_freq(
        articles["date"], articles["date_precision"])  # auto


def test_assign_bins_rejects_unknown_freq(articles) -> None:
    with pytest.raises(ValueError, match="freq='Q'"):
        tl.assign_bins(articles, "Q")


def test_year_precision_is_never_binned() -> None:
    arts = _articles([("y", "2020-01-01", "year"), ("d", "2020-03-05", "day")])
    assert tl.assign_bins(arts, "M")["article_id"].tolist() == ["d"]


# --------------------------------------------------------------------------- attention


def test_attention_share_monthly_arithmetic(articles, resolved) -> None:
    table = tl.attention_share(resolved, articles, "M")
    june = table[table["bin"] == pd.Timestamp("2020-06-01")].set_index("actor_id")
    # June: a1 (haftar x2, sisi, one unresolved), a2 (sisi), a3 (haftar, erdogan) -> 6
    assert june["n_mentions"].unique().tolist() == [6]
    assert june["n_docs"].unique().tolist() == [3]
    assert june["mentions"].to_dict() == {"erdogan": 1, "haftar": 3, "sisi": 2}
    assert june["share"].to_dict() == pytest.approx({"erdogan": 1 / 6, "haftar": 0.5, "sisi": 1 / 3})
    july = table[table["bin"] == pd.Timestamp("2020-07-01")].set_index("actor_id")
    assert july["share"].to_dict() == pytest.approx({"erdogan": 2 / 3, "haftar": 1 / 3, "sisi": 0.0})
    # shares of a bin add up to one; the undated a5 is nowhere
    assert table.groupby("bin")["share"].sum().tolist() == pytest.approx([1.0, 1.0])
    assert table["mentions"].sum() == 9


def test_attention_share_weekly_fills_empty_bins(articles, resolved) -> None:
    table = tl.attention_share(resolved, articles, "W")
    weeks = sorted(table["bin"].unique())
    assert len(weeks) == 6  # 1 June .. 6 July, every week, empty ones included
    empty = table[table["bin"] == pd.Timestamp("2020-06-08")]
    assert (empty["n_mentions"] == 0).all() and empty["share"].isna().all()
    first = table[table["bin"] == pd.Timestamp("2020-06-01")].set_index("actor_id")
    # the month-only a3 is left out of weeks: a1 alone -> haftar 2/3, sisi 1/3
    assert first["share"].to_dict() == pytest.approx({"erdogan": 0.0, "haftar": 2 / 3, "sisi": 1 / 3})


def test_top_actors_orders_by_mentions(articles, resolved) -> None:
    table = tl.attention_share(resolved, articles, "M")
    assert tl.top_actors(table, 2) == ["haftar", "erdogan"]
    assert tl.top_actors(table, 5, exclude=["haftar"]) == ["erdogan", "sisi"]


def test_smooth_is_a_centred_mean() -> None:
    s = pd.Series([0.0, 3.0, 0.0, 3.0, np.nan, 3.0])
    assert tl.smooth(s, 3).tolist() == pytest.approx([1.5, 1.0, 2.0, 1.5, 3.0, 3.0])
    assert tl.smooth(s, 1).iloc[:4].tolist() == [0.0, 3.0, 0.0, 3.0]
    with pytest.raises(ValueError):
        tl.smooth(s, 0)


# --------------------------------------------------------------------------- sentiment


def test_sentiment_over_time(articles) -> None:
    scored = pd.DataFrame(
        {
            "article_id": ["a1", "a1", "a2", "a4", "a5", "a1"],
            "actor_id": ["haftar", "haftar", "haftar", "haftar", "haftar", "sisi"],
            "score": [-0.8, -0.4, 0.0, 0.6, 1.0, 0.2],
        }
    )
    table = tl.sentiment_over_time(scored, articles, "M", n_boot=500, seed=7)
    row = table[(table["actor_id"] == "haftar") & (table["bin"] == pd.Timestamp("2020-06-01"))]
    assert row["n"].item() == 3 and row["mean"].item() == pytest.approx(-0.4)
    assert row["ci_low"].item() <= -0.4 <= row["ci_high"].item()
    assert -0.8 - 1e-9 <= row["ci_low"].item() and row["ci_high"].item() <= 1e-9
    single = table[(table["actor_id"] == "haftar") & (table["bin"] == pd.Timestamp("2020-07-01"))]
    assert single["n"].item() == 1 and np.isnan(single["ci_low"].item())
    assert table["n"].sum() == 5  # the undated a5 is not counted
    only = tl.sentiment_over_time(scored, articles, "M", actors=["sisi"])
    assert only["actor_id"].unique().tolist() == ["sisi"]


# --------------------------------------------------------------------------- change flags


def _series(values: list[float], n: int = 40, actor: str = "sisi") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "bin": pd.date_range("2020-01-01", periods=len(values), freq="MS"),
            "actor_id": actor,
            "share": values,
            "n_mentions": n,
        }
    )


def test_change_flag_on_a_jump() -> None:
    out = tl.change_flags(_series([0.10, 0.10, 0.12, 0.08, 0.30, 0.11]))
    assert out["flag"].tolist() == [False, False, False, False, True, False]
    jump = out.iloc[4]
    assert jump["baseline"] == pytest.approx(0.10)
    assert jump["baseline_sd"] == pytest.approx(np.std([0.10, 0.10, 0.12, 0.08], ddof=1))
    assert jump["change"] == pytest.approx(0.20) and jump["direction"] == "up"
    assert jump["z"] == pytest.approx(0.20 / np.std([0.10, 0.10, 0.12, 0.08], ddof=1))


def test_change_flag_needs_both_thresholds_and_enough_mentions() -> None:
    # z is large (flat-ish baseline) but the change is only 3 points: not flagged
    small = tl.change_flags(_series([0.10, 0.101, 0.099, 0.10, 0.13]))
    assert not small["flag"].any() and small["z"].iloc[-1] > 2
    # a big change inside a noisy baseline: |z| < 2, not flagged
    noisy = tl.change_flags(_series([0.05, 0.40, 0.05, 0.40, 0.30]))
    assert not noisy["flag"].any()
    # a fall from a flat baseline: z = -inf, flagged down
    fall = tl.change_flags(_series([0.3, 0.3, 0.3, 0.3, 0.1]))
    assert fall["flag"].iloc[-1] and fall["direction"].iloc[-1] == "down"
    assert fall["z"].iloc[-1] == -np.inf
    # same fall with only 5 actor mentions in each bin: not flagged
    assert not tl.change_flags(_series([0.3, 0.3, 0.3, 0.3, 0.1], n=5))["flag"].any()


def test_change_flag_skips_empty_bins_and_short_history() -> None:
    values = [0.1, np.nan, 0.1, 0.1, 0.1, 0.4]
    out = tl.change_flags(_series(values))
    assert np.isnan(out["baseline"].iloc[1])  # an empty bin gets no baseline
    assert out["flag"].tolist() == [False] * 5 + [True]  # baseline = the 4 valued bins
    assert not tl.change_flags(_series([0.1, 0.1, 0.1, 0.9]))["flag"].any()  # < k bins
    with pytest.raises(ValueError):
        tl.change_flags(_series([0.1, 0.2]), k=1)


def test_change_flag_is_per_actor() -> None:
    table = pd.concat([_series([0.1] * 4 + [0.4], actor="a"), _series([0.1] * 5, actor="b")])
    out = tl.change_flags(table)
    assert out.loc[out["flag"], "actor_id"].tolist() == ["a"]


# --------------------------------------------------------------------------- events and labels


def test_load_events_reads_jsonl(tmp_path) -> None:
    path = tmp_path / "events.jsonl"
    lines = [
        {"id": "b", "date": "2020-06-05", "date_precision": "day", "title": "B",
         "actors": ["gna"], "event_type": "battle", "text": "ب", "sources": ["https://x.org"]},
        {"id": "a", "date": "2019-09", "date_precision": "month", "title": "A",
         "actors": ["wagner"], "event_type": "foreign_intervention", "text": "أ",
         "sources": ["https://y.org"], "milestone": True},
    ]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n",
                    encoding="utf-8")
    ev = tl.load_events(path)
    assert ev["id"].tolist() == ["a", "b"]  # sorted by date
    assert ev["date"].iloc[0] == pd.Timestamp("2019-09-01")
    assert ev["milestone"].tolist() == [True, False]
    assert ev["actors"].iloc[1] == ["gna"] and ev["text_en"].isna().all()


def test_load_events_reports_the_bad_line(tmp_path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "date": "2020-01-01"}\n{not json}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        tl.load_events(path)
    with pytest.raises(FileNotFoundError, match="JSON Lines"):
        tl.load_events(tmp_path / "missing.jsonl")


def test_event_lane() -> None:
    assert tl.event_lane("battle") == "Military"
    assert tl.event_lane("ceasefire") == "Diplomacy"
    assert tl.event_lane("something_new") == "Other"


def test_narrative_table() -> None:
    scored = pd.DataFrame(
        {
            "article_id": "art",
            "sent_id": [0, 0, 1, 3, 3],
            "start": [5, 20, 0, 0, 9],
            "actor_id": ["sisi", "haftar", "haftar", "sisi", "sisi"],
            "score": [0.5, -0.5, -1.0, 0.2, 0.4],
        }
    )
    table = tl.narrative_table(scored, "art")
    assert table[["sent_id", "actor_id", "n"]].values.tolist() == [
        [0, "sisi", 1], [3, "sisi", 2], [0, "haftar", 1], [1, "haftar", 1]]
    assert table.loc[table["sent_id"] == 3, "score"].item() == pytest.approx(0.3)
    with pytest.raises(ValueError, match="No scored actor mentions"):
        tl.narrative_table(scored, "other")
