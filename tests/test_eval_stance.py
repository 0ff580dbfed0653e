"""Tests for helpers.eval_stance: items with their own actor spans, splits, constructions."""

from __future__ import annotations

import importlib.util
import re

import pandas as pd
import pytest

from helpers.actors import load_actors, resolve_mentions
from helpers.eval_stance import (
    evaluate_stance,
    format_report,
    item_mentions,
    load_stance_items,
    main,
    parse_actor_spans,
)
from helpers.schema import MENTIONS

pytestmark = pytest.mark.skipif(importlib.util.find_spec("helpers.actors") is None,
                                reason="helpers.actors is not available")

COLUMNS = ["id", "sentence", "source", "relation", "target", "rationale", "origin",
           "construction", "split", "actors"]


def _items(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


def test_parse_actor_spans():
    assert parse_actor_spans("الحوثيين=houthis|إيران=iran") == [("الحوثيين", "houthis"),
                                                                ("إيران", "iran")]
    assert parse_actor_spans("") == []


def test_item_spans_add_actors_the_dictionary_does_not_know():
    text = "وتدعم إيران الحوثيين في اليمن."
    sents = pd.DataFrame({"article_id": ["x"], "sent_id": [0], "start": [0],
                          "end": [len(text)], "text": [text]})
    resolved = resolve_mentions(MENTIONS.empty(), sents, load_actors(), metonymy=True)
    assert "houthis" not in set(resolved["actor_id"])
    out = item_mentions(sents, {"x": "إيران=iran|الحوثيين=houthis"}, resolved)
    got = dict(zip(out["surface"], out["actor_id"], strict=True))
    assert got["إيران"] == "iran" and got["الحوثيين"] == "houthis"
    # a span after a proclitic is found, and a dictionary mention under a span is replaced
    text2 = "رحبت مصر وبالحكومة السودانية."
    sents2 = sents.assign(text=[text2], end=[len(text2)])
    resolved2 = resolve_mentions(MENTIONS.empty(), sents2, load_actors(), metonymy=True)
    out2 = item_mentions(sents2, {"x": "الحكومة السودانية=sudan_gov"}, resolved2)
    assert "sudan_gov" in set(out2["actor_id"])
    spans = out2[out2["actor_id"] == "sudan_gov"][["start", "end"]].iloc[0]
    overlapping = out2[(out2["start"] < spans["end"]) & (out2["end"] > spans["start"])]
    assert len(overlapping) == 1


def test_scores_per_split_and_construction():
    items = _items([
        ("a1", "وتدعم إيران الحوثيين.", "iran", "supports", "houthis", "r", "written",
         "active_verb", "dev", "إيران=iran|الحوثيين=houthis"),
        ("a2", "الحوثيون المدعومون من إيران يهاجمون السفن.", "iran", "supports", "houthis",
         "r", "written", "passive_participle", "heldout", "إيران=iran|الحوثيون=houthis"),
        # a relation the rules cannot see: a false negative in heldout
        ("a3", "وصلت شحنة إيرانية إلى الحوثيين.", "iran", "supports", "houthis", "r",
         "written", "implicit", "heldout", "إيرانية=iran|الحوثيين=houthis"),
        ("a4", "لا تدعم إيران الحوثيين.", "none", "none", "none", "r", "written", "negated",
         "dev", "إيران=iran|الحوثيين=houthis"),
    ])
    result = evaluate_stance(items)
    dev, held = result["splits"]["dev"], result["splits"]["heldout"]
    assert (dev["micro"]["tp"], dev["micro"]["fp"], dev["micro"]["fn"]) == (1, 0, 0)
    assert (held["micro"]["tp"], held["micro"]["fn"]) == (1, 1)
    assert held["per_construction"]["passive_participle"]["recall"] == 1.0
    assert held["per_construction"]["implicit"]["recall"] == 0.0
    assert result["micro"]["tp"] == 2 and result["micro"]["fn"] == 1
    assert set(result["errors"]["split"]) == {"heldout"}
    report = format_report(result, split="heldout")
    assert "== split heldout" in report and "== split dev" not in report
    assert re.search(r"passive_participle\s+1\.000\s+1\.000", report)


def test_bad_items_raise(tmp_path):
    good = ("x1", "تدعم باريس حفتر.", "france", "supports", "haftar", "r", "written",
            "active_verb", "dev", "")
    for index, value, message in [(8, "test", "split 'test'"), (7, "", "empty construction"),
                                  (9, "مصر=egypt", "does not occur in the sentence"),
                                  (9, "باريس", "surface=actor_id")]:
        row = list(good)
        row[index] = value
        path = tmp_path / "items.csv"
        _items([tuple(row)]).to_csv(path, index=False)
        with pytest.raises(ValueError, match=re.escape(message)):
            load_stance_items(path)


def test_bundled_items_command_reports_both_splits(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    for split in ("dev", "heldout"):
        assert re.search(rf"== split {split}: \d+ items", out)
    assert re.search(r"micro\s+P=\d\.\d{3}\s+R=\d\.\d{3}", out)
    for family in ("supports", "criticises", "mediates"):
        assert family in out
    assert "passive_participle" in out and "construction" in out
