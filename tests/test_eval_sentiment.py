"""The sentiment evaluation data (data/eval/sentiment.csv) and command (helpers.eval_sentiment)."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import eval_sentiment as E
from helpers import sentiment as S


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
    # the two halves are of equal size
    assert abs((items["split"] == "dev").sum() - (items["split"] == "heldout").sum()) <= 1


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
    def unavailable(model=None):
        raise S.SentimentModelUnavailable("Sentiment model 'x' is not in the local Hugging Face cache")

    monkeypatch.setattr(S, "load_sentiment_model", unavailable)
    small = E.load_sentiment_eval().head(12)[E.EVAL_COLUMNS]
    path = tmp_path / "small.csv"
    small.to_csv(path, index=False)
    assert E.main(["--items", str(path), "--no-stance"]) == 0
    out = capsys.readouterr().out
    assert "12 items" in out and "method=bundled" in out and "macro-F1=" in out
    assert "confusion matrix" in out
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
