"""The sentiment evaluation data (data/eval/sentiment.csv) and command (helpers.eval_sentiment)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import eval_sentiment as E
from helpers import sentiment as S
from helpers.models import ModelUnavailable


@pytest.fixture(scope="module")
def items() -> pd.DataFrame:
    return E.load_sentiment_eval()


def test_eval_items_are_many_varied_and_well_formed(items):
    assert len(items) >= 150
    assert set(items["gold"]) == {"positive", "negative", "neutral"}
    # news is mostly neutral, and the data say so
    assert items["gold"].value_counts().idxmax() == "neutral"
    assert {"seed", "written"} <= set(items["origin"])
    assert (items["rationale"].str.len() > 5).all()
    assert not items["rationale"].str.contains("\n").any()
    # every target is found where the item says, as written
    spans = items.apply(lambda r: r["sentence"][r["start"]:r["end"]], axis=1)
    assert (spans == items["target"]).all()
    # the two halves of versions 1-2 are of equal size, and balanced per label; items
    # written later for a construction being tuned (ids above 944) are dev only
    split = items[items["id"] <= 944]
    assert abs((split["split"] == "dev").sum() - (split["split"] == "heldout").sum()) <= 1
    per_label = split.groupby(["gold", "split"]).size().unstack()
    assert ((per_label["dev"] - per_label["heldout"]).abs() <= 5).all()
    assert (items.loc[items["id"] > 944, "split"] == "dev").all()


def test_eval_items_cover_other_conflicts_and_the_hard_constructions(items):
    assert len(items) >= 800
    assert (items["conflict"] != "libya").sum() >= len(items) / 2  # at least half elsewhere
    assert (items["conflict"] != "libya").sum() >= 400
    assert {"sudan", "yemen", "syria", "somalia", "sahel", "ethiopia", "iraq", "lebanon"} <= set(items["conflict"])
    counts = items["phenomenon"].value_counts()
    for phenomenon in ("stance_object", "stance_subject", "warning_speaker", "place_harm",
                       "quote_speaker", "quote_about", "accuser", "accused", "negation"):
        assert counts.get(phenomenon, 0) >= 5, phenomenon
    # stance objects are not positive: receiving support is not sentiment (guideline)
    assert set(items.loc[items["phenomenon"] == "stance_object", "gold"]) == {"neutral"}
    # the items added with a split column keep each sentence in one half
    added = items[items["id"] > 433]
    assert (added.groupby("sentence")["split"].nunique() == 1).all()
    # many sentences hold two actors of different polarity
    golds = items.groupby("sentence")["gold"].agg(set)
    assert (golds.map(len) > 1).sum() >= 80


def test_eval_tables_give_every_annotated_actor_of_a_sentence(items):
    sentence = items.groupby("sentence")["id"].transform("count").idxmax()
    part = items[items["sentence"] == items.loc[sentence, "sentence"]]
    sentences, resolved = E.eval_tables(part)
    assert len(sentences) == 1 and len(resolved) == len(part) >= 3
    assert resolved["article_id"].nunique() == 1


def test_seed_items_cover_every_seed_actor_kind(items):
    seed = items[items["origin"] == "seed"]
    assert {"haftar", "lna", "gna", "france", "turkey", "russia", "egypt", "italy", "wagner",
            "algeria"} <= set(seed["actor_id"])
    # a mixed sentence: two actors with opposite gold polarity
    by_sentence = items.groupby("sentence")["gold"].agg(set)
    assert (by_sentence.map(lambda s: {"positive", "negative"} <= s)).sum() >= 3


def test_find_target_respects_word_boundaries():
    s = "أعلنت تركيا أن الرئيسين الروسي والتركي وافقا، كما ذكر مسؤول تركي"
    a, b = E.find_target(s, "تركي")
    assert s[a:b] == "تركي" and a == s.rindex("تركي")  # not inside تركيا or والتركي
    a, b = E.find_target(s, "التركي")
    assert s[a - 1:b] == "والتركي"
    with pytest.raises(ValueError, match="occurrence 2"):
        E.find_target(s, "تركي", 2)


def test_bad_eval_file_gives_a_clear_error(tmp_path):
    path = tmp_path / "bad.csv"
    row = {"id": 1, "sentence": "رحبت مصر بالاتفاق", "actor_id": "egypt", "target": "مصر",
           "occurrence": 1, "gold": "good", "rationale": "x", "origin": "written"}
    pd.DataFrame([row]).to_csv(path, index=False)
    with pytest.raises(ValueError, match="gold must be one of"):
        E.load_sentiment_eval(path)
    pd.DataFrame([{**row, "gold": "positive", "target": "تونس"}]).to_csv(path, index=False)
    with pytest.raises(ValueError, match="fix the 'target'"):
        E.load_sentiment_eval(path)


def test_metrics_match_hand_counts():
    pred = pd.DataFrame({"gold": ["positive", "positive", "negative", "neutral", "neutral", "neutral"],
                         "pred": ["positive", "neutral", "negative", "neutral", "negative", "neutral"]})
    m = E.sentiment_metrics(pred)
    assert m["accuracy"] == pytest.approx(4 / 6)
    # per class F1: positive P=1 R=.5 -> 2/3; negative P=.5 R=1 -> 2/3; neutral P=2/3 R=2/3 -> 2/3
    assert m["macro_f1"] == pytest.approx(2 / 3)
    assert m["confusion"].loc["gold neutral", "pred negative"] == 1
    assert m["per_class"].loc["positive", "recall"] == pytest.approx(0.5)


def test_bootstrap_interval_holds_the_estimate_and_shrinks_with_data():
    rng = np.random.default_rng(0)
    gold = rng.choice(list(S.LABELS), 400)
    hyp = np.where(rng.random(400) < 0.7, gold, rng.choice(list(S.LABELS), 400))
    pred = pd.DataFrame({"gold": gold, "pred": hyp})
    m = E.sentiment_metrics(pred)
    lo, hi = m["macro_f1_ci"]
    assert lo < m["macro_f1"] < hi and hi - lo < 0.15
    small = E.sentiment_metrics(pred.head(40))
    assert small["macro_f1_ci"][1] - small["macro_f1_ci"][0] > hi - lo
    assert E.bootstrap_interval(pred, "accuracy") == E.bootstrap_interval(pred, "accuracy")  # seeded
    # the vectorised macro-F1 is scikit-learn's
    from sklearn.metrics import f1_score

    codes = {lab: i for i, lab in enumerate(S.LABELS)}
    ours = E.macro_f1_codes(np.array([codes[g] for g in gold]), np.array([codes[h] for h in hyp]))
    assert float(ours) == pytest.approx(f1_score(gold, hyp, labels=list(S.LABELS), average="macro"))


def test_phenomenon_table_reports_each_construction(items):
    pred = items.head(60).assign(pred="neutral")
    table = E.phenomenon_table(pred)
    assert set(table["phenomenon"]) == set(pred["phenomenon"])
    assert table["n"].sum() == 60
    row = table.set_index("phenomenon").loc[pred["phenomenon"].iloc[0]]
    part = pred[pred["phenomenon"] == pred["phenomenon"].iloc[0]]
    assert row["all_acc"] == pytest.approx((part["gold"] == "neutral").mean(), abs=1e-3)


def test_bundled_method_beats_the_majority_baseline(items):
    res = E.evaluate_sentiment(items, method="bundled")
    majority_acc = (items["gold"] == "neutral").mean()
    assert res["all"]["n"] == len(items)
    assert res["dev"]["n"] + res["heldout"]["n"] == len(items)
    # the lexicon method must do better than "everything is neutral" on macro-F1 (~0.22)
    assert res["heldout"]["macro_f1"] > 0.4
    assert res["all"]["accuracy"] > majority_acc
    pred = res["predictions"]
    scored = pred[pred["pred"] != "neutral"]
    assert (scored["evidence"].str.len() > 0).all()  # every non-neutral label has its words


def test_command_prints_figures_and_skips_camelbert(monkeypatch, capsys, tmp_path):
    def unavailable(profile=None, model=None):
        if profile == "bundled":
            return None  # the lexicon method needs no model
        raise ModelUnavailable("sentiment model 'x' is not in the local Hugging Face cache")

    monkeypatch.setattr(S, "load_sentiment", unavailable)
    small = E.load_sentiment_eval().head(12)[E.EVAL_COLUMNS]
    path = tmp_path / "small.csv"
    small.to_csv(path, index=False)
    assert E.main(["--items", str(path), "--no-stance"]) == 0
    out = capsys.readouterr().out
    assert "12 items" in out and "method=bundled" in out and "macro-F1=" in out
    assert "confusion matrix" in out
    assert "always-neutral baseline" in out and "per phenomenon" in out
    assert "macro-F1=" in out and "] " in out  # the bootstrap interval is printed
    assert "method=camelbert: skipped" in out
    assert out.count("\n== targeted sentiment, method=camelbert") == 1


def test_stance_evaluation_is_optional(monkeypatch, capsys):
    import importlib

    real_import = importlib.import_module

    def no_stance(name, *args):
        if name in ("helpers.eval_stance", "helpers.stance"):
            raise ImportError(name)
        return real_import(name, *args)

    monkeypatch.setattr(E.importlib, "import_module", no_stance)
    assert E.stance_report() is None
    E._print_stance(None)
    assert "stance: skipped" in capsys.readouterr().out


def test_stance_report_uses_the_stance_helper(monkeypatch):
    import types

    fake = types.SimpleNamespace(evaluate_stance=lambda: {"precision": 0.5, "n": 4})
    monkeypatch.setattr(E.importlib, "import_module", lambda name, *a: fake)
    assert E.stance_report() == "precision: 0.500\nn: 4"
    fake.format_report = lambda result: f"P={result['precision']}"
    assert E.stance_report() == "P=0.5"
